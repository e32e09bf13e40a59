"""Export: one entry point, a registry of formats, and atomic writes.

Every file is written to a temporary file beside its target and moved into place only when
all the formats of a build have been serialised, so a failed or interrupted build leaves the
previous export whole.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from rdflib import Graph

from kg.errors import ExportError


def _turtle(graph: Graph) -> bytes:
    data: bytes = graph.serialize(format="turtle", encoding="utf-8")
    return data


def _ntriples(graph: Graph) -> bytes:
    # rdflib writes N-Triples in hash order; sorted lines make the file reproducible.
    text: str = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    lines = sorted(set(line for line in text.splitlines() if line.strip()))
    return ("\n".join(lines) + "\n").encode("utf-8")


# format name -> (file name, serialiser); aliases as rdflib has them
FORMATS: dict[str, tuple[str, Callable[[Graph], bytes]]] = {
    "turtle": ("zhengce.ttl", _turtle),
    "nt": ("zhengce.nt", _ntriples),
}
ALIASES = {"ttl": "turtle", "ntriples": "nt", "n-triples": "nt"}
DEFAULT_FORMATS = ("turtle", "nt")


def format_name(fmt: str) -> str:
    name = ALIASES.get(fmt, fmt)
    if name not in FORMATS:
        raise ExportError(f"No export format {fmt!r}. Available names: {', '.join(sorted([*FORMATS, *ALIASES]))}")
    return name


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export(graph: Graph, out_dir: Path, formats: Iterable[str] = DEFAULT_FORMATS) -> list[Path]:
    """Serialise ``graph`` in each format, then move all the files into ``out_dir``."""
    rendered: list[tuple[Path, bytes]] = []
    for fmt in formats:
        file_name, serialise = FORMATS[format_name(fmt)]
        rendered.append((out_dir / file_name, serialise(graph)))
    written = []
    for path, data in rendered:
        write_atomic(path, data)
        written.append(path)
    return written
