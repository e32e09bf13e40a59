"""The gazetteer: GB/T 2260 regions (``kg/data/regions.tsv``) and the names people write for them.

Former codes and names (``kg/data/region_history.tsv``: 湟中县 630122 until 2019, now 湟中区 630106)
are aliases of the region that replaced them, so an older text still resolves to a current code.
Loaded once per process (``gazetteer()``); every stage reads it, none writes it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, replace
from functools import cache

from kg.errors import ReferenceDataError
from kg.reference import data_lines, data_text

COUNTRY = "000000"

# The codes the graph gives are those in force at the end of this year (the year its users' and the gold's
# GB/T 2260 codes are of). A region abolished later stays a region of its own: the texts of the years before
# name it, and merging it into its successor would lose which of them a fact is about (江北区 and 渝北区 both
# became 两江新区 in 2025-11). Changes up to this year make former names of the current region.
CODES_AS_OF = 2024

# Alias strength: a "weak" alias (a two-character county stem such as 大通 or 城北) is taken
# only when the same document also names that region in a strong form (大通县).
STRONG, WEAK = "strong", "weak"


@dataclass(frozen=True, slots=True)
class FormerName:
    """A code and name a region (or one merged into it) had, and the years they were in force."""

    code: str
    name: str
    valid_from: int
    valid_until: int


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    level: str  # country | province | prefecture | county
    parent: str | None
    longitude: str = ""
    latitude: str = ""
    former: tuple[FormerName, ...] = ()  # oldest change first

    @property
    def former_names(self) -> list[str]:
        """Former names other than the current one, without repeats, in the order they changed."""
        return list(dict.fromkeys(f.name for f in self.former if f.name != self.name))

    @property
    def former_codes(self) -> list[str]:
        """Former codes other than the current one, without repeats, in the order they changed."""
        return list(dict.fromkeys(f.code for f in self.former if f.code != self.code))

    @property
    def province(self) -> str:
        return self.code[:2] + "0000" if self.code != COUNTRY else COUNTRY

    @property
    def prefecture(self) -> str | None:
        return self.code[:4] + "00" if self.level in ("prefecture", "county") else None


@dataclass(frozen=True)
class Gazetteer:
    """Regions by code, and every alias with the codes it can name and its strength."""

    by_code: dict[str, Region]
    aliases: dict[str, tuple[tuple[str, str], ...]]  # alias -> ((code, strength), ...)
    replaced: dict[str, str] = field(default_factory=dict)  # former code -> current code
    former_aliases: frozenset[str] = frozenset()  # aliases that come from former names only
    full_names: frozenset[str] = frozenset()  # current names and former full names (湟中县)

    def is_full_name(self, text: str, code: str) -> bool:
        """Whether ``text`` is the name of region ``code``, current or former (not a short form)."""
        region = self.by_code[code]
        return text == region.name or (text in self.full_names and text in region.former_names)

    def ancestors(self, code: str) -> list[str]:
        """Codes above ``code``, nearest first, ending with the country."""
        out: list[str] = []
        region = self.by_code.get(code)
        while region is not None and region.parent:
            out.append(region.parent)
            region = self.by_code.get(region.parent)
        return out

    def province_of(self, code: str) -> str | None:
        """The province-level region ``code`` is or lies in (None for the country and unknown codes)."""
        for c in (code, *self.ancestors(code)):
            region = self.by_code.get(c)
            if region is not None and region.level == "province":
                return c
        return None

    def lineage(self, code: str) -> set[str]:
        return {code, *self.ancestors(code)}

    def is_within(self, code: str, ancestor: str) -> bool:
        return ancestor in self.lineage(code)


_ADMIN_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "省", "市", "区", "县", "旗", "盟")


def _strip_ethnic(stem: str, groups: list[str]) -> str:
    changed = True
    while changed:
        changed = False
        for g in groups:
            for form in (g, g.removesuffix("族") if len(g) > 2 else g):
                if stem.endswith(form) and len(stem) > len(form) + 1:
                    stem = stem[: -len(form)]
                    changed = True
                    break
            if changed:
                break
    return stem


def region_aliases(name: str, level: str, groups: list[str]) -> list[tuple[str, str]]:
    """The forms people write for a region: 海西蒙古族藏族自治州 -> 海西州, 海西."""
    # A two-character county name (矿区, 郊区, 和县) is also an ordinary word.
    out: list[tuple[str, str]] = [(name, WEAK if level == "county" and len(name) <= 2 else STRONG)]
    if level == "country":
        return out
    suffix = next((s for s in _ADMIN_SUFFIXES if name.endswith(s) and len(name) > len(s)), "")
    stem = name[: -len(suffix)] if suffix else name
    if suffix in ("自治区", "自治州", "自治县", "自治旗"):
        stem = _strip_ethnic(stem, groups)
        short_suffix = {"自治州": "州", "自治县": "县", "自治旗": "旗"}.get(suffix)
        if short_suffix:
            out.append((stem + short_suffix, STRONG))
    if len(stem) < 2 or stem == name:
        return out
    if level in ("province", "prefecture") or len(stem) >= 3:
        out.append((stem, STRONG))
    else:
        out.append((stem, WEAK))
    return out


def region_aliases_of(code: str) -> list[str]:
    """The strong short forms of one region (not its full name), for skos:altLabel."""
    return _aliases_by_code().get(code, [])


@cache
def _aliases_by_code() -> dict[str, list[str]]:
    g = gazetteer()
    out: dict[str, list[str]] = {}
    for alias, codes in g.aliases.items():
        if alias in g.former_aliases:
            continue  # former names are zc:formerName, not current short forms
        for code, strength in codes:
            if strength == STRONG and alias != g.by_code[code].name:
                out.setdefault(code, []).append(alias)
    return {code: sorted(v) for code, v in out.items()}


def _rows(name: str) -> csv.DictReader[str]:
    return csv.DictReader((ln for ln in data_text(name).splitlines() if not ln.startswith("#")), delimiter="\t")


def _level_of_code(code: str) -> str:
    if code[2:] == "0000":
        return "province"
    return "prefecture" if code[4:] == "00" else "county"


def _read_history(by_code: dict[str, Region]) -> dict[str, list[FormerName]]:
    """Former names by the current code that replaced them (kg/data/region_history.tsv)."""
    out: dict[str, list[FormerName]] = {}
    for row in _rows("region_history.tsv"):
        code, current = row["former_code"], row["replaced_by"]
        try:
            valid_from, valid_until = int(row["valid_from"]), int(row["valid_until"])
        except ValueError:
            raise ReferenceDataError(f"kg/data/region_history.tsv: bad years for {code} {row['former_name']}") from None
        if len(code) != 6 or not code.isdigit() or current not in by_code or valid_from > valid_until:
            raise ReferenceDataError(f"kg/data/region_history.tsv: bad row {code} {row['former_name']} -> {current}")
        out.setdefault(current, []).append(FormerName(code, row["former_name"], valid_from, valid_until))
    return out


@cache
def gazetteer() -> Gazetteer:
    groups = data_lines("ethnic_groups.txt")
    stop = set(data_lines("region_stop_aliases.txt"))
    by_code: dict[str, Region] = {}
    for row in _rows("regions.tsv"):
        code = row["code"]
        if len(code) != 6 or not code.isdigit():
            raise ReferenceDataError(f"kg/data/regions.tsv: bad code {code!r}")
        by_code[code] = Region(
            code, row["name"], row["level"], row["parent"] or None, row["longitude"], row["latitude"]
        )
    history = _read_history(by_code)
    for current, formers in history.items():
        for f in [f for f in formers if f.valid_until > CODES_AS_OF and f.code not in by_code]:
            formers.remove(f)  # abolished after CODES_AS_OF: a region of its own, beside its successor
            by_code[f.code] = Region(f.code, f.name, _level_of_code(f.code), by_code[current].parent)
    table: dict[str, dict[str, str]] = {}
    for region in by_code.values():
        if region.level == "country":
            continue  # 中国 in running text is rarely a statement about the country as a region
        for alias, strength in region_aliases(region.name, region.level, groups):
            if alias in stop:
                continue
            slot = table.setdefault(alias, {})
            if slot.get(region.code) != STRONG:
                slot[region.code] = strength

    # Former names: aliases of the region that replaced them, with the strength a current name of
    # that level would have; of their short forms only the strong ones (a two-character stem of a
    # former county, 动力 or 四方, is more often a word than the region). A current region keeps the
    # names it answers to: a former full name that is one of them is only a weak candidate, taken
    # where the context names the former parent (邢台市桥东区 -> 襄都区, while 桥东区 alone stays
    # 张家口's), unless its stem is one character (郊区); a former short form that is one of them is
    # not added (襄阳 stays the city, not the former 襄阳县).
    replaced: dict[str, str] = {}
    former_table: dict[str, dict[str, str]] = {}
    taken: list[tuple[str, str]] = []
    full_names = {r.name for r in by_code.values()}
    for current, formers in history.items():
        formers.sort(key=lambda f: (f.valid_until, f.valid_from, f.code, f.name))
        by_code[current] = replace(by_code[current], former=tuple(formers))
        for f in formers:
            full_names.add(f.name)
            if f.code not in by_code:
                replaced[f.code] = current
            for alias, strength in region_aliases(f.name, _level_of_code(f.code), groups):
                if alias in stop or (alias != f.name and strength == WEAK):
                    continue
                if alias in table:
                    if alias == f.name and len(alias) > 2 and current not in table[alias]:
                        taken.append((alias, current))
                    continue
                slot = former_table.setdefault(alias, {})
                if slot.get(current) != STRONG:
                    slot[current] = strength
    for alias, current in taken:
        table[alias].setdefault(current, WEAK)
    table.update(former_table)
    aliases = {a: tuple(sorted(codes.items())) for a, codes in table.items()}
    return Gazetteer(by_code, aliases, replaced, frozenset(former_table), frozenset(full_names))
