"""Sharded exports: runs of documents written by the workers; together the graph of the single-file export."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.pipeline import build
from kg.shards import SHARDS_DIR, starts_shard
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
