"""Query: canned questions (``kg/queries/*.rq``) and ad hoc SPARQL over a build.

Two engines answer the same SPARQL: the build's Oxigraph store when there is one (fast, and what
`kg serve` serves), else rdflib over the exported N-Triples. Both take the project's prefixes
predeclared, and arguments only ever as RDF terms bound to variables (Oxigraph's substitutions,
rdflib's initBindings), never pasted into query text: a label full of quotes and braces is just
a label that matches nothing. Answers come back as plain ``Result`` records, the same whichever
engine computed them.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Literal as TypingLiteral
from typing import TypedDict, Unpack

import pyoxigraph as ox
import rdflib
from rdflib.namespace import XSD

from kg.errors import KgError, QueryCancelled, QueryError, QueryTimeout
from kg.ontology import READING_PREFIX_IRIS, STATUS
from kg.sparql import check_query, engine_syntax_error
from kg.store import GenerationHold, hold_generation, no_store_message, open_store, store_path

_XSD_STRING = str(XSD.string)
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


__all__ = [
    "DEFAULT_TIMEOUT",
    "AmbiguousNameError",
    "Engine",
    "QueryCancelled",
    "QueryError",
    "QueryRunner",
    "QueryTimeout",
    "Result",
    "Source",
    "Term",
    "ask",
    "open_engine",
    "open_source",
    "query_prefixes",
    "run_query",
]


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


def query_prefixes() -> dict[str, str]:
    """Every prefix a query may use undeclared: the vocabularies' and one per kind of resource (region:)."""
    return READING_PREFIX_IRIS


class OxigraphEngine(Engine):
    name = "oxigraph"

    def __init__(self, store: ox.Store, hold: GenerationHold | None = None, folder: Path | None = None) -> None:
        self.store = store
        self.hold = hold  # the generation the store belongs to, held so no build removes it under us
        # the generation's folder, where the canned questions' answers index lies (kg/answers.py)
        self.folder = folder if folder is not None or hold is None else hold.generation.path
        self._answers: tuple[Path | None] | None = None

    @property
    def answers(self) -> Path | None:
        """The build's answers index (kg/answers.py), if it has one for these questions."""
        if self._answers is None:
            from kg.answers import open_answers

            self._answers = (open_answers(self.folder) if self.folder is not None else None,)
        return self._answers[0]

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
        if ordered is None:
            return self._select(sparql)
        if order.group(2) is None and order.group(3) is None:
            return ordered
        start = int(order.group(3) or 0)
        end = None if order.group(2) is None else start + int(order.group(2))
        return replace(ordered, rows=ordered.rows[start:end])

    def _select(self, sparql: str) -> Result:
        try:
            answer = self.store.query(sparql, prefixes=query_prefixes())
        except SyntaxError as e:
            raise engine_syntax_error(sparql, str(e)) from None
        except OSError as e:  # the store could not be read, or a SERVICE endpoint failed
            raise QueryError(f"the store could not answer: {_one_line(e)}") from None
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

# "ORDER BY ?a ?b" ending a query, then perhaps a LIMIT and an OFFSET (a page: sliced after sorting).
_CLOSING_ORDER_BY = re.compile(
    r"\s+ORDER\s+BY((?:\s+\?[A-Za-z_][A-Za-z_0-9]*)+)(?:\s+LIMIT\s+(\d+))?(?:\s+OFFSET\s+(\d+))?\s*$", re.IGNORECASE
)
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
            answer = self.graph.query(sparql, initNs=query_prefixes(), initBindings=init)
        except Exception as e:  # rdflib raises pyparsing's ParseException, plain Exceptions for unknown prefixes
            line, column = getattr(e, "lineno", None), getattr(e, "col", None)
            if isinstance(line, int) and isinstance(column, int):
                raise engine_syntax_error(sparql, str(getattr(e, "msg", e)), line, column) from None
            raise QueryError(f"SPARQL error: {_one_line(e)}") from None
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


@dataclass(frozen=True, slots=True)
class Source:
    """Where a build's graph is read: its store (one published generation) or an RDF file for rdflib.

    ``hold`` keeps the generation from being removed while the source (and engines opened from
    it) are in use (kg/store.py); it stays in this process (a worker is sent engine and path).
    """

    engine: TypingLiteral["oxigraph", "rdflib"]
    path: Path
    hold: GenerationHold | None = field(default=None, compare=False, repr=False)

    def __reduce__(self) -> tuple[type[Source], tuple[str, Path]]:
        return (Source, (self.engine, self.path))  # the hold is a lock of this process

    def open(self) -> Engine:
        """An engine on this source (opens the store read-only, or parses the file into rdflib)."""
        if self.engine == "oxigraph":
            return OxigraphEngine(open_store(self.path), self.hold, self.path.parent)
        try:
            graph = rdflib.Graph().parse(self.path, format="turtle" if self.path.suffix == ".ttl" else "nt")
        except Exception as e:  # rdflib's parsers raise many kinds of error
            raise QueryError(f"{self.path}: cannot be read: {_one_line(e)}") from None
        return RdflibEngine(graph)


def open_source(export_dir: Path, engine: str = "auto") -> Source:
    """The build in ``export_dir``: its store (auto, oxigraph), or its N-Triples/Turtle for rdflib.

    The current generation is held while the Source lives, so a build that publishes meanwhile
    changes nothing it reads.
    """
    hold = hold_generation(export_dir)
    folder = export_dir if hold is None else hold.generation.path
    if engine in ("auto", "oxigraph"):
        path = store_path(export_dir) if hold is None else hold.generation.store_path
        if path is not None:
            return Source("oxigraph", path, hold)
        if hold is not None and (folder / "shards").is_dir():  # kg build --no-store: nothing to query here
            raise QueryError(no_store_message(hold.generation))
        if engine == "oxigraph":
            raise QueryError(f"{export_dir}: no store (zhengce.oxigraph); run kg build")
    for name in ("zhengce.nt", "zhengce.ttl"):
        if (folder / name).is_file():
            return Source("rdflib", folder / name, hold)
    raise QueryError(f"{export_dir}: no build found (zhengce.oxigraph, zhengce.nt or zhengce.ttl); run kg build")


def open_engine(export_dir: Path, engine: str = "auto") -> Engine:
    """The build in ``export_dir`` opened in this process (for canned questions and exports)."""
    return open_source(export_dir, engine).open()


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:300] or type(error).__name__


# --- user-written SPARQL: checked, then run in a worker process that a timeout can kill -------------

DEFAULT_TIMEOUT = 30.0  # seconds; Fuseki's and Oxigraph's servers also stop long queries
_POLL_SECONDS = 0.1  # how often a waiting caller looks at its cancel flag
Cancel = threading.Event | Callable[[], bool]


class QueryRunner:
    """Runs user-written SPARQL on one build, each query in a worker process killed when its time is up.

    Neither engine can stop a query it has started. pyoxigraph releases the GIL while it
    evaluates (other threads run), but has no cancellation, and a signal is only seen once it
    returns: one ``next()`` of a COUNT or ORDER BY over a cross product runs to its end (measured:
    a SIGALRM handler never ran within 20 s). rdflib is pure Python, but a thread cannot be
    stopped from outside either. So each query runs in a worker process: at the timeout, or when
    ``cancel`` says the caller is gone, the worker is killed, and the operating system takes back
    all its memory at once.

    Workers are started by fork when this process has a single thread (fast, safe), else by a
    fork server (safe beside threads: a web server's). Each opens the store itself, read-only.
    Idle workers are kept (at most ``max_idle``), the store open, so a later query costs a pipe
    round trip; a killed one is replaced by a new one at the next query.

    ``run`` may be called from several threads at once; each call takes its own worker. A web
    request handler can call it and pass ``cancel`` (an Event, or a function returning True once
    the client has disconnected); it is looked at every 0.1 s.

    Args:
        source: the build to query (``open_source(export_dir, engine)``).
        timeout: seconds a query may run (None or 0: no limit).
        allow_service: let SERVICE (federated queries to other hosts) through.
        max_rows: refuse answers with more rows (None: any number).
        max_idle: idle workers kept for later queries.
    """

    def __init__(
        self,
        source: Source,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        allow_service: bool = False,
        max_rows: int | None = None,
        max_idle: int = 2,
    ) -> None:
        self.source = source
        self.timeout = timeout
        self.allow_service = allow_service
        self.max_rows = max_rows
        self.max_idle = max_idle
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False

    def check(self, sparql: str) -> None:
        """Raise QueryError if ``sparql`` is refused before it runs (update, SERVICE, unknown prefix)."""
        check_query(sparql, query_prefixes(), allow_service=self.allow_service)

    def run(self, sparql: str, *, timeout: float | None = None, cancel: Cancel | None = None) -> Result:
        """Check ``sparql`` and run it; the answer, or QueryError (QueryTimeout, QueryCancelled).

        Args:
            sparql: the query as written by a user (the project's prefixes are predeclared).
            timeout: seconds for this query (default: the runner's).
            cancel: an Event, or a function, that turns true when the answer is no longer wanted.
        """
        self.check(sparql)
        limit = self.timeout if timeout is None else timeout
        worker = self._take()
        try:
            reply = worker.ask((sparql, self.allow_service, self.max_rows), limit or None, _cancelled(cancel))
        except BaseException:
            worker.kill()
            raise
        self._give_back(worker)
        if reply[0] == "ok":
            result = reply[1]
            assert isinstance(result, Result)
            return result
        raise QueryError(str(reply[1]))

    def _take(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise QueryError("the query runner is closed")
            while self._idle:
                worker = self._idle.pop()
                if worker.alive():
                    return worker
        return _Worker(self.source)

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < self.max_idle and worker.alive():
                self._idle.append(worker)
                return
        worker.stop()

    def close(self) -> None:
        """Stop the idle workers (a running query keeps its worker until it ends)."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()

    def __enter__(self) -> QueryRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run_query(
    source: Source,
    sparql: str,
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    allow_service: bool = False,
    cancel: Cancel | None = None,
) -> Result:
    """Check and run one user-written query in a worker process (see QueryRunner)."""
    with QueryRunner(source, timeout=timeout, allow_service=allow_service, max_idle=0) as runner:
        return runner.run(sparql, cancel=cancel)


def _cancelled(cancel: Cancel | None) -> Callable[[], bool] | None:
    if cancel is None:
        return None
    return cancel.is_set if isinstance(cancel, threading.Event) else cancel


def _single_threaded() -> bool:
    """True where fork is safe: this process runs one thread (fork copies only the calling thread,
    so a lock another thread held, in malloc or in RocksDB, would stay locked in the child)."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False  # not Linux: unknown, so not safe


class _Worker:
    """One worker process and the pipe to it: forked where that is safe, else a new interpreter."""

    def __init__(self, source: Source) -> None:
        if _single_threaded() and "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            self.conn, child_conn = context.Pipe()
            process = context.Process(
                target=_serve_queries, args=(child_conn, source, self.conn), name="kg-query", daemon=True
            )
            process.start()
            child_conn.close()
            self.pid = process.pid
            self._kill: Callable[[], None] = process.kill
            self._wait: Callable[[], object] = process.join
        else:
            # Not multiprocessing's spawn or forkserver: they import the caller's main module again
            # in the child, which reruns a script written without ``if __name__ == "__main__"``.
            parent_socket, child_socket = socket.socketpair()
            command = [sys.executable, "-c", "import sys, kg.query as q; q._worker_main(int(sys.argv[1]))"]
            popen = subprocess.Popen(
                [*command, str(child_socket.fileno())], pass_fds=(child_socket.fileno(),), stdin=subprocess.DEVNULL
            )
            child_socket.close()
            self.conn = Connection(parent_socket.detach())
            self.conn.send(source)
            self.pid = popen.pid
            self._kill, self._wait = popen.kill, popen.wait
        self._ended = False
        self._ready = False

    def alive(self) -> bool:
        return not self._ended and not self.conn.closed

    def ask(
        self, request: tuple[str, bool, int | None], timeout: float | None, cancelled: Callable[[], bool] | None
    ) -> tuple[str, object]:
        if not self._ready:
            # Opening the build (parsing it, for rdflib) is no part of the query's time.
            opened = self._receive(None, cancelled)
            if opened[0] != "ready":
                self.kill()
                return opened
            self._ready = True
        self.conn.send(request)
        return self._receive(timeout, cancelled)

    def _receive(self, timeout: float | None, cancelled: Callable[[], bool] | None) -> tuple[str, object]:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            wait = _POLL_SECONDS if cancelled is not None else None
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    self.kill()
                    raise QueryTimeout(f"the query was stopped after {timeout:g} s, its time limit")
                wait = left if wait is None else min(wait, left)
            # The worker's death also makes the pipe readable (at its end): recv then fails.
            if multiprocessing.connection.wait([self.conn], timeout=wait):
                try:
                    reply: tuple[str, object] = self.conn.recv()
                except (EOFError, OSError):
                    self.kill()
                    raise QueryError(
                        "the query's worker process ended unexpectedly (out of memory?); nothing was answered"
                    ) from None
                return reply
            if cancelled is not None and cancelled():
                self.kill()
                raise QueryCancelled("the query was stopped: its answer is no longer wanted")

    def kill(self) -> None:
        """Kill the worker (the OS frees all it holds) and wait for it, so no zombie is left."""
        if not self._ended:
            self._ended = True
            with contextlib.suppress(OSError):
                self._kill()
            self._wait()
            self.conn.close()

    def stop(self) -> None:
        """Ask an idle worker to end, then make sure it has."""
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.kill()


def _worker_main(fd: int) -> None:
    """Entry point of a worker started as a new interpreter: the source comes first on the pipe."""
    conn = Connection(fd)
    try:
        source = conn.recv()
    except (EOFError, OSError):
        return
    _serve_queries(conn, source)


def _serve_queries(conn: Connection, source: Source, parent_end: Connection | None = None) -> None:
    """A worker's loop: answer each (sparql, allow_service, max_rows) until told to stop or orphaned."""
    if parent_end is not None:
        parent_end.close()  # a forked child holds a copy: closed, the parent's death reads as end of pipe
    _die_with_parent()
    try:
        engine = source.open()
    except KgError as e:
        conn.send(("error", str(e)))
        return
    except Exception as e:  # an engine's own failure to open: told in one line
        conn.send(("error", f"{source.path}: cannot be opened: {type(e).__name__}: {_one_line(e)}"))
        return
    conn.send(("ready", None))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        sparql, allow_service, max_rows = request
        try:
            if isinstance(engine, RdflibEngine) and not allow_service:
                _refuse_rdflib_service(sparql)
            result = engine.run(sparql)
            if max_rows is not None and len(result.rows) > max_rows:
                raise QueryError(f"the answer has more than {max_rows} rows; add a LIMIT")
            reply: tuple[str, object] = ("ok", result)
        except KgError as e:
            reply = ("error", str(e))
        except Exception as e:  # an engine's own failure: told in one line, the worker goes on
            reply = ("error", f"the query failed: {type(e).__name__}: {_one_line(e)}")
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return


def _die_with_parent() -> None:
    """On Linux, have the kernel kill this worker when the process that started it dies."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _refuse_rdflib_service(sparql: str) -> None:
    """Second line of defence for rdflib: refuse a SERVICE its own parser finds (check_query read the text)."""
    from rdflib.plugins.sparql import prepareQuery

    try:
        algebra = prepareQuery(sparql, initNs=query_prefixes()).algebra
    except Exception:
        return  # a syntax error: the engine says it, with its position
    stack: list[object] = [algebra]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            if getattr(node, "name", None) == "ServiceGraphPattern":
                raise QueryError("SERVICE is refused: a federated query makes this machine fetch from another address")
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)


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
    keep: tuple[str, ...] = ()  # the columns a narrow table keeps longest, most important first
    every_sentence: Question | None = None  # NAME.all.rq: one row per sentence, for --evidence all

    @property
    def usage(self) -> str:
        return " ".join([self.name, *(a.upper() for a in self.arguments)])


_HEADER = re.compile(r"^#:\s*(?:(arguments|options|keep):\s*)?(.*)$")


def parse_question(name: str, text: str) -> Question:
    """A question file: ``#:`` lines give the description, ``#: arguments:``, ``#: options:`` and ``#: keep:``."""
    description: list[str] = []
    fields: dict[str, tuple[str, ...]] = {"arguments": (), "options": (), "keep": ()}
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
    return Question(name, " ".join(description), fields["arguments"], fields["options"], text, fields["keep"])


@cache
def questions() -> dict[str, Question]:
    """The canned questions shipped in ``kg/queries``, by name."""
    folder = resources.files("kg") / "queries"
    out = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq") and not entry.name.endswith(_EVERY_SENTENCE):
            name = entry.name.removesuffix(".rq")
            question = parse_question(name, entry.read_text(encoding="utf-8"))
            every = folder / f"{name}{_EVERY_SENTENCE}"
            if every.is_file():
                all_name = f"{name}{_EVERY_SENTENCE.removesuffix('.rq')}"
                every_sentence = parse_question(all_name, every.read_text(encoding="utf-8"))
                question = replace(question, every_sentence=every_sentence)
            out[name] = question
    return out


_EVERY_SENTENCE = ".all.rq"
EVIDENCE = ("summary", "all")
PAGE_ROWS = 100


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


# Where no label, alias or code is ``text``: a region's full name (北京市朝阳区: its province's or
# parent's label, or both, before its own), then a former name (湟中县), then a policy's id.
_RESOLVE_FURTHER = {
    "region": (
        """SELECT DISTINCT ?x ?label WHERE {
        ?x a zc:Region ; rdfs:label ?label .
        { ?x zc:partOf/rdfs:label ?upper . BIND(STR(?upper) AS ?before) }
        UNION { ?x zc:partOf ?up . ?up rdfs:label ?upper ; zc:partOf/rdfs:label ?top .
                BIND(CONCAT(STR(?top), STR(?upper)) AS ?before) }
        UNION { ?x zc:province/rdfs:label ?upper . BIND(STR(?upper) AS ?before) }
        FILTER(CONCAT(?before, STR(?label)) = STR(?text))
    } ORDER BY ?x""",
        """SELECT DISTINCT ?x ?label WHERE {
        ?x a zc:Region ; rdfs:label ?label ; zc:formerName ?former . FILTER(STR(?former) = STR(?text))
    } ORDER BY ?x""",
    ),
    "policy": (),
}
_REGION_CHOICE = """SELECT ?x ?label ?code ?province ?parent WHERE {
    ?x rdfs:label ?label . OPTIONAL { ?x zc:adminCode ?code }
    OPTIONAL { ?x zc:province/rdfs:label ?province } OPTIONAL { ?x zc:partOf/rdfs:label ?parent }
}"""
_LABELS = {
    "policy": 'SELECT DISTINCT ?l WHERE { ?x a zc:Policy ; skos:prefLabel|skos:altLabel ?l . FILTER(lang(?l) = "zh") }',
    "region": "SELECT DISTINCT ?l WHERE { ?x a zc:Region ; rdfs:label|skos:altLabel ?l }",
}


def resolve(engine: Engine, kind: str, text: str) -> Term:
    """The one policy or region whose label, alias, code or id is ``text``.

    A region is also found by its full name (its province's or parent's name before its own) or a
    former name. QueryError if none (with the closest names), AmbiguousNameError if several (each
    with its code and where it lies)."""
    from kg.catalog import did_you_mean

    if isinstance(engine, OxigraphEngine) and engine.answers is not None:
        from kg.answers import resolve_name

        iri = resolve_name(engine.answers, kind, text)  # the common case: one label or code, looked up
        if iri is not None:
            return Term.uri(iri)
    bound = {"text": Term.literal(text)}
    found: dict[Term, Term | None] = {}
    for sparql in (_RESOLVE[kind], *_RESOLVE_FURTHER[kind]):
        found = {row[0]: row[1] for row in engine.run(sparql, bound).rows if row[0] is not None}
        if found:
            break
    if not found:
        labels = [row[0].value for row in engine.run(_LABELS[kind]).rows if row[0] is not None]
        raise QueryError(f"no {kind} called {text!r} in this graph{did_you_mean(text, labels)}")
    if len(found) > 1:
        if kind == "region":
            described = [_region_choice(engine, iri) for iri in found]
            choices = "; ".join(choice for choice, _full in described)
            hint = f"give the full name (as {described[0][1]}) or the code"
        else:
            choices = "; ".join(f"{label.value if label else ''} <{iri.value}>" for iri, label in found.items())
            hint = "give its id"
        raise AmbiguousNameError(f"{text!r} names {len(found)} {kind}s: {choices}; {hint}")
    return next(iter(found))


def _region_choice(engine: Engine, region: Term) -> tuple[str, str]:
    """A region told apart from its namesakes by where it lies and its code, and its full name.

    For 朝阳区 of 北京市: ``("朝阳区 (北京市, 110105)", "北京市朝阳区")``.
    """
    rows = engine.run(_REGION_CHOICE, {"x": region}).rows
    if not rows:
        return region.value, region.value
    label, code, province, parent = (t.value if t else "" for t in rows[0][1:])
    where = [p for p in dict.fromkeys((province, parent)) if p and p != label and p != "中华人民共和国"]
    return f"{label} ({', '.join([*where, code] if code else where)})", "".join([*where, label])


# variable each argument or option is bound to in the question files
_VARIABLE = {"policy": "policy", "region": "target", "indicator": "indicatorText"}


class AskOptions(TypedDict, total=False):
    """The options of a canned question (``kg ask``'s), declared once for ``ask`` and ``kg.Graph.ask``.

    ``status``, ``within`` (a region), ``below`` and ``indicator`` (text in its label) narrow the
    answer, where the question takes them. ``evidence="all"`` asks a question that summarises its
    evidence (regions-running: one row per region and status; compare: one per figure) for every
    sentence instead. ``page`` (from 1) returns only that page of ``page_rows`` rows (default
    PAGE_ROWS), and one row more when there is a next page (the caller says so).
    """

    status: str | None
    within: str | None
    below: bool
    indicator: str | None
    evidence: str
    page: int | None
    page_rows: int


def ask(engine: Engine, name: str, arguments: tuple[str, ...] = (), **options: Unpack[AskOptions]) -> Result:
    """Run the canned question ``name`` with its arguments and options (AskOptions) bound as RDF terms."""
    status, within, indicator = options.get("status"), options.get("within"), options.get("indicator")
    below, evidence, page = options.get("below", False), options.get("evidence", "summary"), options.get("page")
    page_rows = options.get("page_rows", PAGE_ROWS)
    q = question(name)
    if evidence not in EVIDENCE:
        raise QueryError(f"no evidence mode {evidence!r}; choose from {', '.join(EVIDENCE)}")
    sparql, asked = q.sparql, q.name
    if evidence == "all":
        if q.every_sentence is None:
            summarised = ", ".join(n for n, other in questions().items() if other.every_sentence is not None)
            raise QueryError(f"{name} lists every sentence already (--evidence all is for {summarised})")
        sparql, asked = q.every_sentence.sparql, q.every_sentence.name
    if page is not None:
        if page < 1 or page_rows < 1:
            raise QueryError("pages are numbered from 1 and hold at least one row")
        sparql = f"{sparql.rstrip()}\nLIMIT {page_rows + 1} OFFSET {(page - 1) * page_rows}\n"
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
        if status not in STATUS:
            raise QueryError(f"no status {status!r}; choose from {', '.join(STATUS)}")
        bindings["statusFilter"] = Term.uri(str(STATUS[status]))
    if within is not None:
        bindings["within"] = resolve(engine, "region", within)
    if below:
        bindings["below"] = Term.literal("true", datatype=str(XSD.boolean))
    if indicator is not None:
        bindings["indicatorText"] = Term.literal(indicator)
    if isinstance(engine, OxigraphEngine) and engine.answers is not None:
        from kg.answers import answer, answers_question

        if answers_question(asked):  # precomputed beside the store: the same answer (tests/test_answers.py)
            rows = None if page is None else (page_rows + 1, (page - 1) * page_rows)
            return answer(engine.answers, asked, bindings, rows)
    return engine.run(sparql, bindings)


def question_keep(name: str, evidence: str = "summary") -> tuple[str, ...]:
    """The columns a narrow table keeps longest for question ``name`` (none for an unknown name)."""
    q = questions().get(name)
    if q is not None and evidence == "all" and q.every_sentence is not None:
        q = q.every_sentence
    return q.keep if q is not None else ()


def split_page(result: Result, page_rows: int = PAGE_ROWS) -> tuple[Result, bool]:
    """A page that ``ask(page=...)`` returned, without its look-ahead row; and whether a next page exists."""
    if len(result.rows) <= page_rows:
        return result, False
    return replace(result, rows=result.rows[:page_rows]), True


def read_query(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise QueryError(f"{path}: cannot read the query: {e}") from None
