"""What the pages of ``kg serve`` show, read from a build: plain records, no HTML.

Each public function takes the export folder, opens the build's store read-only and returns
small immutable records (picklable: ``kg serve`` runs every one of them in a child process that
it can stop at a deadline, see kg/isolate.py). Queries bind the resource as an RDF term, never
paste it into the query text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KgError
from kg.flow import Paragraph, flowed, paragraphs
from kg.ontology import ID, ID_PREFIXES, PREFIXES, READING_PREFIX_IRIS
from kg.query import Engine, OxigraphEngine, Result, Term
from kg.store import hold_generation, open_store, store_path

ID_BASE = str(ID)


class PageError(KgError):
    """A page that cannot be made: no build, no such resource."""


@dataclass(frozen=True, slots=True)
class Link:
    """A resource as a link: its IRI, its label, and the local path of its page (or the IRI itself)."""

    iri: str
    label: str

    @property
    def href(self) -> str:
        return local_path(self.iri)


@dataclass(frozen=True, slots=True)
class Sentence:
    """An evidence sentence, flowed for reading, with the span it covers in its document."""

    text: str
    document: Link
    start: int
    end: int

    @property
    def href(self) -> str:
        return f"{self.document.href}?start={self.start}&end={self.end}#hl"


@dataclass(frozen=True, slots=True)
class Adoption:
    region: Link
    policy: Link
    status: str
    period: str
    agency: Link | None
    sentence: Sentence


@dataclass(frozen=True, slots=True)
class Figure:
    region: Link
    indicator: Link
    value: str
    unit: str
    qualifier: str
    period: str
    sentence: Sentence


@dataclass(frozen=True, slots=True)
class Property:
    """One outgoing triple: the predicate (shortened) and the object as a link or a literal."""

    predicate: str
    value: str
    link: Link | None


@dataclass(frozen=True, slots=True)
class Resource:
    """Everything a resource's page shows."""

    iri: str
    label: str
    kinds: tuple[str, ...]
    properties: tuple[Property, ...]
    adoptions: tuple[Adoption, ...]
    figures: tuple[Figure, ...]
    within: tuple[Link, ...]  # regions that are part of it
    agencies: tuple[Link, ...]  # agencies whose jurisdiction it is
    documents: tuple[Link, ...]  # documents that mention it
    source_file: str | None  # for a document: its file in the corpus


@dataclass(frozen=True, slots=True)
class Passage:
    """A paragraph of a document, flowed, with the highlighted part cut out of it."""

    before: str
    highlighted: str
    after: str


def local_path(iri: str) -> str:
    """The path of a project IRI on ``kg serve`` (``/id/region/632801``); other IRIs stay as they are."""
    return "/id/" + iri[len(ID_BASE) :] if iri.startswith(ID_BASE) else iri


def iri_of_path(path: str) -> str:
    """The project IRI that ``/id/...`` stands for."""
    return ID_BASE + path.removeprefix("/id/")


def short(iri: str) -> str:
    """``zc:Region``, ``region:632801``: an IRI with the project's prefixes."""
    for cut in (iri.rfind("/"), iri.rfind("#")):
        prefix = _NAMESPACES.get(iri[: cut + 1]) if 0 <= cut < len(iri) - 1 else None
        if prefix is not None:
            return f"{prefix}:{iri[cut + 1 :]}"
    for ns, prefix in _LONGEST_FIRST:  # a local name with a slash (doc:folder/file.txt)
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


# namespace -> prefix; the kinds' prefixes (region:) win over id: for the same IRI
_NAMESPACES = {str(ns): name for name, ns in [*PREFIXES.items(), *ID_PREFIXES.items()]}
_LONGEST_FIRST = sorted(_NAMESPACES.items(), key=lambda item: -len(item[0]))


def engine_of(export_dir: Path) -> OxigraphEngine:
    """The build's store, opened read-only for this process; its generation held while the engine lives."""
    hold = hold_generation(export_dir)
    path = store_path(export_dir) if hold is None else hold.generation.store_path
    if path is None:
        raise PageError(f"{export_dir}: no store (zhengce.oxigraph); run kg build")
    return OxigraphEngine(open_store(path), hold)


def _value(row: tuple[Term | None, ...], i: int) -> str:
    term = row[i]
    return term.value if term is not None else ""


def _rows(result: Result) -> list[dict[str, str]]:
    return [{v: _value(row, i) for i, v in enumerate(result.variables)} for row in result.rows]


_LABEL = """OPTIONAL { ?x rdfs:label|skos:prefLabel ?xl . FILTER(lang(?xl) = "zh" || lang(?xl) = "") }"""
_ABOUT = f"""SELECT ?p ?o ?ol ?xl WHERE {{
  ?x ?p ?o . {_LABEL}
  OPTIONAL {{ ?o rdfs:label|skos:prefLabel|zc:sourceFile ?ol . FILTER(lang(?ol) = "zh" || lang(?ol) = "") }}
}}"""
_EVIDENCE = """?ev zc:text ?text ; zc:source ?doc ; zc:start ?start ; zc:end ?end . ?doc zc:sourceFile ?file ."""
_ADOPTIONS = f"""SELECT ?region ?rl ?policy ?pl ?status ?period ?agency ?al ?text ?doc ?file ?start ?end WHERE {{
  {{ ?a zc:region|zc:policy|zc:agency ?x }} UNION {{ ?a zc:evidence/zc:source ?x }}
  ?a a zc:PolicyAdoption ; zc:region ?region ; zc:policy ?policy ; zc:status/rdfs:label ?status ; zc:evidence ?ev .
  FILTER(lang(?status) = "en")
  ?region rdfs:label ?rl . ?policy skos:prefLabel ?pl . FILTER(lang(?pl) = "zh")
  {_EVIDENCE}
  OPTIONAL {{ ?a zc:period ?period }}
  OPTIONAL {{ ?a zc:agency ?agency . ?agency rdfs:label ?al }}
}} ORDER BY ?rl ?pl ?status ?period ?file ?start"""
_FIGURES = f"""SELECT ?region ?rl ?indicator ?il ?value ?unit ?q ?period ?text ?doc ?file ?start ?end WHERE {{
  {{ ?o zc:region|zc:indicator|zc:agency ?x }} UNION {{ ?o zc:evidence/zc:source ?x }}
  ?o a zc:Observation ; zc:region ?region ; zc:indicator ?indicator ; zc:value ?value ; zc:evidence ?ev .
  ?region rdfs:label ?rl . ?indicator rdfs:label ?il .
  {_EVIDENCE}
  OPTIONAL {{ ?o zc:unit ?unit }} OPTIONAL {{ ?o zc:period ?period }}
  OPTIONAL {{ ?o zc:qualifier/rdfs:label ?q . FILTER(lang(?q) = "zh") }}
}} ORDER BY ?rl ?il ?period ?file ?start"""
_INCOMING = """SELECT ?kind ?s ?sl WHERE {
  { ?s zc:partOf ?x . BIND("within" AS ?kind) } UNION { ?s zc:jurisdiction ?x . BIND("agency" AS ?kind) }
  UNION { ?s zc:mentions ?x . BIND("document" AS ?kind) }
  OPTIONAL { ?s rdfs:label|zc:sourceFile ?sl . FILTER(lang(?sl) = "zh" || lang(?sl) = "") }
} ORDER BY ?kind ?sl ?s"""


def _sentence(r: dict[str, str]) -> Sentence:
    return Sentence(flowed(r["text"]), Link(r["doc"], r["file"]), int(r["start"]), int(r["end"]))


def resource(export_dir: Path, iri: str) -> Resource | None:
    """The page of ``iri``, or None if the graph says nothing about it."""
    engine = engine_of(export_dir)
    x = {"x": Term.uri(iri)}
    about = _rows(engine.run(_ABOUT, x))
    if not about:
        return None
    label = next((r["xl"] for r in about if r["xl"]), "") or short(iri)
    properties, kinds, source_file = [], [], None
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    for r in sorted(about, key=lambda r: (short(r["p"]), r["ol"] or r["o"])):
        if r["p"] == rdf_type:
            kinds.append(short(r["o"]))
        if r["p"].endswith("#sourceFile"):
            source_file = r["o"]
        is_iri = r["o"].startswith(("http://", "https://"))
        link = Link(r["o"], r["ol"] or short(r["o"])) if is_iri else None
        properties.append(Property(short(r["p"]), r["o"], link))
    adoptions = tuple(
        Adoption(
            Link(r["region"], r["rl"]),
            Link(r["policy"], r["pl"]),
            r["status"],
            r["period"],
            Link(r["agency"], r["al"]) if r["agency"] else None,
            _sentence(r),
        )
        for r in _rows(engine.run(_ADOPTIONS, x))
    )
    figures = tuple(
        Figure(
            Link(r["region"], r["rl"]),
            Link(r["indicator"], r["il"]),
            _number(r["value"]),
            r["unit"],
            r["q"],
            r["period"],
            _sentence(r),
        )
        for r in _rows(engine.run(_FIGURES, x))
    )
    incoming: dict[str, list[Link]] = {"within": [], "agency": [], "document": []}
    for r in _rows(engine.run(_INCOMING, x)):
        incoming[r["kind"]].append(Link(r["s"], r["sl"] or short(r["s"])))
    return Resource(
        iri,
        label,
        tuple(dict.fromkeys(kinds)),
        tuple(dict.fromkeys(properties)),
        tuple(dict.fromkeys(adoptions)),
        tuple(dict.fromkeys(figures)),
        tuple(dict.fromkeys(incoming["within"])),
        tuple(dict.fromkeys(incoming["agency"])),
        tuple(dict.fromkeys(incoming["document"])),
        source_file,
    )


def _number(value: str) -> str:
    """A decimal as people write it (23913900, 6.2)."""
    return value.rstrip("0").rstrip(".") if "." in value else value


_DESCRIPTION = """CONSTRUCT { ?x ?p ?o . ?s ?q ?x } WHERE { { ?x ?p ?o } UNION { ?s ?q ?x } }"""
RDF_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


def description(export_dir: Path, iri: str, media_type: str) -> bytes | None:
    """The triples about ``iri`` (as subject or object) in an RDF format, or None if there are none."""
    engine = engine_of(export_dir)
    result = engine.run(_DESCRIPTION, {"x": Term.uri(iri)})
    if not result.triples:
        return None
    fmt = RDF_FORMATS[media_type]
    if fmt == ox.RdfFormat.N_TRIPLES:
        return result.triples
    triples = ox.parse(result.triples, format=ox.RdfFormat.N_TRIPLES)
    prefixes = READING_PREFIX_IRIS
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
        return ox.serialize(triples, format=fmt, prefixes=prefixes)
    return ox.serialize(triples, format=fmt)


# --- documents -----------------------------------------------------------------------------------


def document_text(corpus_dir: Path | None, source_file: str) -> str | None:
    """The original text of a corpus file (the offsets of evidence point into it), if it can be read."""
    if corpus_dir is None:
        return None
    from kg.load import load_file

    path = (corpus_dir / source_file).resolve()
    if not path.is_relative_to(corpus_dir.resolve()) or not path.is_file():
        return None  # a name from the graph never reads outside the corpus
    try:
        return load_file(path, source_file).original
    except (KgError, OSError):
        return None


def passages(original: str, start: int | None, end: int | None) -> tuple[Passage, ...]:
    """The document's paragraphs, flowed, with [start, end) cut out as the highlighted part."""
    out = []
    for p in paragraphs(original):
        out.append(_passage(original, p, start, end))
    return tuple(out)


def _passage(original: str, p: Paragraph, start: int | None, end: int | None) -> Passage:
    if start is None or end is None or end <= p.start or start >= p.end:
        return Passage(flowed(original[p.start : p.end]), "", "")
    a, b = max(start, p.start), min(end, p.end)
    return Passage(flowed(original[p.start : a]), flowed(original[a:b]), flowed(original[b : p.end]))


# --- search --------------------------------------------------------------------------------------

_SEARCH = """SELECT DISTINCT ?x ?label ?kind ?name WHERE {
  ?x rdfs:label|skos:prefLabel|skos:altLabel|zc:formerName ?name .
  FILTER(CONTAINS(LCASE(STR(?name)), LCASE(STR(?text))))
  ?x a ?type . VALUES (?type ?kind) { (zc:Region "region") (zc:Policy "policy") (zc:Agency "agency")
                                      (zc:Indicator "indicator") }
  ?x rdfs:label|skos:prefLabel ?label . FILTER(lang(?label) = "zh" || lang(?label) = "")
} LIMIT 500"""
_KIND_ORDER = {"region": 0, "policy": 1, "agency": 2, "indicator": 3}


@dataclass(frozen=True, slots=True)
class Hit:
    link: Link
    kind: str
    name: str  # the name that matched (an alias or a former name, perhaps)


def search(export_dir: Path, text: str, limit: int = 100) -> tuple[Hit, ...]:
    """Regions, policies, agencies and indicators one of whose names contains ``text``; exact names first."""
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return ()
    rows = _rows(engine_of(export_dir).run(_SEARCH, {"text": Term.literal(text)}))
    hits: dict[str, Hit] = {}
    for r in sorted(rows, key=lambda r: (r["name"] != text, _KIND_ORDER[r["kind"]], len(r["name"]), r["x"])):
        hits.setdefault(r["x"], Hit(Link(r["x"], r["label"]), r["kind"], r["name"]))
    return tuple(hits.values())[:limit]


# --- SPARQL --------------------------------------------------------------------------------------

RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


class ResultTooLarge(KgError):
    """An answer larger than the server's bound."""


class _Bounded:
    """A bytes sink that refuses to grow past ``limit`` (a result is never built whole past it)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0
        self.over = False

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            self.over = True
            raise ResultTooLarge(f"the answer is larger than {self.limit} bytes (kg serve --max-result-bytes)")
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def run_sparql(export_dir: Path, text: str, accept: tuple[str, ...], max_bytes: int) -> tuple[str, bytes]:
    """Run a checked user query; its answer in the first of ``accept``'s media types that fits its kind."""
    from kg.query import query_prefixes
    from kg.sparql import engine_syntax_error

    store = engine_of(export_dir).store
    prefixes = query_prefixes()
    try:
        answer = store.query(text, prefixes=prefixes)
    except SyntaxError as e:
        raise engine_syntax_error(text, str(e)) from None
    except OSError as e:
        raise PageError(f"the store could not answer: {e}") from None
    sink = _Bounded(max_bytes)
    try:
        if isinstance(answer, ox.QueryTriples):
            media = next((m for m in accept if m in GRAPH_FORMATS), "application/n-triples")
            kwargs = {"prefixes": prefixes} if media in ("text/turtle", "application/rdf+xml") else {}
            ox.serialize(answer, sink, format=GRAPH_FORMATS[media], **kwargs)  # type: ignore[arg-type]
        else:
            media = next((m for m in accept if m in RESULT_FORMATS), "application/sparql-results+json")
            answer.serialize(sink, format=RESULT_FORMATS[media])  # type: ignore[arg-type]
    except Exception as e:
        if sink.over:
            raise ResultTooLarge(f"the answer is larger than {max_bytes} bytes (kg serve --max-result-bytes)") from None
        raise PageError(f"the store could not answer: {e}") from None
    return media, b"".join(sink.parts)


def ask_question(export_dir: Path, name: str, arguments: tuple[str, ...], options: dict[str, str]) -> Result:
    """A canned question (kg/queries/NAME.rq) with its arguments, as ``kg ask`` runs it."""
    from kg.query import ask

    return ask(
        engine_of(export_dir),
        name,
        arguments,
        status=options.get("status") or None,
        within=options.get("within") or None,
        below=options.get("below", "") in ("1", "true", "on", "yes"),
        indicator=options.get("indicator") or None,
    )


def count(engine: Engine) -> int:
    """The number of triples (for the home page)."""
    result = engine.run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    return int(_value(result.rows[0], 0)) if result.rows else 0
