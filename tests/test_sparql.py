"""User-written SPARQL is checked before it runs: updates, SERVICE and unknown prefixes refused, told with a caret."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.errors import QueryError
from kg.query import query_prefixes
from kg.sparql import check_query, engine_syntax_error, located_error, unescape_codepoints

ROOT = Path(__file__).resolve().parent.parent
PREFIXES = query_prefixes()


def _refusal(sparql: str, *, allow_service: bool = False) -> str:
    with pytest.raises(QueryError) as e:
        check_query(sparql, PREFIXES, allow_service=allow_service)
    return str(e.value)


# fmt: off
SERVICE_QUERIES = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { service silent <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } VALUES ?endpoint { <http://x/> } }",
    "SELECT * WHERE {\n  # a comment\n  ?s ?p ?o .\n  SERVICE<http://x/>{ ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <http://x/> { ?s ?p ?o } }",  # rdflib reads the escape as S
    "SELECT * WHERE { FILTER(?x<0||true) SERVICE <http://x/> { ?s ?p ?o } }",
]
# fmt: on


@pytest.mark.parametrize("sparql", SERVICE_QUERIES)
def test_sparql_service_is_refused(sparql: str) -> None:
    """A SERVICE keyword, in any case, spacing or escape, is refused with its position."""
    message = _refusal(sparql)
    assert "SERVICE is refused" in message
    assert "--allow-service" in message
    check_query(sparql, PREFIXES, allow_service=True)  # allowed, it passes


# fmt: off
NOT_SERVICE_QUERIES = [
    'SELECT * WHERE { ?s ?p "SERVICE <http://x/> { }" }',
    "SELECT * WHERE { ?s ?p '''a\nSERVICE <x> {}''' }",
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> { }",
    "SELECT ?service WHERE { ?service ?p <http://example.org/SERVICE> }",
    "PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:SERVICE ?o }",
]
# fmt: on


@pytest.mark.parametrize("sparql", NOT_SERVICE_QUERIES)
def test_sparql_service_in_text_is_no_service(sparql: str) -> None:
    """SERVICE in a string, comment, IRI, variable or prefixed name is no federated query."""
    check_query(sparql, PREFIXES)


def test_sparql_service_refusal_points_at_the_keyword() -> None:
    """The refusal shows the line and a caret under SERVICE."""
    message = _refusal("SELECT * WHERE {\n  ?s ?p ?o .\n  SERVICE <http://x/> { ?s ?p ?o } }")
    lines = message.splitlines()
    assert lines[0].startswith("SPARQL error at line 3, column 3: SERVICE is refused")
    assert lines[1] == "3 |   SERVICE <http://x/> { ?s ?p ?o } }"
    assert lines[2].index("^") == lines[1].index("SERVICE")


@pytest.mark.parametrize("prefix", ["foo", "区划", ""])
def test_sparql_unknown_prefix_is_named(prefix: str) -> None:
    """An undeclared prefix is named, with where it is; a declared one passes."""
    message = _refusal(f"SELECT * WHERE {{ ?s {prefix}:bar ?o }}")
    assert message.startswith(f"SPARQL error at line 1, column 21: unknown prefix {prefix}:")
    check_query(f"PREFIX {prefix}: <http://example.org/>\nSELECT * WHERE {{ ?s {prefix}:bar ?o }}", PREFIXES)


def test_sparql_predeclared_prefixes_pass() -> None:
    """Every predeclared prefix may be used undeclared; blank nodes are no prefixes."""
    body = " ".join(f"?s {name}:x _:b{i} ." for i, name in enumerate(PREFIXES))
    check_query(f"SELECT * WHERE {{ {body} }}", PREFIXES)


def test_sparql_readme_lists_the_predeclared_prefixes() -> None:
    """The README's list of predeclared prefixes is the code's, no more, no less."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sentence = re.search(r"predeclared prefixes are (.*?); a query may leave them out", readme, re.DOTALL)
    assert sentence is not None, "README: say 'The predeclared prefixes are `zc:`, ...; a query may leave them out'"
    assert set(re.findall(r"`([\w-]+):`", sentence.group(1))) == set(PREFIXES)


# fmt: off
UPDATES = [
    "INSERT DATA { <http://x> <http://y> <http://z> }",
    "PREFIX zc: <https://w3id.org/zhengce/ont#>\n# drop it\ndelete where { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "BASE <http://x/> DROP ALL",
]
# fmt: on


@pytest.mark.parametrize("sparql", UPDATES)
def test_sparql_updates_are_refused(sparql: str) -> None:
    """Updates are refused before an engine sees them."""
    assert "updates are refused" in _refusal(sparql)


def test_sparql_caret_counts_wide_characters() -> None:
    """The caret sits under the column on a terminal: a Chinese character is two columns wide."""
    sparql = 'SELECT * WHERE { ?s ?p "免申即享" ) }'
    lines = str(located_error(sparql, sparql.index(")"), "syntax error")).splitlines()
    assert lines[0] == "SPARQL error at line 1, column 31: syntax error"
    assert lines[2].index("^") == lines[1].index(")") + 4  # four wide characters before it


# fmt: off
SYNTAX_ERRORS = [
    ("garbage", "line 1, column 1", "unexpected 'garbage'"),
    ("SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?o = ) }", "line 3, column 3", "unexpected 'FILTER'"),
    ("SELECT * WHERE { ?s ?p ?o", "line 1, column 26", "the query ends too early"),
]
# fmt: on


@pytest.mark.parametrize(("sparql", "where", "found"), SYNTAX_ERRORS)
def test_sparql_oxigraph_syntax_error_located(sparql: str, where: str, found: str) -> None:
    """Oxigraph's "error at L:C: expected one of ..." becomes a position, what was found, a caret."""
    import pyoxigraph as ox

    with pytest.raises(SyntaxError) as raised:
        ox.Store().query(sparql, prefixes=PREFIXES)
    message = str(engine_syntax_error(sparql, str(raised.value)))
    assert message.startswith(f"SPARQL error at {where}: syntax error")
    assert found in message.splitlines()[0]
    assert "\\u{" not in message and "expected one of" not in message
    assert message.splitlines()[-1].strip().endswith("^")


def test_sparql_unescape_codepoints() -> None:
    """\\u and \\U escapes are read as the characters they name."""
    assert unescape_codepoints("\\u0053ERVICE \\U0001F600") == "SERVICE \U0001f600"
