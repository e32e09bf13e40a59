"""Segment: blocks, articles and sentences of a normalised document.

Newspaper pages hold several articles, and their titles need not stand next to their bodies:
a page may open with a block of titles and bylines whose bodies follow one after another, or
close with titles whose bodies came first. The rules use only what such pages offer: bylines
(记者, 通讯员, ◎, □), leads (本报讯, 新华社...电), continuation marks ((下转四版)), heading
lines, and the regions a title and a body name.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from functools import cache

from kg.conventions import conventions
from kg.layout import (
    BYLINE,
    DATELINE,
    DOCUMENT_NUMBER,
    HEADING_LEVELS,
    HEADING_NUMBER,
    NEWS_LEAD,
    PAGE_TURN_MARK,
    caption_of,
    is_furniture,
)
from kg.types import Article, Block, BlockKind, Document, Heading, Segmentation, Sentence

RegionFinder = Callable[[str], frozenset[str]]

_OCCASION = re.compile(
    r"[—－-]{0,2}\s*[（(]?\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日(?:[）)]|\s*在.{2,60}(?:会议|大会)上|$)"
)
_SALUTATION = re.compile(r"(?:各位|尊敬的)[^。，：:]{1,12}[：:]")
_BARE_NUMBER = re.compile(r"\d{1,3}")
_SENTENCE_END = re.compile(r"[。！？!?]+[”’」』）)]*|(?<=……)[”’]*(?=\S)")
_UNNUMBERED = len(HEADING_LEVELS)  # a headline line without a number: the innermost level
_INLINE_HEADING_CHARS = 30  # a numbered body block whose first sentence is this short opens with its heading
_BIGRAM_CJK = re.compile(r"[\u4e00-\u9fff]{2,}")


def classify(text: str) -> BlockKind:
    """The role of one block (a line of normalised text) on the page."""
    t = text.strip()
    if PAGE_TURN_MARK.fullmatch(t) or is_furniture(t):
        return "mark"
    if NEWS_LEAD.match(t):
        return "lead"
    if DATELINE.search(t) and len(t) <= 80 and "。" not in t:
        return "byline"
    if _OCCASION.match(t) and "。" not in t:
        return "byline"  # ——2026年2月27日在…会议上, （2026年3月31日）: when and where, not a title
    if _SALUTATION.fullmatch(t) or _BARE_NUMBER.fullmatch(t):
        return "mark"  # 各位代表：, a page's section number
    if len(t) <= 40 and BYLINE.match(t) and "。" not in t:
        return "byline"
    if _is_heading(t):
        return "headline"
    return "body"


def _is_heading(t: str) -> bool:
    if not t or len(t) > 40 or t[-1] in "，、；":
        return False
    if re.search(r"[。！？!?]", t[:-1]) or t[-1] in "。！？!?":
        return bool(HEADING_NUMBER.match(t)) and len(t) <= 40 and t.count("。") <= 1 and t[-1] not in "。"
    return not t.endswith("……")


def blocks_of(doc: Document) -> tuple[Block, ...]:
    """Split the normalised text into lines, cutting continuation marks off as blocks of their own."""
    out: list[Block] = []
    captions: set[str] = set()  # a caption is often printed again without its credit
    pos = 0
    for line in doc.text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        # trim surrounding spaces
        while start < end and doc.text[start].isspace():
            start += 1
        while end > start and doc.text[end - 1].isspace():
            end -= 1
        if start == end:
            continue
        caption = caption_of(doc.text[start:end])
        if caption is not None:
            captions.add(caption.strip())
        if caption is not None or doc.text[start:end] in captions:
            out.append(Block(start, end, "mark"))
            continue
        cursor = start
        for m in PAGE_TURN_MARK.finditer(doc.text, start, end):
            if m.start() > cursor:
                out.append(Block(cursor, m.start(), classify(doc.text[cursor : m.start()])))
            out.append(Block(m.start(), m.end(), "mark"))
            cursor = m.end()
        if cursor < end:
            out.append(Block(cursor, end, classify(doc.text[cursor:end])))
    return tuple(_long_titles(doc.text, out))


def _long_titles(text: str, blocks: list[Block]) -> list[Block]:
    """A line too long for a heading is still a title when a subtitle (——…), a byline or a notice's
    issue number (宁政办发〔2025〕31号) follows it, or when it opens the text and ends with a word
    that names what the text is (…工作方案的通知, …预算草案的报告)."""
    out = list(blocks)
    for i, (block, following) in enumerate(itertools.pairwise(blocks)):
        line = text[block.start : block.end]
        if block.kind != "body" or "。" in line or len(line) > 80 or line[-1] in "，、；：":
            continue
        if (
            following.kind == "byline"
            or text.startswith("——", following.start)
            or _ISSUE_NUMBER.fullmatch(text, following.start, following.end)
            or (i == 0 and line.endswith(_genre_words()))
        ):
            out[i] = Block(block.start, block.end, "headline")
    return out


_ISSUE_NUMBER = re.compile(rf"\s*{DOCUMENT_NUMBER}[）)]?\s*")


@cache
def _genre_words() -> tuple[str, ...]:
    """The words a document's title ends with to say what it is (通知, 方案, 报告 ...)."""
    c = conventions()
    return (*c.plan_titles, *c.report_titles)


def sentences_of(doc: Document, block: Block, index: int) -> list[Sentence]:
    """Sentences of a block: up to 。！？ (with closing quotes), never across blocks."""
    out: list[Sentence] = []
    start = block.start
    for m in _SENTENCE_END.finditer(doc.text, block.start, block.end):
        if m.end() > start:
            out.append(Sentence(start, m.end(), index))
            start = m.end()
    if start < block.end:
        out.append(Sentence(start, block.end, index))
    return out


class _Draft:
    __slots__ = ("blocks", "titles")

    def __init__(self, titles: list[Block]) -> None:
        self.titles = titles
        self.blocks: list[Block] = []


def segment(doc: Document, find_regions: RegionFinder | None = None) -> Segmentation:
    """Blocks, articles (with titles where found) and sentences of ``doc``.

    ``find_regions`` gives the region codes a text names; with it, a body that opens on the
    region of a title standing elsewhere on the page is joined to that title.
    """
    finder: RegionFinder = find_regions or (lambda _t: frozenset())
    blocks = blocks_of(doc)
    text = doc.text
    drafts: list[_Draft] = []
    orphans: list[list[Block]] = []  # title groups with no body of their own
    pending: list[Block] = []
    current: _Draft | None = None

    def start_article(titles: list[Block]) -> _Draft:
        draft = _Draft(titles)
        drafts.append(draft)
        return draft

    for block in blocks:
        kind = block.kind
        if kind == "mark":
            continue
        if kind == "headline":
            pending.append(block)
            continue
        if kind in ("byline", "lead"):
            starts_new = (
                current is None
                or bool(pending)
                or _has_body(current)
                or (kind == "byline" and any(b.kind == "byline" for b in current.blocks))
            )
            if starts_new:
                if current is not None and not _has_body(current) and current.titles:
                    orphans.append(current.titles)
                    drafts.remove(current)
                current = start_article(pending)
                pending = []
            assert current is not None
            current.blocks.append(block)
            continue
        # a body block
        if current is None:
            current = start_article(pending)
            pending = []
        elif pending:
            orphan = _claim_orphan(orphans, text, block, current, finder)
            if orphan is not None:
                current.blocks.extend(pending)  # headings just before the switch stay behind
                current = start_article(orphan)
                pending = []
            else:
                current.blocks.extend(pending)  # sub-headings
                pending = []
        else:
            orphan = _claim_orphan(orphans, text, block, current, finder)
            if orphan is not None:
                current = start_article(orphan)
        current.blocks.append(block)
    if current is not None and not _has_body(current) and current.titles:
        orphans.append(current.titles)
        drafts.remove(current)
    if pending:  # titles closing the page: each line its own title unless it continues one
        orphans.extend(_split_title_group(pending, text))
    _assign_trailing_titles(drafts, orphans, text, finder)

    articles: list[Article] = []
    index_of = {b: i for i, b in enumerate(blocks)}
    for n, draft in enumerate(d for d in drafts if d.blocks):
        sentences: list[Sentence] = []
        for b in (*draft.titles, *draft.blocks):
            sentences.extend(sentences_of(doc, b, index_of[b]))
        title = " ".join(text[b.start : b.end] for b in draft.titles) or None
        articles.append(
            Article(
                n, title, tuple(draft.titles), tuple(draft.blocks), tuple(sentences), _headings(doc, sentences, blocks)
            )
        )
    return Segmentation(blocks, tuple(articles))


def _split_title_group(group: list[Block], text: str) -> list[list[Block]]:
    """Lines of a title group, kept together where a line continues the one before."""
    out: list[list[Block]] = []
    for b in group:
        line = text[b.start : b.end]
        if out and (line.startswith("——") or text[out[-1][-1].end - 1] == "："):
            out[-1].append(b)
        else:
            out.append([b])
    return out


def _has_body(draft: _Draft) -> bool:
    return any(b.kind in ("body", "lead") for b in draft.blocks)


def _regions_of(text: str, blocks: Iterable[Block], finder: RegionFinder) -> frozenset[str]:
    found: set[str] = set()
    for b in blocks:
        found |= finder(text[b.start : b.end])
    return frozenset(found)


def _claim_orphan(
    orphans: list[list[Block]], text: str, block: Block, current: _Draft, finder: RegionFinder
) -> list[Block] | None:
    """An orphan title whose region this body block opens on, if the current article is elsewhere."""
    if not orphans:
        return None
    opening = text[block.start : min(block.end, block.start + 60)]
    opening_regions = finder(opening)
    if not opening_regions:
        return None
    current_regions = _regions_of(text, current.titles, finder) | _regions_of(text, current.blocks[:3], finder)
    for i, titles in enumerate(orphans):
        title_regions = _regions_of(text, titles, finder)
        shared = title_regions & opening_regions
        if shared and not (shared & current_regions):
            return orphans.pop(i)
    return None


def _bigrams(s: str) -> set[str]:
    return {run[i : i + 2] for run in _BIGRAM_CJK.findall(s) for i in range(len(run) - 1)}


def _assign_trailing_titles(drafts: list[_Draft], orphans: list[list[Block]], text: str, finder: RegionFinder) -> None:
    """Give titles left without a body to untitled articles, best match first."""
    untitled = [d for d in drafts if not d.titles and _has_body(d)]
    if not orphans or not untitled:
        return
    scored: list[tuple[float, int, int]] = []
    for i, titles in enumerate(orphans):
        title_text = "".join(text[b.start : b.end] for b in titles)
        grams = _bigrams(title_text)
        title_regions = _regions_of(text, titles, finder)
        for j, draft in enumerate(untitled):
            body = "".join(text[b.start : b.end] for b in draft.blocks)
            score = len(grams & _bigrams(body)) / (len(grams) or 1)
            if title_regions & _regions_of(text, draft.blocks, finder):
                score += 1.0
            if score > 0:
                scored.append((-score, i, j))
    used_titles: set[int] = set()
    used_articles: set[int] = set()
    for _neg, i, j in sorted(scored):
        if i in used_titles or j in used_articles:
            continue
        untitled[j].titles = orphans[i]
        used_titles.add(i)
        used_articles.add(j)


def heading_level(text: str) -> int | None:
    """The depth of a heading's number (0 for 第一部分 ... 4 for （1）), None when it has none.

    >>> [heading_level(t) for t in ("第二部分 主要任务", "（一）加快发展", "（1）收入", "全市")]
    [0, 2, 4, None]
    """
    for level, pattern in enumerate(HEADING_LEVELS):
        if pattern.match(text):
            return level
    return None


def _headings(doc: Document, sentences: list[Sentence], blocks: tuple[Block, ...]) -> tuple[tuple[Heading, ...], ...]:
    """For each sentence, the headings above it: numbered ones by depth, and headline lines.

    A numbered body block whose first sentence is short (（1）全市收支情况。汇总…) opens with its
    heading, which governs the rest of the block and what follows until the next heading.
    """
    chain: list[Heading] = []
    out: list[tuple[Heading, ...]] = []
    last_block = -1
    for s in sentences:
        if s.block != last_block:
            last_block = s.block
            block = blocks[s.block]
            text = doc.text[block.start : block.end]
            level = heading_level(text)
            heading: Heading | None = None
            if block.kind == "headline":
                heading = Heading(block.start, block.end, _UNNUMBERED if level is None else level)
            elif level is not None and s.end - s.start <= _INLINE_HEADING_CHARS:
                heading = Heading(s.start, s.end, level)
            if heading is not None:
                chain = [h for h in chain if h.level < heading.level] + [heading]
        out.append(tuple(chain))
    return tuple(out)
