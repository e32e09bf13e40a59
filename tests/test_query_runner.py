"""User SPARQL runs in a worker process: SERVICE refused unless allowed, stopped at its timeout or on cancel."""

from __future__ import annotations

import http.server
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg.query
from kg.cli import cli
from kg.query import QueryCancelled, QueryError, QueryRunner, QueryTimeout, Source, open_source, run_query
from kg.results import plain

# A join of every triple with every triple, counted: one next() that runs for minutes on the seed build.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ENGINES = ["oxigraph", "rdflib"]


@pytest.fixture(scope="module", params=ENGINES)
def source(request: pytest.FixtureRequest, seed_build: Path) -> Source:
    return open_source(seed_build, request.param)


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str]

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(500)
        self.end_headers()

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def endpoint() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request made to it (a SERVICE target)."""
    hits: list[str] = []
    handler = type("Recorder", (_Recorder,), {"hits": hits})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql", hits
    server.shutdown()
    server.server_close()


def test_query_runner_answers_like_the_engine(source: Source) -> None:
    """A query run in a worker gives the rows the engine gives in this process."""
    sparql = 'SELECT ?r WHERE { ?r zc:adminCode "632801" }'
    result = run_query(source, sparql)
    assert [plain(row[0]) for row in result.rows] == ["https://w3id.org/zhengce/id/region/632801"]
    assert result == source.open().run(sparql)


def test_query_runner_region_prefix_is_predeclared(source: Source) -> None:
    """region: (one of the README's predeclared prefixes) needs no PREFIX line."""
    result = run_query(source, "SELECT ?name WHERE { region:632801 rdfs:label ?name }")
    assert [plain(row[0]) for row in result.rows] == ["格尔木市"]


def test_query_runner_service_is_refused_and_nothing_is_sent(source: Source, endpoint: tuple[str, list[str]]) -> None:
    """SERVICE is refused by default: the endpoint gets no request; allowed, the engine does send one."""
    url, hits = endpoint
    sparql = f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
    with pytest.raises(QueryError, match="SERVICE is refused"):
        run_query(source, sparql)
    with pytest.raises(QueryError, match="SERVICE is refused"):
        run_query(source, sparql.replace("SERVICE", "\\u0053ERVICE"))
    assert hits == []
    with pytest.raises(QueryError) as failed:  # the endpoint answers 500: one line, no traceback
        run_query(source, sparql, allow_service=True)
    assert hits, "with --allow-service the engine does query the endpoint"
    assert "\n" not in str(failed.value) and "Traceback" not in str(failed.value)


def test_query_runner_stops_at_the_timeout(source: Source) -> None:
    """A query running past its timeout is stopped: its worker is gone, the next query is answered."""
    with QueryRunner(source, timeout=1) as runner:
        started = time.monotonic()
        with pytest.raises(QueryTimeout, match="stopped after 1 s"):
            runner.run(ENDLESS)
        assert time.monotonic() - started < 10
        assert runner.run("ASK { ?s ?p ?o }").boolean is True


def test_query_runner_frees_the_memory_of_a_stopped_query(seed_build: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker of a stopped query grew while it ran and no longer exists after; this process did not grow."""
    workers: list[kg.query._Worker] = []
    start = kg.query._Worker.__init__

    def recorded(self: kg.query._Worker, source: Source) -> None:
        start(self, source)
        workers.append(self)

    monkeypatch.setattr(kg.query._Worker, "__init__", recorded)
    grouped = "SELECT ?a ?c ?d ?f (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f } GROUP BY ?a ?c ?d ?f"
    peak = [0]

    def watch() -> None:
        while not workers:
            time.sleep(0.05)
        while os.path.exists(f"/proc/{workers[0].pid}"):
            peak[0] = max(peak[0], _rss_mb(workers[0].pid))
            time.sleep(0.1)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    before = _rss_mb(os.getpid())
    with pytest.raises(QueryTimeout):
        run_query(open_source(seed_build, "oxigraph"), grouped, timeout=3)
    watcher.join(timeout=5)
    assert peak[0] > 150, f"the worker should have grown (peak {peak[0]} MB)"
    assert not os.path.exists(f"/proc/{workers[0].pid}")
    assert _rss_mb(os.getpid()) < before + 50


def _rss_mb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return int(status.split("VmRSS:")[1].split()[0]) // 1024 if "VmRSS:" in status else 0


def test_query_runner_cancel_stops_the_query(source: Source) -> None:
    """A caller that goes away (its Event set from another thread) stops the query within a poll."""
    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(QueryCancelled):
        run_query(source, ENDLESS, timeout=None, cancel=cancel)
    assert time.monotonic() - started < 5


def test_query_runner_runs_queries_from_threads_at_once(seed_build: Path) -> None:
    """Several threads share one runner: each query takes its own worker; a slow one holds up no other."""
    source = open_source(seed_build, "oxigraph")
    answers: dict[str, object] = {}
    with QueryRunner(source, timeout=2) as runner:

        def ask(name: str, sparql: str) -> None:
            try:
                result = runner.run(sparql)
                answers[name] = result.boolean if result.boolean is not None else len(result.rows)
            except QueryError as e:
                answers[name] = type(e).__name__

        slow = threading.Thread(target=ask, args=("slow", ENDLESS))
        slow.start()
        time.sleep(0.2)
        fast = threading.Thread(target=ask, args=("fast", "ASK { region:632801 ?p ?o }"))
        fast.start()
        fast.join(timeout=10)
        assert answers.get("fast") is True and "slow" not in answers
        slow.join(timeout=10)
    assert answers["slow"] == "QueryTimeout"


def test_query_cli_refuses_service_and_stops_at_timeout(seed_build: Path) -> None:
    """kg query: SERVICE refused with a caret, --timeout stops the query; one line each, exit status 1."""
    refused = CliRunner().invoke(
        cli, ["query", "--exports", str(seed_build), "-e", "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }"]
    )
    assert refused.exit_code == 1 and "SERVICE is refused" in refused.output and "^" in refused.output
    stopped = CliRunner().invoke(cli, ["query", "--exports", str(seed_build), "--timeout", "1", "-e", ENDLESS])
    assert stopped.exit_code == 1
    assert stopped.output.strip().splitlines() == [
        "Error: the query was stopped after 1 s, its time limit (--timeout sets it)"
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_query_cli_unknown_prefix_and_syntax_error(seed_build: Path, engine: str) -> None:
    """kg query names a missing prefix, and shows a syntax error's line with a caret, on both engines."""
    base = ["query", "--exports", str(seed_build), "--engine", engine, "-e"]
    missing = CliRunner().invoke(cli, [*base, "SELECT * WHERE { ?s foo:bar ?o }"])
    assert missing.exit_code == 1
    assert missing.output.startswith("Error: SPARQL error at line 1, column 21: unknown prefix foo:")
    garbage = CliRunner().invoke(cli, [*base, "garbage"])
    assert garbage.output.splitlines() == [
        "Error: SPARQL error at line 1, column 1: syntax error: unexpected 'garbage'",
        "1 | garbage",
        "  | ^",
    ]
