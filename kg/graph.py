"""Graph: DocumentFacts -> rdflib terms of the ontology, with deterministic IRIs.

Every IRI is a function of what it names (region code, policy id, a hash of a fact's key),
never of build order, so the same corpus always gives the same graph. The same fact found in
two documents is one node with two evidence nodes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from kg.ontology import ID, QUALIFIER, STATUS, ZC, load_ontology, new_graph
from kg.policies import POLICY_SCHEME, policy_scheme
from kg.reference import COUNTRY, gazetteer, region_aliases_of
from kg.types import AgencyRef, DocumentFacts, Evidence, PlaceRef, PolicyRef


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def document_iri(source_file: str) -> URIRef:
    return ID[f"doc/{quote(source_file, safe='')}"]


def region_iri(code: str) -> URIRef:
    return ID[f"region/{code}"]


def place_iri(place: PlaceRef) -> URIRef:
    return ID[f"place/{place.parent}-{_digest(place.parent, place.label)}"]


def agency_iri(agency: AgencyRef) -> URIRef:
    return ID[f"agency/{agency.jurisdiction}-{_digest(agency.jurisdiction, agency.name)}"]


def policy_iri(policy_id: str) -> URIRef:
    return ID[f"policy/{policy_id}"]


def indicator_iri(label: str) -> URIRef:
    return ID[f"indicator/{_digest(label)}"]


def evidence_iri(ev: Evidence) -> URIRef:
    return ID[f"evidence/{_digest(ev.source_file, str(ev.start), str(ev.end))}"]


def _date_literal(date: str) -> Literal:
    kind = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}.get(len(date), XSD.string)
    return Literal(date, datatype=kind)


class GraphBuilder:
    """Adds documents' facts to one rdflib graph; regions and their ancestors are added once."""

    __slots__ = ("_regions", "graph")

    def __init__(self, graph: Graph | None = None) -> None:
        self.graph = graph if graph is not None else new_graph()
        self._regions: set[str] = set()

    def add_region(self, code: str) -> URIRef:
        """The region with this code, its labels, and every region above it."""
        g = gazetteer()
        node = region_iri(code)
        while code not in self._regions and code in g.by_code:
            self._regions.add(code)
            region = g.by_code[code]
            iri = region_iri(code)
            self.graph.add((iri, RDF.type, ZC.Region))
            self.graph.add((iri, RDFS.label, Literal(region.name, lang="zh")))
            self.graph.add((iri, ZC.adminCode, Literal(code)))
            self.graph.add((iri, ZC.adminLevel, Literal(region.level)))
            for alias in region_aliases_of(code):
                self.graph.add((iri, SKOS.altLabel, Literal(alias, lang="zh")))
            if region.longitude:
                self.graph.add((iri, ZC.longitude, Literal(region.longitude, datatype=XSD.decimal)))
                self.graph.add((iri, ZC.latitude, Literal(region.latitude, datatype=XSD.decimal)))
            if region.parent:
                self.graph.add((iri, ZC.partOf, region_iri(region.parent)))
                code = region.parent
        return node

    def add_place(self, place: PlaceRef) -> URIRef:
        iri = place_iri(place)
        self.graph.add((iri, RDF.type, ZC.Region))
        self.graph.add((iri, RDFS.label, Literal(place.label, lang="zh")))
        self.graph.add((iri, ZC.adminLevel, Literal("township")))
        self.graph.add((iri, ZC.partOf, self.add_region(place.parent)))
        return iri

    def add_agency(self, agency: AgencyRef) -> URIRef:
        iri = agency_iri(agency)
        self.graph.add((iri, RDF.type, ZC.Agency))
        self.graph.add((iri, RDFS.label, Literal(agency.name, lang="zh")))
        for alias in agency.aliases:
            if alias != agency.name:
                self.graph.add((iri, SKOS.altLabel, Literal(alias, lang="zh")))
        self.graph.add((iri, ZC.jurisdiction, self.add_region(agency.jurisdiction)))
        return iri

    def add_policy(self, policy: PolicyRef) -> URIRef:
        iri = policy_iri(policy.policy_id)
        if policy.discovered:
            self.graph.add((iri, RDF.type, ZC.Policy))
            self.graph.add((iri, RDF.type, SKOS.Concept))
            self.graph.add((iri, SKOS.prefLabel, Literal(policy.label, lang="zh")))
            self.graph.add((iri, SKOS.inScheme, POLICY_SCHEME))
            self.graph.add((iri, ZC.discovered, Literal(True)))
        return iri

    def add_evidence(self, ev: Evidence) -> URIRef:
        iri = evidence_iri(ev)
        self.graph.add((iri, RDF.type, ZC.Evidence))
        self.graph.add((iri, ZC.source, document_iri(ev.source_file)))
        self.graph.add((iri, ZC.text, Literal(ev.text)))
        self.graph.add((iri, ZC.start, Literal(ev.start)))
        self.graph.add((iri, ZC.end, Literal(ev.end)))
        return iri

    def add_document(self, facts: DocumentFacts) -> URIRef:
        g = self.graph
        doc = document_iri(facts.source_file)
        g.add((doc, RDF.type, ZC.Document))
        g.add((doc, ZC.sourceFile, Literal(facts.source_file)))
        title = facts.meta.title or (facts.titles[0] if len(facts.titles) == 1 else None)
        if title:
            g.add((doc, DCTERMS.title, Literal(title, lang="zh")))
        for t in facts.titles:
            g.add((doc, ZC.articleTitle, Literal(t, lang="zh")))
        if facts.meta.date:
            g.add((doc, DCTERMS.date, _date_literal(facts.meta.date)))
        if facts.meta.publisher:
            g.add((doc, ZC.publisher, Literal(facts.meta.publisher, lang="zh")))
        if facts.meta.source:
            g.add((doc, DCTERMS.source, Literal(facts.meta.source)))
        for code in facts.regions:
            if code != COUNTRY:
                g.add((doc, ZC.mentions, self.add_region(code)))
        for place in facts.places:
            g.add((doc, ZC.mentions, self.add_place(place)))
        for agency in facts.agencies:
            g.add((doc, ZC.mentions, self.add_agency(agency)))
        for policy in facts.policies:
            g.add((doc, ZC.mentions, self.add_policy(policy)))
        for a in facts.adoptions:
            iri = ID[f"adoption/{_digest(a.region, a.policy.policy_id, a.status, a.period or '')}"]
            g.add((iri, RDF.type, ZC.PolicyAdoption))
            g.add((iri, ZC.region, self.add_region(a.region)))
            g.add((iri, ZC.policy, self.add_policy(a.policy)))
            g.add((iri, ZC.status, STATUS[a.status]))
            if a.period:
                g.add((iri, ZC.period, Literal(a.period)))
            if a.agency is not None:
                g.add((iri, ZC.agency, self.add_agency(a.agency)))
            g.add((iri, ZC.evidence, self.add_evidence(a.evidence)))
        for o in facts.observations:
            key = (o.region, o.indicator, str(o.value), o.unit, o.qualifier, o.period or "")
            iri = ID[f"observation/{_digest(*key)}"]
            g.add((iri, RDF.type, ZC.Observation))
            g.add((iri, ZC.region, self.add_region(o.region)))
            ind = indicator_iri(o.indicator)
            g.add((ind, RDF.type, ZC.Indicator))
            g.add((ind, RDFS.label, Literal(o.indicator, lang="zh")))
            g.add((iri, ZC.indicator, ind))
            g.add((iri, ZC.value, Literal(o.value, datatype=XSD.decimal)))
            g.add((iri, ZC.unit, Literal(o.unit)))
            g.add((iri, ZC.qualifier, QUALIFIER[o.qualifier]))
            if o.period:
                g.add((iri, ZC.period, Literal(o.period)))
            if o.agency is not None:
                g.add((iri, ZC.agency, self.add_agency(o.agency)))
            g.add((iri, ZC.evidence, self.add_evidence(o.evidence)))
        return doc


@cache
def _vocabulary_individuals() -> Graph:
    """The status and qualifier individuals with their labels, so an export describes itself."""
    ontology = load_ontology("zhengce.ttl")
    out = Graph()
    for individual in (*STATUS.values(), *QUALIFIER.values()):
        for p, o in ontology.predicate_objects(individual):
            out.add((individual, p, o))
    return out


def build_graph(documents: Iterable[DocumentFacts]) -> Graph:
    """One graph of the policy scheme, the status and qualifier terms, and every document's facts."""
    builder = GraphBuilder()
    builder.graph += policy_scheme()
    builder.graph += _vocabulary_individuals()
    for facts in documents:
        builder.add_document(facts)
    return builder.graph
