"""Query: canned questions on the seed build, both engines agree, arguments are bound (never pasted)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from kg.cli import cli
from kg.query import (
    Engine,
    OxigraphEngine,
    QueryError,
    RdflibEngine,
    Term,
    _to_oxigraph,
    ask,
    open_engine,
    parse_question,
    questions,
    resolve,
)
from kg.results import plain
from kg.store import open_store, store_path
from tests.conftest import CORPUS

# Every canned question with arguments that give rows on the seed build.
SAMPLES: dict[str, list[tuple[tuple[str, ...], dict[str, object]]]] = {
    "regions-running": [
        (("免申即享",), {}),
        (("一网通办",), {"status": "implemented", "within": "青海省"}),
        (("免申即享",), {"evidence": "all"}),
        (("免申即享",), {"evidence": "all", "page": 2, "page_rows": 2}),
    ],
    "policies-of": [(("格尔木市",), {}), (("青海",), {"below": True, "status": "implemented"})],
    "metrics-of": [(("格尔木市",), {}), (("青海省",), {"below": True, "indicator": "就业"})],
    "compare": [(("就业",), {}), (("人",), {"within": "630000"}), (("就业",), {"evidence": "all"})],
    "policy-spread": [((), {}), ((), {"within": "新疆"})],
    "agencies-of": [(("昌吉州",), {}), (("青海省",), {"below": True})],
}


@pytest.fixture(scope="module")
def engines(seed_build: Path) -> dict[str, Engine]:
    return {"oxigraph": open_engine(seed_build, "oxigraph"), "rdflib": open_engine(seed_build, "rdflib")}


def _rows(result: object, *names: str) -> list[tuple[str, ...]]:
    from kg.query import Result

    assert isinstance(result, Result)
    idx = [result.variables.index(n) for n in names]
    return [tuple(plain(row[i]) for i in idx) for row in result.rows]


@pytest.mark.parametrize("engine_name", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("label", ["免申即享", "免申报即享受", "mianshen-jixiang"])
def test_query_regions_running_mianshen_jixiang(engines: dict[str, Engine], engine_name: str, label: str) -> None:
    """The issue's example: exactly 格尔木市 and 昌吉回族自治州 implemented, 青海省 planned, with evidence."""
    result = ask(engines[engine_name], "regions-running", (label,))
    assert set(_rows(result, "region", "status")) == {
        ("格尔木市", "implemented"),
        ("昌吉回族自治州", "implemented"),
        ("青海省", "planned"),
    }
    every = ask(engines[engine_name], "regions-running", (label,), evidence="all")
    for sentence, document in _rows(every, "sentence", "document"):
        assert "免申" in sentence
        assert document.endswith(".txt")
    assert len(every.rows) > len(result.rows)  # 昌吉 says it in three sentences


def test_query_regions_running_summarises_evidence(engines: dict[str, Engine]) -> None:
    """One row per region and status: how many documents, the first and the latest sentence with its date."""
    e = engines["oxigraph"]
    summary = ask(e, "regions-running", ("免申即享",))
    every = ask(e, "regions-running", ("免申即享",), evidence="all")
    sentences: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for region, status, sentence, document in _rows(every, "region", "status", "sentence", "document"):
        sentences.setdefault((region, status), []).append((document, sentence))
    rows = _rows(summary, "region", "status", "documents", "firstDate", "first", "latestDate", "latest")
    assert len(rows) == len(sentences) == 3
    for region, status, documents, first_date, first, latest_date, latest in rows:
        said = sentences[(region, status)]
        assert int(documents) == len({d for d, _ in said})
        assert first in {s for _, s in said} and latest in {s for _, s in said}
        assert first_date <= latest_date and first_date[:4] in ("2023", "2024")
    changji = next(r for r in rows if r[0] == "昌吉回族自治州")
    # one document, three sentences: the first is the one written first, the latest the one written last
    text = (CORPUS / "003_6b888fdb03a37956.txt").read_text(encoding="utf-8")
    offsets = sorted(text.index(s) for _, s in sentences[("昌吉回族自治州", "implemented")])
    assert (changji[2], text.index(changji[4]), text.index(changji[6])) == ("1", offsets[0], offsets[-1])


@pytest.mark.parametrize("engine_name", ["oxigraph", "rdflib"])
def test_query_compare_says_each_figure_once(engines: dict[str, Engine], engine_name: str) -> None:
    """compare: one row per figure (indicator, region, period, value ...) however many sentences give it, with the
    number of documents and the first of them; --evidence all lists each sentence."""
    e = engines[engine_name]
    figure = ("indicator", "measure", "kind", "region", "period", "value", "unit", "qualifier", "written")
    summary = ask(e, "compare", ("参保人数",))
    every = ask(e, "compare", ("参保人数",), evidence="all")
    said: dict[tuple[str, ...], set[tuple[str, str]]] = {}
    for row in _rows(every, *figure, "document", "sentence"):
        said.setdefault(row[:-2], set()).add((row[-2], row[-1]))
    rows = _rows(summary, *figure, "documents", "first", "firstDocument")
    assert len(rows) == len(said) < len(every.rows)  # 格尔木市's 参保人数 are given by two documents
    for *key, documents, first, first_document in rows:
        sentences = said[tuple(key)]
        assert int(documents) == len({d for d, _ in sentences})
        assert (first_document, first) in sentences
    # the first report by date: the figure given in January 2024 and again later is shown from January's page
    geermu = [r for r in rows if r[3] == "格尔木市" and r[5] == "114500"]
    assert len(geermu) == 1 and geermu[0][-3] == "2"
    assert ask(e, "compare", ("参保人数",), evidence="all", page=1, page_rows=2).rows == every.rows[:3]


@pytest.mark.parametrize("engine_name", ["oxigraph", "rdflib"])
def test_query_summary_of_nothing_is_no_rows(engines: dict[str, Engine], engine_name: str) -> None:
    """A summarising question whose filters keep no sentence answers no rows (rdflib's GROUP BY over nothing
    gives one unbound row, which joined with the labels made a row per region)."""
    e = engines[engine_name]
    assert ask(e, "regions-running", ("免申即享",), status="piloting").rows == ()
    assert ask(e, "compare", ("no such indicator",)).rows == ()


def test_query_pages(engines: dict[str, Engine]) -> None:
    """--page: that page of rows, and a look-ahead row when there is a next page (split_page drops it)."""
    from kg.query import split_page

    e = engines["oxigraph"]
    every = ask(e, "regions-running", ("免申即享",), evidence="all")
    pages = []
    for number in range(1, 10):
        page, more = split_page(ask(e, "regions-running", ("免申即享",), evidence="all", page=number, page_rows=2), 2)
        pages.extend(page.rows)
        if not more:
            break
    assert tuple(pages) == every.rows and number == (len(every.rows) + 1) // 2
    with pytest.raises(QueryError, match="lists every sentence already"):
        ask(e, "metrics-of", ("青海省",), evidence="all")


def test_query_every_question_is_sampled() -> None:
    """Each question file shipped has sample arguments in this module (so the engine test covers it)."""
    assert set(SAMPLES) == set(questions())


@pytest.mark.parametrize(
    ("name", "arguments", "options"), [(n, a, o) for n, cases in SAMPLES.items() for a, o in cases]
)
def test_query_engines_give_identical_answers(
    engines: dict[str, Engine], name: str, arguments: tuple[str, ...], options: dict[str, object]
) -> None:
    """Oxigraph (the store) and rdflib (the N-Triples) return the same rows in the same order."""
    a = ask(engines["oxigraph"], name, arguments, **options)  # type: ignore[arg-type]
    b = ask(engines["rdflib"], name, arguments, **options)  # type: ignore[arg-type]
    assert a.rows, f"{name} {arguments} {options} gives no rows on the seed build"
    assert a == b


def test_query_filters_narrow(engines: dict[str, Engine]) -> None:
    """--status and --within keep a subset; --within a province keeps regions of that province only."""
    e = engines["oxigraph"]
    everything = ask(e, "regions-running", ("免申即享",))
    planned = ask(e, "regions-running", ("免申即享",), status="planned")
    qinghai = ask(e, "regions-running", ("免申即享",), within="青海")
    assert [s for (s,) in _rows(planned, "status")] == ["planned"]
    assert {p for (p,) in _rows(qinghai, "province")} == {"青海省"}
    assert len(qinghai.rows) < len(everything.rows)


@pytest.mark.parametrize("label", ["昌吉州", "昌吉回族自治州", "652300"])
def test_query_region_by_label_alias_or_code(engines: dict[str, Engine], label: str) -> None:
    assert resolve(engines["oxigraph"], "region", label) == Term.uri("https://w3id.org/zhengce/id/region/652300")


def test_query_unknown_names_are_errors(engines: dict[str, Engine]) -> None:
    with pytest.raises(QueryError, match="no policy called"):
        ask(engines["oxigraph"], "regions-running", ("不存在的政策",))
    with pytest.raises(QueryError, match="no question"):
        ask(engines["oxigraph"], "no-such-question")
    with pytest.raises(QueryError, match="takes no --indicator"):
        ask(engines["oxigraph"], "regions-running", ("免申即享",), indicator="x")
    with pytest.raises(QueryError, match="usage: kg ask regions-running POLICY"):
        ask(engines["oxigraph"], "regions-running", ())


INJECTIONS = [
    '免申即享" } UNION { ?adoption ?p ?o } #',
    "免申即享' || true || '",
    '") || true || ("',
    "} UNION { ?s ?p ?o }",
    "DELETE WHERE { ?s ?p ?o }",
    '免申即享"@zh . ?x ?y ?z . FILTER(true) #',
    '免申即享\\" }\n INSERT DATA { <http://evil> <http://evil> <http://evil> } #',
    "SELECT * WHERE { ?s ?p ?o }",
]


def _count(engine: Engine) -> str:
    return plain(engine.run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0])


# rdflib is the slow fallback engine (about 3 s a case here): it gets the three most typical cases.
CASES = [("oxigraph", text) for text in INJECTIONS] + [("rdflib", text) for text in INJECTIONS[:3]]


@pytest.mark.parametrize(("engine_name", "text"), CASES)
def test_query_injection_matches_nothing_and_changes_nothing(
    engines: dict[str, Engine], engine_name: str, text: str
) -> None:
    """A hostile argument is one literal: as a policy or region it names nothing, as a filter it keeps nothing."""
    e = engines[engine_name]
    before = _count(e)
    with pytest.raises(QueryError, match="no policy called"):
        ask(e, "regions-running", (text,))
    with pytest.raises(QueryError, match="no region called"):
        ask(e, "policies-of", (text,))
    assert ask(e, "metrics-of", ("青海省",), below=True).rows  # the region has figures ...
    assert ask(e, "metrics-of", ("青海省",), below=True, indicator=text).rows == ()  # ... none matches the text
    assert ask(e, "compare", (text,)).rows == ()
    assert _count(e) == before


HOSTILE_LABEL = '免申即享" } UNION { ?s ?p ?o } #'


@pytest.mark.parametrize("engine_name", ["oxigraph", "rdflib"])
def test_query_hostile_label_is_matched_verbatim(tmp_path: Path, engine_name: str) -> None:
    """A policy whose label really is the hostile text is found, and only it: the text went in as data."""
    nt = f"""
<http://x/p> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/zhengce/ont#Policy> .
<http://x/p> <http://www.w3.org/2004/02/skos/core#prefLabel> {ox.Literal(HOSTILE_LABEL, language="zh")} .
<http://x/q> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/zhengce/ont#Policy> .
<http://x/q> <http://www.w3.org/2004/02/skos/core#prefLabel> "免申即享"@zh .
"""
    engine: Engine
    if engine_name == "oxigraph":
        store = ox.Store()
        store.load(nt, format=ox.RdfFormat.N_TRIPLES)
        engine = OxigraphEngine(store)
    else:
        engine = RdflibEngine(rdflib.Graph().parse(data=nt, format="nt"))
    assert resolve(engine, "policy", HOSTILE_LABEL) == Term.uri("http://x/p")
    assert resolve(engine, "policy", "免申即享") == Term.uri("http://x/q")


def test_query_cli_injection_changes_nothing(seed_build: Path) -> None:
    """Through the command line too: exit 1, a clear message, and the store's triples unchanged."""
    count = ["query", "--exports", str(seed_build), "-e", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "-f", "csv"]
    before = CliRunner().invoke(cli, count).output
    for text in INJECTIONS:
        result = CliRunner().invoke(cli, ["ask", "regions-running", text, "--exports", str(seed_build)])
        assert result.exit_code == 1
        assert "no policy called" in result.output
    assert CliRunner().invoke(cli, count).output == before


@pytest.mark.parametrize("engine_name", ["oxigraph", "rdflib"])
def test_query_updates_are_refused(seed_build: Path, engine_name: str) -> None:
    """kg query cannot change the build: an update is refused and the count stays."""
    e = open_engine(seed_build, engine_name)
    before = _count(e)
    for update in (
        "INSERT DATA { <http://a> <http://b> <http://c> }",
        "PREFIX x: <http://x/>\n# comment\nDELETE WHERE { ?s ?p ?o }",
        "CLEAR ALL",
    ):
        with pytest.raises(QueryError, match="updates are refused"):
            e.run(update)
    # bypass the friendly check: the engines' own query methods do not run updates either
    with pytest.raises(QueryError):
        e._run("INSERT DATA { <http://a> <http://b> <http://c> }", None)
    assert _count(open_engine(seed_build, engine_name)) == before


def test_query_auto_engine_prefers_the_store(seed_build: Path, tmp_path: Path) -> None:
    """auto uses the store when there is one, else rdflib on the N-Triples; no build is a clear error."""
    assert isinstance(open_engine(seed_build), OxigraphEngine)
    (tmp_path / "zhengce.nt").write_bytes((seed_build / "zhengce.nt").read_bytes())
    assert isinstance(open_engine(tmp_path), RdflibEngine)
    with pytest.raises(QueryError, match="no build found"):
        open_engine(tmp_path / "empty")
    with pytest.raises(QueryError, match="no store"):
        open_engine(tmp_path, "oxigraph")


def test_query_store_opens_read_only_twice(seed_build: Path) -> None:
    """Two readers can share the store (kg ask while kg serve runs)."""
    path = store_path(seed_build)
    assert path is not None
    a, b = open_store(path), open_store(path)
    assert len(a) == len(b) > 0


def test_query_question_file_header() -> None:
    q = parse_question("x", "#: Line one\n#: and two.\n#: arguments: region\n#: options: below\nSELECT * WHERE {}")
    assert (q.description, q.arguments, q.options) == ("Line one and two.", ("region",), ("below",))
    assert q.usage == "x REGION"
    with pytest.raises(QueryError):
        parse_question("y", "#: arguments: planet\nSELECT * WHERE {}")


def test_query_cli_ask_lists_questions_and_answers() -> None:
    """kg ask alone lists every question; kg ask NAME prints a table."""
    listing = CliRunner().invoke(cli, ["ask"])
    assert listing.exit_code == 0
    for name in questions():
        assert name in listing.output


def test_query_cli_ask_table(seed_build: Path) -> None:
    result = CliRunner().invoke(cli, ["ask", "regions-running", "免申即享", "--exports", str(seed_build)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].split() == [
        "region",
        "code",
        "level",
        "province",
        "status",
        "documents",
        "firstDate",
        "first",
        "latestDate",
        "latest",
    ]
    assert "格尔木市" in result.output and result.output.rstrip().endswith("(3 rows)")
    every = ["ask", "regions-running", "免申即享", "--exports", str(seed_build), "--evidence", "all"]
    result = CliRunner().invoke(cli, [*every, "--page", "1", "--page-size", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].split() == [
        "region",
        "code",
        "level",
        "province",
        "status",
        "period",
        "agency",
        "sentence",
        "document",
    ]
    assert result.stdout.rstrip().endswith("(2 rows)") and result.stderr == "more rows: --page 2\n"
    last = CliRunner().invoke(cli, [*every, "--page", "3", "--page-size", "2"])
    assert last.stdout.rstrip().endswith("(1 row)") and last.stderr == ""


def test_query_cli_query_file_and_expression(seed_build: Path, tmp_path: Path) -> None:
    rq = tmp_path / "q.rq"
    rq.write_text('SELECT ?r WHERE { ?r zc:adminCode "632801" }', encoding="utf-8")
    by_file = CliRunner().invoke(cli, ["query", str(rq), "--exports", str(seed_build), "-f", "tsv"])
    assert by_file.output == "r\nhttps://w3id.org/zhengce/id/region/632801\n"
    both = CliRunner().invoke(cli, ["query", str(rq), "-e", "ASK {}", "--exports", str(seed_build)])
    assert both.exit_code == 2
    bad = CliRunner().invoke(cli, ["query", "-e", "SELECT WHERE {", "--exports", str(seed_build)])
    assert bad.exit_code == 1 and "syntax" in bad.output.lower()


def _small_engines(ntriples: str) -> tuple[OxigraphEngine, RdflibEngine]:
    store = ox.Store()
    store.load(ntriples.encode(), format=ox.RdfFormat.N_TRIPLES)
    return OxigraphEngine(store), RdflibEngine(rdflib.Graph().parse(data=ntriples, format="nt"))


_XSD_INTEGER = "<http://www.w3.org/2001/XMLSchema#integer>"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # numbers by value, not text; the row without a value first
        ([f'"10"^^{_XSD_INTEGER}', f'"9"^^{_XSD_INTEGER}', f'"100"^^{_XSD_INTEGER}', None], [None, "9", "10", "100"]),
        # strings by code point (Latin capitals before small letters before Chinese); IRIs before literals
        (['"b"', '"青海"', '"B"', '"a"', "<http://example.org/x>"], ["http://example.org/x", "B", "a", "b", "青海"]),
    ],
)
def test_query_closing_order_by_sorts_like_sparql(values: list[str | None], expected: list[str | None]) -> None:
    """The Oxigraph engine sorts a closing ORDER BY itself (terms decoded once): same order as rdflib's."""
    ntriples = "".join(
        f"<http://example.org/s{i}> <http://example.org/p> <http://example.org/o> .\n"
        + (f"<http://example.org/s{i}> <http://example.org/v> {v} .\n" if v else "")
        for i, v in enumerate(values)
    )
    query = (
        "SELECT ?s ?v WHERE { ?s <http://example.org/p> ?o OPTIONAL { ?s <http://example.org/v> ?v } } ORDER BY ?v ?s"
    )
    oxigraph, rdflib_engine = _small_engines(ntriples)
    answer = oxigraph.run(query)
    assert [row[1].value if row[1] else None for row in answer.rows] == expected
    assert answer == rdflib_engine.run(query)


@pytest.mark.parametrize(
    "values", [['"b"', f'"2"^^{_XSD_INTEGER}', '"a"', f'"1"^^{_XSD_INTEGER}'], ['"b"', '"a"', '"c"@en', '"a"@zh']]
)
def test_query_order_by_mixed_column_left_to_the_store(values: list[str]) -> None:
    """A column mixing numbers and strings, or languages (SPARQL leaves their order to the engine),
    comes back in the store's own order."""
    ntriples = "".join(f"<http://example.org/s{i}> <http://example.org/v> {v} .\n" for i, v in enumerate(values))
    oxigraph, _ = _small_engines(ntriples)
    query = "SELECT ?s ?v WHERE { ?s <http://example.org/v> ?v } ORDER BY ?v ?s"
    own = [str(s["v"]) for s in oxigraph.store.query(query)]
    assert [str(_to_oxigraph(row[1])) for row in oxigraph.run(query).rows if row[1]] == own


@pytest.mark.parametrize(
    "query",
    [
        "CONSTRUCT { ?s <http://example.org/w> ?v } WHERE { ?s <http://example.org/v> ?v } ORDER BY ?v",
        "ASK { ?s <http://example.org/v> ?v } ORDER BY ?v",
    ],
)
def test_query_order_by_of_graph_or_ask_answers_like_rdflib(query: str) -> None:
    """ORDER BY changes no graph and no ASK: the Oxigraph engine answers them as rdflib does."""
    ntriples = "".join(f'<http://example.org/s{i}> <http://example.org/v> "{v}" .\n' for i, v in enumerate("ba"))
    oxigraph, rdflib_engine = _small_engines(ntriples)
    answer = oxigraph.run(query)
    assert answer.boolean or (answer.triples or b"").count(b"\n") == 2
    assert answer == rdflib_engine.run(query)
