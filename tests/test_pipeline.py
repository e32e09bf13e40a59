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
