"""The Python API: open a build and ask it questions, run SPARQL, look things up; build a corpus.

>>> import kg
>>> g = kg.open("exports")                                  # doctest: +SKIP
>>> rows = g.ask("regions-running", "免申即享")              # doctest: +SKIP
>>> rows.to_pandas()                                        # doctest: +SKIP

The ``kg`` command is a thin shell over these functions: ``kg ask`` is ``Graph.ask``, ``kg query``
``Graph.query``, ``kg list`` ``Graph.list``, ``kg stats`` ``Graph.stats``, ``kg build`` ``build``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Unpack, overload

from kg.catalog import KEEP, Stats, listing, stats
from kg.errors import QueryError
from kg.query import (
    DEFAULT_TIMEOUT,
    AskOptions,
    Engine,
    QueryRunner,
    Result,
    ask,
    open_source,
    question_keep,
    resolve,
)

if TYPE_CHECKING:
    import pandas

    from kg.pipeline import BuildReport

__all__ = ["Graph", "Region", "Rows", "build", "open"]


class Rows(Sequence[tuple[object, ...]]):
    """The rows of an answer: tuples of Python values (str, int, float, bool, None), named by ``columns``.

    ``print(rows)`` shows a table fitted to the terminal; ``rows.to_pandas()`` gives a DataFrame
    (pandas installed); ``rows.dicts()`` a list of dicts; ``rows.result`` the RDF terms themselves.
    An ASK's answer is in ``boolean``, a CONSTRUCT's N-Triples in ``triples``.
    """

    def __init__(self, result: Result, keep: Sequence[str] = ()) -> None:
        from kg.results import value

        self.result = result
        self.columns: tuple[str, ...] = result.variables
        self.boolean = result.boolean
        self.triples = result.triples
        self._keep = tuple(keep)
        self._rows = [tuple(value(t) for t in row) for row in result.rows]

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> tuple[object, ...]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[tuple[object, ...]]: ...
    def __getitem__(self, index: int | slice) -> tuple[object, ...] | Sequence[tuple[object, ...]]:
        return self._rows[index]

    def __iter__(self) -> Iterator[tuple[object, ...]]:
        return iter(self._rows)

    def dicts(self) -> list[dict[str, object]]:
        """Each row as a dict of column -> value."""
        return [dict(zip(self.columns, row, strict=True)) for row in self._rows]

    def to_pandas(self) -> pandas.DataFrame:
        """The rows as a pandas DataFrame (codes and periods stay text; needs pandas installed)."""
        try:
            import pandas
        except ImportError:
            raise QueryError("to_pandas needs pandas: pip install pandas") from None
        return pandas.DataFrame(self._rows, columns=list(self.columns))

    def render(self, fmt: str = "table", **options: Any) -> str:
        """The rows as text in a format of kg.results (table, csv, tsv, json, jsonl)."""
        from kg.results import render

        return render(self.result, fmt, **{"keep": self._keep, **options})

    def __str__(self) -> str:
        from kg.terminal import terminal_width

        return self.render(width=terminal_width() or 100).rstrip("\n")

    def __repr__(self) -> str:
        return self.__str__()


@dataclass(frozen=True, slots=True)
class Region:
    """A region of the build: its IRI, label, code, level, province and the region it is part of."""

    iri: str
    label: str
    code: str | None
    level: str | None
    province: str | None
    parent: str | None


_REGION = """SELECT ?label ?code ?level ?province ?parent WHERE {
    ?x rdfs:label ?label . OPTIONAL { ?x zc:adminCode ?code } OPTIONAL { ?x zc:adminLevel ?level }
    OPTIONAL { ?x zc:province/rdfs:label ?province } OPTIONAL { ?x zc:partOf/rdfs:label ?parent }
}"""


class Graph:
    """A published build, opened for questions (``kg.open(export_dir)``).

    Args:
        export_dir: the folder ``kg build --out`` wrote.
        engine: ``auto`` (the build's Oxigraph store if there is one, else rdflib over its
            N-Triples), ``oxigraph`` or ``rdflib``.
        timeout: seconds a ``query`` may run (None: no limit).
        allow_service: let ``query`` run SERVICE (federated queries to other hosts).

    Canned questions and lookups run in this process; ``query`` (SPARQL from anyone) runs in a
    worker process stopped at its timeout (kg.query.QueryRunner). ``close()`` (or ``with``)
    releases the worker and the store.
    """

    def __init__(
        self,
        export_dir: str | Path = "exports",
        *,
        engine: str = "auto",
        timeout: float | None = DEFAULT_TIMEOUT,
        allow_service: bool = False,
    ) -> None:
        self.export_dir = Path(export_dir)
        self.source = open_source(self.export_dir, engine)
        self.timeout = timeout
        self.allow_service = allow_service
        self._engine: Engine | None = None
        self._runner: QueryRunner | None = None

    @property
    def engine(self) -> Engine:
        """The build opened in this process (on first use)."""
        if self._engine is None:
            self._engine = self.source.open()
        return self._engine

    def ask(self, name: str, *arguments: str, **options: Unpack[AskOptions]) -> Rows:
        """Answer the canned question ``name`` (kg ask lists them), e.g. ``ask("regions-running", "免申即享")``.

        The options are ``kg.query.AskOptions``: ``status``, ``within``, ``below``, ``indicator``;
        ``evidence="all"``: every sentence instead of a summary (regions-running, compare); ``page``: that page of
        ``page_rows`` rows, with one row more when there is a next page (``kg.query.split_page``).
        """
        result = ask(self.engine, name, arguments, **options)
        return Rows(result, question_keep(name, options.get("evidence", "summary")))

    def query(self, sparql: str, *, timeout: float | None = None) -> Rows:
        """Run SPARQL (the project's prefixes predeclared; read-only; SERVICE refused unless allowed)."""
        if self._runner is None:
            self._runner = QueryRunner(self.source, timeout=self.timeout, allow_service=self.allow_service)
        return Rows(self._runner.run(sparql, timeout=timeout))

    def region(self, name: str) -> Region:
        """The region called ``name`` (label, alias, code, full name 北京市朝阳区, or former name)."""
        iri = resolve(self.engine, "region", name)
        label, code, level, province, parent = (
            t.value if t else None for t in self.engine.run(_REGION, {"x": iri}).rows[0]
        )
        return Region(iri.value, label or name, code, level, province, parent)

    def list(self, kind: str, text: str | None = None) -> Rows:
        """The regions, policies, agencies, indicators or documents of the build (containing ``text``)."""
        return Rows(listing(self.engine, kind, text), KEEP.get(kind, ()))

    def stats(self) -> Stats:
        """Counts of every kind of thing in the build, its triples and when it was built."""
        return stats(self.engine, self.export_dir)

    def close(self) -> None:
        """Stop the query worker and close the store."""
        if self._runner is not None:
            self._runner.close()
            self._runner = None
        self._engine = None

    def __enter__(self) -> Graph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<kg.Graph {self.export_dir} ({self.source.engine})>"


def open(  # kg.open, as tarfile.open and shelve.open
    export_dir: str | Path = "exports",
    *,
    engine: str = "auto",
    timeout: float | None = DEFAULT_TIMEOUT,
    allow_service: bool = False,
) -> Graph:
    """Open the build in ``export_dir`` (what ``kg build --out`` wrote) for questions; see Graph."""
    return Graph(export_dir, engine=engine, timeout=timeout, allow_service=allow_service)


def build(
    corpus: str | Path = "corpus",
    out: str | Path = "exports",
    *,
    jobs: int = 1,
    strict: bool = False,
    use_cache: bool = True,
    allow_empty: bool = False,
) -> BuildReport:
    """Build the graph of ``corpus`` into ``out``, as ``kg build`` does; returns its report.

    Args:
        corpus: a folder of .txt files (and an optional metadata.json).
        out: the export folder (created if missing); its previous export is replaced only whole.
        jobs: worker processes for extraction.
        strict: fail, writing nothing, if any file cannot be read or fails in extraction.
        use_cache: take unchanged files' triples from ``out/.kg-cache``.
        allow_empty: build even a corpus without a single text file (else an error, nothing written).
    """
    from kg.pipeline import build as run_build

    return run_build(Path(corpus), Path(out), jobs=jobs, strict=strict, use_cache=use_cache, allow_empty=allow_empty)
