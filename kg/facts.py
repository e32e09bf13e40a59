"""Facts: one document's segmentation, mentions and context -> DocumentFacts.

Adoptions link each policy mention to the region that runs it (kg.resolve.DocumentContext says
which region, period and section a position is in) with a status read from its clause and the
document's genre; observations do the same for the figures the quantity extractor read.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import replace
from functools import cache, lru_cache

from kg.conventions import alternation, conventions
from kg.extract import run_extractors
from kg.extract.regions import region_codes_in
from kg.resolve import DocumentContext, Located, Where, choose_regions, without_group_word
from kg.segment import segment
from kg.types import (
    Adoption,
    AgencyRef,
    Document,
    DocumentFacts,
    Evidence,
    Figure,
    FigureKind,
    Mention,
    Observation,
    PolicyName,
    PolicyRef,
    Status,
    merge_spans,
)


def evidence(doc: Document, start: int, end: int) -> Evidence:
    """Evidence for the normalised span [start, end): the original span and its text as written."""
    o_start, o_end = doc.to_original(start, end)
    return Evidence(doc.source_file, o_start, o_end, doc.original[o_start:o_end])


# --- status ------------------------------------------------------------------------------------


@cache
def _status_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    c = conventions()
    # 将 is the future marker unless a disposal verb follows it in the clause (将更多事项纳入: 把)
    future_jiang = re.compile(
        rf"(?<![即必])将(?:(?:{alternation(c.future_after)})|(?!.*(?:{alternation(c.disposal_verbs)})))"
    )
    return (
        re.compile(alternation(c.piloting)),
        re.compile(alternation(c.planned)),
        future_jiang,
        re.compile(alternation(c.done)),
    )


@cache
def _sought() -> re.Pattern[str]:
    return re.compile(alternation(conventions().sought))


def _clause_bounds(text: str, start: int, end: int, position: int) -> tuple[int, int]:
    left = max(text.rfind(c, start, position) for c in "，；：")
    right = [i for c in "，；" if (i := text.find(c, position, end)) >= 0]
    return max(left + 1, start), min(right) if right else end


class _Names:
    """Spans of names (policies, quoted and 《》 titles) whose own words (全民参保计划, “试点”项目) say
    nothing of a status: a cue found inside one does not count."""

    __slots__ = ("ends", "starts")

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        merged = merge_spans(spans)
        self.starts = [s for s, _e in merged]
        self.ends = [e for _s, e in merged]

    def covers(self, start: int, end: int) -> bool:
        k = bisect_right(self.starts, start) - 1
        return k >= 0 and self.ends[k] >= end

    def search(self, pattern: re.Pattern[str], text: str, start: int, end: int) -> bool:
        """Whether ``pattern`` matches text[start:end] outside every name."""
        return any(not self.covers(m.start(), m.end()) for m in pattern.finditer(text, start, end))


@cache
def _directive() -> re.Pattern[str]:
    # …作出部署：“…”“…推行…: inside the last of one or more quotes that follow a directive word
    return re.compile(rf"(?:{alternation(conventions().directive)})[:：]?(?:“[^”]*”[，、]?)*“[^”]*$")


def _in_directive(text: str, sentence_start: int, position: int) -> bool:
    """Whether ``position`` lies inside a quoted directive (…作出部署：“…推行…”)."""
    block_start = text.rfind("\n", 0, sentence_start) + 1
    return _directive().search(text, block_start, position) is not None


def adoption_status(
    text: str, located: Located, position: int, forward: bool, names: _Names, pilot: bool = False
) -> Status:
    """piloting (试点) or planned (计划, 将 + verb, a directive, a plan's text or a report's plan part)
    or implemented, read from the policy's clause, then its sentence before it, then the section and
    genre. Running a pilot programme (``pilot``) is piloting."""
    pilot_words, planned, future_jiang, done = _status_patterns()
    sentence = located.sentence
    c_start, c_end = _clause_bounds(text, sentence.start, sentence.end, position)
    if _in_directive(text, sentence.start, position):
        return "planned"
    if names.search(pilot_words, text, c_start, c_end):
        return "planned" if names.search(_sought(), text, c_start, c_end) else "piloting"
    if names.search(done, text, c_start, c_end):
        return "piloting" if pilot else "implemented"
    if (
        names.search(planned, text, c_start, c_end)
        or names.search(planned, text, sentence.start, position)
        or names.search(future_jiang, text, c_start, c_end)
    ):
        return "planned"
    if pilot:
        return "piloting"
    return "planned" if forward else "implemented"


@lru_cache(maxsize=65536)  # labels recur across a corpus's documents
def comparable_label(label: str) -> str:
    """The label without the opening words that do not change what is measured (基本养老保险参保人数 ->
    养老保险参保人数), so figures of different regions and documents line up."""
    drop = conventions().comparable_drop
    previous = None
    while previous != label:
        previous = label
        for word in drop:
            if label.startswith(word) and len(label) > len(word) + 1:
                label = label[len(word) :]
    return label


def _cited(text: str, start: int) -> bool:
    """Whether a 《…》 title at ``start`` is cited as a legal basis (根据《…办法》), not run."""
    head = text[max(0, start - 6) : start].rstrip("《“")
    return head.endswith(conventions().cited_after)


# Words before a number that say it holds for each region of a list (均超过2亿元, 都达到, 各建成).
# A share of a whole (三市合计…，占全市的比重为29.9%) is the group's together, not each one's rate.
_SHARE = re.compile(r"占|比重")
# A rate after 共/合计 (三市共办理…，比上年增长31.5%) is the growth of the group's total, not each one's rate.
_TOTAL = re.compile(r"共|合计|总计|累计")
_EACH = re.compile(r"[均都各](?:[\u4e00-\u9fff]{0,4})$")


def _is_stock(figure: Figure) -> bool:
    """A level at a moment (参保人数, 余额), as conventions' stocks list them, or a rate or share (参保率
    95.6% 截至12月底 is the rate then: a percentage is never summed over the months)."""
    if figure.unit in ("%", "‰") and figure.measure in ("level", "share"):
        return True
    label = figure.base_indicator or figure.indicator
    return figure.measure == "level" and label.split("（")[0].endswith(conventions().stocks)


def figure_kind(figure: Figure, forward: bool) -> FigureKind:
    """The kind the figure's own words gave (预计, 力争 ...), else a target in the plan part of a report or a plan."""
    if figure.kind != "actual":
        return figure.kind
    return "target" if forward else "actual"


# --- the document ------------------------------------------------------------------------------


def _names(mentions: list[Mention], text: str) -> _Names:
    spans = [(m.start, m.end) for m in mentions if m.label == "Policy"]
    spans += [(m.start(), m.end()) for m in re.finditer(r"“[^“”\n]{1,30}”|《[^《》\n]{1,60}》", text)]
    return _Names(spans)


def document_facts(doc: Document) -> DocumentFacts:
    """Everything the graph needs of one document (a pure function of the document)."""
    seg = segment(doc, region_codes_in)
    mentions = run_extractors(doc, seg)
    resolved = choose_regions(doc, mentions)
    c = DocumentContext(doc, seg, mentions, resolved)
    agencies = c.agencies()
    agency_starts = sorted(agencies)
    text = doc.text
    names = _names(mentions, text)
    policies: list[PolicyRef] = []
    adoptions: list[Adoption] = []
    observations: list[Observation] = []
    seen_adoptions: set[tuple[int, str, str]] = set()  # one status per sentence, region and policy
    levels: dict[tuple[int, str], str | None] = {}  # the period of each level figure, by sentence and label
    sentence_evidence: dict[tuple[int, int], Evidence] = {}  # facts of one sentence share its evidence

    def evidence_of(start: int, end: int) -> Evidence:
        found = sentence_evidence.get((start, end))
        if found is None:
            found = sentence_evidence[(start, end)] = evidence(doc, start, end)
        return found

    def agency_before(position: int, sentence_start: int, region: str) -> AgencyRef | None:
        k = bisect_right(agency_starts, position) - 1
        agency = agencies[agency_starts[k]] if k >= 0 and agency_starts[k] >= sentence_start else None
        return agency if agency is not None and agency.jurisdiction == region else None

    # the policies each pilot sentence pilots, by article and sentence start (for a later 试点经验在全市推广)
    piloted: dict[int, dict[int, list[PolicyRef]]] = {}
    for m in mentions:
        if m.label not in ("Policy", "Quantity"):
            continue
        located = c.locate(m.start)
        if located is None:
            continue
        before = len(adoptions)
        if isinstance(m.data, PolicyName):
            policy = PolicyRef(m.key, m.text if m.data.discovered else m.key, m.data.discovered)
            policies.append(policy)
            if located.in_title or (m.data.discovered and _cited(text, m.start)):
                continue
            where = c.region_for(located, m.start)
            if where is None:
                continue
            group = where.members
            if group:  # 三地均已推行…: each place the group word refers back to adopts it, not their region
                where = Where(group[-1])
            key = (located.sentence.start, where.code, policy.policy_id)
            if key in seen_adoptions:
                continue
            seen_adoptions.add(key)
            sentence = located.sentence
            adoption = Adoption(
                region=where.code,
                policy=policy,
                status=adoption_status(text, located, m.start, c.forward(located), names, m.data.pilot),
                evidence=evidence_of(sentence.start, sentence.end),
                agency=agency_before(m.start, sentence.start, where.code),
                period=c.adoption_period(located, m.start),
                place=where.place,
            )
            adoptions.append(adoption)
            for code in group:
                if code != where.code and (sentence.start, code, policy.policy_id) not in seen_adoptions:
                    seen_adoptions.add((sentence.start, code, policy.policy_id))
                    agency = agency_before(m.start, sentence.start, code)
                    adoptions.append(replace(adoption, region=code, agency=agency))
            for code in c.piloted_before(located, m.start):
                if (sentence.start, code, policy.policy_id) not in seen_adoptions:
                    seen_adoptions.add((sentence.start, code, policy.policy_id))
                    agency = agency_before(m.start, sentence.start, code)
                    adoptions.append(replace(adoption, region=code, status="piloting", agency=agency, place=None))
            for code in c.pilots_named_before(located, m.start, m.end):
                if (sentence.start, code, policy.policy_id) not in seen_adoptions:
                    seen_adoptions.add((sentence.start, code, policy.policy_id))
                    agency = agency_before(m.start, sentence.start, code)
                    adoptions.append(replace(adoption, region=code, status="piloting", agency=agency, place=None))
            for code in c.pilot_list_after(located, m.end):
                if (sentence.start, code, policy.policy_id) not in seen_adoptions:
                    seen_adoptions.add((sentence.start, code, policy.policy_id))
                    agency = agency_before(m.start, sentence.start, code)
                    adoptions.append(replace(adoption, region=code, status="piloting", agency=agency, place=None))
            if adoption.status == "piloting":
                for code in c.rolled_out_after(located, m.start):
                    if (sentence.start, code, policy.policy_id) not in seen_adoptions:
                        seen_adoptions.add((sentence.start, code, policy.policy_id))
                        agency = agency_before(m.start, sentence.start, code)
                        adoptions.append(replace(adoption, region=code, status="planned", agency=agency, place=None))
            if where.place is None:
                for code in c.listed_with(located, m.start, where.code):
                    if (sentence.start, code, policy.policy_id) not in seen_adoptions:
                        seen_adoptions.add((sentence.start, code, policy.policy_id))
                        agency = agency_before(m.start, sentence.start, code)
                        adoptions.append(replace(adoption, region=code, agency=agency))
            if any(a.status == "piloting" for a in adoptions[before:]):
                by_sentence = piloted.setdefault(located.article.article.start, {})
                by_sentence.setdefault(located.sentence.start, []).append(policy)
        elif isinstance(m.data, Figure):
            figure = m.data
            if located.in_title or (figure.old and figure.time is None):
                continue  # the starting value of a change (由57人…) is a fact only with its own time
            where = c.region_for(located, m.start)
            if where is None:
                continue
            sentence = located.sentence
            codes = [where.code]
            if where.members and (
                _EACH.search(text, max(sentence.start, m.start - 8), m.start)
                or (
                    figure.unit in ("%", "‰")
                    and not _SHARE.search(figure.indicator)
                    and not _TOTAL.search(text, sentence.start, m.start)
                )
            ):
                codes = list(where.members)  # 两地优良天数比例均在90%以上: each of them
            elif where.members:
                pass  # 三地累计办件2.8万件: their total, in their common region
            elif where.place is None:
                labelled = c.region_of_label(located, m.start, figure.indicator)
                listed = c.listed_with(located, m.start, where.code) if labelled is None else []
                if labelled is not None:
                    codes = [labelled]
                elif listed and (
                    figure.unit in ("%", "‰") or _EACH.search(text, max(sentence.start, m.start - 8), m.start)
                ):
                    # 合德镇、海河镇收入均超过2亿元, 西宁、海东优良天数比例在92%以上: each of them (a rate is no sum)
                    codes = [*reversed(listed), where.code]
                elif listed:
                    codes = [c.common_region([*listed, where.code], located)]  # 支持A、B、C实施项目186个: their total
            period = c.period_for(located, m.start, figure.time, _is_stock(figure))
            level = levels.get((sentence.start, figure.base_indicator)) if figure.base_indicator else None
            if level is not None and figure.time is None and not c.writes_time_in_clause(located, m.start):
                period = level  # 上半年实现地区生产总值2612亿元，同比增长4.8%: the rate is of the level's half
            if figure.measure == "level":
                levels[(sentence.start, figure.indicator)] = period
            # 两市重点事项网办率: the group word names where, as a region's name does; the label is what is measured
            indicator = without_group_word(figure.indicator) if where.members else figure.indicator
            for code in codes:
                observations.append(
                    Observation(
                        region=code,
                        indicator=indicator,
                        value=figure.value,
                        unit=figure.unit,
                        qualifier=figure.qualifier,
                        period=period,
                        evidence=evidence_of(sentence.start, sentence.end),
                        measure=figure.measure,
                        kind=figure_kind(figure, c.forward(located)),
                        base_indicator=figure.base_indicator,
                        place=where.place,
                        comparable=comparable_label(indicator),
                        agency=agency_before(m.start, sentence.start, code),
                    )
                )
    adoptions.extend(_rolled_out_later(c, piloted, {(a.region, a.policy.policy_id) for a in adoptions}, evidence_of))
    titles = tuple(a.title for a in seg.articles if a.title)
    return DocumentFacts(
        source_file=doc.source_file,
        meta=doc.meta,
        titles=titles,
        regions=_mentioned_regions([r.code for r in resolved], c.referenced_regions()),
        places=tuple(c.places.values()),
        agencies=tuple(agencies.values()),
        policies=tuple(p for p in policies if not p.discovered or len(p.label) >= 2),
        adoptions=tuple(adoptions),
        observations=tuple(observations),
        date=c.date,
    )


def _rolled_out_later(
    c: DocumentContext,
    piloted: dict[int, dict[int, list[PolicyRef]]],
    seen: set[tuple[str, str]],
    evidence_of: Callable[[int, int], Evidence],
) -> list[Adoption]:
    """A sentence that names no policy but rolls the pilot out (到2026年6月底，试点经验在全市推广) plans the
    policies of the last pilot sentence before it in its article for the region its reference word names."""
    out: list[Adoption] = []
    for ctx in c.articles:
        pilots = piloted.get(ctx.article.start)
        if not pilots:
            continue
        for sentence in ctx.article.sentences:
            earlier = [start for start in pilots if start < sentence.start]
            located = c.locate(sentence.start)
            if not earlier or located is None or located.sentence != sentence:
                continue
            for code in c.rolled_out_alone(located):
                for policy in pilots[max(earlier)]:
                    if (code, policy.policy_id) in seen:
                        continue
                    seen.add((code, policy.policy_id))
                    out.append(
                        Adoption(
                            region=code,
                            policy=policy,
                            status="planned",
                            evidence=evidence_of(sentence.start, sentence.end),
                            agency=None,
                            period=c.adoption_period(located, sentence.start),
                            place=None,
                        )
                    )
    return out


def _mentioned_regions(named: list[str], referenced: list[str]) -> tuple[str, ...]:
    """The regions a document names, then those only its reference words name (全省, 我市)."""
    return (*named, *(code for code in referenced if code not in named))
