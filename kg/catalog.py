"""What is in a build, without writing SPARQL: ``kg list`` and ``kg stats``, and "did you mean".

Each kind (regions, policies, agencies, indicators, documents) is one SELECT with its counts,
codes and provinces; ``TEXT`` keeps the rows whose label, alias or code contains it (bound as a
literal, never pasted). When nothing matches, the closest labels of that kind are proposed
(difflib's ratio of matching characters, which suits Chinese names: 格尔目 -> 格尔木市).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kg.errors import QueryError
from kg.query import Engine, Result, Term

_COUNT = "COALESCE(?n{0}, 0) AS ?{0}"

LISTS: dict[str, str] = {
    "regions": """
SELECT ?region ?code ?level ?province ?parent ?adoptions ?observations ?documents WHERE {
  ?r a zc:Region ; rdfs:label ?region ; zc:adminLevel ?level .
  OPTIONAL { ?r zc:adminCode ?code }
  OPTIONAL { ?r zc:province/rdfs:label ?province }
  OPTIONAL { ?r zc:partOf/rdfs:label ?parent }
  FILTER(!BOUND(?text) || CONTAINS(STR(?region), STR(?text)) || STRSTARTS(STR(?code), STR(?text))
         || EXISTS { ?r skos:altLabel|zc:formerName ?alias . FILTER(CONTAINS(STR(?alias), STR(?text))) })
  OPTIONAL { SELECT ?r (COUNT(?a) AS ?nadoptions) WHERE { ?a zc:policy ?p ; zc:region ?r } GROUP BY ?r }
  OPTIONAL { SELECT ?r (COUNT(?o) AS ?nobservations) WHERE { ?o zc:indicator ?i ; zc:region ?r } GROUP BY ?r }
  OPTIONAL { SELECT ?r (COUNT(?d) AS ?ndocuments) WHERE { ?d zc:mentions ?r } GROUP BY ?r }
  BIND(COALESCE(?nadoptions, 0) AS ?adoptions)
  BIND(COALESCE(?nobservations, 0) AS ?observations)
  BIND(COALESCE(?ndocuments, 0) AS ?documents)
} ORDER BY DESC(?adoptions + ?observations + ?documents) ?code ?region""",
    "policies": """
SELECT ?policy ?id ?category ?regions ?adoptions ?discovered WHERE {
  ?p a zc:Policy ; skos:prefLabel ?policy . FILTER(lang(?policy) = "zh")
  BIND(STRAFTER(STR(?p), "/policy/") AS ?id)
  OPTIONAL { ?p skos:broader/skos:prefLabel ?category . FILTER(lang(?category) = "zh") }
  OPTIONAL { ?p zc:discovered ?found }
  BIND(COALESCE(?found, false) AS ?discovered)
  FILTER(!BOUND(?text) || STR(?id) = STR(?text)
         || EXISTS { ?p skos:prefLabel|skos:altLabel ?l . FILTER(CONTAINS(STR(?l), STR(?text))) })
  OPTIONAL { SELECT ?p (COUNT(DISTINCT ?r) AS ?nregions) (COUNT(?a) AS ?nadoptions)
             WHERE { ?a zc:policy ?p ; zc:region ?r } GROUP BY ?p }
  BIND(COALESCE(?nregions, 0) AS ?regions)
  BIND(COALESCE(?nadoptions, 0) AS ?adoptions)
} ORDER BY DESC(?regions) DESC(?adoptions) ?policy""",
    "agencies": """
SELECT ?agency ?jurisdiction ?code ?province ?documents WHERE {
  ?g a zc:Agency ; rdfs:label ?agency .
  OPTIONAL { ?g zc:jurisdiction ?j . ?j rdfs:label ?jurisdiction .
             OPTIONAL { ?j zc:adminCode ?code } OPTIONAL { ?j zc:province/rdfs:label ?province } }
  FILTER(!BOUND(?text) || EXISTS { ?g rdfs:label|skos:altLabel ?l . FILTER(CONTAINS(STR(?l), STR(?text))) })
  OPTIONAL { SELECT ?g (COUNT(?d) AS ?ndocuments) WHERE { ?d zc:mentions ?g } GROUP BY ?g }
  BIND(COALESCE(?ndocuments, 0) AS ?documents)
} ORDER BY DESC(?documents) ?code ?agency""",
    "indicators": """
SELECT ?indicator ?observations ?regions ?units WHERE {
  { SELECT ?i (COUNT(?o) AS ?observations) (COUNT(DISTINCT ?r) AS ?regions)
           (GROUP_CONCAT(DISTINCT ?unit; separator=" ") AS ?units)
    WHERE { ?o zc:indicator ?i ; zc:region ?r . OPTIONAL { ?o zc:unit ?unit } } GROUP BY ?i }
  ?i rdfs:label ?indicator .
  FILTER(!BOUND(?text) || CONTAINS(STR(?indicator), STR(?text)))
} ORDER BY DESC(?observations) ?indicator""",
    "documents": """
SELECT ?document ?title ?date ?adoptions ?observations ?mentions WHERE {
  ?d a zc:Document ; zc:sourceFile ?document .
  OPTIONAL { ?d dcterms:title ?title }
  OPTIONAL { ?d dcterms:date ?date }
  FILTER(!BOUND(?text) || CONTAINS(STR(?document), STR(?text)) || CONTAINS(STR(?title), STR(?text)))
  OPTIONAL { SELECT ?d (COUNT(DISTINCT ?a) AS ?nadoptions)
             WHERE { ?a zc:policy ?p ; zc:evidence/zc:source ?d } GROUP BY ?d }
  OPTIONAL { SELECT ?d (COUNT(DISTINCT ?o) AS ?nobservations)
             WHERE { ?o zc:indicator ?i ; zc:evidence/zc:source ?d } GROUP BY ?d }
  OPTIONAL { SELECT ?d (COUNT(?m) AS ?nmentions) WHERE { ?d zc:mentions ?m } GROUP BY ?d }
  BIND(COALESCE(?nadoptions, 0) AS ?adoptions)
  BIND(COALESCE(?nobservations, 0) AS ?observations)
  BIND(COALESCE(?nmentions, 0) AS ?mentions)
} ORDER BY ?document""",
}
KINDS = tuple(LISTS)
SINGULAR = {"regions": "region", "policies": "policy", "agencies": "agency", "indicators": "indicator"}
SINGULAR["documents"] = "document"
# the columns a narrow table keeps longest (kg.results.fit_columns)
KEEP = {
    "regions": ("region", "code", "province", "adoptions", "observations", "documents"),
    "policies": ("policy", "regions", "adoptions", "id"),
    "agencies": ("agency", "jurisdiction", "documents"),
    "indicators": ("indicator", "observations", "regions"),
    "documents": ("document", "title", "date", "adoptions", "observations"),
}


def listing(engine: Engine, kind: str, text: str | None = None) -> Result:
    """The ``kind`` things of the build (those whose label, alias or code contains ``text``), with counts.

    QueryError if ``text`` matches nothing; the message proposes the closest labels.
    """
    if kind not in LISTS:
        raise QueryError(f"nothing to list called {kind!r}; choose from {', '.join(KINDS)}")
    bindings = {"text": Term.literal(text)} if text else None
    result = _sorted_units(engine.run(LISTS[kind], bindings))
    if text and not result.rows:
        everything = engine.run(LISTS[kind])
        labels = [row[0].value for row in everything.rows if row[0] is not None]
        raise QueryError(f"no {SINGULAR[kind]} matches {text!r}{did_you_mean(text, labels)}")
    return result


def _sorted_units(result: Result) -> Result:
    """GROUP_CONCAT's order is each engine's own: the units are sorted so both engines agree."""
    if "units" not in result.variables:
        return result
    i = result.variables.index("units")
    rows = tuple(
        (*row[:i], Term.literal(" ".join(sorted(t.value.split()))) if t else t, *row[i + 1 :])
        for row in result.rows
        for t in (row[i],)
    )
    return Result(result.variables, rows, engine=result.engine)


def did_you_mean(text: str, labels: Sequence[str], n: int = 5) -> str:
    """``; did you mean A, B?`` with the labels closest to ``text``, or nothing when none is close."""
    close = difflib.get_close_matches(text, sorted(set(labels)), n=n, cutoff=0.5)
    if not close:
        # a shorter text is closer to the labels it is part of than ratio says (朝阳 in 北京市朝阳区)
        close = [label for label in sorted(set(labels)) if text in label][:n]
    return f"; did you mean {', '.join(close)}?" if close else ""


_STATS = """
SELECT ?kind (COUNT(DISTINCT ?x) AS ?count) WHERE {
  { ?x a zc:Document . BIND("documents" AS ?kind) }
  UNION { ?x a zc:Region ; zc:adminCode ?c . BIND("regions" AS ?kind) }
  UNION { ?x a zc:Region . FILTER NOT EXISTS { ?x zc:adminCode ?c } BIND("places" AS ?kind) }
  UNION { ?x a zc:Agency . BIND("agencies" AS ?kind) }
  UNION { ?x a zc:Policy . FILTER NOT EXISTS { ?x zc:discovered true } BIND("policies in the scheme" AS ?kind) }
  UNION { ?x a zc:Policy ; zc:discovered true . BIND("policies discovered" AS ?kind) }
  UNION { ?x zc:policy ?p ; zc:region ?r . BIND("adoptions" AS ?kind) }
  UNION { ?x zc:indicator ?i ; zc:region ?r . BIND("observations" AS ?kind) }
  UNION { ?x a zc:Indicator . BIND("indicators" AS ?kind) }
  UNION { ?e zc:evidence ?x . BIND("evidence" AS ?kind) }
} GROUP BY ?kind"""
STATS_ORDER = (
    "documents",
    "regions",
    "places",
    "agencies",
    "policies in the scheme",
    "policies discovered",
    "adoptions",
    "observations",
    "indicators",
    "evidence",
)


@dataclass(frozen=True, slots=True)
class Stats:
    """What a build holds: counts by kind, its triples, when it was written and what read it."""

    counts: tuple[tuple[str, int], ...]
    triples: int
    built: datetime | None  # when the build's N-Triples were written
    engine: str
    reader_version: str  # the zhengce-kg that read it (the build records none of its own)

    def as_result(self) -> Result:
        """The counts as a two-column answer (kind, count), triples last."""
        integer = "http://www.w3.org/2001/XMLSchema#integer"
        rows = [(Term.literal(kind), Term.literal(str(n), datatype=integer)) for kind, n in self.counts]
        rows.append((Term.literal("triples"), Term.literal(str(self.triples), datatype=integer)))
        return Result(("kind", "count"), tuple(rows), engine=self.engine)

    def describe(self, export_dir: Path) -> str:
        """One line: the folder, when it was built, which engine and version read it."""
        when = self.built.strftime("%Y-%m-%d %H:%M UTC") if self.built else "unknown time"
        return f"{export_dir}: built {when}; read with {self.engine} by zhengce-kg {self.reader_version}"


def stats(engine: Engine, export_dir: Path) -> Stats:
    """Counts of every kind of thing in the build, with its triples and build time."""
    from importlib.metadata import version

    counted = {row[0].value: int(row[1].value) for row in engine.run(_STATS).rows if row[0] and row[1]}
    total = engine.run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0]
    built = None
    for name in ("zhengce.nt", "zhengce.ttl"):
        try:
            built = datetime.fromtimestamp(os.stat(export_dir / name).st_mtime, tz=UTC)
            break
        except OSError:
            continue
    return Stats(
        tuple((kind, counted.get(kind, 0)) for kind in STATS_ORDER),
        int(total.value) if total else 0,
        built,
        engine.name,
        version("zhengce-kg"),
    )
