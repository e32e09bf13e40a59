"""Graph: DocumentFacts -> RDF triples of the ontology, with deterministic IRIs.

A document's triples are N-Triples lines (strings, made without RDF objects: this runs for every
document of a build); a build streams them into the export files and the on-disk Oxigraph store
(kg/pipeline.py). ``build_graph`` still gives an rdflib Graph for small graphs (tests, notebooks).

Every IRI is a function of what it names (region code, policy id, a hash of a fact's key),
never of build order, so the same corpus always gives the same graph. The same fact found in
two documents is one node with two evidence nodes. A document's triples include the regions it
names and all their ancestors, so each document can be turned into triples on its own (in a
worker process); the build removes the duplicates.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from kg.gazetteer import COUNTRY, gazetteer, region_aliases_of
from kg.ontology import FIGURE_KIND, ID, MEASURE, PREFIXES, QUALIFIER, STATUS, ZC, new_graph, ontology_file
from kg.policies import POLICY_SCHEME
from kg.types import Adoption, AgencyRef, DocumentFacts, Evidence, Observation, PlaceRef, PolicyRef

# N-Triples terms are made as strings: a document has thousands of triples, and building
# pyoxigraph objects only to serialise them cost as much as extracting the facts.
# Escapes as Oxigraph writes them (checked against it over every code point in the tests).
_ESCAPES = {i: f"\\u{i:04X}" for i in (*range(0x20), 0x7F, 0xFFFE, 0xFFFF)} | {
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
    0x22: '\\"',
    0x5C: "\\\\",
}


def iri(value: str) -> str:
    """An IRI in N-Triples syntax (IRIs here are made from codes, hashes and %-quoted names)."""
    return f"<{value}>"


_NEEDS_ESCAPE = re.compile('[\x00-\x1f"\\\\\x7f\ufffe\uffff]')


def literal(text: str, *, language: str | None = None, datatype: str | None = None) -> str:
    """A literal in N-Triples syntax."""
    quoted = '"' + (text.translate(_ESCAPES) if _NEEDS_ESCAPE.search(text) else text) + '"'
    if language:
        return f"{quoted}@{language}"
    return f"{quoted}^^{datatype}" if datatype else quoted


_RDF_TYPE = iri(str(RDF.type))
_LABEL = iri(str(RDFS.label))
_ALT = iri(str(SKOS.altLabel))
_PREF = iri(str(SKOS.prefLabel))
_IN_SCHEME = iri(str(SKOS.inScheme))
_BROADER = iri(str(SKOS.broader))
_CLOSE_MATCH = iri(str(SKOS.closeMatch))
_CONCEPT = iri(str(SKOS.Concept))
_TITLE = iri(str(DCTERMS.title))
_DATE = iri(str(DCTERMS.date))
_SOURCE = iri(str(DCTERMS.source))
_DECIMAL = iri(str(XSD.decimal))
_INTEGER = iri(str(XSD.integer))
_TRUE = literal("true", datatype=iri(str(XSD.boolean)))
_DATE_TYPES = {4: iri(str(XSD.gYear)), 7: iri(str(XSD.gYearMonth)), 10: iri(str(XSD.date))}
_SCHEME = iri(str(POLICY_SCHEME))


@cache
def zc(name: str) -> str:
    """The ontology term ``zc:name`` in N-Triples syntax (ZC raises on a misspelt name)."""
    return iri(str(getattr(ZC, name)))


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def document_iri(source_file: str) -> str:
    return f"{ID}doc/{quote(source_file, safe='')}"


def region_iri(code: str) -> str:
    return f"{ID}region/{code}"


def place_iri(place: PlaceRef) -> str:
    return f"{ID}place/{place.parent}-{_digest(place.parent, place.label)}"


def agency_iri(agency: AgencyRef) -> str:
    return f"{ID}agency/{agency.jurisdiction}-{_digest(agency.jurisdiction, agency.name)}"


def policy_iri(policy_id: str) -> str:
    return f"{ID}policy/{policy_id}"


def indicator_iri(label: str) -> str:
    return f"{ID}indicator/{_digest(label)}"


def adoption_iri(a: Adoption) -> str:
    where = a.place.label if a.place else ""
    return f"{ID}adoption/{_digest(a.region, a.policy.policy_id, a.status, a.period or '', where)}"


def observation_iri(o: Observation) -> str:
    where = o.place.label if o.place else ""
    key = (o.region, o.indicator, str(o.value), o.unit, o.qualifier, o.period or "", o.measure, o.kind, where)
    return f"{ID}observation/{_digest(*key)}"


def evidence_iri(ev: Evidence) -> str:
    return f"{ID}evidence/{_digest(ev.source_file, str(ev.start), str(ev.end))}"


def _zh(text: str) -> str:
    return literal(text, language="zh")


def _date_literal(date: str) -> str:
    return literal(date, datatype=_DATE_TYPES.get(len(date)))


def _decimal(value: Decimal) -> str:
    return literal(format(value, "f"), datatype=_DECIMAL)


def _integer(value: int) -> str:
    return literal(str(value), datatype=_INTEGER)


@cache
def _region_lines(code: str) -> tuple[str, ...]:
    """N-Triples of the region with this code, its labels, former names and codes, and every region above it."""
    g = gazetteer()
    out: list[tuple[str, str, str]] = []
    while code in g.by_code:
        region = g.by_code[code]
        s = iri(region_iri(code))
        out += [
            (s, _RDF_TYPE, zc("Region")),
            (s, _LABEL, _zh(region.name)),
            (s, zc("adminCode"), literal(code)),
            (s, zc("adminLevel"), literal(region.level)),
        ]
        province = g.province_of(code)
        if province:
            out.append((s, zc("province"), iri(region_iri(province))))
        out += [(s, _ALT, _zh(alias)) for alias in region_aliases_of(code)]
        if region.longitude:
            out.append((s, zc("longitude"), literal(region.longitude, datatype=_DECIMAL)))
            out.append((s, zc("latitude"), literal(region.latitude, datatype=_DECIMAL)))
        out += [(s, zc("formerName"), _zh(name)) for name in region.former_names]
        out += [(s, zc("formerCode"), literal(former)) for former in region.former_codes]
        if not region.parent:
            break
        out.append((s, zc("partOf"), iri(region_iri(region.parent))))
        code = region.parent
    return tuple(f"{s} {p} {o} .\n" for s, p, o in out)


class _DocumentTriples:
    """Collects one document's triples as N-Triples lines in a set (a fact's region or agency recurs)."""

    __slots__ = ("lines",)

    def __init__(self) -> None:
        self.lines: set[str] = set()

    def add(self, s: str, p: str, o: str) -> None:
        self.lines.add(f"{s} {p} {o} .\n")

    def region(self, code: str) -> str:
        self.lines.update(_region_lines(code))
        return iri(region_iri(code))

    def place(self, place: PlaceRef) -> str:
        s = iri(place_iri(place))
        self.add(s, _RDF_TYPE, zc("Region"))
        self.add(s, _LABEL, _zh(place.label))
        self.add(s, zc("adminLevel"), literal("township"))
        self.add(s, zc("partOf"), self.region(place.parent))
        province = gazetteer().province_of(place.parent)
        if province:
            self.add(s, zc("province"), iri(region_iri(province)))
        return s

    def agency(self, agency: AgencyRef) -> str:
        s = iri(agency_iri(agency))
        self.add(s, _RDF_TYPE, zc("Agency"))
        self.add(s, _LABEL, _zh(agency.name))
        for alias in agency.aliases:
            if alias != agency.name:
                self.add(s, _ALT, _zh(alias))
        self.add(s, zc("jurisdiction"), self.region(agency.jurisdiction))
        return s

    def policy(self, policy: PolicyRef) -> str:
        s = iri(policy_iri(policy.policy_id))
        if policy.discovered:  # scheme policies come with the scheme's own triples
            self.add(s, _RDF_TYPE, zc("Policy"))
            self.add(s, _RDF_TYPE, _CONCEPT)
            self.add(s, _PREF, _zh(policy.label))
            self.add(s, _IN_SCHEME, _SCHEME)
            self.add(s, zc("discovered"), _TRUE)
        return s

    def indicator(self, label: str) -> str:
        s = iri(indicator_iri(label))
        self.add(s, _RDF_TYPE, zc("Indicator"))
        self.add(s, _LABEL, _zh(label))
        return s

    def evidence(self, ev: Evidence) -> str:
        s = iri(evidence_iri(ev))
        self.add(s, _RDF_TYPE, zc("Evidence"))
        self.add(s, zc("source"), iri(document_iri(ev.source_file)))
        self.add(s, zc("text"), literal(ev.text))
        self.add(s, zc("start"), _integer(ev.start))
        self.add(s, zc("end"), _integer(ev.end))
        return s


def document_lines(facts: DocumentFacts) -> set[str]:
    """Every triple one document contributes (as N-Triples lines), with the regions it names and their ancestors."""
    t = _DocumentTriples()
    doc = iri(document_iri(facts.source_file))
    t.add(doc, _RDF_TYPE, zc("Document"))
    t.add(doc, zc("sourceFile"), literal(facts.source_file))
    title = facts.meta.title or (facts.titles[0] if len(facts.titles) == 1 else None)
    if title:
        t.add(doc, _TITLE, _zh(title))
    for title in facts.titles:
        t.add(doc, zc("articleTitle"), _zh(title))
    if facts.date or facts.meta.date:
        t.add(doc, _DATE, _date_literal(facts.date or facts.meta.date or ""))
    if facts.meta.publisher:
        t.add(doc, zc("publisher"), _zh(facts.meta.publisher))
    if facts.meta.source:
        t.add(doc, _SOURCE, literal(facts.meta.source))
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
        s = iri(adoption_iri(a))
        t.add(s, _RDF_TYPE, zc("PolicyAdoption"))
        t.add(s, zc("region"), t.place(a.place) if a.place else t.region(a.region))
        t.add(s, zc("policy"), t.policy(a.policy))
        t.add(s, zc("status"), iri(str(STATUS[a.status])))
        if a.period:
            t.add(s, zc("period"), literal(a.period))
        if a.agency is not None:
            t.add(s, zc("agency"), t.agency(a.agency))
        t.add(s, zc("evidence"), t.evidence(a.evidence))
    for o in facts.observations:
        s = iri(observation_iri(o))
        t.add(s, _RDF_TYPE, zc("Observation"))
        t.add(s, zc("region"), t.place(o.place) if o.place else t.region(o.region))
        indicator = t.indicator(o.indicator)
        if o.base_indicator and o.base_indicator != o.indicator:
            t.add(indicator, _BROADER, t.indicator(o.base_indicator))
        if o.comparable and o.comparable != o.indicator:
            t.add(indicator, _CLOSE_MATCH, t.indicator(o.comparable))
        t.add(s, zc("indicator"), indicator)
        t.add(s, zc("value"), _decimal(o.value))
        t.add(s, zc("unit"), literal(o.unit))
        t.add(s, zc("qualifier"), iri(str(QUALIFIER[o.qualifier])))
        t.add(s, zc("measure"), iri(str(MEASURE[o.measure])))
        t.add(s, zc("figureKind"), iri(str(FIGURE_KIND[o.kind])))
        if o.period:
            t.add(s, zc("period"), literal(o.period))
        if o.agency is not None:
            t.add(s, zc("agency"), t.agency(o.agency))
        t.add(s, zc("evidence"), t.evidence(o.evidence))
    return t.lines


def document_ntriples(facts: DocumentFacts) -> bytes:
    """One document's triples as N-Triples, sorted (so a subject's triples are together)."""
    return "".join(sorted(document_lines(facts))).encode("utf-8")


# A document's own nodes: their IRIs hold its file name, so no other document has these subjects.
_OWN_SUBJECTS = (f"<{ID}doc/".encode(), f"<{ID}evidence/".encode())


class GraphMerger:
    """Documents' N-Triples -> the graph's, each triple once, where it first occurs.

    Feeding documents in corpus order gives the export order: deterministic, the same for a
    serial, parallel or cached build, and readable (a document's facts sit together). Triples
    other documents can repeat (regions, a fact found twice) are remembered by a 128-bit
    digest, which keeps memory at ~70 bytes a triple instead of the triple itself.
    """

    __slots__ = ("_seen", "shared", "triples")

    def __init__(self, *, count_shared: bool = False) -> None:
        self._seen: set[bytes] = set()
        self.triples = 0
        # with count_shared: how many documents give each triple others could give (kg/update.py)
        self.shared: dict[bytes, int] | None = {} if count_shared else None

    def add(self, ntriples: bytes) -> bytes:
        """The lines of ``ntriples`` not seen before (a document's own lines are all new)."""
        if self.shared is not None:
            return self._add_counting(ntriples, self.shared)
        seen = self._seen
        new: list[bytes] = []
        for line in ntriples.splitlines(keepends=True):
            if not line.startswith(_OWN_SUBJECTS):
                key = hashlib.blake2b(line, digest_size=16).digest()
                if key in seen:
                    continue
                seen.add(key)
            new.append(line)
        self.triples += len(new)
        return b"".join(new)

    def _add_counting(self, ntriples: bytes, shared: dict[bytes, int]) -> bytes:
        """``add``, counting each shared triple once per call (the counts' keys are the triples seen)."""
        mine: set[bytes] = set()
        new: list[bytes] = []
        for line in ntriples.splitlines(keepends=True):
            if not line.startswith(_OWN_SUBJECTS):
                key = hashlib.blake2b(line, digest_size=16).digest()
                if key in mine:
                    continue
                mine.add(key)
                documents = shared.get(key, 0)
                shared[key] = documents + 1
                if documents:
                    continue
            new.append(line)
        self.triples += len(new)
        return b"".join(new)


def add_shared_counts(total: dict[bytes, int], counts: dict[bytes, int]) -> None:
    """Add one shard's counts of shareable triples to a build's (``GraphMerger.shared`` of each), in place.

    The sums of a sharded build equal the counts one GraphMerger keeps over all its documents: a
    shard counts each triple once per document, as the merger does. Most keys are new (a fact of
    one document), so the dicts are merged in C and only the keys both hold are summed here.
    """
    both = {key: total[key] + counts[key] for key in total.keys() & counts.keys()}
    total.update(counts)
    total.update(both)


def is_own_line(line: bytes) -> bool:
    """Whether an N-Triples line is about a document's own node (no other document can give it)."""
    return line.startswith(_OWN_SUBJECTS)


# The named things: what a region, place, agency, policy or indicator is called and where it lies.
_NAMED_SUBJECTS = tuple(f"<{ID}{kind}/".encode() for kind in ("region", "place", "agency", "policy", "indicator"))


def is_named_line(line: bytes) -> bool:
    """Whether an N-Triples line is about a named thing (a region, place, agency, policy or indicator)."""
    return line.startswith(_NAMED_SUBJECTS)


def line_digest(line: bytes) -> bytes:
    """The 128-bit digest GraphMerger remembers a line by."""
    return hashlib.blake2b(line, digest_size=16).digest()


@cache
def vocabulary_ntriples() -> bytes:
    """The policy scheme and the status and qualifier individuals, so an export describes itself."""
    scheme = ox.parse(path=ontology_file("policies.ttl"), format=ox.RdfFormat.TURTLE)
    individuals = {str(i) for i in (*STATUS.values(), *QUALIFIER.values(), *MEASURE.values(), *FIGURE_KIND.values())}
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


__all__ = [
    "PREFIXES",
    "GraphMerger",
    "add_shared_counts",
    "build_graph",
    "document_lines",
    "document_ntriples",
    "iri",
    "literal",
    "vocabulary_ntriples",
]
