"""The store a build writes (batches loaded in the background, compacted) and the generations that publish it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import kg.store
from kg.errors import ExportError
from kg.store import (
    CURRENT_LINK,
    GENERATION_LOCK,
    GENERATIONS_DIR,
    STORE_NAME,
    GenerationWriter,
    StoreWriter,
    current_generation,
    hold_generation,
    open_store,
    reading,
    store_path,
)


def _triples(n: int, start: int = 0) -> bytes:
    return b"".join(
        f'<http://example.org/r{i}> <http://www.w3.org/2000/01/rdf-schema#label> "地区{i}"@zh .\n'.encode()
        for i in range(start, start + n)
    )


def _publish(out: Path, triples: bytes, extra: str | None = None) -> str:
    """A generation of ``out`` holding a store of ``triples`` (and a file ``extra``), published."""
    with GenerationWriter(out) as generation:
        with StoreWriter(generation.path / STORE_NAME) as writer:
            writer.add(triples)
            writer.seal()
            writer.close()
        if extra:
            (generation.path / extra).write_text(extra, encoding="utf-8")
        generation.publish()
        return generation.generation.name


def test_store_sealed_after_many_batches_holds_every_triple(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kg.store, "BATCH_BYTES", 2_000)  # a load every ~25 triples
    with GenerationWriter(tmp_path) as generation:
        with StoreWriter(generation.path / STORE_NAME) as writer:
            for start in range(0, 500, 50):
                writer.add(_triples(50, start))
            writer.seal()
            writer.close()
        published = generation.publish()
    link = tmp_path / STORE_NAME
    assert published == [link] and link.is_symlink() and os.readlink(link) == f"{CURRENT_LINK}/{STORE_NAME}"
    path = store_path(tmp_path)
    assert path is not None
    store = open_store(path)
    assert len(store) == 500
    labels = {q.object.value for q in store.quads_for_pattern(None, None, None)}
    assert labels == {f"地区{i}" for i in range(500)}


def test_store_generation_not_published_is_deleted(tmp_path: Path) -> None:
    with GenerationWriter(tmp_path) as generation:
        with StoreWriter(generation.path / STORE_NAME) as writer:
            writer.add(_triples(3))
            writer.seal()
        folder = generation.path
        assert folder.is_dir()
    assert not folder.exists() and store_path(tmp_path) is None and current_generation(tmp_path) is None


def test_store_load_error_surfaces_at_finish(tmp_path: Path) -> None:
    with StoreWriter(tmp_path / STORE_NAME) as writer:
        writer.add(b"<http://example.org/a> <http://example.org/b> .\n")  # no object
        writer.seal()
        with pytest.raises(SyntaxError):
            writer.finish()


def test_store_published_generation_replaces_the_previous_one_whole(tmp_path: Path) -> None:
    """One swap changes every name; the previous generation is removed once nobody reads it."""
    first = _publish(tmp_path, _triples(3), extra="kg-build.log")
    assert (tmp_path / "kg-build.log").read_text(encoding="utf-8") == "kg-build.log"
    second = _publish(tmp_path, _triples(5))
    assert current_generation(tmp_path) == second != first
    assert not (tmp_path / "kg-build.log").exists() and not (tmp_path / "kg-build.log").is_symlink()
    assert sorted(p.name for p in (tmp_path / GENERATIONS_DIR).iterdir()) == [second]
    assert len(open_store(store_path(tmp_path) or tmp_path)) == 5


def test_store_held_generation_outlives_newer_builds(tmp_path: Path) -> None:
    """A reader's generation stays whole while builds publish others; it goes when released."""
    first = _publish(tmp_path, _triples(3))
    with reading(tmp_path) as generation:
        assert generation is not None and generation.name == first
        store = generation.open_store()
        second = _publish(tmp_path, _triples(5))
        third = _publish(tmp_path, _triples(7))
        assert len(store) == 3 and generation.path.is_dir()
        # the generation between them was removed: nobody held it
        assert sorted(p.name for p in (tmp_path / GENERATIONS_DIR).iterdir()) == sorted([first, third])
        del store
    hold = hold_generation(tmp_path)  # a command that starts cleans what nobody holds
    assert hold is not None and hold.generation.name == third != second
    assert sorted(p.name for p in (tmp_path / GENERATIONS_DIR).iterdir()) == [third]
    hold.close()


def test_store_new_generation_is_locked_from_its_first_moment(tmp_path: Path) -> None:
    """A generation being written shows only a lock file already locked: a cleaner leaves it alone."""
    _publish(tmp_path, _triples(3))
    with GenerationWriter(tmp_path) as generation:
        assert sorted(p.name for p in generation.path.iterdir()) == [GENERATION_LOCK]
        assert kg.store.clean_generations(tmp_path) == [] and generation.path.is_dir()


def test_store_build_whose_folder_was_removed_is_not_published(tmp_path: Path) -> None:
    """A build whose folder a cleaner took (its store recreated the folder) fails in one line, publishes nothing."""
    first = _publish(tmp_path, _triples(3))
    removed = pytest.raises(ExportError, match="the new build was removed while it was written")
    with removed, GenerationWriter(tmp_path) as generation:
        generation.path.rename(tmp_path / GENERATIONS_DIR / ".trash-taken")
        generation.path.mkdir()  # as kg.export's writer does (parents=True): a folder without the lock file
        with StoreWriter(generation.path / STORE_NAME) as writer:
            writer.add(_triples(5))
            writer.seal()
            writer.close()
        generation.publish()
    assert current_generation(tmp_path) == first
    with reading(tmp_path) as held:
        assert held is not None and len(held.open_store()) == 3


def test_store_published_generation_without_its_lock_file_is_one_clear_error(tmp_path: Path) -> None:
    """A current generation that lost its lock file (made by an earlier kg) says what to do, at once."""
    first = _publish(tmp_path, _triples(3))
    (tmp_path / GENERATIONS_DIR / first / GENERATION_LOCK).unlink()
    with pytest.raises(ExportError, match=f"{first}: the current build has no .kg-generation.lock; run kg build"):
        hold_generation(tmp_path)


def test_store_legacy_layout_is_replaced_by_links(tmp_path: Path) -> None:
    """An export folder of the layout before generations (files, a link to a hidden store) becomes links."""
    (tmp_path / "zhengce.ttl").write_text("old", encoding="utf-8")
    legacy = tmp_path / f".{STORE_NAME}.123.abc"
    legacy.mkdir()
    (tmp_path / STORE_NAME).symlink_to(legacy.name)
    with GenerationWriter(tmp_path) as generation:
        (generation.path / "zhengce.ttl").write_text("new", encoding="utf-8")
        (generation.path / STORE_NAME).mkdir()
        generation.publish()
    assert (tmp_path / "zhengce.ttl").is_symlink() and (tmp_path / "zhengce.ttl").read_text(encoding="utf-8") == "new"
    assert os.readlink(tmp_path / STORE_NAME) == f"{CURRENT_LINK}/{STORE_NAME}" and not legacy.exists()
