"""Orchestration: corpus folder -> one worker task per file -> N-Triples file and store -> exports.

Extraction is a pure function of one file's bytes, its metadata and the code, so files are
processed independently (in ``jobs`` worker processes) and cached by a hash of exactly those
inputs. The main process takes the results in corpus order, drops triples an earlier document
already gave (GraphMerger), and streams the rest into a temporary N-Triples file and the store.
Nothing is published until every file is done: then the export files and the store link are
swapped in.

A file whose extraction raises (a bug, not bad input) is left out and the rest is built: its
traceback, formatted in the worker, goes to the build's log (LOG_FILE), published with the
export files; it is not cached, so the next build tries it again.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import sys
import traceback
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TypeVar

from tqdm import tqdm

import kg.cache
from kg.cache import code_version as code_version  # also kg.cluster's
from kg.errors import BuildAborted, CorpusError, CorpusWarning, EmptyCorpusError, ExtractionFailure
from kg.export import NTRIPLES_FILE, ExportSource, export, temp_beside
from kg.remote import file_size, find_corpus
from kg.store import BUILD_LOCK, STORE_NAME, GenerationWriter, StoreWriter, build_lock, fault_point
from kg.types import DocMeta, FileStamp

if TYPE_CHECKING:
    from kg.shards import ShardTask

CACHE_DIR = ".kg-cache"
LOCK_FILE = BUILD_LOCK
LOG_FILE = "kg-build.log"  # tracebacks of the files that failed in extraction (only when some did)
_MAX_ERROR_CHARS = 300
_COUNTS = kg.cache.COUNT_NAMES
_Item = TypeVar("_Item")
_Result = TypeVar("_Result")


@dataclass(frozen=True, slots=True)
class DocumentTask:
    path: Path | str  # a file, or a URL (kg/remote.py)
    name: str
    meta: DocMeta
    cache_dir: Path | None
    code_version: str

    @property
    def meta_json(self) -> str:
        return json.dumps(asdict(self.meta), sort_keys=True)

    def cache_key(self, data: bytes) -> str:
        """The key of this document's cache entry, given its bytes (kg.cache.entry_key)."""
        return kg.cache.entry_key(self.code_version, self.name, self.meta_json, data)


@dataclass(frozen=True, slots=True)
class DocumentResult:
    name: str
    size: int  # bytes read
    ntriples: bytes = b""
    counts: tuple[int, ...] = (0,) * len(_COUNTS)  # in the order of _COUNTS
    cached: bool = False
    warnings: tuple[CorpusWarning, ...] = ()  # the file was built, with something removed
    problem: CorpusError | None = None
    cache_key: str = ""
    failure: ExtractionFailure | None = None  # an unexpected exception while processing the file
    stamp: FileStamp | None = None  # the file as it was read (kg/update.py finds unchanged files by it)


@dataclass
class BuildReport:
    documents: int = 0
    triples: int = 0
    input_bytes: int = 0
    cached: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_COUNTS, 0))
    outputs: list[Path] = field(default_factory=list)
    problems: list[CorpusError] = field(default_factory=list)
    warnings: list[CorpusWarning] = field(default_factory=list)
    failures: list[ExtractionFailure] = field(default_factory=list)  # left out, tracebacks in ``log``
    log: Path | None = None  # the build's log, written when some files failed in extraction

    def add(self, result: DocumentResult) -> None:
        """Count a document that was built."""
        self.documents += 1
        self.input_bytes += result.size
        self.cached += result.cached
        self.warnings.extend(result.warnings)
        for name, n in zip(_COUNTS, result.counts, strict=True):
            self.counts[name] += n

    @property
    def facts(self) -> int:
        """Facts with evidence: adoptions and observations."""
        return self.counts["adoptions"] + self.counts["observations"]


def process_document(task: DocumentTask) -> DocumentResult:
    """One file -> its N-Triples (from the cache when its bytes, metadata and the code are unchanged)."""
    from kg.facts import document_facts
    from kg.graph import document_ntriples
    from kg.load import control_warning, load_bytes, read_stamped
    from kg.remote import read_url

    size = 0
    stamp = None
    try:
        if isinstance(task.path, Path):
            data, stamp = read_stamped(task.path, task.name)
        else:
            data = read_url(task.path, task.name)
        size = len(data)
        key = ""
        if task.cache_dir is not None:
            key = task.cache_key(data)
            hit = kg.cache.read(task.cache_dir, key)
            if hit is not None:
                return DocumentResult(
                    task.name,
                    size,
                    hit.ntriples,
                    hit.counts,
                    cached=True,
                    warnings=hit.warnings,
                    cache_key=key,
                    stamp=stamp,
                )
        doc = load_bytes(data, task.name, task.meta)
        warning = control_warning(doc.original, task.name)
        warnings = (warning,) if warning else ()
        facts = document_facts(doc)
        counts = (
            len(facts.regions),
            len(facts.agencies),
            len(facts.policies),
            len(facts.adoptions),
            len(facts.observations),
        )
        ntriples = document_ntriples(facts)
        if task.cache_dir is not None:
            kg.cache.write(task.cache_dir, key, kg.cache.Entry(ntriples, counts, warnings))
        return DocumentResult(task.name, size, ntriples, counts, warnings=warnings, cache_key=key, stamp=stamp)
    except CorpusError as e:
        return DocumentResult(task.name, 0, problem=e)
    except Exception as e:  # a bug, not bad input: the file is left out and its traceback logged
        # formatted here: with --jobs N this runs in a worker, and a traceback does not cross processes
        failure = ExtractionFailure(task.name, _one_line(e), traceback.format_exc())
        return DocumentResult(task.name, size, failure=failure)


def _one_line(e: BaseException) -> str:
    """An exception's type and message on one line, as the last line of its traceback says them."""
    kind = type(e)
    name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    try:
        message = " ".join(str(e).split())
    except Exception:  # as the traceback module says it
        message = "<exception str() failed>"
    if len(message) > _MAX_ERROR_CHARS:
        message = message[: _MAX_ERROR_CHARS - 1] + "…"
    return f"{name}: {message}" if message else name


def _log_text(failures: list[ExtractionFailure], corpus: Path | str, version: str) -> str:
    """The build's log: what failed, and each traceback as the worker formatted it."""
    from kg import __version__

    lines = [
        f"kg build of {corpus}: {len(failures)} file(s) failed in extraction and were left out of the graph.",
        "This is a bug in zhengce-kg, not in the files: please report it with this log and the files.",
        f"zhengce-kg {__version__}, code {version}, Python {sys.version.split()[0]}",
    ]
    for f in failures:
        lines += ["", f"== {f}", f.traceback.rstrip("\n")]
    return "\n".join(lines) + "\n"


def _write(data: bytes, out: BinaryIO) -> None:
    out.write(data)


def _warm_up() -> None:
    """Load the reference data once in the parent, so forked workers share it."""
    from kg.extract import warm_up

    warm_up()


def run_tasks(
    tasks: list[DocumentTask], jobs: int, cluster: str | None = None, shards: list[ShardTask] | None = None
) -> Generator[DocumentResult]:
    """Results in the order of ``tasks``, computed in ``jobs`` processes or on a Dask ``cluster`` (an address).

    With ``shards`` (runs of ``tasks``), each process extracts a run at a time and writes its shard.
    """
    if cluster is not None:
        from kg.cluster import run_on_cluster

        yield from run_on_cluster(tasks, cluster, shards)
        return
    if shards is not None:
        from kg.shards import write_shard

        for results in _in_processes(write_shard, shards, jobs):
            yield from results
        return
    yield from _in_processes(process_document, tasks, jobs)


def _in_processes(function: Callable[[_Item], _Result], items: list[_Item], jobs: int) -> Iterator[_Result]:
    """``map(function, items)`` in ``jobs`` processes, in order."""
    if jobs <= 1 or len(items) <= 1:
        yield from map(function, items)
        return
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    if ctx.get_start_method() == "fork":
        _warm_up()
    with ctx.Pool(jobs) as pool:
        yield from pool.imap(function, items, chunksize=1)


def _progress(total: int, enabled: bool | None) -> tqdm[None]:
    if enabled is None:
        enabled = sys.stderr.isatty() and not os.environ.get("CI")
    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, disable=not enabled, desc="build")


def build(
    corpus: Path | str,
    out_dir: Path,
    formats: Iterable[str] | None = None,
    *,
    jobs: int = 1,
    cluster: str | None = None,
    shard_documents: int | None = None,
    use_cache: bool = True,
    strict: bool = False,
    progress: bool | None = False,
    allow_empty: bool = False,
    follow_links: bool = False,
) -> BuildReport:
    """Build the graph of ``corpus`` (a folder or URL) into ``out_dir``; with ``strict``, any unreadable file aborts it.

    The documents are processed in ``jobs`` processes, or on the Dask cluster at ``cluster``
    (kg/cluster.py). With ``shard_documents``, the N-Triples and Turtle are written by those
    processes as shards of that many documents (kg/shards.py) instead of single files. Nothing in
    ``out_dir`` changes unless the whole build succeeds. With ``follow_links``, links to files
    outside the corpus folder are read too.
    """
    from kg.answers import write_answers
    from kg.graph import GraphMerger, vocabulary_ntriples
    from kg.shards import SHARDED_FORMATS, ShardWriter
    from kg.update import BuildState, DocumentState, document_state, update, write_state

    files, problems, metadata = find_corpus(corpus, follow_links=follow_links)
    if not files and not allow_empty:  # an empty graph would replace a good export
        what = "no readable text file" if problems else "no text file (.txt)"
        raise EmptyCorpusError(f"{corpus}: {what} to build; nothing was written (--allow-empty builds an empty graph)")
    report = BuildReport(problems=problems)
    if strict and problems:
        raise BuildAborted(problems)
    keys: set[str] = set()
    wanted = tuple(formats) if formats is not None else None
    with build_lock(out_dir):
        cache_dir = kg.cache.safe_cache_dir(out_dir, CACHE_DIR) if use_cache else None
        version = code_version()
        tasks = [DocumentTask(f.path, f.name, metadata.get(f.name, DocMeta()), cache_dir, version) for f in files]
        if shard_documents and cache_dir is not None and not strict:  # only what changed, if it can (kg/update.py)
            updated = update(
                corpus, out_dir, tasks, problems, per_shard=shard_documents, formats=wanted, jobs=jobs,
                cache_dir=cache_dir, version=version,
            )  # fmt: skip
            if updated is not None:
                if updated.failures:
                    updated.log = out_dir / LOG_FILE
                return updated
        keep_state = bool(shard_documents) and cache_dir is not None and not strict
        states: list[DocumentState] = []
        total = sum(file_size(f.path) for f in files)
        merger = GraphMerger(count_shared=keep_state)
        # everything is written into a new generation, published at once when all is done (kg/store.py)
        with GenerationWriter(out_dir) as generation:
            ntriples_path = temp_beside(generation.path / NTRIPLES_FILE)
            with (
                StoreWriter(generation.path / STORE_NAME) as writer,
                ntriples_path.open("wb") as ntriples,
                _progress(total, progress) as bar,
                ShardWriter(generation.path, shard_documents) as shards,
                contextlib.closing(run_tasks(tasks, jobs, cluster, shards.plan(tasks))) as results,  # closed on errors
            ):

                def add(chunk: bytes) -> None:
                    new = merger.add(chunk)
                    if not shard_documents:  # else the shards are the N-Triples
                        ntriples.write(new)
                    writer.add(new)

                add(vocabulary_ntriples())
                shard_of = {t.name: s.number for s in shards.plan(tasks) or () for t in s.documents}
                task_of = {t.name: t for t in tasks}
                for result in results:
                    bar.update(result.size)
                    if keep_state:
                        states.append(document_state(result, task_of[result.name], shard_of[result.name]))
                    if result.failure is not None:
                        if strict:
                            raise BuildAborted([result.failure], log=str(out_dir / LOG_FILE))
                        report.failures.append(result.failure)
                        continue
                    if result.problem is not None:
                        report.problems.append(result.problem)
                        if strict:
                            raise BuildAborted([result.problem])
                        continue
                    if strict and result.warnings:
                        raise BuildAborted(list(result.warnings))
                    keys.add(result.cache_key)
                    add(result.ntriples)
                    report.add(result)
                ntriples.flush()
                os.fsync(ntriples.fileno())
                ntriples.close()
                writer.seal()  # the store loads its last batch and compacts while Turtle is written
                report.triples = merger.triples
                source = ExportSource(ntriples_path, writer.finish)
                log = _log_text(report.failures, corpus, version).encode("utf-8") if report.failures else None
                also = [(LOG_FILE, partial(_write, log))] if log is not None else []
                if shard_documents:
                    # only the formats asked for: the viewer is made from the whole graph, a sharded build's is
                    # on request (kg export -f html), so an update costs what changed (kg/update.py)
                    formats = [f for f in formats or () if f not in SHARDED_FORMATS]
                export(source, generation.path, formats, staged={"nt": ntriples_path}, also=also)
                ntriples_path.unlink(missing_ok=True)  # moved into place, or not wanted (shards)
                shards.publish()
                write_answers(writer.finish(), generation.path)  # the canned questions' index (kg/answers.py)
                if keep_state and shard_documents and merger.shared is not None:
                    state = BuildState(version, shard_documents, wanted, merger.triples, tuple(states))
                    write_state(generation.path, state, merger.shared)
                writer.close()  # before others may open it
            fault_point("before-publish")
            published = generation.publish()
        report.outputs = [p for p in published if p.name != LOG_FILE]
        if report.failures:
            report.log = out_dir / LOG_FILE
        if cache_dir is not None:
            kg.cache.prune(cache_dir, keys)
    return report
