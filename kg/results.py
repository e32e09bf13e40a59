"""Query results as text: an aligned table for people, CSV/TSV/JSON for pipes and notebooks.

- ``table``: URIs shortened with the project's prefixes, line breaks inside a sentence removed,
  cells cut to ``max_width`` display columns (a Chinese character is two columns wide).
- ``csv``: SPARQL 1.1 Query Results CSV (full URIs, plain values, CRLF line ends).
- ``tsv``: plain values as in CSV, with tab, newline and backslash escaped as ``\\t \\n \\\\`` so each
  row is one line (the SPARQL TSV format's Turtle-style terms are awkward in ``cut`` and pandas).
- ``json``: SPARQL 1.1 Query Results JSON.
"""

from __future__ import annotations

import csv
import io
import json

from kg.ontology import READING_PREFIX_IRIS
from kg.query import Result, Term
from kg.terminal import clip, display_width, pad

FORMATS = ("table", "csv", "tsv", "json")
_NUMERIC = ("integer", "decimal", "double", "float", "int", "long")


def render(result: Result, fmt: str = "table", *, max_width: int = 60) -> str:
    """``result`` in ``fmt``; CONSTRUCT/DESCRIBE results are N-Triples whatever the format."""
    if result.triples is not None:
        return result.triples.decode("utf-8")
    if fmt == "json":
        return _json(result) + "\n"
    if result.boolean is not None:
        return ("true" if result.boolean else "false") + "\n"
    if fmt == "csv":
        return _csv(result)
    if fmt == "tsv":
        return _tsv(result)
    return _table(result, max_width)


def plain(term: Term | None) -> str:
    """The value as CSV has it: the URI, the literal's lexical form, ``_:id`` for a blank node."""
    if term is None:
        return ""
    return f"_:{term.value}" if term.kind == "bnode" else term.value


def _json_term(term: Term) -> dict[str, str]:
    out = {"type": term.kind, "value": term.value}
    if term.lang:
        out["xml:lang"] = term.lang
    elif term.datatype:
        out["datatype"] = term.datatype
    return out


def _json(result: Result) -> str:
    if result.boolean is not None:
        return json.dumps({"head": {}, "boolean": result.boolean})
    bindings = [
        {var: _json_term(t) for var, t in zip(result.variables, row, strict=True) if t is not None}
        for row in result.rows
    ]
    doc = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, indent=1)


def _csv(result: Result) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(result.variables)
    writer.writerows([plain(t) for t in row] for row in result.rows)
    return buf.getvalue()


def _escape_tsv(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _tsv(result: Result) -> str:
    lines = ["\t".join(result.variables)]
    lines += ["\t".join(_escape_tsv(plain(t)) for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


_SHORT = sorted(READING_PREFIX_IRIS.items(), key=lambda x: -len(x[1]))


def _short(term: Term | None) -> str:
    if term is None:
        return ""
    if term.kind == "uri":
        prefix = next(((p, ns) for p, ns in _SHORT if term.value.startswith(ns)), None)
        return f"{prefix[0]}:{term.value[len(prefix[1]) :]}" if prefix else f"<{term.value}>"
    return plain(term).replace("\r", "").replace("\n", "")


def _table(result: Result, max_width: int) -> str:
    header = list(result.variables)
    cells = [[clip(_short(t), max_width) for t in row] for row in result.rows]
    numeric = [
        bool(result.rows) and all(t is None or (t.datatype or "").rsplit("#", 1)[-1] in _NUMERIC for t in col)
        for col in zip(*result.rows, strict=True)
    ] or [False] * len(header)
    widths = [max([display_width(h), *(display_width(r[i]) for r in cells)]) for i, h in enumerate(header)]
    lines = ["  ".join(pad(h, w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(pad(c, w, right=n) for c, w, n in zip(row, widths, numeric, strict=True)).rstrip())
    n = len(result.rows)
    lines.append(f"({n} row{'s' if n != 1 else ''})")
    return "\n".join(lines) + "\n"
