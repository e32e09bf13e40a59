"""The build: parallel equals serial byte for byte, and a rebuild after a change equals a clean build."""

from __future__ import annotations

import shutil
from pathlib import Path

from kg.pipeline import build
from tests.conftest import CORPUS

FILES = ("zhengce.ttl", "zhengce.nt", "zhengce.graphml", "zhengce.gexf", "zhengce.cyjs", "zhengce.html")


def _bytes(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in FILES}


def test_pipeline_parallel_equals_serial(tmp_path: Path) -> None:
    serial = build(CORPUS, tmp_path / "serial", jobs=1, use_cache=False)
    parallel = build(CORPUS, tmp_path / "parallel", jobs=2, use_cache=False)
    assert serial.triples == parallel.triples
    assert _bytes(tmp_path / "serial") == _bytes(tmp_path / "parallel")


def test_pipeline_incremental_rebuild_equals_clean_build(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    out = tmp_path / "out"
    first = build(corpus, out)
    assert first.cached == 0
    changed = sorted(corpus.glob("*.txt"))[0]
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\n2024年，西宁市城镇新增就业3.2万人。\n", encoding="utf-8"
    )
    again = build(corpus, out)
    assert again.cached == first.documents - 1  # only the changed file was extracted again
    clean = build(corpus, tmp_path / "clean", use_cache=False)
    assert _bytes(out) == _bytes(tmp_path / "clean")
    assert clean.triples == again.triples != first.triples


def test_pipeline_damaged_cache_entry_is_a_miss(tmp_path: Path) -> None:
    """A cache entry with a garbled header is extracted again, not an error; the graph is unchanged."""
    out = tmp_path / "out"
    first = build(CORPUS, out)
    before = _bytes(out)
    entries = sorted((out / ".kg-cache").glob("*/*.nt"))
    entries[0].write_bytes(b"# counts 1 2 x\n" + entries[0].read_bytes())
    entries[1].write_bytes(b"# counts 0 0 0 0 0\n# warning {not json\n")
    again = build(CORPUS, out)
    assert again.cached == first.documents - 2
    assert _bytes(out) == before and again.triples == first.triples


def test_pipeline_counts_each_triple_once(tmp_path: Path) -> None:
    """The report's triple count is the store's: the merger dropped exactly the repeats."""
    from kg.store import open_store, store_path

    report = build(CORPUS, tmp_path / "out")
    path = store_path(tmp_path / "out")
    assert path is not None
    assert report.triples == len(open_store(path)) == len((tmp_path / "out" / "zhengce.nt").read_bytes().splitlines())
