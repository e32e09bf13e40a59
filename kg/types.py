"""The plain, immutable records that flow one way through the pipeline.

load -> Document; segment -> Article/Sentence; extract -> Mention; resolve -> facts
(Adoption, Observation, AgencyRef ...) gathered per document in DocumentFacts; graph reads those.
Offsets in Mention/Sentence/Article are into ``Document.text`` (the normalised text);
``Document.to_original`` maps them to the original file text, as evidence needs.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Context, Decimal, getcontext
from typing import Literal, get_args

BlockKind = Literal["headline", "byline", "lead", "body", "mark"]
Status = Literal["implemented", "piloting", "planned"]
STATUSES: tuple[Status, ...] = get_args(Status)  # the choices of kg ask --status
Qualifier = Literal["exact", "at_least", "about", "at_most"]


@dataclass(frozen=True, slots=True)
class FileStamp:
    """What the file system said of a corpus file when it was read, as git's index keeps it: while all of
    it stays the same, the file's bytes are taken to be the same without reading them (kg/update.py)."""

    size: int
    mtime_ns: int
    ctime_ns: int  # changes with any write, and cannot be set back by a user as mtime can
    inode: int
    device: int


@dataclass(frozen=True, slots=True)
class DocMeta:
    """What the corpus metadata file says of one document (all optional)."""

    title: str | None = None
    date: str | None = None  # "2024-12-24", "2024-01" or "2024"
    publisher: str | None = None
    source: str | None = None
    region: str | None = None  # the publisher's home region code, a prior for resolution


@dataclass(frozen=True, slots=True)
class Document:
    """A decoded corpus file and its normalised text.

    ``anchors`` are the (normalised index, original index) pairs where the mapping jumps;
    between anchors one normalised character is one original character.
    """

    source_file: str
    original: str
    text: str
    anchors: tuple[tuple[int, int], ...]
    encoding: str
    meta: DocMeta = field(default_factory=DocMeta)

    def original_index(self, i: int) -> int:
        """The index in ``original`` of normalised character ``i`` (``len(text)`` maps to the end)."""
        if i >= len(self.text):
            return len(self.original)
        k = bisect_right(self.anchors, (i, len(self.original) + 1)) - 1
        norm_at, orig_at = self.anchors[k]
        return orig_at + (i - norm_at)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised span [start, end) to the original span covering the same characters."""
        if end <= start:
            o = self.original_index(start)
            return o, o
        return self.original_index(start), self.original_index(end - 1) + 1


@dataclass(frozen=True, slots=True)
class Span:
    """The characters [start, end) of ``Document.text``."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Block(Span):
    """A paragraph-like block of normalised text, classified by its role on the page."""

    kind: BlockKind


@dataclass(frozen=True, slots=True)
class Sentence(Span):
    block: int  # index into the document's blocks


@dataclass(frozen=True, slots=True)
class Heading(Span):
    """A numbered or set-apart heading (一、 （一） 1. （1） or a headline line); ``level`` 0 is outermost."""

    level: int


@dataclass(frozen=True, slots=True)
class Article:
    """One article of a page. Its title may stand far from its body (newspaper layouts)."""

    index: int
    title: str | None
    title_blocks: tuple[Block, ...]
    blocks: tuple[Block, ...]  # byline, lead and body blocks in reading order
    sentences: tuple[Sentence, ...]
    headings: tuple[tuple[Heading, ...], ...] = ()  # per sentence: the headings it lies under, outermost first

    @property
    def start(self) -> int:
        return min(b.start for b in (*self.title_blocks, *self.blocks))

    @property
    def end(self) -> int:
        return max(b.end for b in (*self.title_blocks, *self.blocks))


RegionKind = Literal["country", "province", "prefecture", "city", "county", "district"]
Measure = Literal["level", "change", "growth_rate", "share"]
FigureKind = Literal["actual", "estimate", "target"]
Genre = Literal["news", "report", "plan"]


# --- what a mention says, by label (spaCy keeps such things in extension attributes) ------------


@dataclass(frozen=True, slots=True)
class RegionCandidate:
    """A region a name can stand for; a weak form (大通 for 大通县) needs support in the document."""

    code: str
    strong: bool = True


@dataclass(frozen=True, slots=True)
class RegionName:
    """A gazetteer name in the text (label ``Region``) and the regions it can name."""

    candidates: tuple[RegionCandidate, ...]
    full_name: bool = False  # the official full name of one of them


@dataclass(frozen=True, slots=True)
class PlaceName:
    """A township, street or zone without a code (label ``Place``), written after its region or alone."""

    head: str  # the kind of place: 镇, 街道, 开发区 ...
    listed: bool = False  # written after another place and 、 (正定镇、新城铺镇): it lies where that one does


@dataclass(frozen=True, slots=True)
class RegionReference:
    """我市, 该州, 全省, 全国, 全川 (label ``RegionRef``): a region named by its level or a fixed word."""

    kind: RegionKind
    code: str | None = None  # fixed by the word itself (全国, 全川); else resolved from the article


@dataclass(frozen=True, slots=True)
class AgencyName:
    """A government body (label ``Agency``): a region or level word (or none), a body, a unit word."""

    body: str  # what follows the region or level: 医保局, 人民政府, 委组织部
    level: str = ""  # a level word written before the body (市 in 市医保局)
    national: bool = False  # a national body by its own name (国务院, 中宣部)
    aliases: tuple[str, ...] = ()  # other names of a national body
    named: bool = False  # the body's own name carries its place (生物园区管委会)
    each: bool = False  # 各县人民政府, 全省各级财政部门: every such body, not one
    kind: str = ""  # a whole body's kind (party, government, congress ...); "" for words + unit word
    parts: tuple[str, ...] = ()  # the body and its sub-units as written: (委, 组织部), (公安局, 交通管理局)
    parent: str = ""  # the national body a branch belongs to (国家统计局 of 国家统计局石家庄调查队)
    seat: bool = False  # named by the city it sits in (合肥海关): a provincial capital's serves the province
    place: str = ""  # the place or zone name written before a named body (金普新区, 容西)


@dataclass(frozen=True, slots=True)
class PolicyName:
    """A policy (label ``Policy``): a concept of the scheme, or a name discovered in the text."""

    policy_id: str
    discovered: bool = False
    pilot: bool = False  # a pilot programme: a region that runs it is piloting


@dataclass(frozen=True, slots=True)
class TimeSpan:
    """A time expression (label ``Time``), its year possibly left to the context.

    Years are as written (None when not written); ``relative`` is an offset from the document's
    year (今年 0, 去年 -1); ``now`` marks 目前/截至目前. A span with a start month and an end month
    is a range (1-10月, 前三季度); ``until`` marks a time written as the end of a count (截至9月底,
    截至2025年11月): a stock counted so is the level then, and a later sentence takes only its year.
    """

    year: int | None = None
    month: int | None = None
    end_year: int | None = None
    end_month: int | None = None
    relative: int | None = None
    now: bool = False
    anaphoric: bool = False  # 当年: the year the text last named
    until: bool = False  # 截至…: written as the moment a count runs to

    def complete(self, year: int | None, document_year: int | None) -> str | None:
        """The period as "2023", "2023-11" or "2023-01/2023-10", its missing year from ``year``
        (relative words from ``document_year``).

        >>> TimeSpan(month=1, end_month=10).complete(2023, None)  # 1-10月, in a text about 2023
        '2023-01/2023-10'
        >>> TimeSpan(relative=-1).complete(None, 2024)  # 去年, in a document of 2024
        '2023'
        >>> TimeSpan(month=1, end_month=1, until=True).complete(2026, None)  # 截至1月底
        '2026-01'
        """
        if self.year is not None:
            start: int | None = self.year
        elif self.relative is not None:
            start = document_year + self.relative if document_year else None
        else:
            start = year
        if start is None:
            return None
        if self.month is None:
            if self.end_year is not None and self.end_year != start:
                return f"{start:04d}/{self.end_year:04d}"
            return f"{start:04d}"  # four digits: a year read as 0001 is not "1"
        first = f"{start:04d}-{self.month:02d}"
        if self.end_month is None:
            return first
        end = self.end_year if self.end_year is not None else start
        if (end, self.end_month) == (start, self.month):
            return first  # 截至1月底: January, not the range January to January
        return f"{first}/{end:04d}-{self.end_month:02d}"


@dataclass(frozen=True, slots=True)
class Figure:
    """A number the text reports (label ``Quantity``): what it measures, its value and how to read it."""

    value: Decimal  # base magnitude, signed for changes and growth rates
    unit: str
    qualifier: Qualifier
    indicator: str  # the noun phrase measured, as a label that reads alone
    measure: Measure = "level"
    kind: FigureKind = "actual"
    base_indicator: str = ""  # for a change, growth rate or share: the indicator it is of
    old: bool = False  # the starting value of a change (由A增至B): A
    time: TimeSpan | None = None  # a time written with the number itself (2020年底的9400家)


MentionData = RegionName | PlaceName | RegionReference | AgencyName | PolicyName | TimeSpan | Figure


@dataclass(frozen=True, slots=True)
class Mention:
    """A labelled span of ``Document.text``, like a spaCy Span with ``label_`` and ``kb_id_``.

    ``data`` is what the extractor read of the span, typed by label (RegionName for "Region" ...).
    """

    start: int
    end: int
    text: str
    label: str  # "Region", "Place", "RegionRef", "Agency", "Policy", "Quantity", "Time"
    key: str = ""  # what the span links to: a region alias, a policy id, a normalised name ...
    data: MentionData | None = None


Extractor = Callable[["Document", "Segmentation"], Iterable[Mention]]


@dataclass(frozen=True, slots=True)
class Segmentation:
    """The blocks, articles and sentences of one document."""

    blocks: tuple[Block, ...]
    articles: tuple[Article, ...]

    def sentences(self) -> Iterable[tuple[Article, Sentence]]:
        for article in self.articles:
            for sentence in article.sentences:
                yield article, sentence


@dataclass(frozen=True, slots=True, order=True)
class Evidence:
    """Where a fact is written: the file, the span as written, its offsets into the original."""

    source_file: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True, order=True)
class PlaceRef:
    """A region without a code (township, street, development zone) inside a coded region."""

    label: str
    parent: str  # the code of the region it lies in


@dataclass(frozen=True, slots=True, order=True)
class AgencyRef:
    name: str  # the fullest name seen
    jurisdiction: str  # region code ("000000" for national bodies)
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, order=True)
class PolicyRef:
    policy_id: str  # the concept's local id in the scheme, or "d-<hash>" when discovered
    label: str
    discovered: bool = False


@dataclass(frozen=True, slots=True)
class Adoption:
    region: str  # region code (of the place's region when ``place`` is set)
    policy: PolicyRef
    status: Status
    evidence: Evidence
    agency: AgencyRef | None = None
    period: str | None = None
    place: PlaceRef | None = None  # an uncoded place (a zone, a street) that runs the policy


@dataclass(frozen=True, slots=True)
class Observation:
    region: str  # region code (of the place's region when ``place`` is set)
    indicator: str
    value: Decimal
    unit: str
    qualifier: Qualifier
    period: str | None
    evidence: Evidence
    agency: AgencyRef | None = None
    measure: Measure = "level"
    kind: FigureKind = "actual"
    base_indicator: str = ""  # what a change, growth rate or share is of (skos:broader of the indicator)
    place: PlaceRef | None = None
    comparable: str = ""  # the label without words that do not change what is measured (skos:closeMatch)


@dataclass(frozen=True, slots=True)
class DocumentFacts:
    """Everything extracted from one document; the graph stage needs nothing else of it."""

    source_file: str
    meta: DocMeta
    titles: tuple[str, ...]
    regions: tuple[str, ...]  # codes of the regions the document mentions
    places: tuple[PlaceRef, ...] = ()
    agencies: tuple[AgencyRef, ...] = ()
    policies: tuple[PolicyRef, ...] = ()
    adoptions: tuple[Adoption, ...] = ()
    observations: tuple[Observation, ...] = ()
    date: str | None = None  # the metadata's date, else the one the text gives (a dateline, 发布时间 ...)

    def __post_init__(self) -> None:
        # Tuples without repeats, in the order extraction found them (text order): equal inputs give
        # equal records, and the graph stage sorts its lines, so the export is byte-identical.
        for name in ("titles", "regions", "places", "agencies", "policies", "adoptions", "observations"):
            object.__setattr__(self, name, tuple(dict.fromkeys(getattr(self, name))))


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """``(start, end)`` spans sorted, those that overlap or touch merged into one.

    >>> merge_spans([(5, 8), (0, 2), (2, 3), (6, 10)])
    [(0, 3), (5, 10)]
    """
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def as_decimal(value: str | int | float | Decimal) -> Decimal:
    """A decimal without trailing zeros.

    >>> as_decimal("114500.00"), as_decimal(1.50)
    (Decimal('114500'), Decimal('1.5'))
    """
    d = Decimal(str(value))
    if d == d.to_integral_value():
        # with as many digits as the number has: the default 28 cannot hold 10^28 and up
        return d.quantize(Decimal(1), context=Context(prec=max(getcontext().prec, d.adjusted() + 1)))
    return d.normalize()
