"""Sharded exports: the graph as ``zhengce-00000.nt.gz`` ... , each shard a run of documents in corpus order.

Shards hold about N documents each: a shard begins at a document whose name's hash says so
(``starts_shard``), so a document added or removed changes its own shard only, and an update
(kg/update.py) rewrites just the shards whose documents changed.

A shard is written by the process that extracts its documents (a worker of ``--jobs`` or of a
Dask cluster), so no process writes the whole graph's files. Within a shard each triple is
written once, where it first occurs (the GraphMerger of a build, over the shard's documents);
across shards a shared triple (a region's label, a policy) may repeat, which a store's load
merges. Shard 0 starts with the vocabulary the single-file export starts with, so the shards
loaded together are the graph of ``zhengce.nt``; and dropping the repeats from their
concatenation gives ``zhengce.nt`` line for line (a test checks both).

gzip is written without a time or file name in its header, so the same corpus gives the same
shard bytes.

No triple goes back to the client: a shard task returns its documents' records (name, size,
counts, warnings, cache key; no N-Triples) and, when the build keeps a store, the shard's
counts of shareable triples (digest -> how many of its documents give it), which the client
adds up for kg/update.py. The build's store is then loaded from the shard files (kg/pipeline.py).
"""

from __future__ import annotations

import gzip
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from kg.pipeline import DocumentResult, DocumentTask, process_document

SHARDS_DIR = "shards"
SHARDED_FORMATS = ("nt", "turtle")  # the single-file formats the shards replace
SHARD_STEM = "zhengce-"
NTRIPLES_SUFFIX = ".nt.gz"
TURTLE_SUFFIX = ".ttl.gz"


@dataclass(frozen=True, slots=True)
class ShardTask:
    """Extract a run of documents and write them as shard ``number`` into ``folder``."""

    number: int
    documents: tuple[DocumentTask, ...]
    folder: Path
    turtle: bool = True
    count_shared: bool = True  # return the shard's counts of shareable triples (a build with a store)


@dataclass(frozen=True, slots=True)
class ShardResult:
    """What a shard task sends back to the client: small records, no triples."""

    number: int
    documents: tuple[DocumentResult, ...]  # in corpus order, each without its N-Triples
    lines: int  # lines of the shard file (a shared triple once a shard)
    own_lines: int  # of those, lines of the documents' own nodes (never shared: kg.graph.is_own_line)
    # with count_shared: digest of each shareable line -> number of the shard's documents giving it
    # (shard 0's vocabulary counts as one), the counts GraphMerger(count_shared=True) keeps
    shared: dict[bytes, int] | None = None


def shard_name(number: int, suffix: str = NTRIPLES_SUFFIX) -> str:
    return f"{SHARD_STEM}{number:05d}{suffix}"


def starts_shard(name: str, per_shard: int) -> bool:
    """Whether the document ``name`` begins a new shard: one in ``per_shard`` names, chosen by a hash of the name.

    Boundaries depend on the names at them only, not on positions, so adding or removing a
    document changes its own shard and no other (kg/update.py rewrites just that one).
    """
    if per_shard <= 1:
        return True
    digest = hashlib.blake2b(name.encode("utf-8", "surrogateescape"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % per_shard == 0


def plan(
    documents: Sequence[DocumentTask], per_shard: int, folder: Path, *, turtle: bool = True, count_shared: bool = True
) -> list[ShardTask]:
    """Runs of about ``per_shard`` documents in corpus order, each beginning where ``starts_shard`` says.

    A corpus without documents has one shard, the vocabulary's (the graph of an empty build).
    """
    runs: list[list[DocumentTask]] = [[]]
    for document in documents:
        if runs[-1] and starts_shard(document.name, per_shard):
            runs.append([])
        runs[-1].append(document)
    return [ShardTask(n, tuple(run), folder, turtle, count_shared) for n, run in enumerate(runs)]


def write_shard(shard: ShardTask) -> ShardResult:
    """Process the shard's documents and write its files; returns their records, in order, and the shard's counts."""
    return write_shard_files(shard, [process_document(task) for task in shard.documents])


def write_shard_files(shard: ShardTask, results: Sequence[DocumentResult]) -> ShardResult:
    """Write shard ``shard``'s files from its documents' results (those that gave triples), in order."""
    from kg.graph import GraphMerger, is_own_line, vocabulary_ntriples

    merger = GraphMerger(count_shared=shard.count_shared)
    parts = [merger.add(vocabulary_ntriples())] if shard.number == 0 else []
    parts += [merger.add(r.ntriples) for r in results if r.problem is None and r.failure is None]
    data = b"".join(parts)
    shard.folder.mkdir(parents=True, exist_ok=True)
    _write_gzip(shard.folder / shard_name(shard.number), data)
    if shard.turtle:
        _write_gzip(shard.folder / shard_name(shard.number, TURTLE_SUFFIX), _turtle(data))
    records = tuple(replace(r, ntriples=b"") for r in results)  # the triples stay in the shard file
    own = sum(1 for line in data.splitlines() if is_own_line(line))
    return ShardResult(shard.number, records, merger.triples, own, merger.shared)


def _turtle(ntriples: bytes) -> bytes:
    import pyoxigraph as ox

    from kg.ontology import READING_PREFIX_IRIS

    triples = ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=READING_PREFIX_IRIS) or b""


def _write_gzip(path: Path, data: bytes) -> None:
    """Write through a temporary file and a rename: a shard is whole or absent (a worker may die writing it)."""
    from kg.export import write_atomic

    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=6) as gz:
        gz.write(data)
    write_atomic(path, out.getvalue())


def shard_files(folder: Path) -> list[Path]:
    """The N-Triples shards in ``folder``, in order."""
    return sorted(folder.glob(f"{SHARD_STEM}[0-9]*{NTRIPLES_SUFFIX}"))


class ShardWriter:
    """A build's shards: planned over its documents, written by the workers into its generation's ``shards/``.

    The generation (kg/store.py) is published whole, shards and store together, so nothing here
    is swapped on its own; a build that writes no shards has no ``shards/`` and its published
    ``DIR/shards`` link goes with the previous generation.
    """

    def __init__(
        self, generation_dir: Path, per_shard: int | None, *, turtle: bool = True, count_shared: bool = True
    ) -> None:
        self.out_dir = generation_dir
        self.per_shard = per_shard
        self.turtle = turtle
        self.count_shared = count_shared
        self.folder = generation_dir / SHARDS_DIR

    def plan(self, documents: Sequence[DocumentTask]) -> list[ShardTask] | None:
        """The shards to write (None when this build writes single files)."""
        if self.per_shard is None:
            return None
        return plan(documents, self.per_shard, self.folder, turtle=self.turtle, count_shared=self.count_shared)

    def publish(self) -> Path | None:
        """The shards folder, complete (what a killed worker left half-written removed), or None without shards."""
        if self.per_shard is None:
            return None
        self.folder.mkdir(parents=True, exist_ok=True)  # a corpus without documents has no shards
        for tmp in self.folder.glob(".*.tmp"):  # what a killed worker left half-written (its task ran again)
            tmp.unlink(missing_ok=True)
        return self.folder

    def __enter__(self) -> ShardWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        pass  # an unpublished generation is removed whole
