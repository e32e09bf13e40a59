"""The policy concept scheme (``ontology/policies.ttl``) as a lexicon for matching."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from kg.ontology import ID_PREFIXES, ZC, ontology_file

_POLICY_NS = str(ID_PREFIXES["policy"])
POLICY_SCHEME = URIRef(_POLICY_NS + "scheme")


@dataclass(frozen=True, slots=True)
class PolicyEntry:
    policy_id: str
    pref_label: str
    labels: tuple[str, ...]  # the preferred label first, then the variants
    pilot: bool = False  # a pilot programme (zc:PilotProgramme): running it is piloting


@cache
def policy_scheme() -> Graph:
    """The scheme's triples (added to every build, so policies carry their labels)."""
    g = Graph()
    g.parse(ontology_file("policies.ttl"), format="turtle")
    return g


@cache
def policy_lexicon() -> dict[str, PolicyEntry]:
    """Every Chinese label and variant of every policy, mapped to its entry."""
    g = policy_scheme()
    lexicon: dict[str, PolicyEntry] = {}
    for concept in sorted(g.subjects(RDF.type, ZC.Policy), key=str):
        pid = str(concept).removeprefix(_POLICY_NS)
        pref = next(str(o) for o in g.objects(concept, SKOS.prefLabel) if getattr(o, "language", None) == "zh")
        alts = sorted(str(o) for o in g.objects(concept, SKOS.altLabel) if getattr(o, "language", None) == "zh")
        entry = PolicyEntry(pid, pref, (pref, *alts), (concept, RDF.type, ZC.PilotProgramme) in g)
        for label in entry.labels:
            lexicon[label] = entry
    return lexicon
