"""User-written SPARQL, checked before an engine sees it, and its errors told with line, column and a caret.

``check_query`` reads the query's tokens (comments, strings and IRIs told apart from keywords, so
``"SERVICE"`` in a string or ``# SERVICE`` in a comment is no federated query) and refuses:

- an update (INSERT, DELETE, LOAD ...): the graph is opened read-only;
- ``SERVICE`` unless allowed: a federated query makes this machine send requests to any address
  the query names (both Oxigraph and rdflib do it; rdflib even reads ``\\u0053ERVICE`` as SERVICE,
  so the check reads the query with its codepoint escapes both kept and replaced);
- a prefixed name whose prefix is neither declared in the query nor predeclared, naming it
  (``unknown prefix foo:``) where the engines answer with a wall of Unicode ranges.

``syntax_error`` turns an engine's position into a message that shows the query's line with a caret
under the column, wide (Chinese) characters counted as two columns.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from kg.errors import QueryError
from kg.terminal import display_width

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7]+)
  | (?P<bnode>_:[\w.\-]*)
  | (?P<pname>(?:[^\W\d_][\w.\-\u00b7]*)?:[\w.\-:%\\\u00b7]*)
  | (?P<word>[^\W\d][\w]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_UPDATES = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # ws, comment, string, iri, var, bnode, pname, word, other
    text: str
    start: int  # character offset in the query


def tokens(sparql: str) -> Iterator[Token]:
    """The query's tokens, whitespace and comments included (enough to tell keywords from text)."""
    for m in _TOKEN.finditer(sparql):
        kind = m.lastgroup
        assert kind is not None
        yield Token(kind, m.group(), m.start())


def _significant(sparql: str) -> list[Token]:
    return [t for t in tokens(sparql) if t.kind not in ("ws", "comment")]


def unescape_codepoints(sparql: str) -> str:
    """The query with ``\\uXXXX`` and ``\\UXXXXXXXX`` replaced, as SPARQL 1.1 (and rdflib) reads them first."""

    def char(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF else m.group()

    return _ESCAPE.sub(char, sparql)


def check_query(sparql: str, prefixes: Mapping[str, str], *, allow_service: bool = False) -> None:
    """Raise QueryError if ``sparql`` is an update, uses SERVICE (unless allowed) or an undeclared prefix.

    Args:
        sparql: the query as the user wrote it.
        prefixes: the predeclared prefixes (name without colon -> namespace IRI).
        allow_service: let SERVICE through (federated queries send requests to other hosts).

    Syntax is the engine's to check; this only reads tokens, so it accepts what an engine would
    refuse, never the other way round.
    """
    significant = _significant(sparql)
    _check_not_update(sparql, significant)
    if not allow_service:
        for text in dict.fromkeys((sparql, unescape_codepoints(sparql))):
            for t in _significant(text) if text is not sparql else significant:
                if t.kind == "word" and t.text.upper() == "SERVICE":
                    raise located_error(
                        text,
                        t.start,
                        "SERVICE is refused: a federated query makes this machine fetch from the address it names"
                        " (allow it with --allow-service)",
                    )
    declared = set(prefixes)
    for i, t in enumerate(significant):
        if t.kind == "pname":
            name = t.text.split(":", 1)[0]
            after_prefix = i > 0 and significant[i - 1].kind == "word" and significant[i - 1].text.upper() == "PREFIX"
            if after_prefix:
                declared.add(name)
            elif name not in declared:
                known = ", ".join(f"{p}:" for p in sorted(prefixes))
                raise located_error(
                    sparql,
                    t.start,
                    f"unknown prefix {name}: (declare it, PREFIX {name}: <...>, or use a predeclared one: {known})",
                )


def _check_not_update(sparql: str, significant: list[Token]) -> None:
    i = 0
    while i < len(significant):
        word = significant[i].text.upper() if significant[i].kind == "word" else ""
        if word == "PREFIX":
            i += 3  # PREFIX name: <iri>
        elif word == "BASE":
            i += 2
        else:
            if word in _UPDATES:
                raise located_error(sparql, significant[i].start, "updates are refused: the graph is opened read-only")
            return


def position(sparql: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a character offset."""
    line = sparql.count("\n", 0, offset) + 1
    column = offset - (sparql.rfind("\n", 0, offset) + 1) + 1
    return line, column


def offset_of(sparql: str, line: int, column: int) -> int:
    """The character offset of a 1-based line and column (clamped to the text)."""
    lines = sparql.split("\n")
    line = min(max(line, 1), len(lines))
    start = sum(len(x) + 1 for x in lines[: line - 1])
    return min(start + max(column, 1) - 1, start + len(lines[line - 1]))


def located_error(sparql: str, offset: int, reason: str) -> QueryError:
    """A QueryError saying where in the query: ``at line L, column C: reason``, the line and a caret."""
    line, column = position(sparql, offset)
    text = sparql.split("\n")[line - 1].replace("\t", " ").rstrip("\r")
    gutter = f"{line} | "
    caret = " " * (len(gutter) - 2) + "| " + " " * display_width(text[: column - 1]) + "^"
    return QueryError(f"SPARQL error at line {line}, column {column}: {reason}\n{gutter}{text}\n{caret}")


_OXIGRAPH_POSITION = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.DOTALL)


def engine_syntax_error(sparql: str, message: str, line: int | None = None, column: int | None = None) -> QueryError:
    """An engine's syntax error as a located one: the token found there, or the end of the query.

    Oxigraph says ``error at L:C: expected one of ...`` (the furthest point its parser reached, and a
    list of what it tried, Unicode ranges included); rdflib (pyparsing) gives line and column.
    """
    if line is None or column is None:
        m = _OXIGRAPH_POSITION.match(message)
        if m is None:
            return QueryError(f"SPARQL syntax error: {' '.join(message.split())}")
        line, column, message = int(m.group(1)), int(m.group(2)), m.group(3)
        if "Prefix not found" not in message:
            # Oxigraph's parser backtracks and reports the furthest point it reached, often the end
            # of the query; pyparsing (rdflib's) reports where the construct that failed begins.
            line, column = _rdflib_position(sparql) or (line, column)
    offset = offset_of(sparql, line, column)
    if "Prefix not found" in message:
        name = re.search(r"([^\W\d_][\w.\-]*)?:[\w.\-:%\\]*$", sparql[:offset])
        if name is not None:
            return located_error(sparql, name.start(), f"unknown prefix {name.group(1) or ''}:")
    rest = sparql[offset:].lstrip()
    if not rest:
        return located_error(sparql, offset, "syntax error: the query ends too early")
    found = next(t for t in tokens(rest) if t.kind != "ws")
    return located_error(sparql, len(sparql) - len(rest), f"syntax error: unexpected {found.text[:40]!r}")


def _rdflib_position(sparql: str) -> tuple[int, int] | None:
    """Where rdflib's parser stops reading ``sparql`` (parsing only; nothing is evaluated)."""
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parseQuery(sparql)
    except Exception as e:  # pyparsing's ParseException, or rdflib's own
        line, column = getattr(e, "lineno", None), getattr(e, "col", None)
        if isinstance(line, int) and isinstance(column, int):
            return line, column
    return None
