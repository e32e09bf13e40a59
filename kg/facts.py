"""Facts: one document's segmentation, mentions and resolved regions -> DocumentFacts.

Adoptions link each policy mention to the region that runs it: a region named earlier in the
sentence, else a reference word (我市, 全省) resolved against the article's region, else the
article's region (from its title, its lead, then what it names most). Observations do the same
for quantities. Periods come from the sentence's time words, then the paragraph's, then the
article's opening year, then the document date; the retrospective part of a work report is
about the year before the report, its forward-looking part about the report's year.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import cache

from kg.extract import run_extractors
from kg.extract.regions import region_codes_in
from kg.gazetteer import COUNTRY, gazetteer
from kg.reference import data_lines
from kg.resolve import ResolvedRegion, chain_at, choose_regions, deepest, places, refer
from kg.segment import segment
from kg.types import (
    Adoption,
    AgencyRef,
    Article,
    Document,
    DocumentFacts,
    Evidence,
    Mention,
    Observation,
    PolicyRef,
    Segmentation,
    Sentence,
    as_decimal,
)

_PILOT = re.compile(r"试点|试行|先行先试|示范区建设")
_PLANNED = re.compile(r"将|计划|拟|力争|争取|预计|下一步|明年|今后|着力推动|要(?=[加推全持深抓做])")


def evidence(doc: Document, start: int, end: int) -> Evidence:
    """Evidence for the normalised span [start, end): the original span and its text as written."""
    o_start, o_end = doc.to_original(start, end)
    return Evidence(doc.source_file, o_start, o_end, doc.original[o_start:o_end])


@dataclass(frozen=True, slots=True)
class _ArticleContext:
    article: Article
    region: str | None
    anchor_year: int | None


class _Context:
    """Per-document indexes the fact builders share."""

    def __init__(self, doc: Document, seg: Segmentation, mentions: list[Mention], resolved: list[ResolvedRegion]):
        self.doc = doc
        self.seg = seg
        self.mentions = mentions
        self.resolved = resolved
        self.region_by_start = {r.mention.start: r for r in resolved}
        self.index_by_start = {r.mention.start: i for i, r in enumerate(resolved)}
        self.doc_year = _year_of(doc.meta.date)
        self.is_report = any(any(a.section) for a in seg.articles)
        self.articles = [self._article_context(a) for a in seg.articles]
        # sorted by start, for bisect: what a fact's region and period are read from
        self.anchors = sorted((m for m in mentions if m.label in ("Region", "RegionRef")), key=lambda m: m.start)
        self.anchor_starts = [m.start for m in self.anchors]
        self.times = sorted((m for m in mentions if m.label == "Time"), key=lambda m: m.start)
        self.time_starts = [m.start for m in self.times]
        self.sentence_index = sorted(
            (s.start, s.end, a, i) for a, ctx in enumerate(self.articles) for i, s in enumerate(ctx.article.sentences)
        )
        self.sentence_starts = [entry[0] for entry in self.sentence_index]

    def _times_in(self, start: int, end: int) -> list[Mention]:
        return self.times[bisect_left(self.time_starts, start) : bisect_left(self.time_starts, end)]

    # regions -------------------------------------------------------------------------------
    def regions_in(self, start: int, end: int) -> list[ResolvedRegion]:
        return [r for r in self.resolved if start <= r.mention.start and r.mention.end <= end]

    def _article_context(self, article: Article) -> _ArticleContext:
        text = self.doc.text
        title_regions = [r for b in article.title_blocks for r in self.regions_in(b.start, b.end)]
        region = deepest([r.code for r in title_regions]) if title_regions else None
        body = [s for s in article.sentences if all(not (b.start <= s.start < b.end) for b in article.title_blocks)]
        if region is None:
            for s in body[:2]:
                found = self.regions_in(s.start, s.end)
                if found:
                    index = self.index_by_start[found[0].mention.start]
                    region = deepest(chain_at(self.resolved, index))
                    break
        if region is None:
            counts = Counter(r.code for s in body for r in self.regions_in(s.start, s.end))
            if counts:
                region = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        if region is None:
            region = self.doc.meta.region
        anchor = None
        for s in body[:3]:
            m = re.search(r"(\d{4})年", text[s.start : s.end])
            if m:
                anchor = int(m.group(1))
                break
        return _ArticleContext(article, region, anchor)

    def region_for(self, ctx: _ArticleContext, sentence: Sentence, position: int) -> str | None:
        """The region a fact at ``position`` of ``sentence`` is about."""
        best: tuple[int, str | None] | None = None
        candidate: tuple[int, str | None]
        # a region named before a semicolon is another clause's subject
        floor = max(sentence.start, self.doc.text.rfind("；", sentence.start, position) + 1)
        for m in self.anchors[bisect_left(self.anchor_starts, floor) : bisect_left(self.anchor_starts, position)]:
            if m.end > position:
                continue
            if m.label == "Region" and m.start in self.region_by_start:
                r = self.region_by_start[m.start]
                index = self.index_by_start[m.start]
                if index + 1 < len(self.resolved) and self.resolved[index + 1].mention.start == m.end:
                    continue  # part of a chain: the deepest link names the region
                candidate = (m.start, r.code)
            elif m.label == "RegionRef":
                candidate = (m.start, refer(m.key, ctx.region))
            else:
                continue
            if best is None or candidate[0] >= best[0]:
                best = candidate
        if best is not None and best[1] is not None:
            return best[1]
        return ctx.region

    # periods -------------------------------------------------------------------------------
    def period_for(self, ctx: _ArticleContext, sentence: Sentence, position: int, forward: bool) -> str | None:
        times = self._times_in(sentence.start, sentence.end)
        before = [m for m in times if m.start < position]
        chosen = before[-1] if before else (times[0] if times else None)
        year_here = next((int(m.key[1:5]) for m in times if m.key.startswith("Y")), None)
        base = self._base_year(ctx, forward)
        if chosen is None:
            # the paragraph's last time word before this sentence
            block = self.seg.blocks[sentence.block]
            earlier = self._times_in(block.start, sentence.start)
            if earlier and earlier[-1].key.startswith(("Y", "R2", "M2")):
                chosen = earlier[-1]
        if chosen is None:
            return _year(base) if base else None
        return _complete(chosen.key, year_here or base, self.doc_year)

    def _base_year(self, ctx: _ArticleContext, forward: bool) -> int | None:
        if self.is_report and self.doc_year:
            return self.doc_year if forward else self.doc_year - 1
        if ctx.anchor_year:
            return ctx.anchor_year
        # A page of January or February reviews the year just ended.
        month = _month_of(self.doc.meta.date)
        if self.doc_year and month is not None and month <= 2:
            return self.doc_year - 1
        return self.doc_year

    def article_of(self, position: int) -> tuple[_ArticleContext, Sentence, int] | None:
        k = bisect_right(self.sentence_starts, position) - 1
        # sentences of different articles may interleave (a title far from its body): look back a little
        for start, end, a, i in reversed(self.sentence_index[max(0, k - 8) : k + 1]):
            if start <= position < end:
                return self.articles[a], self.articles[a].article.sentences[i], i
        return None


def _year_of(date: str | None) -> int | None:
    return int(date[:4]) if date and date[:4].isdecimal() else None  # isdigit() takes ² too, int() does not


def _month_of(date: str | None) -> int | None:
    """The month of a metadata date ("2024-03", "2024-03-05"); None when it has none, or another form."""
    m = re.match(r"[0-9]{4}-([0-9]{2})", date or "")
    return int(m.group(1)) if m else None


def _year(year: int) -> str:
    """A year as periods write it: four digits (a year read as 0001 is not "1")."""
    return f"{year:04d}"


def _complete(key: str, year: int | None, doc_year: int | None) -> str | None:
    if key.startswith("REL"):
        return _year(doc_year + int(key[3:])) if doc_year else None
    if key.startswith("Y"):
        return key[1:]
    if key.startswith(("M", "R")):
        body = key[1:]
        if "?" in body:
            if year is None:
                return None
            body = body.replace("?", _year(year))
        return body
    if key == "NOW":
        return _year(year) if year else None
    return _year(year) if year else None


def _in_title(article: Article, position: int) -> bool:
    return any(b.start <= position < b.end for b in article.title_blocks)


def _clause(text: str, sentence: Sentence, position: int) -> str:
    start = max(text.rfind(c, sentence.start, position) for c in "，；：")
    start = max(start + 1, sentence.start)
    ends = [i for c in "，；" if (i := text.find(c, position, sentence.end)) >= 0]
    return text[start : min(ends) if ends else sentence.end]


def adoption_status(text: str, sentence: Sentence, position: int, forward: bool) -> str:
    clause = _clause(text, sentence, position)
    if _PILOT.search(clause):
        return "piloting"
    if forward or _PLANNED.search(text[sentence.start : position]) or _PLANNED.search(clause):
        return "planned"
    return "implemented"


# --- agencies -------------------------------------------------------------------------------


@cache
def _abbreviations() -> list[tuple[str, str]]:
    pairs = [tuple(line.split("\t")[:2]) for line in data_lines("agency_abbreviations.tsv")]
    return sorted(((a, b) for a, b in pairs), key=lambda p: -len(p[0]))


def _expand(body: str) -> str:
    for short, full in _abbreviations():
        if body.endswith(short) and not body.endswith(full):
            return body[: -len(short)] + full
    return body


def resolve_agencies(c: _Context) -> dict[int, AgencyRef]:
    """AgencyRef per Agency mention start (only those whose jurisdiction can be found)."""
    g = gazetteer()
    out: dict[int, AgencyRef] = {}
    ends = {r.mention.end: r for r in c.resolved}
    for m in c.mentions:
        if m.label != "Agency":
            continue
        if m.attr("national"):
            aliases = tuple(a for a in m.attr("aliases").split(",") if a)
            out[m.start] = AgencyRef(m.key, COUNTRY, aliases)
            continue
        located = c.article_of(m.start)
        article_region = located[0].region if located else c.doc.meta.region
        body = m.attr("body")
        level = m.attr("level")
        region = ends.get(m.start) or ends.get(m.start + len(level))
        if region is not None:
            code = region.code
            written = c.doc.text[region.mention.start : m.end]
        elif level:
            level_kind = {
                "省": "province",
                "自治区": "province",
                "州": "prefecture",
                "自治州": "prefecture",
                "市": "city",
                "县": "county",
                "旗": "county",
                "盟": "prefecture",
            }.get(level, "district")
            resolved_code = refer(level_kind, article_region)
            # 全省生态环境部门, 各市政府: every such body, not one agency
            if resolved_code is None or c.doc.text[m.start - 1 : m.start] in ("全", "各"):
                continue
            code = resolved_code
            written = m.text
        elif m.attr("named"):
            if article_region is None:
                continue
            code, written = article_region, m.text
        else:
            continue
        official = g.by_code[code].name if code in g.by_code else ""
        name = official + _expand(body) if not m.attr("named") else written
        forms = {written, _expand(written), official + body}
        if region is not None:
            forms.add(region.mention.text + body)
        forms.discard(name)
        out[m.start] = AgencyRef(name, code, tuple(sorted(forms)))
    return out


# --- the document -------------------------------------------------------------------------------


def document_facts(doc: Document) -> DocumentFacts:
    """Everything the graph needs of one document (a pure function of the document)."""
    seg = segment(doc, region_codes_in)
    mentions = run_extractors(doc, seg)
    resolved = choose_regions(doc, mentions)
    c = _Context(doc, seg, mentions, resolved)
    agencies = resolve_agencies(c)
    text = doc.text
    policies: list[PolicyRef] = []
    adoptions: list[Adoption] = []
    observations: list[Observation] = []
    agency_starts = sorted(agencies)
    for m in mentions:
        if m.label not in ("Policy", "Quantity"):
            continue
        located = c.article_of(m.start)
        if located is None:
            continue
        ctx, sentence, index = located
        forward = bool(ctx.article.section and ctx.article.section[index])
        if m.label == "Policy":
            policy = PolicyRef(m.key, m.text if m.attr("discovered") else m.key, bool(m.attr("discovered")))
            policies.append(policy)
            if _in_title(ctx.article, m.start):
                continue
            region = c.region_for(ctx, sentence, m.start)
            if region is None:
                continue
            k = bisect_right(agency_starts, m.start) - 1
            agency = agencies[agency_starts[k]] if k >= 0 and agency_starts[k] >= sentence.start else None
            adoptions.append(
                Adoption(
                    region=region,
                    policy=policy,
                    status=adoption_status(text, sentence, m.start, forward),  # type: ignore[arg-type]
                    evidence=evidence(doc, sentence.start, sentence.end),
                    agency=agency if agency is not None and agency.jurisdiction == region else None,
                    period=None,
                )
            )
        else:
            if _in_title(ctx.article, m.start):
                continue
            if m.attr("role") == "old":
                continue  # the starting value of a change: kept only with its own period (not yet read)
            period = c.period_for(ctx, sentence, m.start, forward)
            region = c.region_for(ctx, sentence, m.start)
            if region is None:
                continue
            observations.append(
                Observation(
                    region=region,
                    indicator=m.attr("indicator"),
                    value=as_decimal(m.attr("value")),
                    unit=m.attr("unit"),
                    qualifier=m.attr("qualifier"),  # type: ignore[arg-type]
                    period=period,
                    evidence=evidence(doc, sentence.start, sentence.end),
                )
            )
    titles = tuple(a.title for a in seg.articles if a.title)
    return DocumentFacts(
        source_file=doc.source_file,
        meta=doc.meta,
        titles=titles,
        regions=tuple(r.code for r in resolved),
        places=tuple(places(mentions, resolved)),
        agencies=tuple(agencies.values()),
        policies=tuple(p for p in policies if not p.discovered or len(p.label) >= 2),
        adoptions=tuple(adoptions),
        observations=tuple(observations),
    )
