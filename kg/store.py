"""The embedded Oxigraph store a build writes beside its export files, and how it is swapped in.

A build loads N-Triples into a new store in a hidden folder of the output directory, in batches
(each bulk load writes new files, so batching keeps their number small), and publishes it by
repointing the symlink ``zhengce.oxigraph`` in one atomic rename. Readers and `kg serve` never
see a half-written store, and an interrupted build leaves the previous one in place.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from types import TracebackType

import pyoxigraph as ox

from kg.errors import ExportError

STORE_NAME = "zhengce.oxigraph"
_PREFIX = f".{STORE_NAME}."
BATCH_BYTES = 32 * 1024 * 1024


class StoreWriter:
    """A new store under ``out_dir``, filled with ``add`` and published with ``publish``.

    Used as a context manager: leaving the block without publishing deletes the new store.
    """

    def __init__(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.out_dir = out_dir
        self.path = out_dir / f"{_PREFIX}{os.getpid()}.{uuid.uuid4().hex[:12]}"
        self.store = ox.Store(str(self.path))
        self._batch: list[bytes] = []
        self._batch_bytes = 0
        self._published = False

    def add(self, ntriples: bytes) -> None:
        """Queue N-Triples for loading (the store would merge duplicates; the build sends none)."""
        self._batch.append(ntriples)
        self._batch_bytes += len(ntriples)
        if self._batch_bytes >= BATCH_BYTES:
            self.flush()

    def flush(self) -> None:
        if self._batch:
            self.store.bulk_load(b"".join(self._batch), format=ox.RdfFormat.N_TRIPLES)
            self._batch, self._batch_bytes = [], 0

    def finish(self) -> ox.Store:
        """Load what is queued and return the store, ready to be read and exported."""
        self.flush()
        self.store.flush()
        return self.store

    def publish(self) -> Path:
        """Point ``out_dir/zhengce.oxigraph`` at the new store (atomically) and delete older stores."""
        self.finish()
        del self.store  # close the database before another process may open it
        link = self.out_dir / STORE_NAME
        if link.exists() and not link.is_symlink():
            raise ExportError(f"{link} exists and is not a store link written by kg build; move it away")
        tmp_link = self.out_dir / f"{_PREFIX}link.{os.getpid()}.tmp"
        tmp_link.unlink(missing_ok=True)
        tmp_link.symlink_to(self.path.name)
        os.replace(tmp_link, link)
        self._published = True
        remove_stale_stores(self.out_dir, keep=self.path.name)
        return link

    def __enter__(self) -> StoreWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self._published:
            if hasattr(self, "store"):
                del self.store
            shutil.rmtree(self.path, ignore_errors=True)


def remove_stale_stores(out_dir: Path, keep: str) -> None:
    """Delete stores the link no longer points to (older builds, builds killed half-way).

    Only called with the build lock held, so no other build is writing one of them.
    """
    for entry in out_dir.glob(f"{_PREFIX}*"):
        if entry.name != keep:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def store_path(export_dir: Path) -> Path | None:
    """The published store of an export folder, if a build wrote one."""
    link = export_dir / STORE_NAME
    return link.resolve() if link.is_dir() else None


def open_store(path: Path) -> ox.Store:
    """Open a published store for reading (several readers may share it)."""
    try:
        return ox.Store.read_only(str(path))
    except OSError as e:
        raise ExportError(f"{path}: cannot open the store ({e}); run kg build again") from e
