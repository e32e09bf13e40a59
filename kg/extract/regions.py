"""Region mentions: gazetteer names and short forms, uncoded places, and 我市/全省-style references.

A Region mention's ``key`` is the alias matched; its RegionName lists the regions the alias can
name, each strong or weak. Choosing among them is the resolve stage's job, which sees the whole
document.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Iterator
from functools import cache, lru_cache

from kg.conventions import alternation, conventions, han_class, place_conventions
from kg.dictionary import dictionary_cuts, tokenizer, word_scores
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

# A news agency's or paper's dateline: 新华社北京3月19日电, 本报北京1月5日讯, 中新社成都电.
_DATELINE_CITY = re.compile(r"(?:新华社|本报|中新社|人民网|央视网)[^，。\n“”]{1,12}?\d{0,2}月?\d{0,2}日?(?:电|讯)")
_MAX_PLACE_NAME = 8  # characters of a place's name before its head


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
    """Gazetteer matches (leftmost longest) that stand as names, then the places without a code."""
    g = gazetteer()
    text = doc.text
    matches = alias_matches(text)
    datelines = [(m.start(), m.end()) for m in _DATELINE_CITY.finditer(text)]
    kept: list[Mention] = []
    for i, (start, end, alias) in enumerate(matches):
        name = region_name(g, alias)
        if not name.full_name and text.startswith(place_conventions().name_tails, end):
            continue
        if not name.full_name and _wrong_level_after(g, name, text, end):
            continue  # 要会同市财政局: 会同 (会同县) before 市 is the verb, no county
        if any(s <= start and end <= e for s, e in datelines):
            continue  # 新华社北京3月19日电: where the agency filed from, not what the text is about
        # a name jieba reads inside a word is no name, unless the word is regions (辽宁大连) or a
        # zone of the region (苏州高新区)
        if (
            (not name.full_name or len(alias) <= 2)
            and not on_word_boundaries(text, start, end)
            and not _in_chain(g, matches, i)
            and not text.startswith(place_conventions().zone_heads, end)
        ):
            continue
        kept.append(Mention(start, end, alias, "Region", alias, name))
    found, absorbed = place_mentions(text, kept)
    yield from (m for m in kept if m.start not in absorbed)
    yield from found


def _wrong_level_after(g: Gazetteer, name: RegionName, text: str, end: int) -> bool:
    """Whether a short name is followed by 市 or 县 that none of its regions' full names ends with (会同 +
    市财政局, though 会同 is a 县): the level word belongs to the next word, and the short name is none."""
    level = text[end : end + 1]
    if level not in ("市", "县"):
        return False
    regions = [g.by_code[c.code] for c in name.candidates if c.code in g.by_code]
    return bool(regions) and not any(r.name.endswith(level) for r in regions)


def _in_chain(g: Gazetteer, matches: tuple[tuple[int, int, str], ...], i: int) -> bool:
    """Whether match ``i`` is written against a region it lies in or that lies in it (辽宁大连, which
    jieba reads as one word): the pair stands as names wherever the words fall."""
    start, end, alias = matches[i]
    pairs = []
    if i > 0 and matches[i - 1][1] == start:
        pairs.append((matches[i - 1][2], alias))
    if i + 1 < len(matches) and matches[i + 1][0] == end:
        pairs.append((alias, matches[i + 1][2]))
    for outer, inner in pairs:
        outer_codes = {code for code, _s in g.aliases[outer]}
        if any(outer_codes & g.lineage(code) - {code} for code, _s in g.aliases[inner]):
            return True
    return False


@cache
def _place_heads() -> PhraseMatcher:
    return PhraseMatcher(place_conventions().heads)


def _common(word: str) -> bool:
    """Whether ``word`` is one ordinary word of jieba's dictionary (counted at least ``common_count``)."""
    scores, unknown = word_scores()
    score = scores.get(word)
    return score is not None and score - unknown >= math.log(place_conventions().common_count)


def place_mentions(text: str, regions: list[Mention]) -> tuple[list[Mention], set[int]]:
    """Townships, streets and zones without a code (label ``Place``): a name and a head (镇, 街道, 新区 ...),
    and the starts of the region mentions that turn out to be part of a place's name.

    The name runs back from the head over the words jieba reads, to a region or place written just
    before it (乌海市海勃湾区|林荫街道, 湖南|湘江新区|银盆岭街道), to punctuation or a function word
    (，|金普新区, 在|湘江新区), or to an ordinary word (支持推动|南丁产业园). A name too short to stand
    alone takes the short form written before it: 合肥|经开区 is 合肥经开区 (in 合肥); in
    三亚崖州|湾科技城 and 新源|道街道 the short form is only part of the name (崖州湾, 新源道) and names
    no region. Not places: a class of places (各镇, 不出镇), common nouns (城镇, 乡村), an ordinary word
    before a head (推动新区; 长安镇 after its county is a town, and 成都东部新区 a zone), a run of more
    than three characters jieba reads as no word (建好零碳产业园区). A place written alone after an
    ordinary word is taken only where the text also writes it after its region; one listed after a
    place (正定镇、新城铺镇) is named as written, as one after a place is. The mention spans the
    place's name; the region it lies in is the resolve stage's question.
    """
    pc = place_conventions()
    han, _all_han = _han()
    taken = [(m.start, m.end) for m in regions]
    taken_starts = [s for s, _e in taken]
    region_ends = {m.end: m for m in regions}
    found: list[Mention] = []
    unsure: list[Mention] = []  # written alone after an ordinary word: kept if written after a region too
    absorbed: set[int] = set()
    previous_end = 0  # the end of the last place found: a name does not run into it
    for hs, he, head in _place_heads().find(text):
        # a head inside a region's name is part of that name (雄安新区, 镇江, 宁乡)
        k = bisect_right(taken_starts, hs) - 1
        if (k >= 0 and taken[k][1] > hs) or (k + 1 < len(taken) and taken[k + 1][0] < he):
            continue
        if text.startswith(pc.not_after, he):
            continue  # 新区路, 镇江: the head begins another name
        # the name runs back at most to a region or place written before it, or to punctuation
        limit = max(previous_end, hs - _MAX_PLACE_NAME)
        floor, bounded = limit, limit == previous_end  # a place's end or the text's start bounds a name
        region_before: Mention | None = None
        for pos in range(hs, limit - 1, -1):
            if pos in region_ends:
                region_before, floor, bounded = region_ends[pos], pos, True
                break
            if pos > limit and not han.match(text, pos - 1):
                floor, bounded = pos, True
                break
        # a township after a county's full name or after a place is named as written (富锦市长安镇,
        # 达拉特旗树林召镇, 东湖高新区光谷街道), ordinary words and all
        full_before = (
            region_before.data.full_name if region_before and isinstance(region_before.data, RegionName) else False
        )
        listed = previous_end > 0 and floor == previous_end + 1 and text[previous_end] == "、"
        as_written = head in pc.township_heads and (full_before or listed or floor == previous_end > 0)
        after = he
        while after < min(len(text), he + 4) and han.match(text, after):
            after += 1
        if floor == after:
            continue
        offsets = [floor, *(floor + c for c in dictionary_cuts(text[floor:after]))]
        # jieba's words at the head: the head itself (海口|镇), the name with the head (长安镇), the head
        # with an office word (街道办, 镇长); a word that runs on past the head is another word (乡村,
        # 城镇化, 镇压). A head jieba splits (经开|区) is still a head.
        k = bisect_right(offsets, hs) - 1
        j = bisect_right(offsets, he - 1)
        if offsets[j] != he and offsets[j - 1] <= hs and text[he : offsets[j]] not in pc.head_words:
            continue
        if offsets[k] < hs and text[offsets[k] : he] in pc.words:
            continue  # 城镇, 古镇, 民族乡: a common noun jieba knows
        # the words of the name, right to left
        words = [text[offsets[k] : hs]] if offsets[k] < hs else []
        ordinary = bool(words) and len(words[0]) > 1 and not as_written and _common(words[0])
        start, i, generic = offsets[k], k, False
        while i > 0 and not ordinary:
            word = text[offsets[i - 1] : offsets[i]]
            if word in pc.not_names:
                generic = True  # a class of places: 各镇, 不出镇
                break
            if word in pc.stops:
                bounded = True
                break
            if len(word) > 1 and not as_written and _common(word):
                if words:
                    bounded = False  # 支持推动|南丁产业园
                    break
                ordinary = True  # the name is one ordinary word: 长安镇, 推动新区
            words.append(word)
            start, i = offsets[i - 1], i - 1
        if generic:
            continue
        name = text[start:hs]
        if text[start:he] in pc.words or (len(name) > 3 and all(len(w) == 1 for w in words)):
            continue
        if start == floor and (region_before is not None or floor == previous_end > 0):
            if len(name) < 2:
                if region_before is None or full_before:
                    continue  # 海淀区街道: the district's streets, not one of them
                if name:
                    absorbed.add(region_before.start)  # 崖州湾, 新源道: the short form is part of a name
                start = region_before.start
            elif ordinary and not as_written:
                if name not in pc.directions or region_before is None:
                    continue  # 西宁市推动新区: an ordinary word, not a name
                if not full_before:
                    start = region_before.start  # 成都东部新区 (南京市|江北新区 is 江北新区)
        elif len(name) < 2 or ordinary:
            continue
        elif not bounded:
            unsure.append(Mention(start, he, text[start:he], "Place", text[start:he], PlaceName(head, listed)))
            continue
        previous_end = he
        found.append(Mention(start, he, text[start:he], "Place", text[start:he], PlaceName(head, listed)))
    labels = {m.text for m in found}
    found += (m for m in unsure if m.text in labels)
    return found, absorbed


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
