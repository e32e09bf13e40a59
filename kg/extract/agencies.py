"""Agency mentions, read by the grammar of an agency name.

An agency name is a region, a level word or a national prefix (or, for a zone, a place name), then
a body, then any sub-units::

    石家庄市 | 文化广电和旅游局          region + words + unit word
    市 | 委 | 社会工作部                 level word + whole body + sub-unit
    国家统计局 | 石家庄 | 调查队        national body + region + branch unit
    中央 | 财办                          national prefix + words + unit word
    金普新区 | 政务服务中心              place + words + unit word
    容西 | 管理委员会                    a zone's own name + zone body

The words are data: whole bodies (``agency_bodies.tsv``: 人民政府, 委, 人大 ...), unit words
(``agency_units.txt``: 局, 厅, 中心 ...), national bodies (``national_agencies.tsv``), and the
grammar's words in ``[agencies]`` of ``conventions.toml`` (sub-units, branch units, words a body
never starts with or contains). Every word is found by one Aho–Corasick scan; a body is read only
where that scan (or the gazetteer's) found a head: a region name's end, a level word, a national
name, a place word's end, a zone body.

A mention's span is the level word and the body (a region name before it is the region's own
mention); resolution (kg.resolve) finds the region and writes the full name and aliases.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from itertools import pairwise

from ahocorasick_rs import AhoCorasick, MatchKind

from kg.conventions import alternation, conventions, han_class
from kg.dictionary import dictionary_cuts, word_scores
from kg.extract.matcher import PhraseStarts, finditer_at
from kg.extract.regions import alias_matches, on_word_boundaries
from kg.gazetteer import STRONG, gazetteer
from kg.reference import agency_bodies, data_lines, national_agencies
from kg.types import AgencyName, Document, Mention, Segmentation

_DATE_ONLY = re.compile(r"^\s*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")
_PREFIX, _UNIT, _BODY, _PLACE, _ZONE = 1, 2, 4, 8, 16  # what a word of the grammar scan can be
_DIGITS = re.compile(r"[0-9]{4,6}")
_HOTLINE = re.compile(r"(?<![0-9])[0-9]{4,6}(?=[\u4e00-\u9fff])(?![年月日])")
_NUMERALS = "一二三四五六七八九十"
_SESSION = re.compile(r"第?[〇零一二三四五六七八九十百]{1,4}届")
_CONJUNCTIONS = ("和", "与", "及")
_ISSUER_MAX = 60  # the longest issuer written on a notice's title or signature line


@dataclass(frozen=True, slots=True)
class Body:
    """A body read at one position: where it ends, its parts as written, and its kind."""

    end: int
    parts: tuple[str, ...]
    kind: str = ""  # the kind of a whole body (party, government ...); "" for words + unit word


@dataclass(frozen=True, slots=True)
class Grammar:
    bodies: dict[str, str]  # whole body -> kind
    units: frozenset[str]
    national_units: frozenset[str]
    grassroots: tuple[str, ...]
    sub_units: frozenset[str]
    chain_units: frozenset[str]  # units and sub-units: what a sub-unit of a body may end in
    branch_chain: frozenset[str]  # units and branch units: what a branch of a national body may end in
    office_units: frozenset[str]
    branch_units: frozenset[str]
    seat_units: frozenset[str]
    national: dict[str, tuple[str, tuple[str, ...]]]  # written form -> (name, aliases)
    national_prefixes: tuple[str, ...]
    party_prefixes: tuple[str, ...]
    levels: dict[str, str]
    prefix_words: frozenset[str]  # what the prefix pattern's matches begin with
    place_words: frozenset[str]
    stop: frozenset[str]
    not_body_start: tuple[str, ...]
    not_units: tuple[str, ...]
    not_unit_set: frozenset[str]
    not_after: tuple[str, ...]
    level_adjectives: tuple[str, ...]
    titles: tuple[str, ...]
    each_words: tuple[str, ...]
    reference_prefixes: tuple[str, ...]
    max_run: int
    words: tuple[str, ...]  # every word the scan finds
    kinds: tuple[int, ...]  # per word: what it can be (_PREFIX, _UNIT, _BODY, _PLACE, _ZONE bits)
    scan: AhoCorasick


@cache
def grammar() -> Grammar:
    c = conventions()
    a = c.agencies
    bodies = {body: kind for body, (kind, _pattern) in agency_bodies().items()}
    national: dict[str, tuple[str, tuple[str, ...]]] = {}
    for name, aliases in national_agencies().items():
        for form in (name, *aliases):
            national[form] = (name, aliases)
    units = frozenset(data_lines("agency_units.txt"))
    words = sorted(
        {
            *bodies,
            *units,
            *a.sub_units,
            *a.office_units,
            *a.branch_units,
            *national,
            *a.national_prefixes,
            *c.levels,
            *a.place_words,
        }
    )
    chain_units = units | frozenset(a.sub_units)
    prefix_words = frozenset([*national, *a.national_prefixes, *c.levels])
    kinds = tuple(
        (_PREFIX if w in prefix_words else 0)
        | (_UNIT if w in chain_units else 0)
        | (_BODY if w in bodies or w in a.office_units or w in a.branch_units else 0)
        | (_PLACE if w in a.place_words else 0)
        | (_ZONE if bodies.get(w) == "zone" else 0)
        for w in words
    )
    return Grammar(
        bodies=bodies,
        units=units,
        national_units=frozenset(a.national_units),
        grassroots=a.grassroots,
        sub_units=frozenset(a.sub_units),
        chain_units=chain_units,
        branch_chain=units | frozenset(a.branch_units),
        office_units=frozenset(a.office_units),
        branch_units=frozenset(a.branch_units),
        seat_units=frozenset(a.seat_units),
        national=national,
        national_prefixes=a.national_prefixes,
        party_prefixes=a.party_prefixes,
        levels=c.levels,
        prefix_words=prefix_words,
        place_words=frozenset(a.place_words),
        stop=frozenset(a.stop_characters),
        not_body_start=a.not_body_start,
        not_units=a.not_units,
        not_unit_set=frozenset(a.not_units),
        not_after=a.not_after,
        level_adjectives=a.level_adjectives,
        titles=a.titles,
        each_words=a.each_words,
        reference_prefixes=c.reference_prefixes,
        max_run=a.max_run,
        words=tuple(words),
        kinds=kinds,
        scan=AhoCorasick(words, matchkind=MatchKind.Standard),
    )


@cache
def patterns() -> tuple[re.Pattern[str], dict[str, tuple[str, tuple[str, ...]]], PhraseStarts]:
    """The prefix pattern (a national name, a national prefix or a level word), the national
    bodies, and the heads the pattern is tried at (every match begins with one of them)."""
    g = grammar()
    pattern = re.compile(
        rf"(?P<national>{alternation(list(g.national))})"
        rf"|(?P<prefix>{alternation(list(g.national_prefixes))})"
        rf"|(?P<level>{alternation(list(g.levels))})"
    )
    return pattern, g.national, PhraseStarts([*g.national, *g.national_prefixes, *g.levels])


@cache
def _han_runs() -> re.Pattern[str]:
    return re.compile(han_class() + "+")


class _Reader:
    """Reads bodies in one text; ``at`` holds every grammar word by the position it starts at."""

    def __init__(self, text: str, doc: Document | None = None) -> None:
        g = grammar()
        self.g = g
        self.text = text
        self.doc = doc
        self.han_at = bytearray(len(text))  # 1 where a Chinese character stands
        for m in _han_runs().finditer(text):
            self.han_at[m.start() : m.end()] = b"\1" * (m.end() - m.start())
        at: dict[int, list[str]] = {}
        heads: set[int] = set()
        units: set[int] = set()
        wholes: set[int] = set()
        places: dict[int, str] = {}
        zones: list[tuple[int, str]] = []
        words, kinds = g.words, g.kinds
        for k, start, _end in g.scan.find_matches_as_indexes(text, overlapping=True):
            w, kind = words[k], kinds[k]
            at.setdefault(start, []).append(w)
            if kind:
                if kind & _PREFIX:
                    heads.add(start)
                if kind & _UNIT:
                    units.add(start)
                if kind & _BODY:
                    wholes.add(start)
                if kind & _PLACE and len(w) > len(places.get(start, "")):
                    places[start] = w
                if kind & _ZONE:
                    zones.append((start, w))
        for found in at.values():
            if len(found) > 1:
                found.sort(key=len, reverse=True)
        self.at = at
        self.heads = sorted(heads)
        self.aliases = alias_matches(text)
        self.alias_starts = {s for s, _e, _a in self.aliases}
        self.alias_ends = {e for _s, e, _a in self.aliases}
        self.strong_starts = {s for s, _e, alias in self.aliases if _strong_name(alias)}
        self.inside_alias = {i for s, e, _a in self.aliases for i in range(s + 1, e)}
        # place words (新区, 园区, 镇 ...); those standing as words are places (see place_end)
        self.places = sorted(places.items())
        self.zones = sorted(zones)
        self.place_word_ends: dict[int, list[int]] = {}  # end -> starts of the place words ending there
        for start, w in self.places:
            self.place_word_ends.setdefault(start + len(w), []).append(start)
        # the digits of a hotline's number are a body's word characters (12345热线管理中心)
        self.numbers = {
            i for m in _DIGITS.finditer(text) if _HOTLINE.match(text, m.start()) for i in range(m.start(), m.end())
        }
        self.number_starts = sorted(self.numbers)
        self.cuts: dict[int, bool] = {}
        # where unit words start, for a quick "no body can end near here"
        self.unit_starts = sorted(units)
        # where a body may start: before a unit word (within a run's reach) or at a whole body
        # (a session's words before it: 第十二届人民代表大会)
        maybe = bytearray(len(text) + 1)
        reach = g.max_run + (len(self.numbers) and 8)
        for u in self.unit_starts:
            maybe[max(0, u - reach) : u] = b"\1" * (u - max(0, u - reach))
        for start in wholes:
            maybe[max(0, start - 8) : start + 1] = b"\1" * (start + 1 - max(0, start - 8))
        self.maybe = maybe

    # characters and words ------------------------------------------------------------------
    def han(self, i: int) -> bool:
        return 0 <= i < len(self.text) and self.han_at[i] == 1

    def run_char(self, i: int) -> bool:
        return (self.han(i) and self.text[i] not in self.g.stop) or i in self.numbers

    def unit_near(self, i: int) -> bool:
        """Whether a unit word starts within a run's reach after ``i``."""
        reach = i + self.g.max_run
        if self.numbers:  # a hotline's digits do not count as words
            reach += bisect_right(self.number_starts, reach + 8) - bisect_right(self.number_starts, i - 1)
        k = bisect_right(self.unit_starts, i)
        return k < len(self.unit_starts) and self.unit_starts[k] <= reach

    def name_char(self, i: int) -> bool:
        """A character of a zone's own name: a body's word character, or a numeral (三江新区)."""
        return self.run_char(i) or (self.han(i) and self.text[i] in _NUMERALS)

    def is_word(self, word: str) -> bool:
        score = word_scores()[0].get(word)
        return score is not None

    def words_at(self, i: int, kinds: frozenset[str] | dict[str, str]) -> list[str]:
        return [w for w in self.at.get(i, ()) if w in kinds]

    def cut_at(self, i: int) -> bool:
        """Whether jieba's dictionary route cuts the run of Chinese characters around ``i`` at ``i``
        (each run is cut once, when first asked about)."""
        if not self.han(i - 1) or not self.han(i):
            return True
        known = self.cuts.get(i)
        if known is not None:
            return known
        left, right = i, i
        while self.han(left - 1):
            left -= 1
        while self.han(right):
            right += 1
        cuts = {left + c for c in dictionary_cuts(self.text[left:right])}
        for k in range(left + 1, right):
            self.cuts[k] = k in cuts
        return self.cuts[i]

    def place_end(self, i: int) -> bool:
        """Whether a place's name ends at ``i``: a place word standing as a word there (新区 in
        金普新区, not 乡 in 城乡建设 or 镇 in 城镇化)."""
        starts = self.place_word_ends.get(i)
        return starts is not None and self.cut_at(i) and any(self.cut_at(start) for start in starts)

    def in_alias(self, i: int) -> bool:
        """Whether position ``i`` lies inside a region name (not at its start)."""
        return i in self.inside_alias

    # checks on a body's words -------------------------------------------------------------
    def ends_well(self, unit_start: int, end: int) -> bool:
        """Whether a unit word ending at ``end`` ends a name: not the head of a longer word
        (局面, 委托, 办法), not before a word that makes it part of another (中心城区)."""
        text, g = self.text, self.g
        if text.startswith(g.titles, end) or text.startswith(g.titles, end - 1):
            return True
        if text.startswith(g.not_after, end):
            return False
        return self.cut_at(end)

    def words_ok(self, start: int, unit_start: int, end: int) -> bool:
        """Whether ``text[start:unit_start]`` are a body's words before the unit ending at ``end``."""
        text, g = self.text, self.g
        run = text[start:unit_start]
        if run and (run[0] in _CONJUNCTIONS or run[-1] in _CONJUNCTIONS):
            return False
        if any(run[k] in _CONJUNCTIONS and run[k + 1] in g.levels for k in range(len(run) - 1)):
            return False  # 会议和市委: a second body, not this one's words
        chunk = text[start:end]
        cuts = [0, *dictionary_cuts(chunk)]
        if any(chunk[a:b] in g.grassroots for a, b in pairwise(cuts)):
            return False  # 社区党群服务中心, 科技学院托育中心: a community's or a school's
        last = chunk[cuts[-2] :] if len(cuts) > 1 else chunk
        # 格局, 新格局, 举办, 马上办: a word of its own (not 融合办)
        if last.endswith(g.not_units) or any(chunk[k:] in g.not_unit_set for k in cuts[:-1]):
            return False
        if not self.ends_well(unit_start, end):
            return False
        if not run:
            return True
        if chunk.startswith(g.not_body_start):
            return False
        # a level word standing alone inside the words starts another name (会同 | 省 | 财政厅)
        return not any(b - a == 1 and chunk[a] in g.levels and start + a < unit_start for a, b in pairwise(cuts))

    # bodies --------------------------------------------------------------------------------
    def whole(self, i: int, kinds: set[str] | None = None) -> Body | None:
        g = self.g
        for w in self.words_at(i, g.bodies):
            if (kinds is None or g.bodies[w] in kinds) and self.ends_well(i, i + len(w)):
                return Body(i + len(w), (w,), g.bodies[w])
        return None

    def words_unit(self, i: int, units: frozenset[str], empty: frozenset[str] = frozenset()) -> Body | None:
        """Words from ``i`` ending in one of ``units`` (the shortest such name); units in
        ``empty`` may follow with no words."""
        g, text = self.g, self.text
        for u in self.words_at(i, empty):
            if self.words_ok(i, i, i + len(u)):
                return Body(i + len(u), (u,))
        if units <= g.chain_units and not self.unit_near(i):
            return None  # no unit word within reach
        j = i
        reach = i + g.max_run
        while j < reach and self.run_char(j):
            if j in self.numbers:
                reach += 1  # a hotline's number does not count as words
            j += 1
            if j in self.alias_starts and self.strong_alias_at(j):
                return None  # another region's name: another body
            if j in self.place_word_ends and self.place_end(j):
                return None  # a place's name (金普新区): the body after it is the place's
            for u in self.words_at(j, units):
                if self.words_ok(i, j, j + len(u)):
                    return Body(j + len(u), (text[i : j + len(u)],))
        return None

    def strong_alias_at(self, j: int) -> bool:
        """Whether a region's name that can stand alone starts at ``j`` (not a county's stem, 公安)."""
        return j in self.strong_starts

    def body(self, i: int, *, branch: bool = False, wholes: bool = True, national: bool = False) -> Body | None:
        """The body written at ``i`` and its sub-units."""
        g = self.g
        if self.text.startswith(g.level_adjectives, i):
            return None  # 省级, 市级: an adjective, no body
        m = _SESSION.match(self.text, i)
        if m:  # 第十二届人民代表大会: the session is no part of the name
            found = self.whole(m.end(), {"congress", "party", "cppcc"})
            if found is not None:
                return self.chain(found)
        if branch:  # 中国人民银行 + 河北省 + 分行: a branch unit may follow the region directly
            found = self.words_unit(i, g.branch_chain, g.branch_units)
        elif national:  # 中央 + 财办, 国家 + 数据局
            found = self.words_unit(i, g.national_units)
        else:
            found = (self.whole(i) if wholes else None) or self.words_unit(i, g.units)
        if found is None:
            return None
        return self.chain(found)

    def chain(self, body: Body) -> Body:
        """A body and the sub-units written after it (公安局 + 交通管理局, 市委 + 组织部)."""
        g = self.g
        units = g.chain_units
        while True:
            i = body.end
            if not self.run_char(i) or self.text[i] in g.levels or i in self.alias_starts:
                return body
            if self.text.startswith(g.titles, i):
                return body
            sub = self.words_unit(i, units, g.office_units)
            if sub is None:
                return body
            body = Body(sub.end, (*body.parts, *sub.parts), body.kind)

    # prefixes ------------------------------------------------------------------------------
    def level_context(self, i: int, level: str) -> str | None:
        """Whether a level word at ``i`` stands alone ("ok": 由市医保局), stands for every body of
        its level ("each": 各县人民政府, 市县政府), or is part of a word (None: 城市, 园区)."""
        text, g = self.text, self.g
        k = i
        levels_before = 0
        while k > 0 and k > i - 8 and (text[k - 1] in g.levels or text[k - 1] in "（）()、"):
            k -= 1
            levels_before += text[k] in g.levels
        if text.endswith(g.each_words, 0, k):
            return "each"
        after = i + len(level)
        if levels_before or (
            after < len(text) and text[after] in g.levels and not self.is_word(text[after : after + 2])
        ):
            return "each"  # 市县政府, 省市两级, 市县乡三级: the bodies of several levels
        if not self.han(i - 1):
            return "ok"
        if text[i - 1] in g.reference_prefixes:
            return "ok"  # 我市医保局
        if self.cut_at(i) or self.line_break_before(i):
            return "ok"
        return None  # 城市, 社区, 直辖市: part of a word

    def line_break_before(self, i: int) -> bool:
        """Whether the original text breaks its line right before ``i`` (a line the normaliser
        joined to the one before: …会议上 / 市财政局局长)."""
        if self.doc is None or i == 0:
            return False
        o = self.doc.original_index(i)
        return "\n" in self.doc.original[max(0, o - 2) : o]


@lru_cache(maxsize=16384)
def _mention(start: int, end: int, text: str, data: AgencyName) -> Mention:
    return Mention(start, end, text[start:end], "Agency", data.body, data)


def agency_mentions(doc: Document, seg: Segmentation | None = None) -> Iterator[Mention]:
    """Agencies written by region, level word, national name or place, and notices' issuers."""
    text = doc.text
    r = _Reader(text, doc)
    g = r.g
    found: list[Mention] = []
    reach = 0  # the end of the last name read from a prefix
    national_ends: dict[int, tuple[int, str]] = {}  # end of a national name -> (start, name)

    # national names, national prefixes and level words
    pattern, national, _heads = patterns()
    for m in finditer_at(pattern, text, r.heads):  # the heads: the grammar scan's, as _heads would give
        start = m.start()
        if start < reach:
            continue
        if m.group("national"):
            form = m.group("national")
            canonical, aliases = national[form]
            if len(form) <= 2 and not _stands_alone(r, start, m.end()):
                continue
            if not r.ends_well(start, m.end()) and not text.startswith(tuple(g.branch_units), m.end()):
                continue  # 财政部门
            national_ends[m.end()] = (start, canonical)
            found.append(_mention(start, m.end(), text, AgencyName(canonical, national=True, aliases=aliases)))
            reach = m.end()
        elif m.group("prefix"):
            if r.in_alias(start) or _after_alias(r, start) or text.startswith(g.level_adjectives, m.end()):
                continue  # 江西省国家级…中心 is the province's
            body = r.body(m.end(), national=True)
            if body is not None:
                written = text[start : body.end]
                found.append(_mention(start, body.end, text, AgencyName(written, national=True, parts=body.parts)))
                reach = body.end
        else:
            level = m.group("level")
            if (
                not r.maybe[m.end()]
                or r.in_alias(start)
                or start in r.alias_starts
                or text.endswith(g.each_words, 0, start)
            ):
                continue  # inside a region's name, or 全市/各县: every such body, none in particular
            body = r.body(m.end())
            if body is None or r.place_end(m.end()):
                continue  # 产业园区管委会: the 区 ends a place's name
            context = r.level_context(start, level)
            if context is None or (not body.kind and not r.cut_at(m.end()) and _loose_start(text, m.end(), body.end)):
                continue  # 市民服务中心: a word that starts with a level word (市民), not a level word
            name = AgencyName("".join(body.parts), level, each=context == "each", kind=body.kind, parts=body.parts)
            found.append(_mention(start, body.end, text, _seated(g, name)))
            reach = body.end

    # bodies after a region's name (and branches of national bodies: 国家统计局 + 石家庄 + 调查队)
    for s, e, _alias in r.aliases:
        if e in r.alias_starts and r.strong_alias_at(e):
            continue  # 四川省南充市: the last name of the run is the one the body follows
        if not r.maybe[e] and not r.maybe[e - 1]:
            continue
        parent = national_ends.get(s)
        body = r.body(e, branch=parent is not None)
        if (
            text[e - 1] in g.levels
            and (body is None or (not body.kind and _loose_start(text, e, body.end)))
            and _strong_name(text[s : e - 1])
        ):
            # 深圳市场监管局, 宜宾市民服务中心: 深圳 + 市场监管局, the level word starts the body's words
            shifted = r.body(e - 1, branch=parent is not None)
            if shifted is not None and not r.cut_at(e):
                e, body = e - 1, shifted
        if body is None:
            continue
        name = AgencyName("".join(body.parts), kind=body.kind, parts=body.parts, parent=parent[1] if parent else "")
        found.append(_mention(e, body.end, text, _seated(g, name)))
        if parent is not None:
            found = [x for x in found if not (x.start == parent[0] and x.end == s)]

    # bodies after a place's name (大连金普新区 + 政务服务中心) and zone bodies named alone (容西管委会)
    taken = [(x.start, x.end) for x in found]
    for start, place_word in r.places:
        end = start + len(place_word)
        if not r.maybe[end]:
            continue
        body = r.body(end)
        if body is None or body.kind not in ("", "zone", "party", "government") or not r.place_end(end):
            continue
        name_start = _name_start(r, start)
        if name_start < start and not _covered(taken, name_start, body.end):
            place = text[name_start:end]
            data = AgencyName("".join(body.parts), kind=body.kind, parts=body.parts, named=True, place=place)
            found.append(_mention(name_start, body.end, text, data))
            taken.append((name_start, body.end))
    for start, zone_word in r.zones:
        if r.ends_well(start, start + len(zone_word)):
            name_start = _name_start(r, start)
            if start - name_start >= 2 and not _covered(taken, name_start, start + len(zone_word)):
                body = r.chain(Body(start + len(zone_word), (zone_word,), "zone"))
                data = AgencyName(
                    "".join(body.parts), kind="zone", parts=body.parts, named=True, place=text[name_start:start]
                )
                found.append(_mention(name_start, body.end, text, data))
                taken.append((name_start, body.end))

    found.extend(_issuers(r, found))
    found.sort(key=lambda x: (x.start, -x.end))
    yield from (_with_short_name(text, m) for m in _drop_nested(found))


@cache
def _short_name_pattern() -> re.Pattern[str]:
    markers = alternation(list(conventions().agencies.short_name_markers))
    return re.compile(rf"[（(](?:{markers})[“\"「]?([^”\"」（）()，。、；\s]{{2,16}})[”\"」]?[）)]")


def _with_short_name(text: str, m: Mention) -> Mention:
    """A mention and the short name written in brackets after it (（以下简称“热线管理中心”）)."""
    short = _short_name_pattern().match(text, m.end)
    if short is None or not isinstance(m.data, AgencyName) or m.data.national:
        return m
    return replace(m, data=replace(m.data, aliases=(*m.data.aliases, short.group(1))))


def _seated(g: Grammar, name: AgencyName) -> AgencyName:
    """Mark a body of a vertical system named by its seat (海关, 中心支行)."""
    last = name.parts[-1] if name.parts else ""
    if any(last.endswith(u) for u in g.seat_units):
        return AgencyName(
            name.body, name.level, kind=name.kind, parts=name.parts, parent=name.parent, each=name.each, seat=True
        )
    return name


def _loose_start(text: str, start: int, end: int) -> bool:
    """Whether a body's first character is no word of its own (民 of 市民服务中心), though the level
    word before it makes one: then the level word is the word's, not the body's prefix (省外办
    stays: 外办 is a word)."""
    cuts = dictionary_cuts(text[start:end])
    return bool(cuts) and cuts[0] == 1


def _strong_name(name: str) -> bool:
    """Whether ``name`` is a region's name that can stand alone (深圳 in 深圳市场监管局)."""
    return any(strength == STRONG for _c, strength in gazetteer().aliases.get(name, ()))


def _after_alias(r: _Reader, i: int) -> bool:
    return i in r.alias_ends


def _stands_alone(r: _Reader, start: int, end: int) -> bool:
    """Whether a short name (中办, 国办) is a word of its text, not part of one (集中办理)."""
    return on_word_boundaries(r.text, start, end, window=6)


def _name_start(r: _Reader, i: int) -> int:
    """Where a zone's own name before ``i`` begins: back to punctuation or a function word, then
    past the verbs and adverbs that may open the run (协调高新区管委会 -> 高新区管委会)."""
    g = r.g
    k = i
    while k > i - 2 * g.max_run and r.name_char(k - 1):
        k -= 1
    chunk = r.text[k:i]
    if not chunk:
        return i
    cuts = [0, *dictionary_cuts(chunk)]
    for a, b in pairwise(cuts):
        if chunk[a:b] not in g.not_body_start and chunk[a:b] not in g.each_words:
            return k + a
    return i


def _covered(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start < e or s < end <= e for s, e in taken)


def _drop_nested(mentions: list[Mention]) -> list[Mention]:
    """Mentions in text order, without those inside a longer one."""
    out: list[Mention] = []
    for m in mentions:
        if any(o.start <= m.start and m.end <= o.end and (o.end - o.start) > (m.end - m.start) for o in out[-4:]):
            continue
        out.append(m)
    return out


def _issuers(r: _Reader, found: list[Mention]) -> list[Mention]:
    """A notice's issuer written whole: the text before 关于 in its title line, or its signature
    line (a line that is a name, followed by a line that is a date). The name starts with a
    region's name and ends with a unit word; its words may be any (推进“三地一区”建设领导小组…)."""
    text, g = r.text, r.g
    ends = {m.end for m in found}
    lines: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line)))
        pos += len(line) + 1
    out: list[Mention] = []
    content = [(s, e) for s, e in lines if text[s:e].strip()]
    for k, (s, e) in enumerate(content):
        line = text[s:e]
        lead = len(line) - len(line.lstrip())
        s, e = s + lead, s + len(line.rstrip())
        candidates: list[tuple[int, int]] = []
        if "关于" in text[s:e]:
            candidates.append((s, text.index("关于", s, e)))
        if k + 1 < len(content) and _DATE_ONLY.match(text[content[k + 1][0] : content[k + 1][1]]):
            candidates.append((s, e))
        for cs, ce in candidates:
            name = text[cs:ce]
            if not 4 <= len(name) <= _ISSUER_MAX or any(p in name for p in "。，；：,;:"):
                continue
            if ce in ends or not name.endswith(tuple(g.units | g.office_units)):
                continue
            region = next((a for a in r.aliases if a[0] == cs), None)
            if region is None or not any(strength == STRONG for _c, strength in gazetteer().aliases[region[2]]):
                continue
            body = text[region[1] : ce]
            out.append(_mention(region[1], ce, text, AgencyName(body, parts=(body,))))
            ends.add(ce)
    return out
