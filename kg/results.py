"""Query results as text: an aligned table for people, CSV/TSV/JSON for pipes and notebooks.

- ``table``: URIs shortened with the project's prefixes, line breaks inside a sentence removed,
  cells cut to ``max_width`` display columns (a Chinese character is two columns wide), and the
  whole table fitted to the terminal's width (``width``): the longest, least important columns
  are cut first, and columns that cannot fit at all are left out and named under the table.
- ``csv``: SPARQL 1.1 Query Results CSV (full URIs, plain values, CRLF line ends).
- ``tsv``: plain values as in CSV, with tab, newline and backslash escaped as ``\\t \\n \\\\`` so each
  row is one line (the SPARQL TSV format's Turtle-style terms are awkward in ``cut`` and pandas).
- ``json``: SPARQL 1.1 Query Results JSON.
- ``jsonl``: one flat JSON object a row (variable -> plain value; numbers and booleans as JSON
  numbers and booleans, unbound as null), for ``jq`` and ``pandas.read_json(lines=True)``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from kg.ontology import READING_PREFIX_IRIS
from kg.query import Result, Term
from kg.terminal import clip, display_width, pad

FORMATS = ("table", "csv", "tsv", "json", "jsonl")
_NUMERIC = ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger")
_INTEGERS = ("integer", "int", "long", "nonNegativeInteger")
MIN_COLUMN = 12  # a column narrower than its content is not cut below this (its content if shorter)


def render(
    result: Result,
    fmt: str = "table",
    *,
    max_width: int = 60,
    width: int | None = None,
    limit: int | None = None,
    keep: Sequence[str] = (),
    colour: bool = False,
) -> str:
    """``result`` in ``fmt``; CONSTRUCT/DESCRIBE results are N-Triples whatever the format.

    Args:
        result: the answer to render.
        fmt: one of FORMATS.
        max_width: cut table cells to this many columns (0: never, and no fitting either).
        width: fit the table to this many columns (None: no fitting; see kg.terminal.terminal_width).
        limit: only the first rows (a table says how many there were).
        keep: the columns a narrow table keeps longest, most important first (others after, left first).
        colour: bold headers and dim rules (for a terminal).
    """
    if result.triples is not None:
        return result.triples.decode("utf-8")
    total = len(result.rows)
    if limit is not None and total > limit:
        result = Result(result.variables, result.rows[:limit], engine=result.engine)
    if fmt == "json":
        return _json(result) + "\n"
    if result.boolean is not None:
        return ("true" if result.boolean else "false") + "\n"
    if fmt == "csv":
        return _csv(result)
    if fmt == "tsv":
        return _tsv(result)
    if fmt == "jsonl":
        return _jsonl(result)
    return _table(result, max_width, width=width if max_width else None, total=total, keep=keep, colour=colour)


def value(term: Term | None) -> object:
    """The Python value of a term: int, float or bool for numeric and boolean literals, else its plain text."""
    if term is None:
        return None
    kind = (term.datatype or "").rsplit("#", 1)[-1] if term.kind == "literal" else ""
    try:
        if kind in _INTEGERS:
            return int(term.value)
        if kind in _NUMERIC:
            return float(term.value)
    except ValueError:
        return term.value
    if kind == "boolean":
        return term.value in ("true", "1")
    return plain(term)


def _jsonl(result: Result) -> str:
    lines = [
        json.dumps(dict(zip(result.variables, map(value, row), strict=True)), ensure_ascii=False) for row in result.rows
    ]
    return "".join(line + "\n" for line in lines)


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


def _table(
    result: Result,
    max_width: int,
    *,
    width: int | None = None,
    total: int | None = None,
    keep: Sequence[str] = (),
    colour: bool = False,
) -> str:
    header = list(result.variables)
    cells = [[clip(_short(t), max_width) for t in row] for row in result.rows]
    numeric = [
        bool(result.rows) and all(t is None or (t.datatype or "").rsplit("#", 1)[-1] in _NUMERIC for t in col)
        for col in zip(*result.rows, strict=True)
    ] or [False] * len(header)
    natural = [max([display_width(h), *(display_width(r[i]) for r in cells)]) for i, h in enumerate(header)]
    shown, widths = fit_columns(header, natural, width, keep)
    rule = "\x1b[2m{}\x1b[0m" if colour else "{}"
    bold = "\x1b[1m{}\x1b[0m" if colour else "{}"
    lines = ["  ".join(bold.format(pad(clip(header[i], widths[i]), widths[i])) for i in shown).rstrip()]
    lines.append(rule.format("  ".join("-" * widths[i] for i in shown)))
    for row in cells:
        lines.append("  ".join(pad(clip(row[i], widths[i]), widths[i], right=numeric[i]) for i in shown).rstrip())
    lines.append(_footer(len(result.rows), total, [header[i] for i in range(len(header)) if i not in shown]))
    return "\n".join(lines) + "\n"


def _footer(rows: int, total: int | None, hidden: list[str]) -> str:
    counted = f"{rows} row{'s' if rows != 1 else ''}"
    text = f"{rows} of {total} rows" if total is not None and total > rows else counted
    if hidden:
        text += f"; hidden to fit: {', '.join(hidden)}"
    return f"({text})"


def fit_columns(
    header: Sequence[str], natural: Sequence[int], width: int | None, keep: Sequence[str] = ()
) -> tuple[list[int], list[int]]:
    """Which columns to show, and how wide, for a table to fit ``width`` display columns.

    Columns are ranked: those named in ``keep`` first, in its order, then the others left to right.
    While even the narrowest table (each column cut to MIN_COLUMN, or its content if shorter) is
    too wide, the lowest-ranked column is left out. Then columns are cut, lowest-ranked first,
    down to that minimum, until the table fits. Returns the shown columns' indices (in their
    order) and every column's width.

    >>> fit_columns(["region", "sentence"], [8, 40], 30)
    ([0, 1], [8, 20])
    """
    widths = list(natural)
    if width is None:
        return list(range(len(header))), widths
    rank = [header.index(name) for name in keep if name in header]
    rank += [i for i in range(len(header)) if i not in rank]
    smallest = [min(n, MIN_COLUMN) for n in natural]
    shown = list(rank)

    def spacing() -> int:
        return 2 * (len(shown) - 1)

    while len(shown) > 1 and sum(smallest[i] for i in shown) + spacing() > width:
        shown.pop()
    excess = sum(widths[i] for i in shown) + spacing() - width
    for i in reversed(shown):
        if excess <= 0:
            break
        cut = min(excess, widths[i] - smallest[i])
        widths[i] -= cut
        excess -= cut
    return sorted(shown), widths
