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

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from kg.conventions import alternation, conventions
from kg.gazetteer import COUNTRY, Gazetteer, gazetteer, region_aliases_of
from kg.layout import DATELINE
from kg.reference import data_lines
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
    return g.by_code[code].name == m.text


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
            for form in (g.by_code[c.code].name, *region_aliases_of(c.code)):
                tails.update(form[i:] for i in range(1, len(form) - 1))
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


def refer(kind: str, article_region: str | None) -> str | None:
    """The region a reference word (我市, 全省, 该州, 自治区 ...) names, given the article's region."""
    if kind == "country":
        return COUNTRY
    if article_region is None:
        return None
    g = gazetteer()
    region = g.by_code.get(article_region)
    if region is None or article_region == COUNTRY:
        return None
    if kind == "province":
        return region.province
    if kind == "prefecture":
        return region.prefecture or article_region
    if kind == "city":
        if region.level == "county" and not region.name.endswith("市"):
            return region.prefecture or article_region
        return article_region
    if kind == "county":
        return article_region if region.level == "county" else None
    return article_region  # 全区/该区: a district, or an autonomous region article's region


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
        m = _DATE_LINE.match(line)
        # the whole line is a date, or a date opening a 在…会议上 / 发布时间 line
        if m and (m.end() == len(line) or line.startswith(("——", "发布", "成文")) or "会议上" in line):
            return _date(m.group("y"), m.group("m"), m.group("d"))
    m = _FILE_DATE.search(doc.source_file.rsplit("/", 1)[-1])
    return _date(m.group("y"), m.group("m"), m.group("d")) if m else None


def year_of(date: str | None) -> int | None:
    return int(date[:4]) if date and date[:4].isdigit() else None


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
                if line.endswith(word) and (best is None or len(word) > best[0]):
                    best = (len(word), genre)  # type: ignore[assignment]
    return best[1] if best else "news"


# --- where a fact stands ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArticleContext:
    article: Article
    region: str | None
    title_year: int | None  # the one year the article's title names (邵阳市2025年…统计公报)
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


_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# The year an article opens in: 2023年， / 在刚刚过去的2023年 / 2023年以来 (not 2023年3月, a date).
_OPENING_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})年(?:以来|来|全年|，|,)")


@cache
def _section_words() -> tuple[re.Pattern[str], re.Pattern[str]]:
    c = conventions()
    return re.compile(alternation(c.forward_sections)), re.compile(alternation(c.retrospective_sections))


class DocumentContext:
    """Per-document indexes the fact builders share: articles, regions, times, headings."""

    def __init__(self, doc: Document, seg: Segmentation, mentions: list[Mention], resolved: list[ResolvedRegion]):
        self.doc = doc
        self.seg = seg
        self.mentions = mentions
        self.resolved = resolved
        self.region_by_start = {r.mention.start: r for r in resolved}
        self.index_by_start = {r.mention.start: i for i, r in enumerate(resolved)}
        self.resolved_starts = [r.mention.start for r in resolved]
        self.date = document_date(doc)
        self.year = year_of(self.date)
        self.genre = document_genre(doc, seg)
        self.articles = [self._article_context(a) for a in seg.articles]
        self.sentence_index = sorted(
            (s.start, s.end, a, i) for a, ctx in enumerate(self.articles) for i, s in enumerate(ctx.article.sentences)
        )
        self.sentence_starts = [entry[0] for entry in self.sentence_index]
        self.places = places(mentions, resolved, self._place_parent)
        # sorted by start, for bisect: what a fact's region and period are read from
        self.anchors = sorted(
            (m for m in mentions if m.label in ("Region", "RegionRef") or m.start in self.places),
            key=lambda m: (m.start, m.label == "Place"),  # a place after the region it starts with
        )
        self.anchor_starts = [m.start for m in self.anchors]
        self.times = sorted((m for m in mentions if m.label == "Time"), key=lambda m: m.start)
        self.time_starts = [m.start for m in self.times]

    def times_in(self, start: int, end: int) -> list[Mention]:
        return self.times[bisect_left(self.time_starts, start) : bisect_left(self.time_starts, end)]

    def regions_in(self, start: int, end: int) -> list[ResolvedRegion]:
        return [r for r in self.resolved if start <= r.mention.start and r.mention.end <= end]

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
            for s in body[:2]:
                found = self.regions_in(s.start, s.end)
                if found:
                    index = self.index_by_start[found[0].mention.start]
                    region = deepest(chain_at(self.resolved, index))
                    break
        if region is None:
            counts = Counter(r.code for s in body for r in self.regions_in(s.start, s.end))
            provinces = {g.by_code[code].province for code in counts if code != COUNTRY}
            if len(provinces) >= 3:  # a roundup of several provinces is about the country
                region = COUNTRY
            elif counts:
                region = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        if region is None:
            region = self.doc.meta.region
        title = " ".join(self.doc.text[b.start : b.end] for b in article.title_blocks)
        years = set(_YEAR.findall(title))
        opening = None
        for s in body[:1]:
            m = _OPENING_YEAR.search(self.doc.text, s.start, s.end)
            if m and (self.year is None or int(m.group(1)) <= self.year):
                opening = int(m.group(1))
        return ArticleContext(article, region, int(years.pop()) if len(years) == 1 else None, opening)

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
        before it in its clause group (a semicolon starts another subject), else the article's."""
        sentence = located.sentence
        best: tuple[int, Where] | None = None
        floor = max(sentence.start, self.doc.text.rfind("；", sentence.start, position) + 1)
        for m in self.anchors[bisect_left(self.anchor_starts, floor) : bisect_left(self.anchor_starts, position)]:
            if m.end > position:
                continue
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
                code = m.data.code or refer(m.data.kind, located.article.region)
                where = Where(code) if code else None
            if where is not None and (best is None or m.start >= best[0]) and not self._is_object(m.start):
                best = (m.start, where)
        if best is not None:
            return best[1]
        return Where(located.article.region) if located.article.region else None

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
        """Whether a region named at ``start`` follows a preposition or comparison (占全国, 居全省)."""
        head = self.doc.text[max(0, start - 4) : start]
        return any(head.endswith(word) for word in conventions().object_markers)

    # periods and sections --------------------------------------------------------------------
    def forward(self, located: Located) -> bool:
        """Whether the sentence lies in the part that states what is to be done (a report's plans,
        a plan's whole text): the innermost heading that says so decides, else the genre."""
        forward, retro = _section_words()
        for heading in reversed(located.headings):
            text = self.doc.text[heading.start : heading.end]
            if forward.search(text):
                return True
            if retro.search(text):
                return False
        return self.genre == "plan"

    def base_year(self, located: Located) -> int | None:
        """The year a sentence speaks of when it names none: its innermost heading's year, its
        article title's, then the report rule (the review part is about the year before the
        report, the plan part about the report's year), then the document's year."""
        for heading in reversed(located.headings):
            years = set(_YEAR.findall(self.doc.text[heading.start : heading.end]))
            if len(years) == 1:
                return int(years.pop())
        if located.article.title_year:
            return located.article.title_year
        if located.article.opening_year:
            return located.article.opening_year
        if self.genre == "report" and self.year:
            return self.year if self.forward(located) else self.year - 1
        return self.year

    def period_for(self, located: Located, position: int, own: TimeSpan | None = None) -> str | None:
        """The period of a fact at ``position``: a time written with the number, else the last time
        before it in its sentence (or the first after it), else the paragraph's last dated time,
        else the base year."""
        sentence = located.sentence
        times = self.times_in(sentence.start, sentence.end)
        spans = [m.data for m in times if isinstance(m.data, TimeSpan)]
        year_here = next((t.year for t in spans if t.year is not None), None)
        base = self.base_year(located)
        chosen = own
        if chosen is None:
            before = [m for m in times if m.start < position]
            pick = before[-1] if before else (times[0] if times else None)
            chosen = pick.data if pick is not None and isinstance(pick.data, TimeSpan) else None
        if chosen is None:
            block = self.seg.blocks[sentence.block]
            for m in reversed(self.times_in(block.start, sentence.start)):
                if isinstance(m.data, TimeSpan) and m.data.year is not None:
                    chosen = m.data
                    break
        if chosen is None:
            if base is not None and base == self.year and self._reviews_last_year(sentence):
                return str(base - 1)
            return str(base) if base else None
        if chosen.now:  # 目前 in a review of a year is the end of that year; else the document's
            return str(base) if base else None
        return chosen.complete(year_here or base, self.year)

    def _reviews_last_year(self, sentence: Sentence) -> bool:
        """A sentence of completed work on a page of the year's first months (see conventions)."""
        c = conventions()
        month = int(self.date[5:7]) if self.date and len(self.date) >= 7 else None
        if month is None or month > c.review_months:
            return False
        text = self.doc.text[sentence.start : sentence.end]
        return any(word in text for word in c.completed)

    def adoption_period(self, located: Located, position: int) -> str | None:
        """An adoption's period, only where its sentence writes a time (推行于2023年)."""
        times = [m for m in self.times_in(located.sentence.start, located.sentence.end) if isinstance(m.data, TimeSpan)]
        explicit = [m for m in times if not m.data.now]  # type: ignore[union-attr]
        if not explicit:
            return None
        return self.period_for(located, position)

    # agencies --------------------------------------------------------------------------------
    def agencies(self) -> dict[int, AgencyRef]:
        """AgencyRef per Agency mention start (only those whose jurisdiction can be found)."""
        g = gazetteer()
        out: dict[int, AgencyRef] = {}
        ends = {r.mention.end: r for r in self.resolved}
        levels = conventions().levels
        for m in self.mentions:
            if m.label != "Agency" or not isinstance(m.data, AgencyName):
                continue
            name = m.data
            if name.national:
                out[m.start] = AgencyRef(m.key, COUNTRY, name.aliases)
                continue
            located = self.locate(m.start)
            article_region = located.article.region if located else self.doc.meta.region
            region = ends.get(m.start) or ends.get(m.start + len(name.level))
            if region is not None:
                code = region.code
                written = self.doc.text[region.mention.start : m.end]
            elif name.level:
                resolved_code = refer(levels.get(name.level, "district"), article_region)
                if resolved_code is None or resolved_code == COUNTRY or name.each:
                    continue
                code = resolved_code
                written = m.text
            elif name.named:
                if article_region is None:
                    continue
                code, written = article_region, m.text
            else:
                continue
            official = g.by_code[code].name if code in g.by_code else ""
            full = official + _expand(name.body) if not name.named else written
            forms = {written, _expand(written), official + name.body}
            if region is not None:
                forms.add(region.mention.text + name.body)
            forms.discard(full)
            out[m.start] = AgencyRef(full, code, tuple(sorted(forms)))
        return out


@cache
def _abbreviations() -> list[tuple[str, str]]:
    pairs = [tuple(line.split("\t")[:2]) for line in data_lines("agency_abbreviations.tsv")]
    return sorted(((a, b) for a, b in pairs), key=lambda p: -len(p[0]))


def _expand(body: str) -> str:
    for short, full in _abbreviations():
        if body.endswith(short) and not body.endswith(full):
            return body[: -len(short)] + full
    return body
