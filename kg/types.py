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
from typing import Literal

BlockKind = Literal["headline", "byline", "lead", "body", "mark"]
Status = Literal["implemented", "piloting", "planned"]
Qualifier = Literal["exact", "at_least", "about", "at_most"]


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
class Block:
    """A paragraph-like block of normalised text, classified by its role on the page."""

    start: int
    end: int
    kind: BlockKind


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    block: int  # index into the document's blocks


@dataclass(frozen=True, slots=True)
class Article:
    """One article of a page. Its title may stand far from its body (newspaper layouts)."""

    index: int
    title: str | None
    title_blocks: tuple[Block, ...]
    blocks: tuple[Block, ...]  # byline, lead and body blocks in reading order
    sentences: tuple[Sentence, ...]
    section: tuple[int, ...] = ()  # per sentence: 1 when it lies in a forward-looking section

    @property
    def start(self) -> int:
        return min(b.start for b in (*self.title_blocks, *self.blocks))

    @property
    def end(self) -> int:
        return max(b.end for b in (*self.title_blocks, *self.blocks))


@dataclass(frozen=True, slots=True)
class Mention:
    """A labelled span of ``Document.text``, like a spaCy Span with ``label_`` and ``kb_id_``."""

    start: int
    end: int
    text: str
    label: str  # "Region", "Place", "RegionRef", "Agency", "Policy", "Quantity", "Time"
    key: str = ""  # what the span links to: a region code, a policy id, a normalised name ...
    attrs: tuple[tuple[str, str], ...] = ()

    def attr(self, name: str, default: str = "") -> str:
        for k, v in self.attrs:
            if k == name:
                return v
        return default


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


@dataclass(frozen=True, slots=True, order=True)
class Adoption:
    region: str  # region code
    policy: PolicyRef
    status: Status
    evidence: Evidence
    agency: AgencyRef | None = None
    period: str | None = None


@dataclass(frozen=True, slots=True, order=True)
class Observation:
    region: str  # region code
    indicator: str
    value: Decimal
    unit: str
    qualifier: Qualifier
    period: str | None
    evidence: Evidence
    agency: AgencyRef | None = None


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

    def __post_init__(self) -> None:
        # Sorted tuples so equal inputs give equal records (and byte-identical graphs). Sorted by repr:
        # fields may be None in one record and set in another, which tuples cannot compare.
        for name in ("titles", "regions", "places", "agencies", "policies", "adoptions", "observations"):
            object.__setattr__(self, name, tuple(sorted(set(getattr(self, name)), key=repr)))


def as_decimal(value: str | int | float | Decimal) -> Decimal:
    """A decimal without trailing zeros (``Decimal('114500.00')`` -> ``114500``)."""
    d = Decimal(str(value))
    if d == d.to_integral_value():
        # with as many digits as the number has: the default 28 cannot hold 10^28 and up
        return d.quantize(Decimal(1), context=Context(prec=max(getcontext().prec, d.adjusted() + 1)))
    return d.normalize()
