"""Region mentions: gazetteer names and short forms, uncoded places, and 我市/全省-style references.

A Region mention's ``key`` is the alias matched; its ``candidates`` attribute lists the codes the
alias can name with their strength ("630121:strong 340402:weak"). Choosing among them is the
resolve stage's job, which sees the whole document.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, lru_cache

from kg.dictionary import dictionary_cuts, tokenizer
from kg.extract.matcher import PhraseMatcher
from kg.gazetteer import Gazetteer, gazetteer
from kg.types import Document, Mention, Segmentation

# A short form followed by one of these is part of a street or place name (海北街道, 中山路).
_PLACE_TAIL = re.compile(r"(?:街道|镇|乡|村|路|街|大街|大道|社区|小区|巷)")
_PLACE_AFTER_REGION = re.compile(
    r"[\u4e00-\u9fff]{1,8}?(?:经济技术开发区|高新技术产业开发区|经济开发区|开发区|高新区|产业园区|工业园区|新区|街道|镇|乡)"
    r"(?![\u4e00-\u9fff]{0,1}(?:长|委|办|政府|党委|书记))"
)
_REGION_REFERENCE = re.compile(r"(?:我|该|全|本)(?:省|市|州|县|区|盟|旗)|自治区|全疆|自治州")

_HAN = re.compile(r"[\u4e00-\u9fff]")
_ALL_HAN = re.compile(r"[\u4e00-\u9fff]+")


def on_word_boundaries(text: str, start: int, end: int, window: int = 8) -> bool:
    """Whether jieba's segmentation of the surrounding text cuts at ``start`` and ``end``.

    Catches names inside words: 上海 in 登上海拔, 长治 in 长治久安, 范县 in 示范县.
    """
    han_before = start > 0 and _HAN.match(text, start - 1) is not None
    han_after = end < len(text) and _HAN.match(text, end) is not None
    if not han_before and not han_after:  # set apart by punctuation, digits or the text's ends
        return True
    # the run of Chinese characters around the name: other characters are word boundaries anyway
    left = start
    while left > max(0, start - window) and _HAN.match(text, left - 1):
        left -= 1
    right = end
    while right < min(len(text), end + window) and _HAN.match(text, right):
        right += 1
    chunk = text[left:right]
    if _ALL_HAN.fullmatch(chunk):
        cuts = {left, *(left + c for c in dictionary_cuts(chunk))}
    else:  # a name that is not all Chinese characters
        cuts = {left}
        pos = left
        for token in tokenizer().cut(chunk, HMM=False):
            pos += len(token)
            cuts.add(pos)
    return start in cuts and end in cuts


@cache
def _automaton() -> PhraseMatcher:
    return PhraseMatcher(gazetteer().aliases)


@lru_cache(maxsize=4)
def alias_matches(text: str) -> tuple[tuple[int, int, str], ...]:
    """Every gazetteer name in ``text`` (leftmost longest) as (start, end, alias).

    Cached for the last few texts: the region extractor and the quantity extractor scan the same one.
    """
    return tuple(_automaton().find(text))


def _candidates_attr(g: Gazetteer, alias: str) -> str:
    return " ".join(f"{code}:{strength}" for code, strength in g.aliases[alias])


def region_mentions(doc: Document, _seg: Segmentation | None = None) -> Iterator[Mention]:
    """Gazetteer matches (leftmost longest), then the places that follow them."""
    g = gazetteer()
    text = doc.text
    matches = alias_matches(text)
    starts = {s for s, _e, _a in matches}
    for start, end, alias in matches:
        full_name = alias in g.full_names  # a current or former official name, not a short form
        if not full_name and _PLACE_TAIL.match(text, end):
            continue
        if (not full_name or len(alias) <= 2) and not on_word_boundaries(text, start, end):
            continue
        yield Mention(start, end, alias, "Region", alias, (("candidates", _candidates_attr(g, alias)),))
        place = None if end in starts else _PLACE_AFTER_REGION.match(text, end)
        if place and not any(a in place.group() for a in ("镇乡", "乡镇", "城乡")):
            label = text[start : place.end()]
            yield Mention(start, place.end(), label, "Place", alias, (("parent_alias", alias),))


def region_references(doc: Document, _seg: Segmentation | None = None) -> Iterator[Mention]:
    """我市, 该州, 全省, 自治区 ...: references to a region the article is about."""
    for m in _REGION_REFERENCE.finditer(doc.text):
        word = m.group()
        level = {
            "省": "province",
            "州": "prefecture",
            "盟": "prefecture",
            "市": "city",
            "县": "county",
            "旗": "county",
        }.get(word[-1], "district")
        if word in ("自治区", "全疆"):
            level = "province"
        elif word == "自治州":
            level = "prefecture"
        yield Mention(m.start(), m.end(), word, "RegionRef", level)


def region_spans(text: str) -> list[tuple[int, int]]:
    """Spans of every gazetteer name in ``text`` (no context checks; cheap)."""
    return [(start, end) for start, end, _alias in alias_matches(text)]


def region_codes_in(text: str) -> frozenset[str]:
    """Codes named in ``text`` by a strong form (for matching titles with bodies)."""
    g = gazetteer()
    codes: set[str] = set()
    for _start, _end, alias in _automaton().find(text):
        codes.update(code for code, strength in g.aliases[alias] if strength == "strong")
    return frozenset(codes)
