"""Tidy tables of a build, for spreadsheets and pandas: ``kg export -f tables``.

One fact a row, every column named:

- ``observations.csv``: every figure (region, code, province, indicator, measure, kind, value,
  unit, qualifier, period, agency, document, sentence, its character offsets, how many sources say it);
- ``adoptions.csv``: every region running, piloting or planning a policy (status, period, agency, evidence);
- ``agencies.csv``: every agency with its jurisdiction and the documents that name it;
- ``regions.csv``: every region and place with code, level, province, parent, coordinates and counts.

A fact several documents state is one row: its evidence is the first of them (by file name, then
position), ``sources`` says how many there are. CSV files are UTF-8 with a byte-order mark (so a
spreadsheet reads the Chinese right) and CRLF line ends; codes, periods and offsets are written as
they are in the graph (codes are text in Parquet). With pyarrow installed (``zhengce-kg[parquet]``)
the same tables are also written as Parquet, with typed columns.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

import pyoxigraph as ox

from kg.export import ExportSource
from kg.ontology import FIGURE_KIND, MEASURE, QUALIFIER, STATUS
from kg.query import OxigraphEngine

_NAME = {str(iri): name for table in (FIGURE_KIND, MEASURE, QUALIFIER, STATUS) for name, iri in table.items()}


@dataclass(frozen=True, slots=True)
class Table:
    """One tidy table: its columns (name, Parquet type) and the SPARQL whose rows it holds."""

    name: str
    columns: tuple[tuple[str, str], ...]  # (column, "string" | "int" | "float")
    sparql: str
    fact: str | None = None  # the column naming the fact, when evidence rows are folded into one row

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _type in self.columns)


_EVIDENCE = """
  ?fact zc:evidence ?ev . ?ev zc:text ?sentence ; zc:start ?start ; zc:end ?end ; zc:source/zc:sourceFile ?document ."""
_WHERE = """
  ?r rdfs:label ?region . OPTIONAL { ?r zc:adminCode ?code } OPTIONAL { ?r zc:province/rdfs:label ?province }
  OPTIONAL { ?fact zc:period ?period } OPTIONAL { ?fact zc:agency/rdfs:label ?agency }"""

# The columns every fact table ends with: when and by whom, and its first evidence (how many sources).
_FACT_COLUMNS = (
    ("period", "string"),
    ("agency", "string"),
    ("document", "string"),
    ("sentence", "string"),
    ("start", "int"),
    ("end", "int"),
    ("sources", "int"),
)

TABLES = {
    "observations": Table(
        "observations",
        (
            ("observation", "string"),
            ("region", "string"),
            ("code", "string"),
            ("province", "string"),
            ("indicator", "string"),
            ("measure", "string"),
            ("kind", "string"),
            ("value", "float"),
            ("unit", "string"),
            ("qualifier", "string"),
            *_FACT_COLUMNS,
        ),
        """SELECT ?observation ?region ?code ?province ?indicator ?measure ?kind ?value ?unit ?qualifier ?period
               ?agency ?document ?sentence ?start ?end WHERE {
  ?fact zc:indicator ?i ; zc:region ?r ; zc:value ?value ; zc:unit ?unit ; zc:qualifier ?qualifier ;
        zc:measure ?measure ; zc:figureKind ?kind .
  ?i rdfs:label ?indicator . BIND(?fact AS ?observation)"""
        + _WHERE
        + _EVIDENCE
        + "\n}",
        "observation",
    ),
    "adoptions": Table(
        "adoptions",
        (
            ("adoption", "string"),
            ("region", "string"),
            ("code", "string"),
            ("province", "string"),
            ("policy", "string"),
            ("policy_id", "string"),
            ("status", "string"),
            *_FACT_COLUMNS,
        ),
        """SELECT ?adoption ?region ?code ?province ?policy ?policy_id ?status ?period ?agency ?document ?sentence
               ?start ?end WHERE {
  ?fact zc:policy ?p ; zc:region ?r ; zc:status ?status . BIND(?fact AS ?adoption)
  ?p skos:prefLabel ?policy . FILTER(lang(?policy) = "zh") BIND(STRAFTER(STR(?p), "/policy/") AS ?policy_id)"""
        + _WHERE
        + _EVIDENCE
        + "\n}",
        "adoption",
    ),
    "agencies": Table(
        "agencies",
        (
            ("agency_iri", "string"),
            ("agency", "string"),
            ("jurisdiction", "string"),
            ("code", "string"),
            ("province", "string"),
            ("documents", "int"),
        ),
        """SELECT ?agency_iri ?agency ?jurisdiction ?code ?province (COUNT(DISTINCT ?d) AS ?documents) WHERE {
  ?agency_iri a zc:Agency ; rdfs:label ?agency .
  OPTIONAL { ?agency_iri zc:jurisdiction ?j . ?j rdfs:label ?jurisdiction .
             OPTIONAL { ?j zc:adminCode ?code } OPTIONAL { ?j zc:province/rdfs:label ?province } }
  OPTIONAL { ?d zc:mentions ?agency_iri }
} GROUP BY ?agency_iri ?agency ?jurisdiction ?code ?province""",
    ),
    "regions": Table(
        "regions",
        (
            ("region_iri", "string"),
            ("region", "string"),
            ("code", "string"),
            ("level", "string"),
            ("province", "string"),
            ("parent", "string"),
            ("parent_code", "string"),
            ("longitude", "float"),
            ("latitude", "float"),
            ("adoptions", "int"),
            ("observations", "int"),
            ("documents", "int"),
        ),
        """SELECT ?region_iri ?region ?code ?level ?province ?parent ?parent_code ?longitude ?latitude
       ?adoptions ?observations ?documents WHERE {
  ?region_iri a zc:Region ; rdfs:label ?region .
  OPTIONAL { ?region_iri zc:adminCode ?code } OPTIONAL { ?region_iri zc:adminLevel ?level }
  OPTIONAL { ?region_iri zc:province/rdfs:label ?province }
  OPTIONAL { ?region_iri zc:partOf ?up . ?up rdfs:label ?parent . OPTIONAL { ?up zc:adminCode ?parent_code } }
  OPTIONAL { ?region_iri zc:longitude ?longitude ; zc:latitude ?latitude }
  OPTIONAL { SELECT ?region_iri (COUNT(?a) AS ?na) WHERE { ?a zc:policy ?p ; zc:region ?region_iri }
             GROUP BY ?region_iri }
  OPTIONAL { SELECT ?region_iri (COUNT(?o) AS ?no) WHERE { ?o zc:indicator ?i ; zc:region ?region_iri }
             GROUP BY ?region_iri }
  OPTIONAL { SELECT ?region_iri (COUNT(?d) AS ?nd) WHERE { ?d zc:mentions ?region_iri } GROUP BY ?region_iri }
  BIND(COALESCE(?na, 0) AS ?adoptions) BIND(COALESCE(?no, 0) AS ?observations) BIND(COALESCE(?nd, 0) AS ?documents)
}""",
    ),
}


def table_rows(store: ox.Store, table: Table) -> list[tuple[str, ...]]:
    """The table's rows as text, sorted (one row a fact: the first evidence of each, and how many)."""
    result = OxigraphEngine(store).run(table.sparql)
    rows = [tuple(_text(t) for t in row) for row in result.rows]
    if table.fact is None:
        return sorted(rows)
    fact = result.variables.index(table.fact)
    document, start = result.variables.index("document"), result.variables.index("start")
    end = result.variables.index("end")
    first: dict[str, tuple[str, ...]] = {}
    sources: dict[str, set[tuple[str, str, str]]] = {}
    for row in sorted(rows, key=lambda r: (r[fact], r[document], int(r[start] or 0), r)):
        first.setdefault(row[fact], row)
        sources.setdefault(row[fact], set()).add((row[document], row[start], row[end]))
    return sorted((*row, str(len(sources[key]))) for key, row in first.items())


def _text(term: object) -> str:
    from kg.query import Term

    if not isinstance(term, Term):
        return ""
    return _NAME.get(term.value, term.value)


def write_csv(table: Table, source: ExportSource, out: BinaryIO) -> None:
    """The table as CSV: UTF-8 with a byte-order mark, a header naming every column, CRLF line ends."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(table.names)
    writer.writerows(table_rows(source.store, table))
    out.write(text.getvalue().encode("utf-8-sig"))


def write_parquet(table: Table, source: ExportSource, out: BinaryIO) -> None:
    """The table as Parquet (pyarrow): codes and periods as strings, values as doubles, counts as integers."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        from kg.errors import ExportError

        raise ExportError("Parquet tables need pyarrow: pip install 'zhengce-kg[parquet]'") from None
    rows = table_rows(source.store, table)
    types = {"string": pa.string(), "int": pa.int64(), "float": pa.float64()}
    convert: dict[str, Callable[[str], object]] = {"string": str, "int": int, "float": float}
    columns = {
        name: pa.array([convert[kind](row[i]) if row[i] != "" else None for row in rows], type=types[kind])
        for i, (name, kind) in enumerate(table.columns)
    }
    pq.write_table(pa.table(columns), out)


def _writer(name: str, kind: str) -> Callable[[ExportSource, BinaryIO], None]:
    table = TABLES[name]

    def write(source: ExportSource, out: BinaryIO) -> None:
        (write_csv if kind == "csv" else write_parquet)(table, source, out)

    write.__name__ = f"write_{name}_{kind}"
    return write


# The writers the format registry (kg/formats.py) names, one a file.
write_observations_csv = _writer("observations", "csv")
write_adoptions_csv = _writer("adoptions", "csv")
write_agencies_csv = _writer("agencies", "csv")
write_regions_csv = _writer("regions", "csv")
write_observations_parquet = _writer("observations", "parquet")
write_adoptions_parquet = _writer("adoptions", "parquet")
write_agencies_parquet = _writer("agencies", "parquet")
write_regions_parquet = _writer("regions", "parquet")
