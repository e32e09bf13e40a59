"""Export: the formats of kg/formats.py written from a build, all-or-nothing.

A build writes its files into a new generation folder, published whole (kg/store.py); ``kg
export`` adds files to the current generation. Every file is written to a temporary file beside
its target and moved into place only when all the formats have been written, so no reader of
the generation sees a file half-written.

The graph's order is that of its N-Triples, which the build writes as documents finish (in
corpus order, each triple where it first occurs: kg/graph.py GraphMerger). Turtle is written
from those N-Triples in the same order, so a subject's triples stay together and a document's
facts sit side by side; the viewer formats are made from the store.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import pyoxigraph as ox

from kg.errors import ExportError
from kg.formats import FORMATS, ExportFormat, default_formats, formats_named
from kg.formats import format_name as format_name  # re-exported: kg.export.format_name
from kg.ontology import READING_PREFIX_IRIS
from kg.store import fault_point

if TYPE_CHECKING:
    from rdflib import Graph

TEMP_SUFFIX = ".tmp"
NTRIPLES_FILE = FORMATS["nt"].file_name


@dataclass(frozen=True, slots=True)
class ExportSource:
    """What export files are made from: the graph's N-Triples (in export order) and its store."""

    ntriples: Path
    get_store: Callable[[], ox.Store]  # waits for the store (a build is still loading it meanwhile)

    @property
    def store(self) -> ox.Store:
        return self.get_store()


def write_turtle(source: ExportSource, out: BinaryIO) -> None:
    triples = ox.parse(path=str(_single_ntriples(source)), format=ox.RdfFormat.N_TRIPLES)
    ox.serialize(triples, out, format=ox.RdfFormat.TURTLE, prefixes=READING_PREFIX_IRIS)


def write_ntriples(source: ExportSource, out: BinaryIO) -> None:
    with _single_ntriples(source).open("rb") as fh:
        shutil.copyfileobj(fh, out, 1 << 20)


def _write_format(spec: ExportFormat, source: ExportSource, out: BinaryIO) -> None:
    spec.writer()(source, out)


def temp_beside(path: Path) -> Path:
    """A new empty temporary file beside ``path`` (a killed writer's is removed by kg.store.clean_leftovers)."""
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
    tmp = temp_beside(path)
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


def write_files(out_dir: Path, files: Iterable[tuple[str, Callable[[BinaryIO], None] | Path]]) -> list[Path]:
    """Write each (file name, writer) to a temporary file, then move them all into ``out_dir``.

    Instead of a writer, a file may come as a temporary file already written (``temp_beside``).
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for file_name, write in files:
            target = out_dir / file_name
            staged.append((write if isinstance(write, Path) else _write_temp(target, write), target))
        for tmp, target in staged:
            os.replace(tmp, target)
            fault_point(f"after-{target.name}")
    except BaseException:
        for tmp, _target in staged:
            tmp.unlink(missing_ok=True)
        raise
    return [target for _tmp, target in staged]


def export(
    source: ExportSource,
    out_dir: Path,
    formats: Iterable[str] | None = None,
    *,
    staged: dict[str, Path] | None = None,
    also: Iterable[tuple[str, Callable[[BinaryIO], None] | Path]] = (),
) -> list[Path]:
    """Write ``source`` in each format (default: the default formats), then move the files into ``out_dir``.

    ``staged`` maps a format to a temporary file that already holds it (the build's N-Triples);
    ``also`` are other files (as for ``write_files``) moved into place with the export files (the
    build's log).
    """
    if formats is None:
        names = list(default_formats())
    else:
        names = list(dict.fromkeys(name for f in formats for name in formats_named(f)))
    staged = staged or {}
    files: list[tuple[str, Callable[[BinaryIO], None] | Path]] = [
        (FORMATS[n].file_name, staged.get(n) or partial(_write_format, FORMATS[n], source)) for n in names
    ]
    return write_files(out_dir, [*also, *files])


def read_export(path: Path) -> Graph:
    """An export file as an rdflib graph (N-Triples for ``.nt``, else Turtle); ExportError if it cannot be read."""
    from rdflib import Graph

    fmt = "nt" if path.suffix == ".nt" else "turtle"
    try:
        return Graph().parse(path, format=fmt)
    except Exception as e:  # rdflib raises many kinds; any of them means an unreadable export
        raise ExportError(f"{path}: cannot parse as {fmt}: {e}") from None


def _single_ntriples(source: ExportSource) -> Path:
    """The build's zhengce.nt; a sharded build (kg build --shards) has its triples in shards/ instead."""
    if not source.ntriples.is_file():
        raise ExportError(
            f"{source.ntriples.parent}: a sharded build has no {NTRIPLES_FILE}: its N-Triples and Turtle are"
            " shards/zhengce-*.nt.gz and .ttl.gz"
        )
    return source.ntriples


def export_source(export_dir: Path, store: ox.Store) -> ExportSource:
    """The published build in ``export_dir`` as an export source (for kg export).

    A sharded build has no zhengce.nt: the formats made from the store can still be written.
    """
    ntriples = export_dir / NTRIPLES_FILE
    if not ntriples.is_file() and not (export_dir / "shards").is_dir():
        raise ExportError(f"{ntriples} is missing; run kg build again")
    return ExportSource(ntriples, lambda: store)
