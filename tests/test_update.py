"""Updates of a sharded build: only changed documents extracted, only their shards written, a clean build's bytes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.pipeline import build
from kg.shards import SHARDS_DIR
from kg.store import reading
from kg.update import COUNTS_FILE, read_state
from tests.conftest import CORPUS
from tests.test_answers import check_against_sparql, index_answers

PER_SHARD = 4


def _files(out: Path) -> dict[str, bytes]:
    """The published files a reader sees: shards and viewer files (the store is compared by its triples)."""
    files = {p.name: p.read_bytes() for p in sorted((out / SHARDS_DIR).iterdir())}
    files |= {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file() and not p.name.startswith(".")}
    return files


def _triples(out: Path) -> set[str]:
    with reading(out) as generation:
        assert generation is not None
        store = generation.open_store()
        return {str(q) for q in store}


def _clean(corpus: Path, out: Path) -> Path:
    build(corpus, out, shard_documents=PER_SHARD, use_cache=False)
    return out


def _same_answers(out: Path, clean: Path) -> None:
    """The updated answers index answers every question as a clean build's, and as the updated store's SPARQL."""
    assert index_answers(out, clean) == index_answers(clean)
    check_against_sparql(out, stride=7)


def _shard_inodes(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_ino for p in (out / SHARDS_DIR).iterdir()}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    copy = tmp_path / "corpus"
    shutil.copytree(CORPUS, copy)
    return copy


def test_a_changed_file_gives_a_clean_builds_bytes(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg.answers

    out = tmp_path / "out"
    build(corpus, out, shard_documents=PER_SHARD)
    before = _shard_inodes(out)
    monkeypatch.setattr(kg.answers, "write_answers", None)  # the update changes the previous index, not a new one
    names = sorted(p.name for p in corpus.glob("*.txt"))
    changed = corpus / names[-1]
    # a new sentence with a new figure, and one of the document's sentences gone (its facts may be shared)
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text[: len(text) // 2] + "\n2024年青海省新增就业1万人。\n", encoding="utf-8")
    report = build(corpus, out, shard_documents=PER_SHARD)
    assert report.cached == len(names) - 1  # the other documents were not extracted again
    monkeypatch.undo()
    clean = _clean(corpus, tmp_path / "clean")
    assert _files(out) == _files(clean)
    assert _triples(out) == _triples(clean)
    _same_answers(out, clean)
    assert report.triples == build(corpus, tmp_path / "again", shard_documents=PER_SHARD, use_cache=False).triples
    after = _shard_inodes(out)
    same = {name for name in after if before.get(name) == after[name]}  # hard links to the previous shards
    assert same and all(name in before for name in same)
    assert len(same) < len(after)  # the changed document's shard was written again


def test_added_and_removed_documents_give_a_clean_builds_bytes(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(corpus, out, shard_documents=PER_SHARD)
    names = sorted(p.name for p in corpus.glob("*.txt"))
    (corpus / names[0]).unlink()  # its regions and policies stay while another document gives them
    (corpus / "005_added.txt").write_text("2024年1月5日\n青海省人民政府\n2024年青海省新增就业1万人。\n", "utf-8")
    report = build(corpus, out, shard_documents=PER_SHARD)
    assert report.cached == len(names) - 1
    clean = _clean(corpus, tmp_path / "clean")
    assert _files(out) == _files(clean)
    assert _triples(out) == _triples(clean)
    _same_answers(out, clean)
    # and back: the removed document returns, the added one goes
    shutil.copy(CORPUS / names[0], corpus / names[0])
    (corpus / "005_added.txt").unlink()
    build(corpus, out, shard_documents=PER_SHARD)
    assert _files(out) == _files(_clean(corpus, tmp_path / "clean2"))
    assert _triples(out) == _triples(tmp_path / "clean2")
    _same_answers(out, tmp_path / "clean2")


def test_an_update_leaves_the_generation_readers_hold(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(corpus, out, shard_documents=PER_SHARD)
    with reading(out) as held:
        assert held is not None
        store = held.open_store()
        triples = {str(q) for q in store}
        counts = (held.path / COUNTS_FILE).read_bytes()
        name = sorted(corpus.glob("*.txt"))[1]
        name.write_text(name.read_text(encoding="utf-8") + "\n2024年青海省新增就业1万人。\n", encoding="utf-8")
        build(corpus, out, shard_documents=PER_SHARD)
        assert {str(q) for q in store} == triples  # the reader's store is not the updated one
        assert (held.path / COUNTS_FILE).read_bytes() == counts
        assert len(ox.Store.read_only(str(held.path / "zhengce.oxigraph"))) == len(triples)
    assert _triples(out) != triples


def test_state_is_kept_only_by_sharded_cached_builds(corpus: Path, tmp_path: Path) -> None:
    build(corpus, tmp_path / "single")
    with reading(tmp_path / "single") as generation:
        assert generation is not None and read_state(generation.path) is None
    build(corpus, tmp_path / "sharded", shard_documents=PER_SHARD)
    with reading(tmp_path / "sharded") as generation:
        assert generation is not None
        state = read_state(generation.path)
        assert state is not None and [d.name for d in state.documents] == sorted(os.listdir(corpus))[:5]


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written a moment ago count as settled (their stamps are trusted at once), as files of a
    corpus written more than SETTLED_NS ago would."""
    monkeypatch.setattr("kg.load.SETTLED_NS", 0)


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files read from now on (kg.load.read_stamped, which every corpus read goes through)."""
    import kg.load

    reads: list[str] = []
    original = kg.load.read_stamped

    def counted(path: Path, source_file: str) -> tuple[bytes, object]:
        reads.append(source_file)
        return original(path, source_file)

    monkeypatch.setattr(kg.load, "read_stamped", counted)
    return reads


def test_unchanged_files_are_not_read_again(
    corpus: Path, tmp_path: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build(corpus, out, shard_documents=PER_SHARD)
    changed = sorted(corpus.glob("*.txt"))[2]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n2024年青海省新增就业1万人。\n", encoding="utf-8")
    reads = _reads(monkeypatch)
    report = build(corpus, out, shard_documents=PER_SHARD)
    assert set(reads) == {changed.name}  # found by its stamp, then extracted
    assert report.cached == 4
    assert _files(out) == _files(_clean(corpus, tmp_path / "clean"))


def test_a_file_edited_with_its_time_set_back_is_found(
    corpus: Path, tmp_path: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build(corpus, out, shard_documents=PER_SHARD)
    changed = sorted(corpus.glob("*.txt"))[0]
    before = changed.stat()
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace("2023", "2022", 1), encoding="utf-8")  # the same size
    os.utime(changed, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the same modification time
    assert changed.stat().st_size == before.st_size and changed.stat().st_mtime_ns == before.st_mtime_ns
    reads = _reads(monkeypatch)
    build(corpus, out, shard_documents=PER_SHARD)
    assert set(reads) == {changed.name}  # its change time gave it away
    assert _files(out) == _files(_clean(corpus, tmp_path / "clean"))


def test_changed_metadata_is_found_without_the_file_changing(
    corpus: Path, tmp_path: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    out = tmp_path / "out"
    build(corpus, out, shard_documents=PER_SHARD)
    metadata = json.loads((corpus / "metadata.json").read_text(encoding="utf-8"))
    name = sorted(metadata)[1]
    metadata[name]["date"] = "2023-12-31"
    (corpus / "metadata.json").write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
    reads = _reads(monkeypatch)
    report = build(corpus, out, shard_documents=PER_SHARD)
    assert set(reads) == {name} and report.cached == 4
    assert _files(out) == _files(_clean(corpus, tmp_path / "clean"))


def test_files_written_just_before_a_build_are_read_again(corpus: Path, tmp_path: Path) -> None:
    # copied a moment ago: a later change within the same tick of the file system's clock could keep
    # the times, so no stamp is trusted and the next build reads each file again
    out = tmp_path / "out"
    build(corpus, out, shard_documents=PER_SHARD)
    with reading(out) as generation:
        assert generation is not None
        state = read_state(generation.path)
        assert state is not None and all(d.stamp is None for d in state.documents)


def test_a_build_without_a_store_updates_to_a_clean_builds_shards(corpus: Path, tmp_path: Path) -> None:
    """--no-store: the update rewrites the changed document's shard and the state; no store, no counts needed."""
    out = tmp_path / "out"
    build(corpus, out, shard_documents=PER_SHARD, store=False)
    names = sorted(p.name for p in corpus.glob("*.txt"))
    changed = corpus / names[-1]
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text[: len(text) // 2] + "\n2024年青海省新增就业1万人。\n", encoding="utf-8")
    (corpus / names[0]).unlink()
    report = build(corpus, out, shard_documents=PER_SHARD, store=False)
    assert report.cached == len(names) - 2 and report.triples_in_shards
    clean = build(corpus, tmp_path / "clean", shard_documents=PER_SHARD, store=False)  # its own, empty cache
    assert _files(out) == _files(tmp_path / "clean")
    assert report.triples == clean.triples
    assert not (out / "zhengce.oxigraph").exists()
    with reading(out) as generation, reading(tmp_path / "clean") as clean_generation:
        assert generation is not None and clean_generation is not None
        state, clean_state = read_state(generation.path), read_state(clean_generation.path)
        assert state is not None and clean_state is not None
        assert (state.triples, state.shard_lines, state.store) == (clean_state.triples, clean_state.shard_lines, False)
    # asking for a store again is a full build (another kind of build), equal to a clean one
    build(corpus, out, shard_documents=PER_SHARD)
    assert _triples(out) == _triples(_clean(corpus, tmp_path / "clean-store"))


@pytest.mark.parametrize(
    ("sentence", "named"),
    [
        ("海南省三亚市全面推行“免申即享”。", True),  # a region no document named before
        ("青海省全面推行“免申即享”。", False),  # only facts about things already named
    ],
)
def test_the_tables_of_named_things_are_refilled_only_when_one_came_or_went(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sentence: str, named: bool
) -> None:
    import kg.answers

    out = tmp_path / "out"
    build(corpus, out, shard_documents=PER_SHARD)
    changed = sorted(corpus.glob("*.txt"))[1]
    changed.write_text(changed.read_text(encoding="utf-8") + f"\n{sentence}\n", encoding="utf-8")
    calls: list[bool] = []
    original = kg.answers.update_answers

    def spy(*args: object, named: bool = True) -> object:
        calls.append(named)
        return original(*args, named=named)  # type: ignore[arg-type]

    monkeypatch.setattr(kg.answers, "update_answers", spy)
    build(corpus, out, shard_documents=PER_SHARD)
    monkeypatch.undo()
    assert calls == [named]
    _same_answers(out, _clean(corpus, tmp_path / "clean"))
