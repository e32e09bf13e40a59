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
from kg.errors import BuildAborted, CorpusError, CorpusWarning, EmptyCorpusError, ExportError, ExtractionFailure
from kg.export import NTRIPLES_FILE, ExportSource, export, temp_beside, write_files
from kg.remote import file_size, find_corpus
from kg.store import BUILD_LOCK, STORE_NAME, GenerationWriter, StoreWriter, build_lock, fault_point
from kg.types import DocMeta, FileStamp

if TYPE_CHECKING:
    from kg.shards import ShardResult, ShardTask

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
    # a build without a store (--no-store): ``triples`` are the shards' lines, a shared triple once a shard
    triples_in_shards: bool = False

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


def run_tasks(tasks: list[DocumentTask], jobs: int, cluster: str | None = None) -> Generator[DocumentResult]:
    """Results in the order of ``tasks``, computed in ``jobs`` processes or on a Dask ``cluster`` (an address)."""
    if cluster is not None:
        from kg.cluster import run_on_cluster

        yield from run_on_cluster(tasks, cluster)
        return
    yield from _in_processes(process_document, tasks, jobs)


def run_shards(shards: list[ShardTask], jobs: int, cluster: str | None = None) -> Generator[ShardResult]:
    """Each shard extracted and written by one task (in ``jobs`` processes or on a Dask ``cluster``), in order.

    One task a shard, not a document: at millions of documents the per-task cost of a scheduler
    counts, and what comes back is the shard's records, never its triples.
    """
    if cluster is not None:
        from kg.cluster import run_shards_on_cluster

        yield from run_shards_on_cluster(shards, cluster)
        return
    from kg.shards import write_shard

    yield from _in_processes(write_shard, shards, jobs)


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


def _progress(paths: Iterable[Path | str], enabled: bool | None) -> tqdm[None]:
    """A bar of the bytes of ``paths`` (sized only when it is shown: a stat per file, at millions of files)."""
    if enabled is None:
        enabled = sys.stderr.isatty() and not os.environ.get("CI")
    total = sum(file_size(p) for p in paths) if enabled else 0
    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, disable=not enabled, desc="build")


def _take(result: DocumentResult, report: BuildReport, strict: bool, out_dir: Path) -> bool:
    """Count a document's result into the report; whether it gave triples (False: failed or unreadable)."""
    if result.failure is not None:
        if strict:
            raise BuildAborted([result.failure], log=str(out_dir / LOG_FILE))
        report.failures.append(result.failure)
        return False
    if result.problem is not None:
        report.problems.append(result.problem)
        if strict:
            raise BuildAborted([result.problem])
        return False
    if strict and result.warnings:
        raise BuildAborted(list(result.warnings))
    report.add(result)
    return True


def _log(report: BuildReport, corpus: Path | str, version: str) -> list[tuple[str, Callable[[BinaryIO], None]]]:
    """The build's log, as a file to publish with the others, when some files failed in extraction."""
    if not report.failures:
        return []
    return [(LOG_FILE, partial(_write, _log_text(report.failures, corpus, version).encode("utf-8")))]


def _build_shards(
    corpus: Path | str,
    out_dir: Path,
    tasks: list[DocumentTask],
    report: BuildReport,
    *,
    per_shard: int,
    formats: tuple[str, ...] | None,
    jobs: int,
    cluster: str | None,
    cache_dir: Path | None,
    version: str,
    strict: bool,
    progress: bool | None,
    with_store: bool,
    keys: set[str],
) -> None:
    """A sharded build: the workers write the shards; the client collects records and, ``with_store``, loads the store.

    No triple comes back to this process: each shard task returns its documents' records and its
    counts of shareable triples (only with a store: kg/update.py needs them to update it), and the
    store is bulk-loaded from the shard files as they are done (on a thread, while the workers go on).
    """
    from kg.answers import write_answers
    from kg.graph import add_shared_counts
    from kg.shards import SHARDED_FORMATS, ShardWriter, shard_name
    from kg.update import BuildState, DocumentState, document_state, write_state

    # only the formats asked for: the viewer is made from the whole graph, a sharded build's is on
    # request (kg export -f html), so an update costs what changed (kg/update.py)
    extra = [f for f in formats or () if f not in SHARDED_FORMATS]
    if extra and not with_store:
        raise ExportError(f"{', '.join(extra)}: made from the store, and a build with --no-store writes none")
    keep_state = cache_dir is not None and not strict
    states: list[DocumentState] = []
    shard_lines: list[int] = []
    shared: dict[bytes, int] | None = {} if with_store else None
    own_lines = 0
    task_of = {t.name: t for t in tasks}
    with GenerationWriter(out_dir) as generation:
        with (
            StoreWriter(generation.path / STORE_NAME) if with_store else contextlib.nullcontext() as writer,
            _progress((t.path for t in tasks), progress) as bar,
            ShardWriter(generation.path, per_shard, count_shared=with_store) as shards,
            contextlib.closing(run_shards(shards.plan(tasks) or [], jobs, cluster)) as results,  # closed on errors
        ):
            waiting: dict[int, ShardResult] = {}  # done before an earlier shard (on a cluster, as they finish)
            for done in results:
                if writer is not None:  # the store does not care about order
                    writer.add_gzip(shards.folder / shard_name(done.number))
                if shared is not None and done.shared is not None:
                    add_shared_counts(shared, done.shared)
                waiting[done.number] = done
                while len(shard_lines) in waiting:  # the records in corpus order: reports and state as on one machine
                    shard = waiting.pop(len(shard_lines))
                    own_lines += shard.own_lines
                    shard_lines.append(shard.lines)
                    for result in shard.documents:
                        bar.update(result.size)
                        if keep_state:
                            states.append(document_state(result, task_of[result.name], shard.number))
                        if _take(result, report, strict, out_dir):
                            keys.add(result.cache_key)
            shards.publish()
            report.triples = own_lines + len(shared) if shared is not None else sum(shard_lines)
            report.triples_in_shards = shared is None
            if writer is not None:
                writer.seal()  # the last shards, then compaction
                source = ExportSource(generation.path / ".no-ntriples", writer.finish)  # extra: from the store
                export(source, generation.path, extra, also=_log(report, corpus, version))
                write_answers(writer.finish(), generation.path)  # the canned questions' index (kg/answers.py)
            else:
                write_files(generation.path, _log(report, corpus, version))
            if keep_state:
                state = BuildState(
                    version, per_shard, formats, report.triples, tuple(states), store=with_store,
                    shard_lines=tuple(shard_lines),
                )  # fmt: skip
                write_state(generation.path, state, shared or {})
            if writer is not None:
                writer.close()  # before others may open it
        fault_point("before-publish")
        published = generation.publish()
    report.outputs = [p for p in published if p.name != LOG_FILE]
    if report.failures:
        report.log = out_dir / LOG_FILE


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
    store: bool = True,
) -> BuildReport:
    """Build the graph of ``corpus`` (a folder or URL) into ``out_dir``; with ``strict``, any unreadable file aborts it.

    The documents are processed in ``jobs`` processes, or on the Dask cluster at ``cluster``
    (kg/cluster.py). With ``shard_documents``, the N-Triples and Turtle are written by those
    processes as shards of that many documents (kg/shards.py) instead of single files. Nothing in
    ``out_dir`` changes unless the whole build succeeds. With ``follow_links``, links to files
    outside the corpus folder are read too. ``store=False`` (with ``shard_documents`` only) writes
    the shards and no store: for graphs loaded into another store (QLever, Virtuoso, ``oxigraph load``).
    """
    if not store and not shard_documents:
        raise ValueError("a build without a store writes shards: give shard_documents")
    from kg.answers import write_answers
    from kg.graph import GraphMerger, vocabulary_ntriples
    from kg.update import update

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
                cache_dir=cache_dir, version=version, store=store, cluster=cluster,
            )  # fmt: skip
            if updated is not None:
                if updated.failures:
                    updated.log = out_dir / LOG_FILE
                return updated
        if shard_documents:
            _build_shards(
                corpus, out_dir, tasks, report, per_shard=shard_documents, formats=wanted, jobs=jobs, cluster=cluster,
                cache_dir=cache_dir, version=version, strict=strict, progress=progress, with_store=store, keys=keys,
            )  # fmt: skip
            if cache_dir is not None:
                kg.cache.prune(cache_dir, keys)
            return report
        merger = GraphMerger()
        # everything is written into a new generation, published at once when all is done (kg/store.py)
        with GenerationWriter(out_dir) as generation:
            ntriples_path = temp_beside(generation.path / NTRIPLES_FILE)
            with (
                StoreWriter(generation.path / STORE_NAME) as writer,
                ntriples_path.open("wb") as ntriples,
                _progress((t.path for t in tasks), progress) as bar,
                contextlib.closing(run_tasks(tasks, jobs, cluster)) as results,  # closed on errors
            ):

                def add(chunk: bytes) -> None:
                    new = merger.add(chunk)
                    ntriples.write(new)
                    writer.add(new)

                add(vocabulary_ntriples())
                for result in results:
                    bar.update(result.size)
                    if _take(result, report, strict, out_dir):
                        keys.add(result.cache_key)
                        add(result.ntriples)
                ntriples.flush()
                os.fsync(ntriples.fileno())
                ntriples.close()
                writer.seal()  # the store loads its last batch and compacts while Turtle is written
                report.triples = merger.triples
                source = ExportSource(ntriples_path, writer.finish)
                also = _log(report, corpus, version)
                export(source, generation.path, formats, staged={"nt": ntriples_path}, also=also)
                ntriples_path.unlink(missing_ok=True)  # moved into place, or not wanted
                write_answers(writer.finish(), generation.path)  # the canned questions' index (kg/answers.py)
                writer.close()  # before others may open it
            fault_point("before-publish")
            published = generation.publish()
        report.outputs = [p for p in published if p.name != LOG_FILE]
        if report.failures:
            report.log = out_dir / LOG_FILE
        if cache_dir is not None:
            kg.cache.prune(cache_dir, keys)
    return report
