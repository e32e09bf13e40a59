"""``kg eval``: score an export against a gold file, by the rules of ``tests/gold/README.md``.

The graph is read only through the contract vocabulary, so any export that follows the
ontology contract can be scored, not only this project's.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from kg.errors import EvaluationError, ExportError
from kg.export import read_export
from kg.ontology import STATUS, ZC

_STATUS_NAME = {iri: name for name, iri in STATUS.items()}


@dataclass
class Score:
    """Counts of one part of the evaluation, and the misses for ``--verbose``."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    extra: dict[str, int] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Evaluation:
    regions: Score
    adoptions: Score
    observations: Score
    agencies: Score

    def figures(self) -> dict[str, float]:
        a, o = self.adoptions, self.observations
        matched = a.extra.get("matched", 0)
        found = o.extra.get("found", 0)
        correct = o.extra.get("correct", 0)
        gold_obs = o.extra.get("gold", 0)
        return {
            "regions_precision": self.regions.precision,
            "regions_recall": self.regions.recall,
            "regions_f1": self.regions.f1,
            "adoptions_precision": a.precision,
            "adoptions_recall": a.recall,
            "adoptions_f1": a.f1,
            "adoptions_status_accuracy": a.extra.get("status_right", 0) / matched if matched else 0.0,
            "observations_recall": found / gold_obs if gold_obs else 0.0,
            "observations_attribution_precision": correct / found if found else 0.0,
            "observations_period_accuracy": o.extra.get("period_right", 0) / correct if correct else 0.0,
            "agencies_recall": self.agencies.recall,
        }


class _View:
    """The parts of the graph the scoring reads, indexed once."""

    def __init__(self, g: Graph) -> None:
        self.g = g
        self.docs: dict[str, Node] = {str(o): s for s, o in g.subject_objects(ZC.sourceFile)}
        self.facts_by_doc: dict[Node, set[Node]] = defaultdict(set)
        for fact, ev in g.subject_objects(ZC.evidence):
            for doc in g.objects(ev, ZC.source):
                self.facts_by_doc[doc].add(fact)

    def labels(self, node: Node) -> set[str]:
        return {str(o) for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel) for o in self.g.objects(node, p)}

    def code(self, node: Node) -> str | None:
        code = self.g.value(node, ZC.adminCode)
        return str(code) if code is not None else None

    def region_matches(self, node: Node | None, code: str | None, name: str | None) -> bool:
        """Same code; or, for an uncoded region, a region it lies in; or a label equal to the name."""
        if node is None:
            return False
        if name and name in self.labels(node):
            return True
        own = self.code(node)
        if own is not None:
            return own == code
        seen: set[Node] = set()
        current: Node | None = node
        while current is not None and current not in seen:
            seen.add(current)
            current = self.g.value(current, ZC.partOf)
            if current is not None and self.code(current) is not None:
                return self.code(current) == code
        return False


def load_gold(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise EvaluationError(f"{path}: cannot read gold file: {e}") from None
    if "documents" not in data:
        raise EvaluationError(f"{path}: no 'documents' in gold file")
    return data


def load_export(path: Path) -> Graph:
    """The export ``path`` to score; EvaluationError if it cannot be read."""
    try:
        return read_export(path)
    except ExportError as e:
        raise EvaluationError(str(e)) from None


def evaluate(gold: dict[str, Any], graph: Graph) -> Evaluation:
    view = _View(graph)
    ev = Evaluation(Score(), Score(), Score(), Score())
    in_scope: set[str] = set(gold.get("policies_in_scope", []))
    for pref, aliases in gold.get("policy_aliases", {}).items():
        in_scope.update(aliases)
        in_scope.add(pref)
    for name, doc_gold in sorted(gold["documents"].items()):
        doc = view.docs.get(name)
        _score_regions(view, doc, name, doc_gold.get("regions", []), ev.regions)
        _score_adoptions(view, doc, name, doc_gold.get("adoptions", []), in_scope, ev.adoptions)
        _score_observations(view, doc, name, doc_gold.get("observations", []), ev.observations)
        _score_agencies(view, doc, name, doc_gold.get("agencies", []), ev.agencies)
    return ev


def _mentioned(view: _View, doc: Node | None, cls: URIRef) -> list[Node]:
    if doc is None:
        return []
    return sorted((o for o in view.g.objects(doc, ZC.mentions) if (o, RDF.type, cls) in view.g), key=str)


def _score_regions(view: _View, doc: Node | None, name: str, gold: list[dict[str, Any]], score: Score) -> None:
    predicted = _mentioned(view, doc, ZC.Region)
    for item in gold:
        hit = any(view.region_matches(p, item.get("code"), item.get("name")) for p in predicted)
        if item.get("optional"):
            continue
        if hit:
            score.tp += 1
        else:
            score.fn += 1
            score.misses.append(f"{name}: region not found: {item.get('name')} {item.get('code')}")
    for p in predicted:
        if view.code(p) is None:
            continue  # uncoded regions are not counted against precision
        if not any(view.region_matches(p, i.get("code"), i.get("name")) for i in gold):
            score.fp += 1
            score.misses.append(f"{name}: extra region: {sorted(view.labels(p))[0]} {view.code(p)}")


def _score_adoptions(
    view: _View, doc: Node | None, name: str, gold: list[dict[str, Any]], in_scope: set[str], score: Score
) -> None:
    g = view.g
    pairs: dict[tuple[Node, Node], set[str]] = defaultdict(set)
    for fact in view.facts_by_doc.get(doc, set()) if doc is not None else set():
        if (fact, RDF.type, ZC.PolicyAdoption) not in g:
            continue
        region, policy, status = g.value(fact, ZC.region), g.value(fact, ZC.policy), g.value(fact, ZC.status)
        if region is None or policy is None or status is None:
            continue
        if not view.labels(policy) & in_scope:
            continue
        pairs[(region, policy)].add(_STATUS_NAME.get(status, str(status)))  # type: ignore[call-overload]

    def matches(pair: tuple[Node, Node], item: dict[str, Any]) -> bool:
        names = {item["policy"], *item.get("aliases", [])}
        return bool(view.labels(pair[1]) & names) and view.region_matches(
            pair[0], item.get("region_code"), item.get("region")
        )

    for item in gold:
        hits = [p for p in pairs if matches(p, item)]
        if item.get("optional"):
            continue
        if not hits:
            score.fn += 1
            score.misses.append(f"{name}: adoption not found: {item['region']} {item['policy']} ({item['status']})")
            continue
        score.tp += 1
        score.extra["matched"] = score.extra.get("matched", 0) + 1
        statuses = set().union(*(pairs[p] for p in hits))
        if item["status"] in statuses:
            score.extra["status_right"] = score.extra.get("status_right", 0) + 1
        else:
            score.misses.append(
                f"{name}: wrong status: {item['region']} {item['policy']}: {sorted(statuses)} for {item['status']}"
            )
    for pair in pairs:
        if not any(matches(pair, item) for item in gold):
            score.fp += 1
            region_label = sorted(view.labels(pair[0]))[0] if view.labels(pair[0]) else str(pair[0])
            score.misses.append(f"{name}: extra adoption: {region_label} {sorted(view.labels(pair[1]))[0]}")


def _score_observations(view: _View, doc: Node | None, name: str, gold: list[dict[str, Any]], score: Score) -> None:
    g = view.g
    observed = []
    for fact in view.facts_by_doc.get(doc, set()) if doc is not None else set():
        if (fact, RDF.type, ZC.Observation) not in g:
            continue
        value = g.value(fact, ZC.value)
        unit = g.value(fact, ZC.unit)
        if value is None or unit is None:
            continue
        indicator = g.value(fact, ZC.indicator)
        label = " ".join(sorted(view.labels(indicator))) if indicator is not None else ""
        period = g.value(fact, ZC.period)
        observed.append(
            (Decimal(str(value)), str(unit), g.value(fact, ZC.region), label, str(period) if period else None)
        )
    for item in gold:
        score.extra["gold"] = score.extra.get("gold", 0) + 1
        target = Decimal(str(item["value"]))
        found = [o for o in observed if o[1] == item["unit"] and abs(o[0] - target) <= abs(target) * Decimal("1e-6")]
        desc = f"{item['indicator']} = {item['value']} {item['unit']} ({item['region']}, {item['period']})"
        if not found:
            score.misses.append(f"{name}: observation not found: {desc}")
            continue
        score.extra["found"] = score.extra.get("found", 0) + 1
        correct = [
            o
            for o in found
            if view.region_matches(o[2], item.get("region_code"), item.get("region"))
            and all(k in o[3] for k in item.get("keywords", []))
        ]
        if not correct:
            got = "; ".join(f"{o[3]} @ {view.code(o[2]) if o[2] is not None else None}" for o in found)
            score.misses.append(f"{name}: observation misattributed: {desc}; got {got}")
            continue
        score.extra["correct"] = score.extra.get("correct", 0) + 1
        if any(o[4] == item["period"] for o in correct):
            score.extra["period_right"] = score.extra.get("period_right", 0) + 1
        else:
            score.misses.append(f"{name}: wrong period: {desc}; got {sorted({str(o[4]) for o in correct})}")


def _score_agencies(view: _View, doc: Node | None, name: str, gold: list[dict[str, Any]], score: Score) -> None:
    predicted = _mentioned(view, doc, ZC.Agency)
    for item in gold:
        if item.get("optional"):
            continue
        names = {item["name"], *item.get("aliases", [])}
        hit = any(
            view.labels(p) & names
            and view.region_matches(view.g.value(p, ZC.jurisdiction), item.get("region_code"), item.get("region"))
            for p in predicted
        )
        if hit:
            score.tp += 1
        else:
            score.fn += 1
            score.misses.append(f"{name}: agency not found: {item['name']} ({item.get('region')})")


def format_report(ev: Evaluation, verbose: bool = False) -> str:
    lines = [f"{k:38s} {v:6.3f}" for k, v in ev.figures().items()]
    if verbose:
        for part in (ev.regions, ev.adoptions, ev.observations, ev.agencies):
            lines.extend(part.misses)
    return "\n".join(lines)
