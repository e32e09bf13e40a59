"""The store a build writes: batches loaded in the background, compacted, published by a link."""

from __future__ import annotations

from pathlib import Path

import pytest

import kg.store
from kg.store import STORE_NAME, StoreWriter, open_store, store_path


def _triples(n: int, start: int = 0) -> bytes:
    return b"".join(
        f'<http://example.org/r{i}> <http://www.w3.org/2000/01/rdf-schema#label> "地区{i}"@zh .\n'.encode()
        for i in range(start, start + n)
    )


def test_store_sealed_after_many_batches_holds_every_triple(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kg.store, "BATCH_BYTES", 2_000)  # a load every ~25 triples
    with StoreWriter(tmp_path) as writer:
        for start in range(0, 500, 50):
            writer.add(_triples(50, start))
        writer.seal()
        link = writer.publish()
    assert link == tmp_path / STORE_NAME and link.is_symlink()
    path = store_path(tmp_path)
    assert path is not None
    store = open_store(path)
    assert len(store) == 500
    labels = {q.object.value for q in store.quads_for_pattern(None, None, None)}
    assert labels == {f"地区{i}" for i in range(500)}


def test_store_not_published_is_deleted(tmp_path: Path) -> None:
    with StoreWriter(tmp_path) as writer:
        writer.add(_triples(3))
        writer.seal()
        folder = writer.path
        assert folder.is_dir()
    assert not folder.exists() and store_path(tmp_path) is None


def test_store_load_error_surfaces_at_finish(tmp_path: Path) -> None:
    with StoreWriter(tmp_path) as writer:
        writer.add(b"<http://example.org/a> <http://example.org/b> .\n")  # no object
        writer.seal()
        with pytest.raises(SyntaxError):
            writer.finish()
