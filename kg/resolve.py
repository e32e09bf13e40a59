"""Resolve: what a document's mentions refer to, using the whole document as context.

Regions: linking proposes candidates (the codes a name can stand for) and then chooses, spaCy-KB
style: ``candidates(mention)`` never returns None, ``choose_regions`` decides by context: a parent
named just before (四川省广元市旺苍县), the other regions of the document (城北区 in a Qinghai text is
西宁's), and the publisher's home region from the corpus metadata.

Then the context a fact is read in (``DocumentContext``): the document's date and genre (from its
metadata, else its own text, else its file name), each article's region, the headings a sentence
lies under, the region a fact at a position is about (我市, 全省 and 全国 resolved), its period
(from the sentence, the section heading, the article title, then the document date), whether it
lies in the forward-looking part of a report or plan, and each agency's jurisdiction.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache

from kg.conventions import alternation, conventions
from kg.gazetteer import COUNTRY, Gazetteer, Region, gazetteer, region_aliases_of
from kg.layout import DATELINE
from kg.reference import agency_bodies, data_lines, national_agencies
from kg.types import (
    AgencyName,
    AgencyRef,
    Article,
    Document,
    Genre,
    Heading,
    Mention,
    PlaceName,
    PlaceRef,
    RegionCandidate,
    RegionName,
    RegionReference,
    Segmentation,
    Sentence,
    TimeSpan,
)


@dataclass(frozen=True, slots=True)
class ResolvedRegion:
    mention: Mention
    code: str


def candidates(mention: Mention) -> list[RegionCandidate]:
    """The regions a Region mention can name; ``[]`` when none."""
    return list(mention.data.candidates) if isinstance(mention.data, RegionName) else []


def _is_full_name(g: Gazetteer, m: Mention, code: str) -> bool:
    return g.is_full_name(m.text, code)


def choose_regions(doc: Document, mentions: Sequence[Mention]) -> list[ResolvedRegion]:
    """One code per Region mention that survives the context checks, in text order.

    A region written just before a name decides among its candidates (北京市朝阳区 is Beijing's
    朝阳区 whatever else the document names). A weak form (a county's two-character stem) needs
    support: its own region named in a strong form, or its prefecture named while the text is still
    in that province (新建 after a 云南 town is the verb, whatever 南昌 another article names). A weak
    form that is the tail of a longer name the document writes (龙江 of 黑龙江) is that name's short
    form, not a county's, unless the county itself is named.
    """
    g = gazetteer()
    regions = sorted((m for m in mentions if m.label == "Region"), key=lambda m: (m.start, m.end))
    # Codes the document names in a strong, unambiguous form support weak and ambiguous mentions.
    support: Counter[str] = Counter()
    tails: set[str] = set()  # the tails of the names written in a strong form (龙江 of 黑龙江)
    for m in regions:
        cands = [c for c in candidates(m) if c.strong]
        if len(cands) == 1:
            support[cands[0].code] += 1
        for c in cands:
            tails.update(_name_tails(c.code))
    support_provinces = Counter(g.by_code[c].province for c in support.elements())
    support_prefectures = Counter(p for c in support.elements() if (p := g.by_code[c].prefecture))
    home = doc.meta.region

    resolved: list[ResolvedRegion] = []
    previous: ResolvedRegion | None = None
    scene: str | None = None  # the province of the last region named in a strong form
    for m in regions:
        chain_parent = previous.code if previous is not None and previous.mention.end == m.start else None
        cands = candidates(m)
        if chain_parent is not None:
            inside = [c for c in cands if c.code != chain_parent and g.is_within(c.code, chain_parent)]
            cands = inside or cands  # the parent written before decides
        best: tuple[float, ...] | None = None
        best_code = None
        for c in cands:
            region = g.by_code[c.code]
            chained = chain_parent is not None and chain_parent != c.code and g.is_within(c.code, chain_parent)
            # A weak form counts when its own region is named strongly too, or its prefecture while
            # the text is still in its province; never when it is a longer name's tail.
            if (
                not c.strong
                and not chained
                and not support[c.code]
                and (
                    m.text in tails
                    or not (
                        region.level == "county"
                        and region.prefecture
                        and support[region.prefecture]
                        and scene in (None, region.province)
                    )
                )
            ):
                continue
            score = (
                4.0 * chained
                + 2.0 * min(support_prefectures[region.prefecture or ""], 5)
                + 1.0 * min(support_provinces[region.province], 5)
                + 1.0 * (home is not None and home[:2] == c.code[:2])
            )
            key = (score, c.strong, -_LEVEL_RANK.get(region.level, 4), -int(c.code))
            if best is None or key > best:
                best, best_code = key, c.code
        if best_code is None:
            continue
        r = ResolvedRegion(m, best_code)
        resolved.append(r)
        previous = r
        if any(c.strong for c in candidates(m) if c.code == best_code) and best_code != COUNTRY:
            scene = g.by_code[best_code].province
    return _drop_strays(doc, resolved, g)


_LEVEL_RANK = {"country": 0, "province": 1, "prefecture": 2, "county": 3}


@cache
def _name_tails(code: str) -> frozenset[str]:
    """The tails of a region's name and short forms (龙江 of 黑龙江): a weak form equal to one is no county."""
    g = gazetteer()
    return frozenset(
        form[i:] for form in (g.by_code[code].name, *region_aliases_of(code)) for i in range(1, len(form) - 1)
    )


def _drop_strays(doc: Document, resolved: list[ResolvedRegion], g: Gazetteer) -> list[ResolvedRegion]:
    """Drop a short form named once, far from every other region of the document.

    Such a span is more often a word (黑河 the river, 引黄济宁 the canal) or a passing company
    name than a statement about the region.
    """
    counts = Counter(r.code for r in resolved)
    provinces = Counter(g.by_code[r.code].province for r in resolved)
    home = doc.meta.region
    out = []
    for r in resolved:
        region = g.by_code[r.code]
        stray = (
            not _is_full_name(g, r.mention, r.code)
            and counts[r.code] == 1
            and provinces[region.province] == 1
            and len(provinces) > 1
            and not (home and home[:2] == r.code[:2])
            and region.level != "province"
        )
        if not stray:
            out.append(r)
    return out


def places(
    mentions: Sequence[Mention],
    resolved: Sequence[ResolvedRegion],
    context: Callable[[int], str | None] | None = None,
) -> dict[int, PlaceRef]:
    """Uncoded places (街道, 镇, 开发区 ...) by mention start, each with the code of the region it lies in.

    The region is the one its name begins with (合肥经开区) or the one written just before it
    (林荫街道 after 海勃湾区; a place written after a place, or listed after one with 、, lies where
    that one does). A place
    written alone lies where the document puts it when it writes it after a region elsewhere
    (金普新区, after 大连金普新区), else in ``context``'s region for its position; with no region
    it is dropped, not guessed.
    """
    by_start = {r.mention.start: r for r in resolved}
    by_end = {r.mention.end: r for r in resolved}
    written = sorted(
        (m for m in mentions if m.label == "Place" and isinstance(m.data, PlaceName)), key=lambda m: m.start
    )
    found: dict[int, PlaceRef] = {}
    ends: dict[int, PlaceRef] = {}  # places by end, for a place written after a place
    known: dict[str, str] = {}  # label -> parent, from the places written after their region
    alone: list[Mention] = []
    for m in written:
        inside = by_start.get(m.start)
        if inside is not None and inside.mention.end < m.end:
            parent = inside.code
        elif m.start in by_end:
            parent = by_end[m.start].code
        else:
            alone.append(m)
            continue
        if parent != COUNTRY:
            found[m.start] = ends[m.end] = PlaceRef(m.text, parent)
            known.setdefault(m.text, parent)
    for m in alone:
        before = ends.get(m.start)
        if before is None and isinstance(m.data, PlaceName) and m.data.listed:
            before = ends.get(m.start - 1)
        where = before.parent if before else known.get(m.text) or (context(m.start) if context else None)
        if where is not None and where != COUNTRY:
            found[m.start] = ends[m.end] = PlaceRef(m.text, where)
    return dict(sorted(found.items()))


def deepest(codes: Sequence[str]) -> str | None:
    """The most specific of ``codes`` (a county before its prefecture before its province)."""
    g = gazetteer()
    best: str | None = None
    for code in codes:
        if best is None or _LEVEL_RANK[g.by_code[code].level] > _LEVEL_RANK[g.by_code[best].level]:
            best = code
    return best


def chain_at(resolved: Sequence[ResolvedRegion], index: int) -> list[str]:
    """Codes of the run of adjacent region mentions starting at ``resolved[index]`` (四川省广元市旺苍县)."""
    codes = [resolved[index].code]
    end = resolved[index].mention.end
    for r in resolved[index + 1 :]:
        if r.mention.start != end:
            break
        codes.append(r.code)
        end = r.mention.end
    return codes


def names_level(kind: str, region: Region) -> bool:
    """Whether a level word of ``kind`` (省, 市, 州, 县, 区 as in 全市, 我州, 市医保局) can name ``region``:
    a 市 is a city of any rank (北京市, 西宁市, 格尔木市), a 州/盟/地区 a prefecture that is no city, a
    县/旗 a county that is no district or city, a 区 a district or an autonomous region (全区 in 新疆)."""
    if kind == "country":
        return region.level == "country"
    if kind == "province":
        return region.level == "province"
    if kind == "city":
        return region.level != "country" and region.name.endswith("市")
    if kind == "prefecture":
        return region.level == "prefecture" and not region.name.endswith("市")
    if kind == "county":
        return region.level == "county" and not region.name.endswith(("区", "市"))
    return region.level in ("county", "province") and region.name.endswith("区")  # district


def refer(kind: str, article_region: str | None) -> str | None:
    """The region a reference word (我市, 全省, 该州, 自治区 ...) names: the article's region or the
    first region above it of that level; None when there is none (全区 in a city's article)."""
    if kind == "country":
        return COUNTRY
    g = gazetteer()
    if article_region is None or article_region == COUNTRY or article_region not in g.by_code:
        return None
    for code in (article_region, *g.ancestors(article_region)):
        if names_level(kind, g.by_code[code]):
            return code
    return None


@cache
def _object_marker() -> re.Pattern[str]:
    return re.compile(rf"(?:{alternation(conventions().object_markers)})$")


@cache
def _present_modal() -> re.Pattern[str]:
    c = conventions()
    # a modal with what follows it, as long as the longest word that starts like a modal and is none
    longest = max(map(len, c.not_modals)) if c.not_modals else 0
    return re.compile(rf"(?<!不)(?:{alternation(c.present_modals)})[\u4e00-\u9fff]{{0,{max(longest - 1, 0)}}}")


@cache
def _not_modal() -> tuple[str, ...]:
    return conventions().not_modals


@cache
def _pilot_words() -> re.Pattern[str]:
    return re.compile(alternation(conventions().piloting))


@cache
def _group_word() -> re.Pattern[str]:
    """三地, 两市, 三县（市、区）, 多地: a count of places and a place noun, not an ordinal (第三地)."""
    c = conventions()
    nouns = alternation(c.group_nouns)
    return re.compile(
        rf"(?<![第\d{''.join(c.group_numerals)}])"
        rf"(?:(?P<count>{alternation(c.group_numerals)})|{alternation(c.group_unnumbered)})(?:{nouns})"
    )


def without_group_word(label: str) -> str:
    """A figure's label without the group word it opens with (三区“免申即享”政策兑现率 -> “免申即享”政策兑现率)."""
    m = _group_word().match(label)
    return label[m.end() :] if m is not None and len(label) - m.end() >= 2 else label


_NUMERALS = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


@cache
def _rank_after() -> re.Pattern[str]:
    return re.compile(alternation(conventions().rank_after))


# --- the document: its date and genre ---------------------------------------------------------

_DATE_LINE = re.compile(
    r"(?:——|发布(?:时间|日期)[:：]\s*|成文日期[:：]\s*)?(?P<y>\d{4})\s*[年\-/.]\s*(?P<m>\d{1,2})\s*[月\-/.]\s*(?P<d>\d{1,2})\s*日?"
)
_FILE_DATE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?(?!\d)")
_HEAD_LINES = 12  # a text's date stands in its first lines (dateline, 发布时间) ...
_TAIL_LINES = 4  # ... or its last (a notice's signature date)


def _date(y: str, m: str | None = None, d: str | None = None) -> str | None:
    year, month, day = int(y), int(m) if m else None, int(d) if d else None
    if (
        not 1900 <= year <= 2100
        or (month is not None and not 1 <= month <= 12)
        or (day is not None and not 1 <= day <= 31)
    ):
        return None
    if month is None:
        return f"{year}"
    return f"{year}-{month:02d}" if day is None else f"{year}-{month:02d}-{day:02d}"


def document_date(doc: Document) -> str | None:
    """The document's date: its metadata, else a dateline, a 发布时间 or a date line at its head or
    foot (——2026年2月7日在…会议上, 2022年3月23日), else a date in its file name."""
    if doc.meta.date:
        return doc.meta.date
    lines = [ln.strip() for ln in doc.text.split("\n") if ln.strip()]
    for line in lines[:_HEAD_LINES]:
        m = DATELINE.search(line)
        if m:
            return _date(m.group("y"), m.group("m"), m.group("d"))
    for line in (*lines[:_HEAD_LINES], *lines[-_TAIL_LINES:]):
        line = line.strip("（）()")  # （2026年3月31日）
        m = _DATE_LINE.match(line)
        # the whole line is a date, or a date opening a 在…会议上 / 发布时间 line
        if m and (m.end() == len(line) or line.startswith(("——", "发布", "成文")) or "会议上" in line):
            return _date(m.group("y"), m.group("m"), m.group("d"))
    m = _FILE_DATE.search(doc.source_file.rsplit("/", 1)[-1])
    return _date(m.group("y"), m.group("m"), m.group("d")) if m else None


def year_of(date: str | None) -> int | None:
    return int(date[:4]) if date and date[:4].isdecimal() else None  # isdigit() takes ² too, int() does not


def month_of(date: str | None) -> int | None:
    """The month of a date written YYYY-MM(-DD); None when it has none, or is written otherwise."""
    m = re.match(r"[0-9]{4}-([0-9]{2})", date or "")
    return int(m.group(1)) if m else None


_SALUTATION = r"(?:[^。：:]{1,15}[：:])?$"  # what may follow a title on its line: 各区政府：
_TITLE_TAIL = re.compile(r"[（(][^（）()]{1,10}[）)]$")  # （摘要）, （征求意见稿）


def document_genre(doc: Document, seg: Segmentation) -> Genre:
    """What the document is, by the word its title ends with: a plan (通知, 意见, 方案 ...) states what
    is to be done, a report (报告, 公报 ...) what was done; anything else is news."""
    c = conventions()
    titles: list[str] = []
    for block in seg.blocks[:8]:
        line = _TITLE_TAIL.sub("", doc.text[block.start : block.end].strip())
        if "。" in line:
            break
        titles.append(line)
    best: tuple[int, Genre] | None = None
    for line in titles:
        for genre, words in (("plan", c.plan_titles), ("report", c.report_titles)):
            for word in words:
                if re.search(re.escape(word) + _SALUTATION, line) and (best is None or len(word) > best[0]):
                    best = (len(word), genre)  # type: ignore[assignment]
    return best[1] if best else "news"


# --- where a fact stands ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArticleContext:
    article: Article
    region: str | None
    title_span: TimeSpan | None  # the one time the article's title names (邵阳市2025年…统计公报, 2020-2021年…)
    opening_year: int | None  # the year its first sentence is set in (在刚刚过去的2023年，…)


@dataclass(frozen=True, slots=True)
class Located:
    """A position's article, sentence, and the headings the sentence lies under."""

    article: ArticleContext
    sentence: Sentence
    headings: tuple[Heading, ...]

    @property
    def in_title(self) -> bool:
        return any(b.start <= self.sentence.start < b.end for b in self.article.article.title_blocks)


@dataclass(frozen=True, slots=True)
class Where:
    """The region a fact is about; ``place`` when the text names an uncoded place in it."""

    code: str
    place: PlaceRef | None = None
    # the listed places a group word (三地, 两市) refers back to; ``code`` is then their common region
    members: tuple[str, ...] = ()


# What may stand before a time that frames what follows it (2025年，… / 截至9月底，… / 在2024年).
_FRAME_LEAD = re.compile(r"[“\s]*(?:在|截至|截止|其中|同时|而|但|到|今年|去年)?")
# What may stand before a region at the head of a clause whose subject it is (2025年，在西宁, 其中西宁).
_SUBJECT_LEAD = re.compile(
    r"[“\s]*(?:\d{4}年(?:以来|底|末|初)?|在|其中|同时|目前|截至目前|近年来|今年以来|全年|此外|另外|)*"
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# A day's full date (2026年1月8日, 2026-01-08) in a title line is the page's dateline, not what it reports on.
_FULL_DATE = re.compile(r"(?:19|20)\d{2}\s*(?:年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|-\d{1,2}-\d{1,2})")
# A heading that names only a place (江苏常州——, 山东临沂：) has at most this many other characters.
_PLACE_HEADING_REST = 3
# A clause that names where a policy the sentence extends is already piloted (在X先行试点的基础上).
_PILOT_BASE = re.compile(r"在([^，。；“”]{2,30}?)(?:已经|已|先行|率先)?(?:开展|进行)?了?试点的基础上")
# 将 before a verb: what will be done (将投入120亿元).
_FUTURE = re.compile(
    r"(?<![即必])将(?:投入|推行|推进|推动|开展|实施|建设|新增|实现|启动|出台|上线|完成|达到|安排|发放)"
)
# Words of rolling a pilot out (试点经验成熟后在全省推广, 逐步推开).
_ROLL_OUT = re.compile(r"推广|推开")
_WHOLE_YEAR = "全年"  # a clause of the whole year: no earlier clause's time frames it
# what follows a policy's name when a list of its pilot places comes next: ”试点：, 改革试点地区为：
_PILOT_LIST = re.compile(r"[”’\s]*(?:改革|服务|工作)?试点(?:地区|城市|单位|县区|范围)?(?:为|包括|是)?[：:]")
# What follows a policy's name that makes it a pilot programme (“直达快享”试点经验, “就近办”改革试点).
# Not 试点城市/地区/名单: a region before that (银川市是宁夏…试点城市之一) owns the scheme whose places are others.
_PILOT_AFTER = re.compile(r"[”’]?(?:集成改革|改革|服务|工作)?试点(?!城市|地区|县|区|单位|范围|名单)")
# What a place does to a scheme it is not a pilot of yet, or that others own (争取纳入, 列入, 申报, 获批).
_JOINED_SCHEME = re.compile(r"(?:争取|纳入|列入|入选|申报|获批|加入|是|作为)[^，。；]*$")
# What joins the regions of a list that share what follows them (涪城区、游仙区和三台县).
_LIST_JOINS = ("、", "和", "及", "以及")
# The year an article opens in: 2023年， / 在刚刚过去的2023年 / 2023年以来 (not 2023年3月, a date), or
# the moment it takes stock at (截至2025年11月，…: what it reports stands in that year).
_OPENING_YEAR = re.compile(
    r"(?<!\d)((?:19|20)\d{2})年(?:以来|来|全年|，|,)|(?:截至|截止)((?:19|20)\d{2})年\d{1,2}月(?:底|末)?[，,]"
)


def _whole_year(m: Mention) -> bool:
    """Whether a time names a whole year (2025年, 2025年底, 截至2025年12月底), no part of one."""
    t = m.data
    return (
        isinstance(t, TimeSpan)
        and (t.year is not None or t.relative is not None)
        and (t.month, t.end_month) in ((None, None), (1, 12))
    )


@cache
def _section_words() -> tuple[re.Pattern[str], re.Pattern[str]]:
    c = conventions()
    return re.compile(alternation(c.forward_sections)), re.compile(alternation(c.retrospective_sections))


def _last_match(pattern: re.Pattern[str], text: str) -> int:
    """Where the last match of ``pattern`` in ``text`` starts, or -1."""
    starts = [m.start() for m in pattern.finditer(text)]
    return starts[-1] if starts else -1


class DocumentContext:
    """Per-document indexes the fact builders share: articles, regions, times, headings."""

    def __init__(self, doc: Document, seg: Segmentation, mentions: list[Mention], resolved: list[ResolvedRegion]):
        self.doc = doc
        self.seg = seg
        self.mentions = mentions
        self.resolved = resolved
        self.region_by_start = {r.mention.start: r for r in resolved}
        self.resolved_starts = [r.mention.start for r in resolved]
        self.index_by_start = {r.mention.start: i for i, r in enumerate(resolved)}
        # regions that continue a run (德州市 in 山东省德州市德城区): the run is named by its first
        self._chained = {b.mention.start for a, b in itertools.pairwise(resolved) if a.mention.end == b.mention.start}
        self.date = document_date(doc)
        self.year = year_of(self.date)
        self.genre = document_genre(doc, seg)
        self.times = sorted((m for m in mentions if m.label == "Time"), key=lambda m: m.start)
        self.time_starts = [m.start for m in self.times]
        self.articles = [self._article_context(a) for a in seg.articles]
        self.sentence_index = sorted(
            (s.start, s.end, a, i) for a, ctx in enumerate(self.articles) for i, s in enumerate(ctx.article.sentences)
        )
        self.sentence_starts = [entry[0] for entry in self.sentence_index]
        self.places = places(mentions, resolved, self._place_parent)
        # a reference word inside a policy's name (“全省通办”, 全城通办) names no region
        named = [(m.start, m.end) for m in mentions if m.label == "Policy"]
        # sorted by start, for bisect: what a fact's region and period are read from
        self.anchors = sorted(
            (
                m
                for m in mentions
                if m.label == "Region"
                or (m.label == "RegionRef" and not any(s <= m.start and m.end <= e for s, e in named))
                or m.start in self.places
            ),
            key=lambda m: (m.start, m.label == "Place"),  # a place after the region it starts with
        )
        self.anchor_starts = [m.start for m in self.anchors]
        self._section_regions: dict[tuple[int, int], str | None] = {}
        self._forward: dict[tuple[Heading, ...], bool] = {}

    def referenced_regions(self) -> list[str]:
        """The regions the text's reference words name (全省 on a page about 哈尔滨市 is 黑龙江省), in
        order, without the country: a text that writes 全省 mentions its province."""
        out: list[str] = []
        for m in self.anchors:
            if m.label != "RegionRef" or not isinstance(m.data, RegionReference):
                continue
            located = self.locate(m.start)
            if located is None or m.data.kind == "country":
                continue
            code = m.data.code or refer(m.data.kind, self._discourse_region(located, m.start, m.data.kind))
            if code is not None and code != COUNTRY and code not in out:
                out.append(code)
        return out

    def writes_time_in_clause(self, located: Located, position: int) -> bool:
        """Whether the clause of ``position`` writes a time before it."""
        text = self.doc.text
        start = max(located.sentence.start, max(text.rfind(c, located.sentence.start, position) for c in "，；：") + 1)
        return bool(self.times_in(start, position))

    def times_in(self, start: int, end: int) -> list[Mention]:
        return self.times[bisect_left(self.time_starts, start) : bisect_left(self.time_starts, end)]

    def regions_in(self, start: int, end: int) -> list[ResolvedRegion]:
        """The resolved regions named within [start, end) (``resolved`` is in text order)."""
        lo = bisect_left(self.resolved_starts, start)
        hi = bisect_left(self.resolved_starts, end)
        return [r for r in self.resolved[lo:hi] if r.mention.end <= end]

    # articles --------------------------------------------------------------------------------
    def _article_context(self, article: Article) -> ArticleContext:
        g = gazetteer()
        title_regions = [r for b in article.title_blocks for r in self.regions_in(b.start, b.end)]
        region = deepest([r.code for r in title_regions]) if title_regions else None
        body = [
            s
            for s in article.sentences
            if self.seg.blocks[s.block].kind in ("body", "lead")
            and all(not (b.start <= s.start < b.end) for b in article.title_blocks)
        ]
        if region is None:
            # a page of sections each headed by a place of another province (江苏常州——, 山东临沂——) is a
            # roundup: about the country, each section about its place
            heads = {h for chain in article.headings for h in chain}
            heads -= {h for h in heads for b in article.title_blocks if b.start <= h.start < b.end}
            places = {code for h in heads if (code := self._place_heading(h)) is not None}
            region = COUNTRY if len({g.province_of(code) for code in places} - {None}) >= 2 else None
        if region is None:
            # a report titled without a place (政府工作报告) names it in the lines under its title: the
            # meeting it was given at (——…在泉州市第十八届人民代表大会…上) and who gives it (泉州市人民政府)
            first_body = body[0].start if body else article.end
            header = [
                r.code
                for b in article.blocks
                if b.kind in ("byline", "headline") and b.end <= first_body
                for r in self.regions_in(b.start, b.end)
                if not self._is_object(r.mention.start)
            ]
            region = deepest(header) if header else None
        if region is None:
            for s in body[:2]:
                found = self.regions_in(s.start, s.end)
                if found:
                    index = self.index_by_start[found[0].mention.start]
                    region = deepest(chain_at(self.resolved, index))
                    break
        if region is None:
            # each run of regions (山东省德州市德城区) counts as its deepest link
            counts = Counter(
                code
                for s in body
                for r in self.regions_in(s.start, s.end)
                if r.mention.start not in self._chained
                and (code := deepest(chain_at(self.resolved, self.index_by_start[r.mention.start]))) is not None
            )
            provinces = {g.by_code[code].province for code in counts if code != COUNTRY}
            if len(provinces) >= 3:  # a roundup of several provinces is about the country
                region = COUNTRY
            elif counts:
                region = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        if region is None:
            region = self.doc.meta.region
        title_times = [
            m.data
            for b in article.title_blocks
            if not _FULL_DATE.search(self.doc.text, b.start, b.end)  # 云南日报 2026年1月8日: the page's date
            for m in self.times_in(b.start, b.end)
            if isinstance(m.data, TimeSpan) and m.data.year is not None
        ]
        title_span = title_times[0] if len({(t.year, t.end_year) for t in title_times}) == 1 else None
        opening = None
        for s in body[:1]:
            m = _OPENING_YEAR.search(self.doc.text, s.start, s.end)
            if m and (self.year is None or int(m.group(1) or m.group(2)) <= self.year):
                opening = int(m.group(1) or m.group(2))
        return ArticleContext(article, region, title_span, opening)

    def locate(self, position: int) -> Located | None:
        """The article and sentence ``position`` lies in (None outside every article)."""
        k = bisect_right(self.sentence_starts, position) - 1
        # sentences of different articles may interleave (a title far from its body): look back a little
        for start, end, a, i in reversed(self.sentence_index[max(0, k - 8) : k + 1]):
            if start <= position < end:
                ctx = self.articles[a]
                headings = ctx.article.headings[i] if ctx.article.headings else ()
                return Located(ctx, ctx.article.sentences[i], headings)
        return None

    # regions ---------------------------------------------------------------------------------
    def region_for(self, located: Located, position: int) -> Where | None:
        """The region a fact at ``position`` is about: the last region, place or reference named
        before it in its clause group (a semicolon starts another subject), else the article's.
        A reference (全区, 我市) names the region of its level among those the article has named so far."""
        sentence = located.sentence
        floor = max(sentence.start, self.doc.text.rfind("；", sentence.start, position) + 1)
        where = self._last_anchor(located, floor, position)
        if where is None and floor > sentence.start:
            # a group that names no region (…；基金支出能省30%) keeps the sentence's subject
            where = self._last_anchor(located, sentence.start, floor, subjects_only=True)
        if where is not None:
            return where
        if located.article.region == COUNTRY and located.headings:
            code = self._section_region(located, located.headings[-1])
            if code is not None:
                return Where(code)
        return Where(located.article.region) if located.article.region else None

    def _section_region(self, located: Located, heading: Heading) -> str | None:
        """In a roundup of several places, the place a section is about: the region its heading names
        (四川宜宾——) or the place heading right above it, else the region its first sentence names,
        unless the section also speaks of the whole country (全国, 我国)."""
        key = (heading.start, heading.end)
        if key not in self._section_regions:
            article = located.article.article
            section = [
                s
                for s, chain in zip(article.sentences, article.headings, strict=False)
                if chain and chain[-1] == heading
            ]
            section = [s for s in section if s.start >= heading.end]
            named = [r for r in self.regions_in(heading.start, heading.end) if r.code != COUNTRY]
            code = deepest([r.code for r in named]) if named else None  # 四川宜宾——: the heading names it
            national = any(
                m.label == "RegionRef" and isinstance(m.data, RegionReference) and m.data.kind == "country"
                for s in section
                for m in self.anchors[bisect_left(self.anchor_starts, s.start) : bisect_left(self.anchor_starts, s.end)]
            )
            if code is None:
                code = self._place_heading_before(article, heading)  # a subhead under 江苏常州——
            if code is None and section and not national:
                found = [
                    r for r in self.regions_in(section[0].start, section[0].end) if not self._is_object(r.mention.start)
                ]
                if found:
                    code = deepest(chain_at(self.resolved, self.index_by_start[found[0].mention.start]))
            self._section_regions[key] = code
        return self._section_regions[key]

    def _place_heading(self, heading: Heading) -> str | None:
        """The region a heading is the name of (江苏常州——, 山东临沂：), else None."""
        named = [r for r in self.regions_in(heading.start, heading.end) if r.code != COUNTRY]
        rest = len(self.doc.text[heading.start : heading.end].strip()) - sum(len(r.mention.text) for r in named)
        return deepest([r.code for r in named]) if named and rest <= _PLACE_HEADING_REST else None

    def _place_heading_before(self, article: Article, heading: Heading) -> str | None:
        """The region of the place heading that the headings between it and ``heading`` all follow
        (江苏常州—— then “新生儿出生一件事”实现全程网办): a subhead of that place's section."""
        heads = sorted(
            {h for chain in article.headings for h in chain if h.end <= heading.start}, key=lambda h: h.start
        )
        for h in heads[-1:]:  # the subhead follows its place's heading right away
            code = self._place_heading(h)
            if code is not None:
                return code
        return None

    def _last_anchor(self, located: Located, floor: int, position: int, subjects_only: bool = False) -> Where | None:
        best: tuple[int, Where] | None = None
        text = self.doc.text
        clause_start = position if subjects_only else max(text.rfind(c, floor, position) for c in "，：") + 1
        for m in self.anchors[bisect_left(self.anchor_starts, floor) : bisect_left(self.anchor_starts, position)]:
            if m.end > position or self._is_object(m.start) or _rank_after().match(text, m.end):
                continue
            if m.start < clause_start and not self._subject(m.start, max(floor, text.rfind("；", floor, m.start) + 1)):
                continue  # named inside an earlier clause (落实国家和我省“三保”清单): not this clause's subject
            if subjects_only and text[max(0, m.start - 1) : m.start] == "在":
                continue  # 在石狮市开展试点；推广…: a place of one clause group is not the next group's subject
            if m.start < clause_start and self._pilot_place(m.start, clause_start):
                continue  # 在太原市、大同市开展…试点，推行…: the pilot's places are not the next clause's subject
            if m.start >= clause_start and self._listed(m, clause_start, position):
                continue  # 吸引航天驭星、上海垣信等8家企业: a member of what is counted, not where
            where: Where | None = None
            if m.start in self.places and m.label == "Place":
                place = self.places[m.start]
                where = Where(place.parent, place)
            elif m.label == "Region" and m.start in self.region_by_start:
                index = self.index_by_start[m.start]
                if index + 1 < len(self.resolved) and self.resolved[index + 1].mention.start == m.end:
                    continue  # part of a chain: the deepest link names the region
                where = Where(self.region_by_start[m.start].code)
            elif m.label == "RegionRef" and isinstance(m.data, RegionReference):
                code = m.data.code or refer(m.data.kind, self._discourse_region(located, m.start, m.data.kind))
                where = Where(code) if code else None
            if where is not None and (best is None or (m.start >= best[0] and not subjects_only)):
                best = (m.start, where)  # the last of its clause; the sentence's first subject
        for g in _group_word().finditer(text, floor, position):
            if g.start() < clause_start and not self._heads_clause(g.start(), floor):
                continue
            where = self._group_at(located, g)
            if where is not None and (best is None or (g.start() >= best[0] and not subjects_only)):
                best = (g.start(), where)
        return best[1] if best is not None else None

    def _heads_clause(self, start: int, floor: int) -> bool:
        text = self.doc.text
        clause = max(text.rfind(c, floor, start) for c in "，：") + 1
        return _SUBJECT_LEAD.fullmatch(text, max(clause, floor), start) is not None

    def _group_at(self, located: Located, group: re.Match[str]) -> Where | None:
        """The places a group word (三地, 两市, 多地) refers back to: the nearest list of that many regions
        before it in its article (义乌市、东阳市、永康市联合推行…。三地…累计办件2.8万件), or for 多地/各地 the list
        written right before it (西宁、海东等多地). A total over them stands in their common region; None
        when no list fits (全省各地, 两区建设), and the fact keeps the region it had."""
        text = self.doc.text
        start = group.start()
        k = bisect_right(self.anchor_starts, start)
        if any(m.start <= start < m.end for m in self.anchors[max(0, k - 3) : k]):
            return None  # part of a name
        count = _NUMERALS.get(group.group("count") or "")
        # a count reaches back through its article (今年，三地将… below the paragraph that listed them); 多地 does not
        block = self.seg.blocks[located.sentence.block]
        floor = located.article.article.start
        if count is None:
            floor = max(floor, min(block.start, located.sentence.start))
        items: list[list[ResolvedRegion]] = []  # an item may be a run (金华市义乌市): its last region names it
        for r in self.regions_in(floor, start):
            if r.code == COUNTRY:
                continue
            if items and text[items[-1][-1].mention.end : r.mention.start] == "":
                items[-1].append(r)
            else:
                items.append([r])
        last = len(items) - 1
        while last >= 0:
            first = last
            while first > 0 and text[items[first - 1][-1].mention.end : items[first][0].mention.start] in _LIST_JOINS:
                first -= 1
            attached = text[items[last][-1].mention.end : start] in ("", "等")
            members = list(dict.fromkeys(item[-1].code for item in items[first : last + 1]))
            fits = len(members) == count if count is not None else attached and len(members) >= 2
            if fits:
                if self._is_object(items[first][0].mention.start) or (
                    not attached and _object_marker().search(text, max(0, start - 4), start)
                ):
                    return None  # 与A、B两地合作: the partners, not who the fact is about
                shared = set.intersection(*(gazetteer().lineage(code) for code in members)) - {COUNTRY}
                if not shared:
                    return None  # 陕西、甘肃两省共办理…: no region holds their total; the fact keeps its region
                return Where(self.common_region(members, located), members=tuple(members))
            if attached or count is None:
                return None  # 郑州、洛阳三市: the list it is written after is the one it counts
            last = first - 1
        return None

    def listed_with(self, located: Located, position: int, code: str) -> list[str]:
        """The regions listed with the region ``code`` a fact at ``position`` is about, joined to it by
        、 和 及 (在涪城区、游仙区、三台县开展…试点; 诸城市、青州市作为…试点地区): they share the fact."""
        text = self.doc.text
        named = self.regions_in(located.sentence.start, position)
        # an item of the list may be a run (银川市西夏区、吴忠市利通区): its last region names it
        items: list[list[ResolvedRegion]] = []
        for i, r in enumerate(named):
            if items and text[named[i - 1].mention.end : r.mention.start] == "":
                items[-1].append(r)
            else:
                items.append([r])
        k = max((i for i, item in enumerate(items) if item[-1].code == code), default=-1)
        out: list[str] = []
        before = k
        while before > 0 and text[items[before - 1][-1].mention.end : items[before][0].mention.start] in _LIST_JOINS:
            before -= 1
            if self._is_object(items[before][0].mention.start):
                break
            out.append(items[before][-1].code)
        # 临泉县、太和县推行…，累计帮办事项2.1万件: the clause's subject may be the list's first item
        after = k
        while 0 <= after < len(items) - 1:
            if text[items[after][-1].mention.end : items[after + 1][0].mention.start] not in _LIST_JOINS:
                break
            after += 1
            out.append(items[after][-1].code)
        return out

    def common_region(self, codes: list[str], located: Located) -> str:
        """The nearest region all of ``codes`` lie in (柳江区、鹿寨县 -> 柳州市): where a total over them
        stands; the last of them when they share no region below the country."""
        g = gazetteer()
        shared = set.intersection(*(g.lineage(code) for code in codes))
        shared.discard(COUNTRY)
        return deepest(sorted(shared)) or codes[-1]

    def piloted_before(self, located: Located, position: int) -> list[str]:
        """The regions a clause before ``position`` in its sentence says already pilot what the sentence
        extends (在长春市、通化市已开展试点的基础上，将…纳入…试点范围; 在西宁市先行试点的基础上，…推广至全省)."""
        text = self.doc.text
        out: list[str] = []
        for m in _PILOT_BASE.finditer(text, located.sentence.start, position):
            out.extend(r.code for r in self.regions_in(m.start(1), m.end(1)) if r.code not in out)
        return out

    def pilot_list_after(self, located: Located, end: int) -> list[str]:
        """The regions a notice lists after a colon as a policy's pilots (“就近办”试点：福州市鼓楼区、
        厦门市集美区) after a policy name ending at ``end``: each item, a run naming its last region."""
        text = self.doc.text
        intro = _PILOT_LIST.match(text, end, located.sentence.end)
        if intro is None:
            return []
        named = self.regions_in(intro.end(), located.sentence.end)
        out: list[str] = []
        for i, r in enumerate(named):
            if i + 1 < len(named) and named[i + 1].mention.start == r.mention.end:
                continue  # 福州市鼓楼区: the run's last region is the pilot
            if r.code not in out:
                out.append(r.code)
        return out

    def pilots_named_before(self, located: Located, start: int, end: int) -> list[str]:
        """The regions written right before a policy's name that 试点 follows, as a list or run (对乐都区、
        平安区“直达快享”试点经验进行总结; 推广西宁市“就近办”试点做法): that pilot's places, even as a verb's
        object. Not a scheme a place seeks or joins (争取纳入浙江省“…”试点): that is the scheme's owner."""
        text = self.doc.text
        if not _PILOT_AFTER.match(text, end, located.sentence.end):
            return []
        named = [r for r in self.regions_in(located.sentence.start, start) if r.code != COUNTRY]
        if not named or text[named[-1].mention.end : start] not in ("", "“", "‘"):
            return []
        items: list[list[ResolvedRegion]] = []
        for r in named:
            if items and text[items[-1][-1].mention.end : r.mention.start] == "":
                items[-1].append(r)
            else:
                items.append([r])
        first = len(items) - 1
        while first > 0 and text[items[first - 1][-1].mention.end : items[first][0].mention.start] in _LIST_JOINS:
            first -= 1
        head = items[first][0].mention.start
        if _JOINED_SCHEME.search(text, max(located.sentence.start, head - 6), head):
            return []
        return list(dict.fromkeys(item[-1].code for item in items[first:]))

    def rolled_out_after(self, located: Located, position: int) -> list[str]:
        """The regions a later clause of the sentence says a pilot will be rolled out to (在湘潭县开展
        “就近办”试点，…，试点经验成熟后在全省推广): the reference word's region, which plans it."""
        text = self.doc.text
        end = located.sentence.end
        out: list[str] = []
        for m in self.anchors[bisect_left(self.anchor_starts, position) : bisect_left(self.anchor_starts, end)]:
            if m.label != "RegionRef" or not isinstance(m.data, RegionReference) or m.data.kind == "country":
                continue
            start = max(text.rfind(c, position, m.start) for c in "，；") + 1
            close = min((i for c in "，；。" if (i := text.find(c, m.end, end)) >= 0), default=end)
            if start <= position or not _ROLL_OUT.search(text, start, close):
                continue
            code = m.data.code or refer(m.data.kind, self._discourse_region(located, m.start, m.data.kind))
            if code is not None and code not in out:
                out.append(code)
        return out

    def rolled_out_alone(self, located: Located) -> list[str]:
        """The regions a sentence naming no policy rolls a pilot out to (到2026年6月底，试点经验在全市推广;
        试点成熟后向全省推开): the reference word's region, in a clause where 试点 comes before it and
        推广/推开 after it."""
        text = self.doc.text
        sentence = located.sentence
        if "试点" not in text[sentence.start : sentence.end] or not _ROLL_OUT.search(
            text, sentence.start, sentence.end
        ):
            return []
        if any(m.label == "Policy" for m in self.mentions if sentence.start <= m.start < sentence.end):
            return []
        out: list[str] = []
        lo, hi = bisect_left(self.anchor_starts, sentence.start), bisect_left(self.anchor_starts, sentence.end)
        for m in self.anchors[lo:hi]:
            if m.label != "RegionRef" or not isinstance(m.data, RegionReference) or m.data.kind == "country":
                continue
            start = max(sentence.start, max(text.rfind(c, sentence.start, m.start) for c in "，；") + 1)
            close = min((i for c in "，；。" if (i := text.find(c, m.end, sentence.end)) >= 0), default=sentence.end)
            if "试点" not in text[start : m.start] or not _ROLL_OUT.search(text, m.end, close):
                continue
            code = m.data.code or refer(m.data.kind, self._discourse_region(located, m.start, m.data.kind))
            if code is not None and code not in out:
                out.append(code)
        return out

    def region_of_label(self, located: Located, position: int, label: str) -> str | None:
        """A region named earlier in the sentence that a figure's label starts with: 晋江市、南安市地区生产
        总值分别达到3520亿元、1612亿元 gives the labels 晋江市地区生产总值 and 南安市地区生产总值, each its city's."""
        for r in reversed(self.regions_in(located.sentence.start, position)):
            if len(r.mention.text) >= 2 and label.startswith(r.mention.text) and not self._is_object(r.mention.start):
                return r.code
        return None

    def _pilot_place(self, start: int, limit: int) -> bool:
        """Whether the region at ``start`` is the place (在…) of a pilot its own clause sets up."""
        text = self.doc.text
        k = self.index_by_start.get(start)
        while (
            k is not None
            and k > 0
            and text[self.resolved[k - 1].mention.end : self.resolved[k].mention.start]
            in (
                *_LIST_JOINS,
                "",
            )
        ):
            k -= 1  # the head of a list or a run (在太原市、大同市)
        head = self.resolved[k].mention.start if k is not None else start
        if text[max(0, head - 1) : head] != "在":
            return False
        close = min((i for c in "，；。" if (i := text.find(c, start, limit)) >= 0), default=limit)
        return _pilot_words().search(text, start, close) is not None

    def _listed(self, m: Mention, clause_start: int, position: int) -> bool:
        """Whether a region inside its clause begins an item of a list that 等 closes before
        ``position`` (吸引A、上海B等8家企业: a company's name), not the clause's head."""
        text = self.doc.text
        closing = text.rfind("等", m.end, position)
        if closing < 0 or "、" not in text[clause_start:closing] or self._subject(m.start, clause_start):
            return False
        # the item is a name that starts with the region (上海垣信), not the region itself (西宁、海东等地)
        rest = re.match(r"[^、等，。；：（）()\n]{1,8}([、等])", text[m.end : closing + 1])
        return rest is not None and (text[m.start - 1 : m.start] == "、" or rest.group(1) == "、")

    def _subject(self, start: int, floor: int) -> bool:
        """Whether a region named at ``start`` heads its clause (after time words, 在, 其中 and the
        regions of its own run: 江西省吉安市永丰县)."""
        text = self.doc.text
        k = self.index_by_start.get(start)
        while k is not None and k > 0 and self.resolved[k - 1].mention.end == self.resolved[k].mention.start:
            k -= 1
        head = self.resolved[k].mention.start if k is not None else start
        clause = max(text.rfind(c, floor, head) for c in "，：") + 1
        return _SUBJECT_LEAD.fullmatch(text, max(clause, floor), head) is not None

    def _discourse_region(self, located: Located, position: int, kind: str) -> str | None:
        """The region a reference word of ``kind`` at ``position`` resolves against: the last region
        of that level or below the article names before it (全区 after 观山湖区 is 观山湖区; 全市
        after a passing 河南 is still the city the article is about), else the article's region."""
        g = gazetteer()
        own = located.article.region
        if self.genre != "news" and own is not None and own != COUNTRY and names_level(kind, g.by_code[own]):
            return own  # a city's report or plan says 全市 of the city, past the county-level cities it names
        start = located.article.article.start
        k = bisect_left(self.anchor_starts, position) - 1
        while k >= 0 and self.anchors[k].start >= start:
            m = self.anchors[k]
            k -= 1
            if m.label != "Region" or m.start not in self.region_by_start or self._is_object(m.start):
                continue
            code = deepest(chain_at(self.resolved, self.index_by_start[m.start]))
            if code is not None and names_level(kind, g.by_code[code]):
                return code
        return located.article.region

    def _place_parent(self, position: int) -> str | None:
        """The region a place written alone at ``position`` lies in: the last region named before it in
        its sentence (not an object: 赴上海, 与上海), else in its paragraph (in the article's province),
        else the article's region. The writer sets the scene before naming a place in it; a region
        of another province earlier in the paragraph is more often a comparison than the scene."""
        located = self.locate(position)
        if located is None:
            return None
        g = gazetteer()
        article_region = located.article.region if located.article.region != COUNTRY else None
        province = g.province_of(article_region) if article_region else None
        sentence = located.sentence
        block = self.seg.blocks[sentence.block]
        first = bisect_left(self.resolved_starts, min(block.start, sentence.start))
        last = bisect_left(self.resolved_starts, position)
        for r in reversed(self.resolved[first:last]):
            if r.code == COUNTRY or r.mention.end > position or self._is_object(r.mention.start):
                continue
            if r.mention.start >= sentence.start:
                return r.code
            if province is None or g.province_of(r.code) == province:
                return r.code
            break
        return article_region

    def _is_object(self, start: int) -> bool:
        """Whether a region named at ``start`` follows a preposition or comparison (占全国, 居全省), or
        lies in a run or list that does (与安徽六安、湖北随州等地: every partner is an object)."""
        text = self.doc.text
        k = self.index_by_start.get(start)
        while k is not None and k > 0:
            gap = text[self.resolved[k - 1].mention.end : self.resolved[k].mention.start]
            if gap not in (*_LIST_JOINS, ""):
                break
            k -= 1
        head = self.resolved[k].mention.start if k is not None else start
        return any(_object_marker().search(text, max(0, s - 4), s) is not None for s in {start, head})

    # periods and sections --------------------------------------------------------------------
    def forward(self, located: Located) -> bool:
        """Whether the sentence lies in the part that states what is to be done (a report's plans,
        a plan's whole text): in a report or plan, the innermost heading that says so (by its words
        or its year) decides, else the genre; news has no such parts."""
        cached = self._forward.get(located.headings)
        if cached is not None:
            return cached
        self._forward[located.headings] = answer = self._forward_of(located.headings)
        return answer

    def _forward_of(self, headings: tuple[Heading, ...]) -> bool:
        if self.genre == "news":
            return False  # a news title or subhead (完成年度目标任务) is no plan part
        forward, retro = _section_words()
        for heading in reversed(headings):
            text = self.doc.text[heading.start : heading.end]
            ahead, back = _last_match(forward, text), _last_match(retro, text)
            if ahead >= 0 or back >= 0:
                # a heading's head noun comes last: 重点工作落实情况, 主要目标完成情况 review the work
                return ahead > back
            years = {int(y) for y in _YEAR.findall(text)}
            if self.year and len(years) == 1:
                # a report's part headed by its own year or a later one is its plan (2026年预算保障重点
                # in a report of 2026); one headed by an earlier year reviews it
                return years.pop() >= self.year
        return self.genre == "plan"

    def base_year(self, located: Located) -> int | None:
        """The year a sentence speaks of when it names none: its innermost heading's year, its
        article title's, the year its article opens in, then the report rule (the review part is
        about the year before the report, the plan part about the report's year), then the
        document's year."""
        for heading in reversed(located.headings):
            if _FULL_DATE.search(self.doc.text, heading.start, heading.end):
                continue  # a page's dateline (云南日报 2026年1月8日) heads no part about its year
            years = set(_YEAR.findall(self.doc.text[heading.start : heading.end]))
            if len(years) == 1:
                return int(years.pop())
        title = located.article.title_span
        if title is not None and title.year is not None:
            return title.end_year or title.year
        if located.article.opening_year:
            return located.article.opening_year
        if self.genre == "report" and self.year:
            return self.year if self.forward(located) else self.year - 1
        return self.year

    def base_period(self, located: Located) -> str | None:
        """The period of a sentence that names no time: the base year, or the span the article's
        title names (2020-2021年…绩效评价报告)."""
        title = located.article.title_span
        if (
            title is not None
            and title.end_year is not None
            and not any(_YEAR.search(self.doc.text[h.start : h.end]) for h in located.headings)
        ):
            return title.complete(None, self.year)
        base = self.base_year(located)
        return f"{base:04d}" if base else None

    def period_for(
        self, located: Located, position: int, own: TimeSpan | None = None, stock: bool = False
    ) -> str | None:
        """The period of a fact at ``position``: a time written with the number, else the last time
        before it in its clause, else the time that opens its clause group (2025年前三季度，A…，B…)
        or its sentence, else the time that opens an earlier sentence of its paragraph, else the
        base period. A stock (参保人数, 余额) counted 截至9月底 is the level at the end of September."""
        text = self.doc.text
        sentence = located.sentence
        group = max(sentence.start, text.rfind("；", sentence.start, position) + 1)
        clause = max(group, max(text.rfind(c, group, position) for c in "，：") + 1)
        times = [m for m in self.times_in(sentence.start, sentence.end) if isinstance(m.data, TimeSpan)]
        chosen = own
        if chosen is None:
            in_clause = [m for m in times if clause <= m.start < position]
            # a time opening an earlier clause of the group frames the clauses after it
            framing = [m for m in times if group <= m.start < clause and self._opens_clause(m, group)]
            if _WHOLE_YEAR in text[clause:position]:
                # 截至1月底，已开通…，全年异地办件量2.3万件: 全年 is a whole year, no month's end; a frame
                # that is a whole year (截至2025年底，…，全年为企业减少跑动230万次) still gives its year
                framing = [m for m in framing if _whole_year(m)]
            elif not framing and group > sentence.start:
                # the sentence's opening time frames its later groups (截至11月底，…；…), until
                # another time is written after it
                head = [m for m in times if m.start < group and self._opens(m, sentence.start)]
                if not head:  # after a lead: 本报讯（记者 某某）记者从…获悉，今年1—10月，…；…
                    first = text.find("；", sentence.start, group)
                    head = [m for m in times if m.start < first and self._opens_clause(m, sentence.start)]
                if head and not any(head[-1].end < m.start < group for m in times):
                    framing = head[-1:]
            pick = in_clause[-1] if in_clause else (framing[-1] if framing else None)
            chosen = self._with_year_before(pick, times) if pick is not None else None
        if chosen is None and not self._states_the_present(clause, position, sentence.end):
            block = self.seg.blocks[sentence.block]
            for m in reversed(self.times_in(block.start, sentence.start)):
                opening = self.locate(m.start)
                if (
                    isinstance(m.data, TimeSpan)
                    and m.data.year is not None
                    and opening
                    and self._opens(m, opening.sentence.start)
                ):
                    # a count's end (截至9月底，…参保人数…) frames its own sentence; later ones keep its year
                    chosen = TimeSpan(m.data.year) if m.data.until else m.data
                    break
        if chosen is None:
            base = self.base_year(located)
            # a plan part (三、2026年重点工作: 全年计划实施…) reviews nothing, whatever its words
            if (
                base is not None
                and base == self.year
                and not self.forward(located)
                and self._reviews_last_year(sentence)
            ):
                return f"{base - 1:04d}"
            return self.base_period(located)
        year_here = next((t.year for m in times if m.start < position and (t := m.data).year is not None), None)  # type: ignore[union-attr]
        if chosen.now:  # 目前 in a review of a year is the end of that year; else the document's
            return self.base_period(located)
        if chosen.anaphoric:  # 当年3月: the year the text last named
            year_here = self._last_year_before(located, position) or year_here
        elif chosen.year is None and chosen.relative is None and chosen.month is not None and year_here is None:
            year_here = self._month_year(located, chosen.end_month or chosen.month, position)
        if stock and chosen.until and chosen.month == 1 and chosen.end_month is not None:
            # a stock counted 截至9月底 is the level then; one over 上半年 (旅游总人数) is that half's
            chosen = TimeSpan(chosen.end_year or chosen.year, chosen.end_month, relative=chosen.relative)
        return chosen.complete(year_here or self.base_year(located), self.year)

    def _states_the_present(self, clause: int, position: int, end: int) -> bool:
        """Whether the clause of a number at ``position`` says what can be done now (…事项可线上办理)."""
        text = self.doc.text
        close = min((i for c in "，；。" if (i := text.find(c, position, end)) >= 0), default=end)
        return any(not m.group().startswith(_not_modal()) for m in _present_modal().finditer(text, clause, close))

    def _opens(self, m: Mention, start: int) -> bool:
        """Whether the time ``m`` opens the text from ``start`` (only 在, 截至, other times and the
        subject's region before it: 南宁市1-5月规上工业增加值增长5%，利润总额…)."""
        lead = self.doc.text[start : m.start]
        for t in self.times_in(start, m.start):
            lead = lead.replace(t.text, "")
        regions = self.anchors[bisect_left(self.anchor_starts, start) : bisect_left(self.anchor_starts, m.start)]
        stripped = False
        for r in regions:
            if r.label not in ("Region", "RegionRef"):
                continue
            rest = lead
            if stripped:  # a list of subjects (昆山市、太仓市、常熟市去年联合推行…): each item in turn
                join = next((j for j in sorted(_LIST_JOINS, key=len, reverse=True) if rest.startswith(j)), "")
                rest = rest[len(join) :]
            if rest.startswith(r.text):
                lead = rest[len(r.text) :]  # the subject's region, written first
                stripped = True
        return _FRAME_LEAD.fullmatch(lead) is not None

    def _opens_clause(self, m: Mention, floor: int) -> bool:
        text = self.doc.text
        return self._opens(m, max(floor, max(text.rfind(c, floor, m.start) for c in "，：") + 1))

    def _with_year_before(self, m: Mention, times: list[Mention]) -> TimeSpan | None:
        """The TimeSpan of ``m``, its year taken from a time written right before it (今年上半年)."""
        span = m.data if isinstance(m.data, TimeSpan) else None
        if span is None or span.year is not None or span.relative is not None or span.month is None:
            return span
        k = times.index(m)
        prev = times[k - 1].data if k > 0 and times[k - 1].end == m.start else None
        if isinstance(prev, TimeSpan) and (prev.year is not None or prev.relative is not None):
            return TimeSpan(prev.year, span.month, prev.year, span.end_month, relative=prev.relative)
        return span

    def _month_year(self, located: Located, month: int, position: int) -> int | None:
        """The year of a month written without one (11月，…): the last year its paragraph wrote
        before it; else the base year, or the year before when that month has not come yet at the
        document's date (11月 on a January page of a review is last November)."""
        block = self.seg.blocks[located.sentence.block]
        for m in reversed(self.times_in(block.start, position)):
            if isinstance(m.data, TimeSpan) and m.data.year is not None:
                return m.data.end_year or m.data.year
        base = self.base_year(located)
        written = month_of(self.date)
        if base is not None and base == self.year and written is not None and month > written:
            return base if self.forward(located) else base - 1
        return base

    def _last_year_before(self, located: Located, position: int) -> int | None:
        """The last year written before ``position`` in the article, a relative one (今年, 去年) too:
        今年我省将新增…，力争年底前… is this year's end, not that of a year named sentences before."""
        for m in reversed(self.times_in(located.article.article.start, position)):
            if isinstance(m.data, TimeSpan) and m.data.year is not None:
                return m.data.year
            if isinstance(m.data, TimeSpan) and m.data.relative is not None and self.year is not None:
                return self.year + m.data.relative
        return None

    def _reviews_last_year(self, sentence: Sentence) -> bool:
        """A sentence of completed work on a page of the year's first months (see conventions)."""
        c = conventions()
        month = month_of(self.date)
        if month is None or month > c.review_months:
            return False
        text = self.doc.text[sentence.start : sentence.end]
        for word in c.vague_since:
            text = text.replace(word, "")
        if self.year is not None and f"{self.year}年" in text:
            return False  # 发布了2026年民生实事清单，将投入…: the sentence is about the page's own year
        # (计划 is as often a noun, a programme's name: 实施…“三支一扶”计划)
        if any(word in text for word in c.planned if word != "计划") or _FUTURE.search(text):
            return False  # what will be done is no review of the year just ended
        return any(word in text for word in c.completed) and not any(word in text for word in c.up_to_now)

    def adoption_period(self, located: Located, position: int) -> str | None:
        """An adoption's period, only where its sentence writes a time (推行于2023年)."""
        times = [m for m in self.times_in(located.sentence.start, located.sentence.end) if isinstance(m.data, TimeSpan)]
        explicit = [m for m in times if not m.data.now]  # type: ignore[union-attr]
        if not explicit:
            return None
        return self.period_for(located, position)

    # agencies --------------------------------------------------------------------------------
    def agencies(self) -> dict[int, AgencyRef]:
        """AgencyRef per Agency mention start (only those whose jurisdiction can be found).

        A body after a region's name is that region's; after a level word (市医保局), the region
        of that level the article is about; after a place (金普新区), the place's region; a zone
        named alone (容西管委会), the article's region. Its label is the full name (the region's
        official name, the body's full words: 平顶山市人民代表大会, 中共丽水市委社会工作部), and its
        aliases are the forms written and their expansions.
        """
        out: dict[int, AgencyRef] = {}
        ends = {r.mention.end: r for r in self.resolved}
        loose = {m.end: m for m in self.mentions if m.label == "Region" and isinstance(m.data, RegionName)}
        place_ends = {
            m.end: (m, self.places[m.start]) for m in self.mentions if m.label == "Place" and m.start in self.places
        }
        for m in self.mentions:
            if m.label != "Agency" or not isinstance(m.data, AgencyName) or m.data.each:
                continue
            name = m.data
            if name.national:
                out[m.start] = _national_ref(name)
                continue
            located = self.locate(m.start)
            article_region = located.article.region if located else self.doc.meta.region
            prefixes: list[str] = []  # the forms written before the body
            if name.named:
                at = m.start + len(name.place)
                place = place_ends.get(at)
                if place is not None:
                    code = place[1].parent
                    prefixes = [place[1].label, _strip_regions(place[1].label)[0], name.place]
                else:  # the deepest region the name starts with (西宁经济技术开发区…), else the article's
                    stripped, leading = _strip_regions(name.place)
                    inside = [r.code for r in self.regions_in(m.start, at)] or leading
                    code = (deepest(inside) if inside else article_region) or ""
                    prefixes = [name.place, stripped]
                if not code or code == COUNTRY:
                    continue
                official = ""
            elif name.level:
                level_code = self._level_region(name.level, m.start, located)
                if level_code is None:
                    continue
                code, official = level_code, gazetteer().by_code[level_code].name
                prefixes = [name.level]
            else:
                found = self._region_before(m.start, ends, loose)
                if found is None:
                    continue
                code, written = found
                official = gazetteer().by_code[code].name
                prefixes = written
            if name.seat:
                code = _seat_jurisdiction(code)
            ref = _agency_ref(name, code, official, prefixes)
            if len(name.parts) > 1 and not name.named:
                # a sub-unit names its body too (淮北市税务局 in 淮北市税务局税费服务运营中心): the body
                # at the mention's start, the sub-unit where its own words start
                head = replace(name, body=name.parts[0], parts=name.parts[:1], seat=False, aliases=())
                out[m.start] = _agency_ref(head, code, official, prefixes)
                out[m.start + len(name.level) + len(name.parts[0])] = ref
            else:
                out[m.start] = ref
        return out

    def _region_before(
        self, position: int, ends: dict[int, ResolvedRegion], loose: dict[int, Mention]
    ) -> tuple[str, list[str]] | None:
        """The region named right before ``position`` and the forms written for it (南充市, and
        四川省南充市 for a run of names); a name the context did not keep counts when it can
        name one region only (合肥 in 合肥海关: a body's name is support enough)."""
        region = ends.get(position)
        if region is None and self.doc.text[position : position + 1] in conventions().levels:
            shared = ends.get(position + 1)  # 深圳市场监管局: the name's level word starts the body
            if shared is not None:
                return shared.code, [shared.mention.text[:-1]]
        if region is None:
            mention = loose.get(position)
            if mention is None or not isinstance(mention.data, RegionName):
                return None
            strong = [c.code for c in mention.data.candidates if c.strong]
            if len(strong) != 1:
                return None
            return strong[0], [mention.text]
        written = [region.mention.text]
        start = region.mention.start
        while start in ends:  # a run of names: 四川省南充市
            start = ends[start].mention.start
            written.append(self.doc.text[start:position])
        return region.code, written

    def _level_region(self, level: str, position: int, located: Located | None) -> str | None:
        """The region a level word names (市 in 市医保局): a region of that level its sentence named
        before it, else the article's region or the region above it whose name ends in that level
        word (省 the province, 市 a city, 区 a district), else the last region of that level named
        before it in its paragraph."""
        g = gazetteer()
        kind = conventions().levels.get(level, "")
        article = located.article.region if located else self.doc.meta.region
        if located is not None:
            # 在青山区，区人社局…: a region of the level the sentence has just named
            for r in reversed(self.regions_in(located.sentence.start, position)):
                inside = not article or article == COUNTRY or g.is_within(r.code, article)
                if inside and names_level(kind, g.by_code[r.code]) and not self._is_object(r.mention.start):
                    return r.code
        if article and article != COUNTRY and article in g.by_code:
            for code in (article, *g.ancestors(article)):
                if code != COUNTRY and names_level(kind, g.by_code[code]):
                    return code
        if located is None:
            return None
        block = self.seg.blocks[located.sentence.block]
        for r in reversed(self.regions_in(block.start, position)):
            region = g.by_code[r.code]
            if names_level(kind, region) and (not article or article == COUNTRY or g.is_within(r.code, article)):
                return r.code
        return None


_PARTY_COMMITTEES = ("委", "委员会", "党委")  # written 市委, 中共X市委, X市委组织部


def _strip_regions(name: str) -> tuple[str, list[str]]:
    """A place's name without the region names it starts with (辽宁大连金普新区 -> 金普新区), and
    the codes of those names that can name one region only, each within the one before."""
    g = gazetteer()
    codes: list[str] = []
    changed = True
    while changed:
        changed = False
        for k in range(min(len(name) - 2, 12), 1, -1):
            strong = [c for c, strength in g.aliases.get(name[:k], ()) if strength == "strong"]
            if strong:
                if len(strong) == 1 and (not codes or g.is_within(strong[0], codes[-1])):
                    codes.append(strong[0])
                name, changed = name[k:], True
                break
    return name, codes


def _seat_jurisdiction(code: str) -> str:
    """A body named by its seat serves the province when the seat is the provincial capital (in
    GB/T 2260 the capital of a province is its first prefecture, code XX0100)."""
    region = gazetteer().by_code.get(code)
    if region is not None and region.level == "prefecture" and code[2:] == "0100":
        return region.province
    return code


def _national_ref(name: AgencyName) -> AgencyRef:
    """A national body: listed (中宣部 -> 中共中央宣传部), or read as a national prefix and a body."""
    if not name.parts:
        return AgencyRef(name.body, COUNTRY, name.aliases)
    prefix = name.body[: len(name.body) - len("".join(name.parts))]
    full = prefix + "".join(_expand(p) for p in name.parts)
    aliases = national_agencies().get(full)
    if aliases is not None:
        return AgencyRef(full, COUNTRY, tuple(sorted({*aliases, name.body} - {full})))
    return AgencyRef(full, COUNTRY, tuple(sorted({name.body} - {full})))


def _agency_ref(name: AgencyName, code: str, official: str, prefixes: list[str]) -> AgencyRef:
    """The full name and aliases of a regional body.

    ``official`` is the region's official name ("" for a named zone, whose written name is its
    own), ``prefixes`` the forms written before the body (南充市, 市, 金普新区)."""
    parts = name.parts or (name.body,)
    first, subs = parts[0], parts[1:]
    written_body = "".join(parts)
    expanded_body = "".join(_expand(p) for p in parts)
    expanded_subs = "".join(_expand(p) for p in subs)
    written_subs = "".join(subs)
    forms: set[str] = set()
    heads = [official, *prefixes] if official else list(prefixes)
    for head in heads:
        forms.update((head + written_body, head + expanded_body))
        if name.kind == "party" and first in _PARTY_COMMITTEES:
            forms.update((head + "委" + written_subs, head + "委" + expanded_subs))
            if head != name.level:
                forms.update(("中共" + head + "委" + written_subs, "中共" + head + "委" + expanded_subs))
    if name.parent:
        # a branch of a national body: 国家统计局 + 石家庄 + 调查队, 中国人民银行 + 合肥 + 中心支行
        written = prefixes[0] if prefixes else official
        label = name.parent + written + written_body
        for parent in (name.parent, *national_agencies().get(name.parent, ())):
            for head in heads:
                forms.update((parent + head + written_body, parent + head + expanded_body))
    elif name.kind in ("customs", "survey"):
        seat = (prefixes[0] if prefixes and prefixes[0] != name.level else official).removesuffix("市")
        label = agency_bodies()[first][1].format(r=seat) + expanded_subs
    elif name.kind and official:
        pattern = agency_bodies()[first][1]
        if name.kind == "party" and subs and first in _PARTY_COMMITTEES:
            label = f"中共{official}委{expanded_subs}"
        else:
            label = pattern.format(r=official) + expanded_subs
    elif official:
        label = official + expanded_body
    else:
        label = prefixes[0] + expanded_body
    forms.update(name.aliases)  # a short name the text gives it (以下简称“热线管理中心”)
    forms.discard(label)
    return AgencyRef(label, code, tuple(sorted(forms)))


@cache
def _abbreviations() -> list[tuple[str, str]]:
    pairs = [tuple(line.split("\t")[:2]) for line in data_lines("agency_abbreviations.tsv")]
    return sorted(((a, b) for a, b in pairs), key=lambda p: -len(p[0]))


def _expand(body: str) -> str:
    for short, full in _abbreviations():
        if body.endswith(short) and not body.endswith(full):
            return body[: -len(short)] + full
    return body
