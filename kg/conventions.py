"""Conventions of Chinese government writing (``kg/data/conventions.toml``) as typed tables.

Level words, reference words, status and figure cues, genre and section words: the extraction
rules read them from here, so each is stated once and none is a province's habit written in code.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from typing import Any

from kg.errors import ReferenceDataError
from kg.reference import data_text

# Chinese characters, as a character class body: CJK Unified Ideographs, Extension A, compatibility
# ideographs. A fact of Unicode rather than a convention of writing, so code (load.py reads it at import).
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


def _words(table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ReferenceDataError(f"kg/data/conventions.toml: [{where}] {key} must be a list of words")
    return tuple(value)


def alternation(words: tuple[str, ...] | list[str]) -> str:
    """A regex alternation of ``words``, longest first (so 比上年同期 is tried before 比上年).

    >>> alternation(["比上年", "同比", "比上年同期"])
    '比上年同期|比上年|同比'
    """
    return "|".join(map(re.escape, sorted(set(words), key=lambda w: (-len(w), w))))


@dataclass(frozen=True, slots=True)
class AgencyGrammar:
    """The words of the agency grammar (``[agencies]``); kg/extract/agencies.py reads them."""

    max_run: int
    national_prefixes: tuple[str, ...]
    party_prefixes: tuple[str, ...]
    place_words: tuple[str, ...]
    national_units: tuple[str, ...]
    grassroots: tuple[str, ...]
    sub_units: tuple[str, ...]
    office_units: tuple[str, ...]
    branch_units: tuple[str, ...]
    seat_units: tuple[str, ...]
    stop_characters: str
    not_body_start: tuple[str, ...]
    not_units: tuple[str, ...]
    not_after: tuple[str, ...]
    level_adjectives: tuple[str, ...]
    titles: tuple[str, ...]
    each_words: tuple[str, ...]
    short_name_markers: tuple[str, ...]


def _agency_grammar(table: dict[str, Any]) -> AgencyGrammar:
    def words(key: str) -> tuple[str, ...]:
        return _words(table, key, "agencies")

    stop = table.get("stop_characters")
    if not isinstance(stop, str) or not stop:
        raise ReferenceDataError("kg/data/conventions.toml: [agencies] stop_characters must be a string")
    return AgencyGrammar(
        max_run=int(table["max_run"]),
        national_prefixes=words("national_prefixes"),
        party_prefixes=words("party_prefix"),
        place_words=words("place_words"),
        national_units=words("national_units"),
        grassroots=words("grassroots"),
        sub_units=words("sub_units"),
        office_units=words("office_units"),
        branch_units=words("branch_units"),
        seat_units=words("seat_units"),
        stop_characters=stop,
        not_body_start=words("not_body_start"),
        not_units=words("not_units"),
        not_after=words("not_after"),
        level_adjectives=words("level_adjectives"),
        titles=words("titles"),
        each_words=words("each_words"),
        short_name_markers=words("short_name_markers"),
    )


@dataclass(frozen=True, slots=True)
class Conventions:
    han: str  # HAN (kept here for the patterns built from the conventions)
    levels: dict[str, str]  # level word -> region kind (province, prefecture, city, county, district)
    reference_prefixes: tuple[str, ...]
    country_words: tuple[str, ...]
    object_markers: tuple[str, ...]
    rank_after: tuple[str, ...]
    province_characters: dict[str, str]  # one-character province name -> province code
    group_numerals: tuple[str, ...]  # 两 三 …: the count of places a group word (三地, 两市) refers back to
    group_unnumbered: tuple[str, ...]  # 多 各 数: a group word of no count (多地)
    group_nouns: tuple[str, ...]  # 地 市 县 …: the place noun of a group word
    piloting: tuple[str, ...]
    sought: tuple[str, ...]
    planned: tuple[str, ...]
    disposal_verbs: tuple[str, ...]
    future_after: tuple[str, ...]
    done: tuple[str, ...]
    directive: tuple[str, ...]
    review_months: int
    completed: tuple[str, ...]
    up_to_now: tuple[str, ...]
    vague_since: tuple[str, ...]
    present_modals: tuple[str, ...]
    not_modals: tuple[str, ...]
    policy_endings: tuple[str, ...]
    after_quote: tuple[str, ...]
    title_endings: tuple[str, ...]
    cited_after: tuple[str, ...]
    plan_titles: tuple[str, ...]
    report_titles: tuple[str, ...]
    forward_sections: tuple[str, ...]
    retrospective_sections: tuple[str, ...]
    estimate: tuple[str, ...]
    target: tuple[str, ...]
    comparison: tuple[str, ...]
    increase: tuple[str, ...]
    decrease: tuple[str, ...]
    share: tuple[str, ...]
    share_after: tuple[str, ...]
    level_after_change: tuple[str, ...]
    at_least_before: tuple[str, ...]
    about_before: tuple[str, ...]
    at_most_before: tuple[str, ...]
    at_least_after: tuple[str, ...]
    about_after: tuple[str, ...]
    at_most_after: tuple[str, ...]
    agencies: AgencyGrammar
    leading: tuple[str, ...]  # the [indicators] section: how a number's label is read
    trailing: tuple[str, ...]
    trailing_kept: tuple[str, ...]
    change_to: tuple[str, ...]
    verbs: tuple[str, ...]
    adverbials: tuple[str, ...]
    after_noun_ends: tuple[str, ...]
    predicates: tuple[str, ...]
    benefactive: tuple[str, ...]
    reach: tuple[str, ...]
    per: tuple[str, ...]
    funding: tuple[str, ...]
    purpose: tuple[str, ...]
    not_counted: tuple[str, ...]
    budget_kinds: tuple[str, ...]
    own_level: tuple[str, ...]
    budget_stages: tuple[str, ...]
    stocks: tuple[str, ...]
    totals: tuple[str, ...]
    comparable_drop: tuple[str, ...]
    counterparts: tuple[str, ...]
    implied_units: tuple[tuple[str, str], ...]  # label ending -> unit of a number written without one


_INDICATOR_KEYS = (
    "leading",
    "trailing",
    "trailing_kept",
    "change_to",
    "verbs",
    "adverbials",
    "after_noun_ends",
    "predicates",
    "benefactive",
    "reach",
    "per",
    "funding",
    "purpose",
    "not_counted",
    "budget_kinds",
    "own_level",
    "budget_stages",
    "stocks",
    "totals",
    "comparable_drop",
    "counterparts",
)


@cache
def _conventions_file() -> dict[str, Any]:
    """The parsed conventions file, read once per process for every section's loader."""
    try:
        return tomllib.loads(data_text("conventions.toml"))
    except tomllib.TOMLDecodeError as e:
        raise ReferenceDataError(f"kg/data/conventions.toml: {e}") from None


@cache
def conventions() -> Conventions:
    """The conventions file's tables."""
    data = _conventions_file()
    refs = data["references"]
    provinces = {ch: code for code, chars in refs["province_characters"].items() for ch in chars}
    ind = data["indicators"]
    status, genre, sections, figures, q = (
        data["status"],
        data["genre"],
        data["sections"],
        data["figures"],
        data["qualifiers"],
    )
    return Conventions(
        han=HAN,
        levels=dict(data["levels"]),
        reference_prefixes=_words(refs, "prefixes", "references"),
        country_words=_words(refs, "country", "references"),
        object_markers=_words(refs, "object_markers", "references"),
        rank_after=_words(refs, "rank_after", "references"),
        province_characters=provinces,
        group_numerals=_words(refs, "group_numerals", "references"),
        group_unnumbered=_words(refs, "group_unnumbered", "references"),
        group_nouns=_words(refs, "group_nouns", "references"),
        piloting=_words(status, "piloting", "status"),
        sought=_words(status, "sought", "status"),
        planned=_words(status, "planned", "status"),
        disposal_verbs=_words(status, "disposal_verbs", "status"),
        future_after=_words(status, "future_after", "status"),
        done=_words(status, "done", "status"),
        directive=_words(status, "directive", "status"),
        review_months=int(data["periods"]["review_months"]),
        completed=_words(data["periods"], "completed", "periods"),
        up_to_now=_words(data["periods"], "up_to_now", "periods"),
        vague_since=_words(data["periods"], "vague_since", "periods"),
        present_modals=_words(data["periods"], "present_modals", "periods"),
        not_modals=_words(data["periods"], "not_modals", "periods"),
        policy_endings=_words(data["policies"], "name_endings", "policies"),
        after_quote=_words(data["policies"], "after_quote", "policies"),
        title_endings=_words(data["policies"], "title_endings", "policies"),
        cited_after=_words(data["policies"], "cited_after", "policies"),
        plan_titles=_words(genre, "plan", "genre"),
        report_titles=_words(genre, "report", "genre"),
        forward_sections=_words(sections, "forward", "sections"),
        retrospective_sections=_words(sections, "retrospective", "sections"),
        estimate=_words(figures, "estimate", "figures"),
        target=_words(figures, "target", "figures"),
        comparison=_words(figures, "comparison", "figures"),
        increase=_words(figures, "increase", "figures"),
        decrease=_words(figures, "decrease", "figures"),
        share=_words(figures, "share", "figures"),
        share_after=_words(figures, "share_after", "figures"),
        level_after_change=_words(figures, "level_after_change", "figures"),
        at_least_before=_words(q, "at_least_before", "qualifiers"),
        about_before=_words(q, "about_before", "qualifiers"),
        at_most_before=_words(q, "at_most_before", "qualifiers"),
        at_least_after=_words(q, "at_least_after", "qualifiers"),
        about_after=_words(q, "about_after", "qualifiers"),
        at_most_after=_words(q, "at_most_after", "qualifiers"),
        agencies=_agency_grammar(data["agencies"]),
        **{key: _words(ind, key, "indicators") for key in _INDICATOR_KEYS},
        implied_units=tuple((str(a), str(b)) for a, b in ind["implied_units"]),
    )


@cache
def han_class() -> str:
    """``[...]`` matching one Chinese character."""
    return f"[{HAN}]"


@dataclass(frozen=True, slots=True)
class PlaceConventions:
    """The ``[places]`` section: how a township, street or zone without a code is written."""

    township_heads: tuple[str, ...]
    zone_heads: tuple[str, ...]
    words: frozenset[str]  # common nouns ending in a head (乡镇, 城镇)
    head_words: frozenset[str]  # what may follow a head inside one jieba word (街道办, 镇长)
    not_after: tuple[str, ...]  # a head followed by these is inside another name (新区路)
    stops: frozenset[str]  # words a name starts after (的, 在)
    not_names: frozenset[str]  # words that make the phrase a class of places (各, 全, 不)
    common_count: int  # a name that is one dictionary word this frequent is an ordinary word
    directions: frozenset[str]  # ordinary words that still name zones after their region (东部)
    name_tails: tuple[str, ...]  # a short form followed by these is inside a name (中山路, 锦江体育公园)

    @property
    def heads(self) -> tuple[str, ...]:
        return (*self.township_heads, *self.zone_heads)


@cache
def place_conventions() -> PlaceConventions:
    """The ``[places]`` section of the conventions file."""
    try:
        section = _conventions_file()["places"]
    except KeyError as e:
        raise ReferenceDataError(f"kg/data/conventions.toml: [places]: {e}") from None
    count = section.get("common_count")
    if not isinstance(count, int) or count <= 0:
        raise ReferenceDataError("kg/data/conventions.toml: [places] common_count must be a positive integer")
    return PlaceConventions(
        township_heads=_words(section, "township_heads", "places"),
        zone_heads=_words(section, "zone_heads", "places"),
        words=frozenset(_words(section, "words", "places")),
        head_words=frozenset(_words(section, "head_words", "places")),
        not_after=_words(section, "not_after", "places"),
        stops=frozenset(_words(section, "stops", "places")),
        not_names=frozenset(_words(section, "not_names", "places")),
        common_count=count,
        directions=frozenset(_words(section, "directions", "places")),
        name_tails=_words(section, "name_tails", "places"),
    )
