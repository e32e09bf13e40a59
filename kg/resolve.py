"""Resolve: choose a region code for each region mention, using the whole document as context.

Linking proposes candidates (the codes an alias can name) and then chooses, spaCy-KB style:
``candidates(mention)`` never returns None, ``choose_regions`` decides by context: a parent named
just before (四川省广元市旺苍县), the other regions of the document (城北区 in a Qinghai text is
西宁's), and the publisher's home region from the corpus metadata.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from kg.gazetteer import STRONG, WEAK, Gazetteer, gazetteer
from kg.types import Document, Mention, PlaceRef


@dataclass(frozen=True, slots=True)
class Candidate:
    code: str
    strength: str


@dataclass(frozen=True, slots=True)
class ResolvedRegion:
    mention: Mention
    code: str


def candidates(mention: Mention) -> list[Candidate]:
    """The codes a Region mention can name; ``[]`` when none."""
    out = []
    for item in mention.attr("candidates").split():
        code, _, strength = item.partition(":")
        out.append(Candidate(code, strength or STRONG))
    return out


def _is_full_name(g: Gazetteer, m: Mention, code: str) -> bool:
    return g.is_full_name(m.text, code)


def choose_regions(doc: Document, mentions: Sequence[Mention]) -> list[ResolvedRegion]:
    """One code per Region mention that survives the context checks, in text order."""
    g = gazetteer()
    regions = sorted((m for m in mentions if m.label == "Region"), key=lambda m: (m.start, m.end))
    # Codes the document names in a strong, unambiguous form support weak and ambiguous mentions.
    support: Counter[str] = Counter()
    for m in regions:
        cands = [c for c in candidates(m) if c.strength == STRONG]
        if len(cands) == 1:
            support[cands[0].code] += 1
    support_provinces = Counter(g.by_code[c].province for c in support.elements())
    support_prefectures = Counter(p for c in support.elements() if (p := g.by_code[c].prefecture))
    home = doc.meta.region

    resolved: list[ResolvedRegion] = []
    previous: ResolvedRegion | None = None
    for m in regions:
        chain_parent = previous.code if previous is not None and previous.mention.end == m.start else None
        best: tuple[float, ...] | None = None
        best_code = None
        for c in candidates(m):
            region = g.by_code[c.code]
            lineage = g.lineage(c.code)
            chained = chain_parent is not None and chain_parent in lineage and chain_parent != c.code
            # A weak form counts when its own region or its prefecture is named strongly too.
            if (
                c.strength == WEAK
                and not chained
                and not support[c.code]
                and not (region.level == "county" and region.prefecture and support[region.prefecture])
            ):
                continue
            score = (
                4.0 * chained
                + 2.0 * min(support_prefectures[region.prefecture or ""], 5)
                + 1.0 * min(support_provinces[region.province], 5)
                + 1.0 * (home is not None and home[:2] == c.code[:2])
            )
            key = (score, c.strength == STRONG, -_level_rank(region.level), -int(c.code))
            if best is None or key > best:
                best, best_code = key, c.code
        if best_code is None:
            continue
        r = ResolvedRegion(m, best_code)
        resolved.append(r)
        previous = r
    return _drop_strays(doc, resolved, g)


def _level_rank(level: str) -> int:
    return {"country": 0, "province": 1, "prefecture": 2, "county": 3}.get(level, 4)


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


def places(mentions: Sequence[Mention], resolved: Sequence[ResolvedRegion]) -> list[PlaceRef]:
    """Uncoded places (街道, 镇, 开发区 ...) with the code of the region named just before them."""
    by_start = {r.mention.start: r.code for r in resolved}
    return [PlaceRef(m.text, by_start[m.start]) for m in mentions if m.label == "Place" and m.start in by_start]


# --- article regions and references (我市, 全省 ...) ------------------------------------------

_LEVEL_RANK = {"country": 0, "province": 1, "prefecture": 2, "county": 3}


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


def refer(level: str, article_region: str | None) -> str | None:
    """The region a reference word (我市, 全省, 该州, 自治区 ...) names, given the article's region."""
    if article_region is None:
        return None
    g = gazetteer()
    region = g.by_code.get(article_region)
    if region is None:
        return article_region
    if level == "province":
        return region.province
    if level == "prefecture":
        return region.prefecture or article_region
    if level == "city":
        if region.level == "county" and not region.name.endswith("市"):
            return region.prefecture or article_region
        return article_region
    if level == "county":
        return article_region if region.level == "county" else None
    return article_region  # 全区/该区: a district, or an autonomous region article's region
