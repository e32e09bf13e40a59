"""The build: parallel equals serial byte for byte, and a rebuild after a change equals a clean build."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path
from typing import BinaryIO

import pytest

from kg.errors import BuildAborted, ExportError
from kg.pipeline import LOG_FILE, _one_line, build
from kg.store import GENERATIONS_DIR
from tests.conftest import CORPUS, CRASH_MARKER

FILES = ("zhengce.ttl", "zhengce.nt", "zhengce.html")


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


@pytest.mark.parametrize("jobs", [1, 2])
def test_pipeline_extraction_failure_is_reported_and_logged(crash_corpus: Path, tmp_path: Path, jobs: int) -> None:
    """build() leaves out a file whose extraction raises, reports it and publishes its traceback in the log."""
    out = tmp_path / "out"
    report = build(crash_corpus, out, jobs=jobs)
    assert report.documents == 2 and report.problems == []
    assert [(f.path, f.error.split(" in process")[0]) for f in report.failures] == [
        ("b-crash.txt", "TypeError: planted failure")
    ]
    assert report.log == out / LOG_FILE and report.log not in report.outputs
    assert report.log.read_text(encoding="utf-8").endswith(report.failures[0].traceback)
    assert 'raise TypeError(f"planted failure' in report.failures[0].traceback
    nt = (out / "zhengce.nt").read_text(encoding="utf-8")
    assert "/doc/a-good.txt>" in nt and "/doc/c-good.txt>" in nt and "/doc/b-crash.txt>" not in nt
    assert report.triples == len(nt.splitlines())
    with pytest.raises(BuildAborted, match="1 input file"):
        build(crash_corpus, tmp_path / "strict", jobs=jobs, strict=True)
    assert not list((tmp_path / "strict").glob("zhengce*")) and not (tmp_path / "strict" / LOG_FILE).exists()


def test_pipeline_log_is_published_with_the_export(
    crash_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that fails while writing its files leaves the previous log whole and no temporary file, old or new."""
    from kg import export

    out = tmp_path / "out"
    build(crash_corpus, out)
    before = (out / LOG_FILE).read_bytes()
    (out / f".{LOG_FILE}.killed.tmp").write_text("what a killed build left", encoding="utf-8")
    (crash_corpus / "d-crash.txt").write_text(f"西宁市。{CRASH_MARKER}", encoding="utf-8")

    def refuse(_source: export.ExportSource, _out: BinaryIO) -> None:
        # the new log is staged in the new generation ...
        assert len(list((out / GENERATIONS_DIR).glob(f"*/.{LOG_FILE}.*.tmp"))) == 1
        raise OSError(errno.ENOSPC, "No space left on device")  # ... when writing the export fails

    monkeypatch.setattr(export, "write_turtle", refuse)
    with pytest.raises(ExportError, match="No space left on device; the previous build is unchanged"):
        build(crash_corpus, out)
    assert (out / LOG_FILE).read_bytes() == before
    assert [p.name for p in out.rglob("*") if p.name.endswith(".tmp")] == []
    assert len(list((out / GENERATIONS_DIR).iterdir())) == 1


def test_pipeline_error_line_is_one_line() -> None:
    """An exception's summary is one line: qualified type, message with its line breaks folded, cut when long."""
    from decimal import InvalidOperation

    assert _one_line(TypeError("a\n  b")) == "TypeError: a b"
    assert _one_line(InvalidOperation()) == "decimal.InvalidOperation"
    long = _one_line(KeyError("x" * 1000))
    assert long.startswith("KeyError: 'xxx") and long.endswith("…") and len(long) < 320

    class Unprintable(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no")

    assert _one_line(Unprintable()).endswith("Unprintable: <exception str() failed>")
