"""Sharded exports: runs of documents written by the workers; together the graph of the single-file export."""

from __future__ import annotations

import gzip
import sqlite3
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.corpus import read_metadata
from kg.graph import GraphMerger, add_shared_counts, vocabulary_ntriples
from kg.pipeline import DocumentTask, build, code_version, process_document
from kg.shards import SHARDS_DIR, plan, starts_shard, write_shard
from kg.store import reading
from kg.types import DocMeta
from kg.update import COUNTS_FILE, read_state
from tests.conftest import CORPUS, SEED_EXPORT

NAMES = sorted(p.name for p in CORPUS.glob("*.txt"))
RUNS = [[NAMES[0]]]  # a shard begins at a name whose hash says so (about one in four)
for _name in NAMES[1:]:
    RUNS.append([_name]) if starts_shard(_name, 4) else RUNS[-1].append(_name)
SHARD_NAMES = [f"zhengce-{n:05d}.{kind}.gz" for n in range(len(RUNS)) for kind in ("nt", "ttl")]


def _shards(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / SHARDS_DIR).iterdir())}


def _triples(data: bytes, fmt: ox.RdfFormat) -> set[str]:
    return {str(t) for t in ox.parse(data, format=fmt)}


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed corpus built with --jobs 2 into shards of about four documents (three shards here)."""
    out = tmp_path_factory.mktemp("sharded")
    build(CORPUS, out, jobs=2, shard_documents=4, use_cache=False)
    return out


def test_shards_are_runs_of_documents_that_make_the_single_file_export(sharded: Path) -> None:
    shards = _shards(sharded)
    assert sorted(shards) == sorted(SHARD_NAMES)
    assert 1 < len(RUNS) < len(NAMES)  # runs of documents, not one shard or one a document
    assert not (sharded / "zhengce.nt").exists() and not (sharded / "zhengce.ttl").exists()
    single = (SEED_EXPORT / "zhengce.nt").read_bytes()
    lines = [gzip.decompress(shards[f"zhengce-{n:05d}.nt.gz"]).splitlines(keepends=True) for n in range(len(RUNS))]
    # each shard holds its own documents, in corpus order
    documents = [sorted({ln.split(b">")[0] for ln in shard if b"/id/doc/" in ln.split(b" ")[0]}) for shard in lines]
    assert [[d.rsplit(b"/", 1)[1].decode() for d in shard] for shard in documents] == RUNS
    # a shared triple may repeat in a later shard; without the repeats, the concatenation is zhengce.nt
    merged = list(dict.fromkeys(ln for shard in lines for ln in shard))
    assert b"".join(merged) == single
    assert sum(map(len, lines)) > len(merged)  # repeats there are (regions, policies)
    for n in range(len(RUNS)):  # each shard's Turtle is its N-Triples
        nt, ttl = shards[f"zhengce-{n:05d}.nt.gz"], shards[f"zhengce-{n:05d}.ttl.gz"]
        assert _triples(gzip.decompress(ttl), ox.RdfFormat.TURTLE) == _triples(
            gzip.decompress(nt), ox.RdfFormat.N_TRIPLES
        )
        assert gzip.decompress(ttl).startswith(b"@prefix")


def test_shards_are_the_same_bytes_with_any_jobs(sharded: Path, tmp_path: Path) -> None:
    build(CORPUS, tmp_path, jobs=1, shard_documents=4, use_cache=False)
    assert _shards(tmp_path) == _shards(sharded)


def test_shards_bulk_load_into_oxigraph(sharded: Path, tmp_path: Path) -> None:
    """`oxigraph load` takes the gzipped shards as they are and holds the single-file export's graph."""
    oxigraph = Path(sys.executable).parent / "oxigraph"
    files = [str(p) for p in sorted((sharded / SHARDS_DIR).glob("*.nt.gz"))]
    location = tmp_path / "store"
    done = subprocess.run(
        [str(oxigraph), "load", "--location", str(location), "--file", *files],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    loaded = {str(q.triple) for q in ox.Store.read_only(str(location))}
    assert loaded == _triples((SEED_EXPORT / "zhengce.nt").read_bytes(), ox.RdfFormat.N_TRIPLES)


def test_shards_replace_single_files_and_back(tmp_path: Path) -> None:
    """A build publishes one layout: shards remove an earlier build's single files, and the other way round."""
    build(CORPUS, tmp_path, formats=("nt", "turtle"))
    build(CORPUS, tmp_path, shard_documents=5, formats=("nt", "turtle"))
    assert sorted(_shards(tmp_path)) == ["zhengce-00000.nt.gz", "zhengce-00000.ttl.gz"]
    assert not (tmp_path / "zhengce.nt").exists() and not (tmp_path / "zhengce.ttl").exists()
    build(CORPUS, tmp_path, formats=("nt", "turtle"))
    assert not (tmp_path / SHARDS_DIR).exists() and not list(tmp_path.glob(".kg-shards.*"))
    assert (tmp_path / "zhengce.nt").read_bytes() == (SEED_EXPORT / "zhengce.nt").read_bytes()


def _tasks() -> list[DocumentTask]:
    """The seed corpus's documents as a build makes them (with their metadata), no cache."""
    metadata, version = read_metadata(CORPUS), code_version()
    return [DocumentTask(CORPUS / name, name, metadata.get(name, DocMeta()), None, version) for name in NAMES]


def _seed_triples() -> set[str]:
    return _triples((SEED_EXPORT / "zhengce.nt").read_bytes(), ox.RdfFormat.N_TRIPLES)


def test_the_store_of_a_sharded_build_is_loaded_from_its_shards(sharded: Path) -> None:
    """No triple reaches the client, yet its store holds exactly the single-file build's triples."""
    with reading(sharded) as generation:
        assert generation is not None
        assert {str(q.triple) for q in generation.open_store()} == _seed_triples()


def test_shard_counts_added_up_are_the_counts_of_one_merger(tmp_path: Path) -> None:
    """Each shard counts its documents' shareable triples; the sums equal what one GraphMerger over the
    whole corpus counts (the counts updates keep: kg/update.py), and so does the number of triples."""
    tasks = _tasks()
    whole = GraphMerger(count_shared=True)
    whole.add(vocabulary_ntriples())
    for task in tasks:
        whole.add(process_document(task).ntriples)
    assert whole.shared is not None
    total: dict[bytes, int] = {}
    own = 0
    shards = plan(tasks, 4, tmp_path)
    assert len(shards) == len(RUNS)
    for shard in shards:
        result = write_shard(shard)
        assert result.shared is not None and all(not r.ntriples for r in result.documents)  # records only
        add_shared_counts(total, result.shared)
        own += result.own_lines
    assert total == whole.shared
    assert own + len(total) == whole.triples
    assert any(n > 1 for n in total.values())  # shared triples there are


def test_a_sharded_build_keeps_the_counts_of_one_merger(sharded: Path, tmp_path: Path) -> None:
    """The counts table a sharded build writes (from the shards' counts) is the one the client's merger gave."""
    build(CORPUS, tmp_path, jobs=2, shard_documents=4)
    merger = GraphMerger(count_shared=True)
    merger.add(vocabulary_ntriples())
    for task in _tasks():
        merger.add(process_document(task).ntriples)
    assert merger.shared is not None
    with reading(tmp_path) as generation:
        assert generation is not None
        con = sqlite3.connect(generation.path / COUNTS_FILE)
        try:
            table = dict(con.execute("SELECT digest, documents FROM shared"))
        finally:
            con.close()
        state = read_state(generation.path)
    assert table == {k: n for k, n in merger.shared.items() if n > 1}
    assert state is not None and state.triples == merger.triples == len(_seed_triples())


def test_no_store_writes_the_same_shards_and_no_store(sharded: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["build", str(CORPUS), "--out", str(out), "--shards", "4", "--no-store", "--jobs", "2", "--no-cache"]
    )
    assert result.exit_code == 0, result.output
    assert _shards(out) == _shards(sharded)
    assert not (out / "zhengce.oxigraph").exists()
    lines = sum(len(gzip.decompress(p.read_bytes()).splitlines()) for p in (out / SHARDS_DIR).glob("*.nt.gz"))
    assert f", {lines} triples in shards (a shared one once a shard) -> " in result.output
    assert lines > len(_seed_triples())  # the shards repeat shared triples
    questions = (["ask", "regions-running", "免申即享"], ["query", "-e", "SELECT * { ?s ?p ?o } LIMIT 1"], ["stats"])
    for command in questions:
        asked = CliRunner().invoke(cli, [*command, "--exports", str(out)])
        assert asked.exit_code == 1
        message = asked.output.strip()
        assert message.count("\n") == 0 and "no store (kg build --no-store)" in message, message
        assert f"oxigraph load --location STORE --file {out}/shards/*.nt.gz" in message


def test_no_store_needs_shards(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["build", str(CORPUS), "--out", str(tmp_path), "--no-store"])
    assert result.exit_code == 2 and "--no-store writes the graph as shards only" in result.output
    assert not list(tmp_path.iterdir())


def test_a_sharded_build_exports_the_formats_made_from_its_store(tmp_path: Path) -> None:
    """kg export -f html after a sharded build (its viewer is on request); Turtle is in the shards: one line."""
    build(CORPUS, tmp_path, shard_documents=4, use_cache=False)
    result = CliRunner().invoke(cli, ["export", "-f", "html", "--exports", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "zhengce.html").read_bytes().startswith(b"<!DOCTYPE html>")
    result = CliRunner().invoke(cli, ["export", "-f", "turtle", "--exports", str(tmp_path)])
    assert result.exit_code == 1 and "a sharded build has no zhengce.nt" in result.output
    assert result.output.strip().count("\n") == 0 and not (tmp_path / "zhengce.ttl").exists()
