"""Graph: DocumentFacts -> RDF triples of the ontology, with deterministic IRIs.

Triples are pyoxigraph terms: a build of tens of thousands of documents streams them into an
on-disk Oxigraph store (kg/store.py), which is 5-40x faster than an rdflib graph at this size.
``build_graph`` still gives an rdflib Graph for small graphs (tests, notebooks).

Every IRI is a function of what it names (region code, policy id, a hash of a fact's key),
never of build order, so the same corpus always gives the same graph. The same fact found in
two documents is one node with two evidence nodes. A document's triples include the regions it
names and all their ancestors, so each document can be turned into triples on its own (in a
worker process); the store removes the duplicates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from kg.ontology import ID, PREFIXES, QUALIFIER, STATUS, ZC, new_graph, ontology_file
from kg.policies import POLICY_SCHEME
from kg.reference import COUNTRY, gazetteer, region_aliases_of
from kg.types import AgencyRef, DocumentFacts, Evidence, PlaceRef, PolicyRef

Term = ox.NamedNode | ox.Literal
Triple = ox.Triple


@cache
def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


# The ontology's terms as pyoxigraph nodes (ZC raises on a misspelt term).
_A = _iri(str(RDF.type))
_LABEL = _iri(str(RDFS.label))
_ALT = _iri(str(SKOS.altLabel))
_PREF = _iri(str(SKOS.prefLabel))
_IN_SCHEME = _iri(str(SKOS.inScheme))
_CONCEPT = _iri(str(SKOS.Concept))
_TITLE = _iri(str(DCTERMS.title))
_DATE = _iri(str(DCTERMS.date))
_SOURCE = _iri(str(DCTERMS.source))
_DECIMAL = _iri(str(XSD.decimal))
_DATE_TYPES = {4: _iri(str(XSD.gYear)), 7: _iri(str(XSD.gYearMonth)), 10: _iri(str(XSD.date))}
_SCHEME = _iri(str(POLICY_SCHEME))


_ZC_TERMS: dict[str, ox.NamedNode] = {}


def zc(name: str) -> ox.NamedNode:
    """The ontology term ``zc:name`` as a pyoxigraph node (ZC raises on a misspelt name)."""
    node = _ZC_TERMS.get(name)
    if node is None:
        node = _ZC_TERMS[name] = _iri(str(getattr(ZC, name)))
    return node


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def _id(path: str) -> ox.NamedNode:
    return ox.NamedNode(str(ID) + path)


def document_iri(source_file: str) -> ox.NamedNode:
    return _id(f"doc/{quote(source_file, safe='')}")


def region_iri(code: str) -> ox.NamedNode:
    return _iri(f"{ID}region/{code}")


def place_iri(place: PlaceRef) -> ox.NamedNode:
    return _id(f"place/{place.parent}-{_digest(place.parent, place.label)}")


def agency_iri(agency: AgencyRef) -> ox.NamedNode:
    return _id(f"agency/{agency.jurisdiction}-{_digest(agency.jurisdiction, agency.name)}")


def policy_iri(policy_id: str) -> ox.NamedNode:
    return _iri(f"{ID}policy/{policy_id}")


def indicator_iri(label: str) -> ox.NamedNode:
    return _id(f"indicator/{_digest(label)}")


def evidence_iri(ev: Evidence) -> ox.NamedNode:
    return _id(f"evidence/{_digest(ev.source_file, str(ev.start), str(ev.end))}")


def _zh(text: str) -> ox.Literal:
    return ox.Literal(text, language="zh")


def _date_literal(date: str) -> ox.Literal:
    kind = _DATE_TYPES.get(len(date))
    return ox.Literal(date, datatype=kind) if kind else ox.Literal(date)


def _decimal(value: Decimal) -> ox.Literal:
    return ox.Literal(format(value, "f"), datatype=_DECIMAL)


@cache
def _region_triples(code: str) -> tuple[Triple, ...]:
    """The region with this code, its labels, and every region above it (cached: regions recur)."""
    g = gazetteer()
    out: list[Triple] = []
    while code in g.by_code:
        region = g.by_code[code]
        iri = region_iri(code)
        out += [
            Triple(iri, _A, zc("Region")),
            Triple(iri, _LABEL, _zh(region.name)),
            Triple(iri, zc("adminCode"), ox.Literal(code)),
            Triple(iri, zc("adminLevel"), ox.Literal(region.level)),
        ]
        out += [Triple(iri, _ALT, _zh(alias)) for alias in region_aliases_of(code)]
        if region.longitude:
            out.append(Triple(iri, zc("longitude"), ox.Literal(region.longitude, datatype=_DECIMAL)))
            out.append(Triple(iri, zc("latitude"), ox.Literal(region.latitude, datatype=_DECIMAL)))
        if not region.parent:
            break
        out.append(Triple(iri, zc("partOf"), region_iri(region.parent)))
        code = region.parent
    return tuple(out)


class _DocumentTriples:
    """Collects one document's triples in a set (a fact's region or agency recurs)."""

    __slots__ = ("triples",)

    def __init__(self) -> None:
        self.triples: set[Triple] = set()

    def add(self, s: ox.NamedNode, p: ox.NamedNode, o: Term) -> None:
        self.triples.add(Triple(s, p, o))

    def region(self, code: str) -> ox.NamedNode:
        self.triples.update(_region_triples(code))
        return region_iri(code)

    def place(self, place: PlaceRef) -> ox.NamedNode:
        iri = place_iri(place)
        self.add(iri, _A, zc("Region"))
        self.add(iri, _LABEL, _zh(place.label))
        self.add(iri, zc("adminLevel"), ox.Literal("township"))
        self.add(iri, zc("partOf"), self.region(place.parent))
        return iri

    def agency(self, agency: AgencyRef) -> ox.NamedNode:
        iri = agency_iri(agency)
        self.add(iri, _A, zc("Agency"))
        self.add(iri, _LABEL, _zh(agency.name))
        for alias in agency.aliases:
            if alias != agency.name:
                self.add(iri, _ALT, _zh(alias))
        self.add(iri, zc("jurisdiction"), self.region(agency.jurisdiction))
        return iri

    def policy(self, policy: PolicyRef) -> ox.NamedNode:
        iri = policy_iri(policy.policy_id)
        if policy.discovered:  # scheme policies come with the scheme's own triples
            self.add(iri, _A, zc("Policy"))
            self.add(iri, _A, _CONCEPT)
            self.add(iri, _PREF, _zh(policy.label))
            self.add(iri, _IN_SCHEME, _SCHEME)
            self.add(iri, zc("discovered"), ox.Literal(True))
        return iri

    def evidence(self, ev: Evidence) -> ox.NamedNode:
        iri = evidence_iri(ev)
        self.add(iri, _A, zc("Evidence"))
        self.add(iri, zc("source"), document_iri(ev.source_file))
        self.add(iri, zc("text"), ox.Literal(ev.text))
        self.add(iri, zc("start"), ox.Literal(ev.start))
        self.add(iri, zc("end"), ox.Literal(ev.end))
        return iri


def document_triples(facts: DocumentFacts) -> set[Triple]:
    """Every triple one document contributes, including the regions it names and their ancestors."""
    t = _DocumentTriples()
    doc = document_iri(facts.source_file)
    t.add(doc, _A, zc("Document"))
    t.add(doc, zc("sourceFile"), ox.Literal(facts.source_file))
    title = facts.meta.title or (facts.titles[0] if len(facts.titles) == 1 else None)
    if title:
        t.add(doc, _TITLE, _zh(title))
    for title in facts.titles:
        t.add(doc, zc("articleTitle"), _zh(title))
    if facts.meta.date:
        t.add(doc, _DATE, _date_literal(facts.meta.date))
    if facts.meta.publisher:
        t.add(doc, zc("publisher"), _zh(facts.meta.publisher))
    if facts.meta.source:
        t.add(doc, _SOURCE, ox.Literal(facts.meta.source))
    for code in facts.regions:
        if code != COUNTRY:  # 中国 in running text is rarely about the country as a region
            t.add(doc, zc("mentions"), t.region(code))
    for place in facts.places:
        t.add(doc, zc("mentions"), t.place(place))
    for agency in facts.agencies:
        t.add(doc, zc("mentions"), t.agency(agency))
    for policy in facts.policies:
        t.add(doc, zc("mentions"), t.policy(policy))
    for a in facts.adoptions:
        iri = _id(f"adoption/{_digest(a.region, a.policy.policy_id, a.status, a.period or '')}")
        t.add(iri, _A, zc("PolicyAdoption"))
        t.add(iri, zc("region"), t.region(a.region))
        t.add(iri, zc("policy"), t.policy(a.policy))
        t.add(iri, zc("status"), _iri(str(STATUS[a.status])))
        if a.period:
            t.add(iri, zc("period"), ox.Literal(a.period))
        if a.agency is not None:
            t.add(iri, zc("agency"), t.agency(a.agency))
        t.add(iri, zc("evidence"), t.evidence(a.evidence))
    for o in facts.observations:
        key = (o.region, o.indicator, str(o.value), o.unit, o.qualifier, o.period or "")
        iri = _id(f"observation/{_digest(*key)}")
        t.add(iri, _A, zc("Observation"))
        t.add(iri, zc("region"), t.region(o.region))
        indicator = indicator_iri(o.indicator)
        t.add(indicator, _A, zc("Indicator"))
        t.add(indicator, _LABEL, _zh(o.indicator))
        t.add(iri, zc("indicator"), indicator)
        t.add(iri, zc("value"), _decimal(o.value))
        t.add(iri, zc("unit"), ox.Literal(o.unit))
        t.add(iri, zc("qualifier"), _iri(str(QUALIFIER[o.qualifier])))
        if o.period:
            t.add(iri, zc("period"), ox.Literal(o.period))
        if o.agency is not None:
            t.add(iri, zc("agency"), t.agency(o.agency))
        t.add(iri, zc("evidence"), t.evidence(o.evidence))
    return t.triples


def document_ntriples(facts: DocumentFacts) -> bytes:
    """One document's triples as N-Triples (what a worker process hands to the store)."""
    return ox.serialize(sorted(document_triples(facts), key=str), format=ox.RdfFormat.N_TRIPLES) or b""


@cache
def vocabulary_ntriples() -> bytes:
    """The policy scheme and the status and qualifier individuals, so an export describes itself."""
    scheme = ox.parse(path=ontology_file("policies.ttl"), format=ox.RdfFormat.TURTLE)
    individuals = {str(i) for i in (*STATUS.values(), *QUALIFIER.values())}
    ontology = ox.parse(path=ontology_file("zhengce.ttl"), format=ox.RdfFormat.TURTLE)
    terms = [q.triple for q in scheme] + [
        q.triple for q in ontology if isinstance(q.subject, ox.NamedNode) and q.subject.value in individuals
    ]
    return ox.serialize(sorted(terms, key=str), format=ox.RdfFormat.N_TRIPLES) or b""


def build_graph(documents: Iterable[DocumentFacts]) -> Graph:
    """An rdflib graph of the vocabulary and the documents' facts (for small graphs: tests, notebooks)."""
    g = new_graph()
    g.parse(data=vocabulary_ntriples().decode("utf-8"), format="nt")
    for facts in documents:
        g.parse(data=document_ntriples(facts).decode("utf-8"), format="nt")
    return g


__all__ = ["PREFIXES", "build_graph", "document_ntriples", "document_triples", "vocabulary_ntriples"]
