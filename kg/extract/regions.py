"""Region mentions: gazetteer names and short forms, uncoded places, and 我市/全省-style references.

A Region mention's ``key`` is the alias matched; its RegionName lists the regions the alias can
name, each strong or weak. Choosing among them is the resolve stage's job, which sees the whole
document.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, lru_cache

from kg.conventions import alternation, conventions, han_class
from kg.dictionary import dictionary_cuts, tokenizer
from kg.errors import ReferenceDataError
from kg.extract.matcher import PhraseMatcher
from kg.gazetteer import COUNTRY, STRONG, Gazetteer, gazetteer
from kg.types import (
    Document,
    Mention,
    PlaceName,
    RegionCandidate,
    RegionKind,
    RegionName,
    RegionReference,
    Segmentation,
)

# A short form followed by one of these is part of a street or place name (海北街道, 中山路).
_PLACE_TAIL = re.compile(r"(?:街道|镇|乡|村|路|街|大街|大道|社区|小区|巷)")
_PLACE_AFTER_REGION = re.compile(
    r"[\u4e00-\u9fff]{1,8}?(?:经济技术开发区|高新技术产业开发区|经济开发区|开发区|高新区|产业园区|工业园区|新区|街道|镇|乡)"
    r"(?![\u4e00-\u9fff]{0,1}(?:长|委|办|政府|党委|书记))"
)


@cache
def _han() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """One Chinese character, and a run of them."""
    return re.compile(han_class()), re.compile(han_class() + "+")


def on_word_boundaries(text: str, start: int, end: int, window: int = 8) -> bool:
    """Whether jieba's segmentation of the surrounding text cuts at ``start`` and ``end``.

    Catches names inside words: 上海 in 登上海拔, 长治 in 长治久安, 范县 in 示范县.
    """
    han, all_han = _han()
    han_before = start > 0 and han.match(text, start - 1) is not None
    han_after = end < len(text) and han.match(text, end) is not None
    if not han_before and not han_after:  # set apart by punctuation, digits or the text's ends
        return True
    # the run of Chinese characters around the name: other characters are word boundaries anyway
    left = start
    while left > max(0, start - window) and han.match(text, left - 1):
        left -= 1
    right = end
    while right < min(len(text), end + window) and han.match(text, right):
        right += 1
    chunk = text[left:right]
    if all_han.fullmatch(chunk):
        cuts = {left, *(left + c for c in dictionary_cuts(chunk))}
    else:  # a name that is not all Chinese characters
        cuts = {left}
        pos = left
        for token in tokenizer().cut(chunk, HMM=False):
            pos += len(token)
            cuts.add(pos)
    return start in cuts and end in cuts


@cache
def automaton() -> PhraseMatcher:
    return PhraseMatcher(gazetteer().aliases)


@lru_cache(maxsize=4)
def alias_matches(text: str) -> tuple[tuple[int, int, str], ...]:
    """Every gazetteer name in ``text`` (leftmost longest) as (start, end, alias).

    Cached for the last few texts: the region extractor and the quantity extractor scan the same one.
    """
    return tuple(automaton().find(text))


def region_name(g: Gazetteer, alias: str) -> RegionName:
    """What a gazetteer name can stand for."""
    return RegionName(
        tuple(RegionCandidate(code, strength == STRONG) for code, strength in g.aliases[alias]),
        full_name=alias in g.full_names,  # a current or former official name, not a short form
    )


def region_mentions(doc: Document, _seg: Segmentation | None = None) -> Iterator[Mention]:
    """Gazetteer matches (leftmost longest), then the places that follow them."""
    g = gazetteer()
    text = doc.text
    matches = alias_matches(text)
    starts = {s for s, _e, _a in matches}
    for start, end, alias in matches:
        name = region_name(g, alias)
        if not name.full_name and _PLACE_TAIL.match(text, end):
            continue
        if (not name.full_name or len(alias) <= 2) and not on_word_boundaries(text, start, end):
            continue
        yield Mention(start, end, alias, "Region", alias, name)
        place = None if end in starts else _PLACE_AFTER_REGION.match(text, end)
        if place and not any(a in place.group() for a in ("镇乡", "乡镇", "城乡")):
            label = text[start : place.end()]
            yield Mention(start, place.end(), label, "Place", alias, PlaceName(_place_head(label)))


def _place_head(label: str) -> str:
    m = re.search(
        r"(?:经济技术开发区|高新技术产业开发区|经济开发区|开发区|高新区|产业园区|工业园区|新区|街道|镇|乡)$", label
    )
    return m.group() if m else ""


@cache
def _reference_pattern() -> re.Pattern[str]:
    c = conventions()
    levels = alternation(list(c.levels))
    prefixes = alternation(list(c.reference_prefixes))
    provinces = alternation(list(c.province_characters))
    return re.compile(
        rf"(?P<country>{alternation(list(c.country_words))})"
        rf"|(?P<word>(?:{prefixes})(?:{levels}))"
        rf"|全(?P<province>{provinces})"
        rf"|(?P<bare>自治区|自治州)"
    )


def region_references(doc: Document, _seg: Segmentation | None = None) -> Iterator[Mention]:
    """我市, 该州, 全省, 自治区, 全国, 全川 ...: references to a region by its level or a fixed word."""
    c = conventions()
    text = doc.text
    names = {start for start, _end, _alias in alias_matches(text)}
    for m in _reference_pattern().finditer(text):
        word = m.group()
        if m.group("country"):
            yield Mention(m.start(), m.end(), word, "RegionRef", "country", RegionReference("country", COUNTRY))
        elif m.group("province"):
            if m.start("province") in names:  # 全苏州 is all of Suzhou, not of Jiangsu
                continue
            code = c.province_characters[m.group("province")]
            yield Mention(m.start(), m.end(), word, "RegionRef", "province", RegionReference("province", code))
        else:
            level = word if m.group("bare") else word[1:]
            kind = _kind(c.levels[level])
            yield Mention(m.start(), m.end(), word, "RegionRef", kind, RegionReference(kind))


def _kind(value: str) -> RegionKind:
    if value not in ("province", "prefecture", "city", "county", "district"):
        raise ReferenceDataError(f"kg/data/conventions.toml: unknown region kind {value!r}")
    return value  # type: ignore[return-value]


def region_spans(text: str) -> list[tuple[int, int]]:
    """Spans of every gazetteer name in ``text`` (no context checks; cheap)."""
    return [(start, end) for start, end, _alias in alias_matches(text)]


def region_codes_in(text: str) -> frozenset[str]:
    """Codes named in ``text`` by a strong form (for matching titles with bodies)."""
    g = gazetteer()
    codes: set[str] = set()
    for _start, _end, alias in automaton().find(text):
        codes.update(code for code, strength in g.aliases[alias] if strength == "strong")
    return frozenset(codes)
