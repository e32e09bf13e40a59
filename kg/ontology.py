"""The ontology's terms as a closed rdflib namespace, the files of ``ontology/``, and ``new_graph``.

``ZC`` is the single source of term IRIs: a misspelt term raises at import or call time.
A test checks that ``ZC``'s terms are exactly those ``ontology/zhengce.ttl`` defines.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace

from kg.errors import ReferenceDataError
from kg.types import FigureKind, Measure, Qualifier, Status

ONT_IRI = "https://w3id.org/zhengce/ont#"
ID = Namespace("https://w3id.org/zhengce/id/")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
QB = Namespace("http://purl.org/linked-data/cube#")


class ZC(DefinedNamespace):
    """zhengce-kg ontology terms (``zc:``)."""

    _fail = True
    _NS = Namespace(ONT_IRI)

    # classes
    Document: URIRef
    Region: URIRef
    Agency: URIRef
    Policy: URIRef
    PolicyAdoption: URIRef
    Observation: URIRef
    Indicator: URIRef
    Evidence: URIRef
    AdoptionStatus: URIRef
    Qualifier: URIRef
    PilotProgramme: URIRef
    Measure: URIRef
    FigureKind: URIRef
    # individuals
    Implemented: URIRef
    Piloting: URIRef
    Planned: URIRef
    Exact: URIRef
    AtLeast: URIRef
    About: URIRef
    AtMost: URIRef
    Level: URIRef
    Change: URIRef
    GrowthRate: URIRef
    Share: URIRef
    Actual: URIRef
    Estimate: URIRef
    Target: URIRef
    # properties
    sourceFile: URIRef
    publisher: URIRef
    articleTitle: URIRef
    mentions: URIRef
    adminCode: URIRef
    adminLevel: URIRef
    partOf: URIRef
    province: URIRef
    longitude: URIRef
    latitude: URIRef
    formerName: URIRef
    formerCode: URIRef
    jurisdiction: URIRef
    discovered: URIRef
    region: URIRef
    policy: URIRef
    agency: URIRef
    status: URIRef
    period: URIRef
    indicator: URIRef
    value: URIRef
    unit: URIRef
    qualifier: URIRef
    measure: URIRef
    figureKind: URIRef
    evidence: URIRef
    source: URIRef
    text: URIRef
    start: URIRef
    end: URIRef


# The individuals each value of a record's field stands for (a test checks every value has one).
STATUS: dict[Status, URIRef] = {"implemented": ZC.Implemented, "piloting": ZC.Piloting, "planned": ZC.Planned}
QUALIFIER: dict[Qualifier, URIRef] = {
    "exact": ZC.Exact,
    "at_least": ZC.AtLeast,
    "about": ZC.About,
    "at_most": ZC.AtMost,
}
MEASURE: dict[Measure, URIRef] = {
    "level": ZC.Level,
    "change": ZC.Change,
    "growth_rate": ZC.GrowthRate,
    "share": ZC.Share,
}
FIGURE_KIND: dict[FigureKind, URIRef] = {"actual": ZC.Actual, "estimate": ZC.Estimate, "target": ZC.Target}

PREFIXES = {
    "zc": Namespace(ONT_IRI),
    "id": ID,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "schema": SCHEMA,
    "org": ORG,
    "prov": PROV,
    "qb": QB,
}


# A prefix per kind of resource, for Turtle and tables (region:632801 reads better than id:region/632801).
ID_KINDS = ("region", "place", "doc", "agency", "policy", "indicator", "adoption", "observation", "evidence")
ID_PREFIXES = {kind: Namespace(f"{ID}{kind}/") for kind in ID_KINDS}

# The same as plain strings (what Oxigraph takes): the vocabularies', and with the kinds (region:) for what people
# read and write (Turtle, tables, the prefixes a user's query may leave undeclared).
PREFIX_IRIS = {name: str(ns) for name, ns in PREFIXES.items()}
READING_PREFIX_IRIS = {**PREFIX_IRIS, **{kind: str(ns) for kind, ns in ID_PREFIXES.items()}}


def new_graph() -> Graph:
    """An empty graph with the project's prefixes bound (and no others)."""
    g = Graph(bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    return g


def ontology_file(name: str) -> Path:
    """A file of ``ontology/``: inside the installed package, or beside it in a source tree."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "ontology_files" / name, here.parent / "ontology" / name):
        if candidate.is_file():
            return candidate
    raise ReferenceDataError(f"ontology file {name} not found; reinstall the package")


def load_ontology(*names: str) -> Graph:
    """The ontology files named (default: the ontology and the policy scheme) in one graph."""
    g = new_graph()
    for name in names or ("zhengce.ttl", "policies.ttl"):
        g.parse(ontology_file(name), format="turtle")
    return g
