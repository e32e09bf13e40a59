"""The answers index (kg/answers.py) gives exactly the SPARQL's answers, on real builds and after updates."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.answers import ANSWERS_FILE, answer, decimal_key, open_answers, write_answers
from kg.ontology import STATUS
from kg.pipeline import build
from kg.query import OxigraphEngine, QueryError, Result, Term, ask, open_engine, question, questions
from kg.store import hold_generation

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus"
DEV = ROOT / "tests" / "gold" / "dev" / "corpus"
TRUE = Term.literal("true", datatype="http://www.w3.org/2001/XMLSchema#boolean")


@pytest.fixture(scope="module", params=["seed", "dev"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp(f"answers-{request.param}")
    build(SEED if request.param == "seed" else DEV, out, ["nt"], use_cache=False)
    return out


def _engines(out: Path) -> tuple[OxigraphEngine, Path]:
    engine = open_engine(out, "oxigraph")
    assert isinstance(engine, OxigraphEngine)
    assert engine.answers is not None, "the build wrote no answers index"
    return engine, engine.answers


def _iris(engine: OxigraphEngine, sparql: str) -> list[Term]:
    return [row[0] for row in engine.run(sparql).rows if row[0] is not None]


def _cases(engine: OxigraphEngine) -> Iterator[tuple[str, dict[str, Term]]]:
    """Every question with every argument it accepts (bound as ask binds them), and their options."""
    policies = _iris(engine, "SELECT DISTINCT ?p WHERE { ?a zc:policy ?p } ORDER BY ?p")
    policies.append(Term.uri("https://example.org/no-such-policy"))
    fact_regions = _iris(
        engine,
        "SELECT DISTINCT ?r WHERE { { ?x zc:region ?r } UNION { ?x zc:jurisdiction ?r } } ORDER BY ?r",
    )
    regions = _iris(
        engine,
        "SELECT DISTINCT ?up WHERE { { ?x zc:region ?r } UNION { ?x zc:jurisdiction ?r } ?r zc:partOf* ?up }"
        " ORDER BY ?up",
    )
    assert len(regions) > len(fact_regions) > 5
    statuses = [Term.uri(str(iri)) for iri in STATUS.values()]
    withins = [regions[i] for i in range(0, len(regions), max(1, len(regions) // 6))]
    texts = ["", "就业", "收入", "人数", "增长", "GDP", "no such indicator", "'\"{}"]
    for policy in policies:
        yield "regions-running", {"policy": policy}
        yield "regions-running.all", {"policy": policy}
        for status in statuses:
            yield "regions-running", {"policy": policy, "statusFilter": status}
            yield "regions-running.all", {"policy": policy, "statusFilter": status}
        for within in withins:
            yield "regions-running", {"policy": policy, "within": within}
            yield "regions-running.all", {"policy": policy, "within": within, "statusFilter": statuses[0]}
    for region in regions:
        for below in ({}, {"below": TRUE}):
            yield "policies-of", {"target": region, **below}
            yield "metrics-of", {"target": region, **below}
            yield "agencies-of", {"target": region, **below}
        for status in statuses:
            yield "policies-of", {"target": region, "statusFilter": status, "below": TRUE}
        yield "metrics-of", {"target": region, "below": TRUE, "indicatorText": Term.literal("人")}
    for text in texts:
        for name in ("compare", "compare.all"):
            yield name, {"indicatorText": Term.literal(text)}
            for within in withins:
                yield name, {"indicatorText": Term.literal(text), "within": within}
        yield "metrics-of", {"target": regions[0], "below": TRUE, "indicatorText": Term.literal(text)}
    yield "policy-spread", {}
    for within in regions:
        yield "policy-spread", {"within": within}


def _sparql(name: str) -> str:
    base = name.removesuffix(".all")
    q = question(base)
    if name.endswith(".all"):
        assert q.every_sentence is not None
        return q.every_sentence.sparql
    return q.sparql


def _same(index: Result, sparql: Result, what: str) -> None:
    assert index.variables == sparql.variables, what
    assert len(index.rows) == len(sparql.rows), what
    for i, (a, b) in enumerate(zip(index.rows, sparql.rows, strict=True)):
        assert a == b, f"{what}: row {i}: {a} != {b}"


def check_against_sparql(out: Path, stride: int = 1) -> int:
    """Assert the index of the build in ``out`` answers every case (every ``stride``-th) as its store's SPARQL."""
    engine, index = _engines(out)
    plain = OxigraphEngine(engine.store)  # no folder: the SPARQL on the store
    assert plain.answers is None
    nonempty = set()
    cases = 0
    for n, (name, bindings) in enumerate(_cases(engine)):
        if n % stride:
            continue
        expected = plain.run(_sparql(name), bindings)
        _same(answer(index, name, bindings), expected, f"{name} {bindings}")
        cases += 1
        if expected.rows:
            nonempty.add(name)
    assert nonempty == {*questions(), "regions-running.all", "compare.all"}, "every question has answers to compare"
    return cases


def index_answers(out: Path, cases_of: Path | None = None) -> dict[str, Result]:
    """Every case's answer from the index of the build in ``out`` (the cases of the build in ``cases_of``)."""
    engine, index = _engines(out)
    cases = _cases(_engines(cases_of)[0] if cases_of is not None else engine)
    return {f"{name} {sorted(bindings.items())}": answer(index, name, bindings) for name, bindings in cases}


def test_answers_equal_sparql_for_every_argument(built: Path) -> None:
    assert check_against_sparql(built) > 500


def test_answers_pages_and_ask(built: Path) -> None:
    """ask() answers from the index, pages included, as the SPARQL does; the .rq files stay the fallback."""
    engine, _index = _engines(built)
    plain = OxigraphEngine(engine.store)
    province = engine.run('SELECT ?l WHERE { ?r zc:adminLevel "province" ; rdfs:label ?l } ORDER BY ?l LIMIT 1')
    name = province.rows[0][0].value  # type: ignore[union-attr]
    policy = engine.run("SELECT ?l WHERE { ?a zc:policy/skos:prefLabel ?l . FILTER(lang(?l) = 'zh') } LIMIT 1")
    label = policy.rows[0][0].value  # type: ignore[union-attr]
    asks: list[tuple[str, tuple[str, ...], dict[str, object]]] = [
        ("regions-running", (label,), {}),
        ("regions-running", (label,), {"evidence": "all"}),
        ("regions-running", (label,), {"status": "implemented", "within": name}),
        ("policies-of", (name,), {"below": True}),
        ("metrics-of", (name,), {"below": True, "indicator": "人"}),
        ("compare", ("人",), {"within": name}),
        ("compare", ("人",), {"within": name, "evidence": "all"}),
        ("policy-spread", (), {}),
        ("agencies-of", (name,), {"below": True}),
    ]
    for q, arguments, options in asks:
        whole = ask(plain, q, arguments, **options)  # type: ignore[arg-type]
        assert ask(engine, q, arguments, **options).engine == "answers"  # type: ignore[arg-type]
        _same(ask(engine, q, arguments, **options), whole, f"{q} {arguments} {options}")  # type: ignore[arg-type]
        for page in (1, 2, 3):
            for rows in (1, 7):
                mine = ask(engine, q, arguments, page=page, page_rows=rows, **options)  # type: ignore[arg-type]
                theirs = ask(plain, q, arguments, page=page, page_rows=rows, **options)  # type: ignore[arg-type]
                _same(mine, theirs, f"{q} page {page} of {rows}")
                assert mine.rows == whole.rows[(page - 1) * rows : page * rows + 1]
    with pytest.raises(QueryError, match="takes no --below"):
        ask(engine, "compare", ("人",), below=True)


def test_answers_not_used_when_questions_change(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An index made for other question files (or another format) is not used: the SPARQL answers."""
    import kg.answers

    hold = hold_generation(built)
    assert hold is not None
    with hold as generation:
        assert open_answers(generation.path) is not None
        monkeypatch.setattr(kg.answers, "questions_digest", lambda: "edited")
        assert open_answers(generation.path) is None


def test_answers_unmodelled_graph_writes_no_index(tmp_path: Path) -> None:
    """A region with two labels is not what the index models: no index, and the SPARQL answers."""
    import pyoxigraph as ox

    from kg.ontology import ID, ZC

    store = ox.Store()
    region = ox.NamedNode(f"{ID}region/1")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    store.add(ox.Quad(region, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(ZC.Region)))
    for text in ("甲", "乙"):
        store.add(ox.Quad(region, label, ox.Literal(text, language="zh")))
    assert write_answers(store, tmp_path) is None
    assert not (tmp_path / ANSWERS_FILE).exists()


def test_decimal_key_orders_as_numbers() -> None:
    values = ["-1000000000000", "-2.5", "-0.000000000000000001", "0", "0.000000000000000001", "1", "1.5", "9.99",
              "10", "114500", "12345678901234567890.5"]  # fmt: skip
    keys = [decimal_key(v) for v in values]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert decimal_key("1.50") == decimal_key("1.5")


def test_answers_copy_of_build_is_read_only(built: Path, tmp_path: Path) -> None:
    """The index is opened read-only: asking never writes beside the store."""
    engine, index = _engines(built)
    before = index.stat().st_mtime_ns, index.stat().st_size
    ask(engine, "policy-spread")
    assert (index.stat().st_mtime_ns, index.stat().st_size) == before
    assert not list(index.parent.glob(f"{ANSWERS_FILE}-*"))
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_answers_resolve_names_as_the_store(built: Path) -> None:
    """Every label, alias, code and policy id resolves through the index to what the SPARQL resolves it to."""
    import sqlite3

    from kg.query import resolve

    engine, index = _engines(built)
    plain = OxigraphEngine(engine.store)
    con = sqlite3.connect(index)
    names = con.execute("SELECT DISTINCT kind, text FROM name ORDER BY kind, text").fetchall()
    con.close()
    assert len(names) > 50
    for kind, text in [*names, ("region", "中华人民共和国北京市"), ("region", "no such place"), ("policy", "nothing")]:
        outcomes = []
        for e in (engine, plain):
            try:
                outcomes.append(resolve(e, kind, text))
            except QueryError as error:
                outcomes.append(f"{type(error).__name__}: {error}")
        assert outcomes[0] == outcomes[1], (kind, text)


def test_every_way_of_asking_uses_the_index(built: Path) -> None:
    """kg ask (kg.Graph.ask) and kg serve's /ask pages go through ask(), which answers from the index."""
    import kg
    from kg.pages import ask_question

    with kg.open(built) as graph:
        assert graph.ask("policy-spread").result.engine == "answers"
    assert ask_question(built, "policy-spread", (), {}).engine == "answers"
    rdflib = kg.open(built, engine="rdflib")
    try:
        sparql = rdflib.ask("policy-spread").result
    finally:
        rdflib.close()
    assert sparql.engine == "rdflib"
    assert ask_question(built, "policy-spread", (), {}).rows == sparql.rows
