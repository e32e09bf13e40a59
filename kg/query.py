"""Query: canned questions (``kg/queries/*.rq``) and ad hoc SPARQL over a build.

Two engines answer the same SPARQL: the build's Oxigraph store when there is one (fast, and what
`kg serve` serves), else rdflib over the exported N-Triples. Both take the project's prefixes
predeclared, and arguments only ever as RDF terms bound to variables (Oxigraph's substitutions,
rdflib's initBindings), never pasted into query text: a label full of quotes and braces is just
a label that matches nothing. Answers come back as plain ``Result`` records, the same whichever
engine computed them.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal as TypingLiteral

import pyoxigraph as ox
import rdflib
from rdflib.namespace import XSD

from kg.errors import KgError
from kg.ontology import PREFIXES, ZC
from kg.store import GenerationHold, hold_generation, open_store, store_path

_XSD_STRING = str(XSD.string)
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
STATUSES = {"implemented": ZC.Implemented, "piloting": ZC.Piloting, "planned": ZC.Planned}


class QueryError(KgError):
    """A query that cannot be run: bad syntax, an unknown question, a label that names nothing."""


class AmbiguousNameError(QueryError):
    """A label or alias that names several policies or regions (the message lists them)."""


@dataclass(frozen=True, slots=True)
class Term:
    """An RDF term in a result, independent of the engine that produced it."""

    kind: TypingLiteral["uri", "literal", "bnode"]
    value: str
    lang: str | None = None
    datatype: str | None = None  # None for plain and language-tagged strings

    @classmethod
    def uri(cls, value: str) -> Term:
        return cls("uri", value)

    @classmethod
    def literal(cls, value: str, lang: str | None = None, datatype: str | None = None) -> Term:
        return cls("literal", value, lang, None if datatype in (_XSD_STRING, _LANG_STRING) else datatype)


@dataclass(frozen=True, slots=True)
class Result:
    """A SELECT's variables and rows, an ASK's boolean, or a CONSTRUCT's triples (N-Triples)."""

    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool | None = None
    triples: bytes | None = None
    engine: str = field(default="", compare=False)


class Engine(ABC):
    """Runs SPARQL with bound variables; read-only (updates are not part of this interface)."""

    name: str

    def run(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> Result:
        if _UPDATE.match(sparql):
            raise QueryError("updates are refused: kg query and kg serve open the graph read-only")
        return self._run(sparql, bindings)

    @abstractmethod
    def _run(self, sparql: str, bindings: Mapping[str, Term] | None) -> Result: ...


# Only for a clear message: neither engine's query method can run an update anyway.
_UPDATE = re.compile(
    r"^(?:\s|#[^\n]*\n|(?:PREFIX\s+[^:\s]*:\s*<[^>]*>)|(?:BASE\s*<[^>]*>))*"
    r"(?:INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b",
    re.IGNORECASE,
)


def _prefixes() -> dict[str, str]:
    return {name: str(ns) for name, ns in PREFIXES.items()}


class OxigraphEngine(Engine):
    name = "oxigraph"

    def __init__(self, store: ox.Store, hold: GenerationHold | None = None) -> None:
        self.store = store
        self.hold = hold  # the generation the store belongs to, held so no build removes it under us

    def _run(self, sparql: str, bindings: Mapping[str, Term] | None) -> Result:
        if bindings:
            sparql = _bind_with_values(sparql, bindings)
        # Oxigraph's ORDER BY reads each string from the store again at every comparison (a third of
        # regions-running at 100 MB); a closing ORDER BY of plain variables is done here instead, on
        # terms decoded once, whenever the sorted columns hold only terms whose order is unambiguous.
        order = _CLOSING_ORDER_BY.search(sparql)
        if order is None:
            return self._select(sparql)
        result = self._select(sparql[: order.start()])
        if result.boolean is not None or result.triples is not None:
            return result  # an ASK or a graph: no sequence for the order to change (triples come sorted)
        ordered = _ordered(result, order.group(1).split())
        return ordered if ordered is not None else self._select(sparql)

    def _select(self, sparql: str) -> Result:
        try:
            answer = self.store.query(sparql, prefixes=_prefixes())
        except SyntaxError as e:
            raise QueryError(f"SPARQL syntax error: {e}") from None
        if isinstance(answer, ox.QueryBoolean):
            return Result(boolean=bool(answer), engine=self.name)
        if isinstance(answer, ox.QueryTriples):
            data = ox.serialize(answer, format=ox.RdfFormat.N_TRIPLES)
            return Result(triples=_sorted_ntriples(data), engine=self.name)
        variables = tuple(v.value for v in answer.variables)
        # Answers repeat terms (a region's label on every row): each distinct term is converted once.
        terms: dict[object, Term | None] = {None: None}

        def term(value: object) -> Term | None:
            found = terms.get(value, _MISSING)
            if found is _MISSING:
                found = terms[value] = _from_oxigraph(value)
            return found  # type: ignore[return-value]

        rows = tuple(tuple(map(term, solution)) for solution in answer)
        return Result(variables, rows, engine=self.name)


_MISSING = object()

# "ORDER BY ?a ?b" ending a query, nothing after it (a LIMIT or OFFSET would need the store's order).
_CLOSING_ORDER_BY = re.compile(r"\s+ORDER\s+BY((?:\s+\?[A-Za-z_][A-Za-z_0-9]*)+)\s*$", re.IGNORECASE)
_NUMERIC = {str(XSD[name]) for name in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger")}
_SortKey = tuple[object, ...]


def _ordered(result: Result, order: list[str]) -> Result | None:
    """``result`` sorted as SPARQL orders it (unbound < blank node < IRI < literal, strings by code
    point, numbers by value), or None where a column's order is the engine's own choice."""
    try:
        columns = [result.variables.index(name[1:]) for name in order]
    except ValueError:
        return None  # sorted by a variable it does not return
    keys: list[Callable[[Term | None], _SortKey]] = []
    for column in columns:
        key = _column_order(t for row in result.rows if (t := row[column]) is not None)
        if key is None:
            return None
        keys.append(key)
    try:
        rows = sorted(result.rows, key=lambda row: tuple(k(row[c]) for k, c in zip(keys, columns, strict=True)))
    except (InvalidOperation, ValueError):
        return None  # a number whose lexical form is not one
    return Result(result.variables, tuple(rows), engine=result.engine)


def _column_order(terms: Iterable[Term]) -> Callable[[Term | None], _SortKey] | None:
    """The sort key of one column: numeric literals by value, or strings of one language by text.

    Anything else (dates, numbers beside strings, strings of several languages) is None: SPARQL
    leaves their order to the engine, and rdflib's differs from Oxigraph's, so the store decides.
    """
    kinds: set[tuple[type, str | None]] = set()
    for t in terms:
        if t.kind == "literal":
            if t.datatype is not None and t.datatype not in _NUMERIC:
                return None
            kinds.add((Decimal, None) if t.datatype else (str, t.lang))
    if len(kinds) > 1:
        return None
    parse: Callable[[str], object] = kinds.pop()[0] if kinds else str
    rank = {"bnode": 1, "uri": 2, "literal": 3}

    def key(term: Term | None) -> _SortKey:
        if term is None:
            return (0,)
        if term.kind != "literal":
            return (rank[term.kind], term.value)
        return (3, parse(term.value))

    return key


class RdflibEngine(Engine):
    name = "rdflib"

    def __init__(self, graph: rdflib.Graph) -> None:
        self.graph = graph

    def _run(self, sparql: str, bindings: Mapping[str, Term] | None) -> Result:
        init = {k: _to_rdflib(t) for k, t in (bindings or {}).items()}
        try:
            answer = self.graph.query(sparql, initNs=dict(PREFIXES), initBindings=init)
        except Exception as e:  # rdflib raises pyparsing's ParseException and others for bad queries
            raise QueryError(f"SPARQL error: {e}") from None
        if answer.type == "ASK":
            return Result(boolean=bool(answer.askAnswer), engine=self.name)
        if answer.type in ("CONSTRUCT", "DESCRIBE"):
            data = answer.serialize(format="nt", encoding="utf-8") or b""
            return Result(triples=_sorted_ntriples(data), engine=self.name)
        variables = tuple(str(v) for v in answer.vars or ())
        rows = tuple(tuple(_from_rdflib(row[i]) for i in range(len(variables))) for row in answer)  # type: ignore[index]
        return Result(variables, rows, engine=self.name)


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def _bind_with_values(sparql: str, bindings: Mapping[str, Term]) -> str:
    """Bind variables with a VALUES block opening every WHERE group of the query (subqueries too).

    Oxigraph's own ``substitutions`` only accept variables of the SELECT clause, and these are
    often filter parameters. A subquery cannot see the outer query's bindings, so each one gets
    the block (a bound variable means the same in every group; where a group does not use it,
    joining one row changes nothing). The values are written by pyoxigraph's term serialiser
    (N-Triples syntax, every quote and control character escaped), so the text of an argument
    can only ever be the content of one literal.
    """
    if _WHERE.search(sparql) is None:
        raise QueryError("a query with bound arguments needs a WHERE { ... } clause")
    names = " ".join(f"?{name}" for name in bindings)
    values = " ".join(str(_to_oxigraph(t)) for t in bindings.values())
    block = f" VALUES ({names}) {{ ({values}) }} "
    return _WHERE.sub(lambda m: m.group() + block, sparql)


def _sorted_ntriples(data: bytes | None) -> bytes:
    lines = sorted({line for line in (data or b"").splitlines() if line.strip()})
    return b"".join(line + b"\n" for line in lines)


def _from_oxigraph(term: object) -> Term | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return Term.uri(term.value)
    if isinstance(term, ox.BlankNode):
        return Term("bnode", term.value)
    if isinstance(term, ox.Literal):
        return Term.literal(term.value, term.language, term.datatype.value)
    raise QueryError(f"unsupported term in a result: {term!r}")


def _to_oxigraph(term: Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if term.kind == "uri":
        return ox.NamedNode(term.value)
    if term.kind == "bnode":
        return ox.BlankNode(term.value)
    if term.lang:
        return ox.Literal(term.value, language=term.lang)
    return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype)) if term.datatype else ox.Literal(term.value)


def _from_rdflib(term: object) -> Term | None:
    if term is None:
        return None
    if isinstance(term, rdflib.URIRef):
        return Term.uri(str(term))
    if isinstance(term, rdflib.BNode):
        return Term("bnode", str(term))
    if isinstance(term, rdflib.Literal):
        return Term.literal(str(term), term.language, str(term.datatype) if term.datatype else None)
    raise QueryError(f"unsupported term in a result: {term!r}")


def _to_rdflib(term: Term) -> rdflib.term.Identifier:
    if term.kind == "uri":
        return rdflib.URIRef(term.value)
    if term.kind == "bnode":
        return rdflib.BNode(term.value)
    datatype = rdflib.URIRef(term.datatype) if term.datatype else None
    return rdflib.Literal(term.value, lang=term.lang, datatype=datatype)


def open_engine(export_dir: Path, engine: str = "auto") -> Engine:
    """The build in ``export_dir``: its store (auto, oxigraph), or its N-Triples/Turtle in rdflib.

    The engine reads one generation (kg/store.py), held while the engine lives, so a build that
    publishes meanwhile changes nothing it sees.
    """
    hold = hold_generation(export_dir)
    folder = export_dir if hold is None else hold.generation.path
    if engine in ("auto", "oxigraph"):
        path = store_path(export_dir) if hold is None else hold.generation.store_path
        if path is not None:
            return OxigraphEngine(open_store(path), hold)
        if engine == "oxigraph":
            raise QueryError(f"{export_dir}: no store (zhengce.oxigraph); run kg build")
    try:
        for name, fmt in (("zhengce.nt", "nt"), ("zhengce.ttl", "turtle")):
            if (folder / name).is_file():
                return RdflibEngine(rdflib.Graph().parse(folder / name, format=fmt))
    finally:
        if hold is not None:
            hold.close()  # rdflib read the whole file into memory
    raise QueryError(f"{export_dir}: no build found (zhengce.oxigraph, zhengce.nt or zhengce.ttl); run kg build")


# --- canned questions ---------------------------------------------------------------------------

ARGUMENT_KINDS = ("policy", "region", "indicator")
OPTIONS = ("status", "within", "below", "indicator")


@dataclass(frozen=True, slots=True)
class Question:
    name: str
    description: str
    arguments: tuple[str, ...]  # kinds, in order: policy | region | indicator
    options: tuple[str, ...]  # of OPTIONS
    sparql: str

    @property
    def usage(self) -> str:
        return " ".join([self.name, *(a.upper() for a in self.arguments)])


_HEADER = re.compile(r"^#:\s*(?:(arguments|options):\s*)?(.*)$")


def parse_question(name: str, text: str) -> Question:
    """A question file: ``#:`` lines give the description, ``#: arguments:`` and ``#: options:``."""
    description: list[str] = []
    fields: dict[str, tuple[str, ...]] = {"arguments": (), "options": ()}
    for line in text.splitlines():
        m = _HEADER.match(line)
        if not m:
            continue
        if m.group(1):
            fields[m.group(1)] = tuple(m.group(2).split())
        else:
            description.append(m.group(2).strip())
    unknown = [a for a in fields["arguments"] if a not in ARGUMENT_KINDS] + [
        o for o in fields["options"] if o not in OPTIONS
    ]
    if unknown or not description:
        raise QueryError(f"question file {name}.rq: unknown fields {unknown} or no description")
    return Question(name, " ".join(description), fields["arguments"], fields["options"], text)


@cache
def questions() -> dict[str, Question]:
    """The canned questions shipped in ``kg/queries``, by name."""
    folder = resources.files("kg") / "queries"
    out = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            name = entry.name.removesuffix(".rq")
            out[name] = parse_question(name, entry.read_text(encoding="utf-8"))
    return out


def question(name: str) -> Question:
    try:
        return questions()[name]
    except KeyError:
        raise QueryError(f"no question {name!r}; the questions are: {', '.join(questions())}") from None


# A label or alias (or code, or policy id) -> the resource; the text is bound, never pasted.
_RESOLVE = {
    "policy": """SELECT DISTINCT ?x ?label WHERE {
        ?x a zc:Policy ; skos:prefLabel ?label ; skos:prefLabel|skos:altLabel ?l .
        FILTER(lang(?label) = "zh" && (STR(?l) = STR(?text) || STR(?x) = CONCAT(STR(id:), "policy/", STR(?text))))
    } ORDER BY ?x""",
    "region": """SELECT DISTINCT ?x ?label WHERE {
        ?x a zc:Region ; rdfs:label ?label ; rdfs:label|skos:altLabel|zc:adminCode ?l .
        FILTER(STR(?l) = STR(?text))
    } ORDER BY ?x""",
}
# Bound variables are bound in the WHERE group of the query and of each subquery; a FILTER in
# another nested group ({ ... } UNION { ... }, OPTIONAL) cannot see them: the SPARQL algebra
# evaluates groups bottom-up.


def resolve(engine: Engine, kind: str, text: str) -> Term:
    """The one policy or region whose label, alias, code or id is ``text``; QueryError if none or several."""
    result = engine.run(_RESOLVE[kind], {"text": Term.literal(text)})
    found = {row[0]: row[1] for row in result.rows if row[0] is not None}
    if not found:
        raise QueryError(f"no {kind} called {text!r} in this graph")
    if len(found) > 1:
        choices = "; ".join(f"{label.value if label else ''} <{iri.value}>" for iri, label in found.items())
        raise AmbiguousNameError(f"{text!r} names {len(found)} {kind}s: {choices}. Give a code or a full name.")
    return next(iter(found))


# variable each argument or option is bound to in the question files
_VARIABLE = {"policy": "policy", "region": "target", "indicator": "indicatorText"}


def ask(
    engine: Engine,
    name: str,
    arguments: tuple[str, ...] = (),
    *,
    status: str | None = None,
    within: str | None = None,
    below: bool = False,
    indicator: str | None = None,
) -> Result:
    """Run the canned question ``name`` with its arguments and options bound as RDF terms."""
    q = question(name)
    if len(arguments) != len(q.arguments):
        raise QueryError(f"usage: kg ask {q.usage}")
    given = {"status": status is not None, "within": within is not None, "below": below, "indicator": indicator}
    extra = [o for o, on in given.items() if on and o not in q.options]
    if extra:
        raise QueryError(f"{name} takes no --{extra[0]} (its options: {', '.join(q.options) or 'none'})")
    bindings: dict[str, Term] = {}
    for kind, text in zip(q.arguments, arguments, strict=True):
        bindings[_VARIABLE[kind]] = Term.literal(text) if kind == "indicator" else resolve(engine, kind, text)
    if status is not None:
        if status not in STATUSES:
            raise QueryError(f"no status {status!r}; choose from {', '.join(STATUSES)}")
        bindings["statusFilter"] = Term.uri(str(STATUSES[status]))
    if within is not None:
        bindings["within"] = resolve(engine, "region", within)
    if below:
        bindings["below"] = Term.literal("true", datatype=str(XSD.boolean))
    if indicator is not None:
        bindings["indicatorText"] = Term.literal(indicator)
    return engine.run(q.sparql, bindings)


def read_query(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise QueryError(f"{path}: cannot read the query: {e}") from None
