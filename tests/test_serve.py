"""kg serve: a real read-only SPARQL 1.1 endpoint on loopback, queried with real HTTP clients."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from kg.serve import ServeError, serve_command

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def endpoint(seed_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    log = tmp_path_factory.mktemp("serve") / "server.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kg", "serve", "--exports", str(seed_build), "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/query"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url, params={"query": "ASK {}"}, timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"kg serve did not start: {log.read_text(errors='replace')}") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_answers_json_over_get_and_post(endpoint: str) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    get = httpx.get(endpoint, params={"query": COUNT}, headers=accept)
    post = httpx.post(endpoint, data={"query": COUNT}, headers=accept)
    assert get.status_code == post.status_code == 200
    assert int(get.json()["results"]["bindings"][0]["n"]["value"]) > 1000
    assert get.json() == post.json()


def test_serve_with_sparqlwrapper_finds_the_mianshen_regions(endpoint: str) -> None:
    """The README's kind of question, through SPARQLWrapper as a notebook would ask it."""
    sparql = SPARQLWrapper(endpoint)
    sparql.setReturnFormat(JSON)
    sparql.setQuery(
        """PREFIX zc: <https://w3id.org/zhengce/ont#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT DISTINCT ?region WHERE {
          ?p skos:altLabel "免申报即享受"@zh . ?a zc:policy ?p ; zc:region/rdfs:label ?region }"""
    )
    rows = sparql.query().convert()["results"]["bindings"]  # type: ignore[index]
    assert {r["region"]["value"] for r in rows} == {"格尔木市", "昌吉回族自治州", "青海省"}


def test_serve_refuses_updates(endpoint: str) -> None:
    """Both ways of sending an update fail, and the graph is unchanged afterwards."""
    accept = {"Accept": "application/sparql-results+json"}
    before = httpx.get(endpoint, params={"query": COUNT}, headers=accept).json()
    update = "INSERT DATA { <http://evil/s> <http://evil/p> <http://evil/o> }"
    to_update = httpx.post(
        endpoint.replace("/query", "/update"), content=update, headers={"Content-Type": "application/sparql-update"}
    )
    as_query = httpx.post(endpoint, data={"update": update})
    assert to_update.status_code in (400, 403, 405)
    assert as_query.status_code in (400, 403, 405)
    assert httpx.get(endpoint, params={"query": COUNT}, headers=accept).json() == before


def test_serve_listens_on_loopback_by_default(tmp_path: Path, seed_build: Path) -> None:
    command = serve_command(seed_build)
    assert command[command.index("--bind") + 1] == "127.0.0.1:7878"
    with pytest.raises(ServeError, match="no store"):
        serve_command(tmp_path)
