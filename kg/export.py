"""Export: a registry of file formats written from the build's store, all-or-nothing.

Every file is written to a temporary file beside its target and moved into place only when
all the formats of a build have been written, so a failed or interrupted build leaves the
previous export whole. Oxigraph writes Turtle and N-Triples straight from the store, in the
store's key order: deterministic for a given set of triples, whatever order they were added in.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg.errors import ExportError
from kg.ontology import ID_PREFIXES, PREFIXES

Writer = Callable[[ox.Store, BinaryIO], None]
TEMP_SUFFIX = ".tmp"


def _turtle(store: ox.Store, out: BinaryIO) -> None:
    prefixes = {name: str(ns) for name, ns in PREFIXES.items()}
    prefixes.update({kind: str(ns) for kind, ns in ID_PREFIXES.items()})
    store.dump(out, format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(), prefixes=prefixes)


def _ntriples(store: ox.Store, out: BinaryIO) -> None:
    store.dump(out, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())


@dataclass(frozen=True, slots=True)
class ExportFormat:
    file_name: str
    writer: Writer
    default: bool  # written by every kg build ...
    max_triples: int | None = None  # ... unless the graph is larger than this (viewer files)


FORMATS: dict[str, ExportFormat] = {
    "turtle": ExportFormat("zhengce.ttl", _turtle, True),
    "nt": ExportFormat("zhengce.nt", _ntriples, True),
}
ALIASES = {"ttl": "turtle", "ntriples": "nt", "n-triples": "nt"}


def default_formats(triples: int = 0) -> tuple[str, ...]:
    """The formats a build writes for a graph of ``triples`` triples."""
    return tuple(
        name for name, f in FORMATS.items() if f.default and (f.max_triples is None or triples <= f.max_triples)
    )


def register_format(name: str, spec: ExportFormat) -> None:
    """Add an export format (the graph-viewer formats of kg/network.py register themselves)."""
    FORMATS[name] = spec


def format_name(fmt: str) -> str:
    name = ALIASES.get(fmt, fmt)
    if name not in FORMATS:
        raise ExportError(f"No export format {fmt!r}. Available names: {', '.join(sorted([*FORMATS, *ALIASES]))}")
    return name


def _temp_beside(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; exports are for sharing
    os.close(fd)
    return Path(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_temp(path: Path, write: Callable[[BinaryIO], None]) -> Path:
    tmp = _temp_beside(path)
    try:
        with tmp.open("wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""

    def write(fh: BinaryIO) -> None:
        fh.write(data)

    tmp = _write_temp(path, write)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_files(out_dir: Path, files: Iterable[tuple[str, Callable[[BinaryIO], None]]]) -> list[Path]:
    """Write each (file name, writer) to a temporary file, then move them all into ``out_dir``."""
    staged: list[tuple[Path, Path]] = []
    try:
        for file_name, write in files:
            target = out_dir / file_name
            staged.append((_write_temp(target, write), target))
        for tmp, target in staged:
            os.replace(tmp, target)
    except BaseException:
        for tmp, _target in staged:
            tmp.unlink(missing_ok=True)
        raise
    return [target for _tmp, target in staged]


def export(store: ox.Store, out_dir: Path, formats: Iterable[str] | None = None) -> list[Path]:
    """Write ``store`` in each format (default: the default formats), then move the files into ``out_dir``."""
    names = default_formats(len(store)) if formats is None else [format_name(f) for f in formats]
    return write_files(out_dir, ((FORMATS[n].file_name, partial(FORMATS[n].writer, store)) for n in names))


def remove_stale_temporaries(out_dir: Path) -> None:
    """Delete temporary files a killed build left (called with the build lock held)."""
    for spec in FORMATS.values():
        for tmp in out_dir.glob(f".{spec.file_name}.*{TEMP_SUFFIX}"):
            tmp.unlink(missing_ok=True)
