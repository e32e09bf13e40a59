"""Updates that cost what changed: a sharded build made again from the previous one and the changed documents.

A sharded build (``--shards N``) leaves beside its files, in its generation, what the next build
needs to update it instead of building it all again:

- ``.kg-update.json``: each document's name, cache key (a hash of its bytes, metadata and the
  code), shard, size, counts and warnings, in corpus order;
- ``.kg-shared-counts.sqlite``: for every triple that two or more documents give (a region's
  label, a policy), how many documents give it. A triple one document gives is in the store
  and not in the table; a document's own triples (its evidence, under its file name) are never
  shared.

The next ``kg build --shards N`` of the same folder finds the changed files as git finds them in its
index: a file whose stamp (size, times, inode: kg.types.FileStamp) and metadata are as the previous
build recorded them is taken as unchanged without reading it; the others are read and hashed. It
extracts only the documents whose key changed, and makes a new
generation (kg/store.py) from the current one without touching it: the store is a hard-linked
RocksDB checkpoint (``Store.backup``) to which the difference is applied; shards whose
documents are all unchanged are hard links to the previous ones; the others are written again.
A shared triple leaves the store only when the last document that gives it changes or goes
(the counts), and enters it only when the first one comes. The generation is published by the
same single rename as a clean build, so readers of the previous one read on undisturbed.

Why counts beside the store, rather than named graphs or the cache alone: one named graph per
document would store every shared triple once per document and make every query a union; the
cache holds a changed document's old triples, but not which other documents still give them.
The counts answer exactly that, for the few triples a change touches, with one indexed lookup.

Same bytes as a clean build: shard boundaries depend on document names only (kg/shards.py), a
shard's bytes on its documents only, so a rewritten shard is the shard a clean build writes;
the store holds the same triples. A sharded build writes no viewer by default (it is made from the
whole graph; ``kg export -f html`` makes it on request); formats asked for besides the shards are made
again from the updated store, at the cost of the whole graph.
Anything unusual (no previous state, another code version or shard size, ``--strict``, a corpus
by URL, a cache entry missing, counts that do not add up, more than a quarter of the documents
changed) is a full build instead.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import pyoxigraph as ox

import kg.cache
from kg.errors import CorpusError, CorpusWarning
from kg.store import STORE_NAME, Generation, GenerationWriter, fault_point, reading
from kg.types import FileStamp

if TYPE_CHECKING:
    from kg.pipeline import BuildReport, DocumentResult, DocumentTask
    from kg.shards import ShardResult, ShardTask

STATE_FILE = ".kg-update.json"
COUNTS_FILE = ".kg-shared-counts.sqlite"
STATE_FORMAT = 3  # 2: whether the build has a store, and each shard's lines; 3: each document's stamp and metadata
MAX_CHANGED_SHARE = 4  # more than 1/4 of the documents changed: a full build is as cheap


@dataclass(frozen=True, slots=True)
class DocumentState:
    """What a build took from one document."""

    name: str
    key: str  # its cache key; "" when it gave nothing (unreadable, or its extraction failed)
    shard: int
    size: int = 0
    counts: tuple[int, ...] = (0,) * len(kg.cache.COUNT_NAMES)
    warnings: tuple[tuple[str, str, int | None], ...] = ()
    stamp: FileStamp | None = None  # the file as it was read; None: read it again next time
    meta: str = ""  # a digest of its metadata (meta_digest)


@dataclass(frozen=True, slots=True)
class BuildState:
    """What a sharded build leaves for the next one to update it."""

    code: str
    per_shard: int
    formats: tuple[str, ...] | None  # as asked for (None: the defaults)
    triples: int  # in the store; without one, the shards' lines (a shared triple once a shard)
    documents: tuple[DocumentState, ...]
    store: bool = True  # False: kg build --no-store (shards and state only; no counts needed)
    shard_lines: tuple[int, ...] = ()  # by shard number


def write_state(folder: Path, state: BuildState, shared: dict[bytes, int]) -> None:
    """Write the state and the counts of shared triples into a generation (before it is published)."""
    (folder / STATE_FILE).write_text(state_json(state), encoding="utf-8")
    _write_counts(folder / COUNTS_FILE, ((k, n) for k, n in shared.items() if n > 1))


def document_state(result: DocumentResult, task: DocumentTask, shard: int) -> DocumentState:
    """What a build took from one document's result."""
    if result.failure is not None or result.problem is not None:
        return DocumentState(result.name, "", shard)
    warnings = tuple((w.path, w.reason, w.position) for w in result.warnings)
    return DocumentState(
        result.name, result.cache_key, shard, result.size, result.counts, warnings, result.stamp, meta_digest(task)
    )


def meta_digest(task: DocumentTask) -> str:
    return hashlib.sha256(task.meta_json.encode("utf-8")).hexdigest()[:32]


def _write_counts(path: Path, rows: Iterable[tuple[bytes, int]]) -> None:
    con = sqlite3.connect(path)
    try:
        # the generation is fsynced when published, and thrown away whole if the build dies
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        con.execute("CREATE TABLE shared (digest BLOB PRIMARY KEY, documents INTEGER NOT NULL) WITHOUT ROWID")
        con.executemany("INSERT INTO shared VALUES (?, ?)", sorted(rows))
        con.commit()
    finally:
        con.close()


def read_state(folder: Path) -> BuildState | None:
    """The state a build left in its generation, or None (not sharded, older, unreadable)."""
    try:
        raw = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
        if raw.pop("format", None) != STATE_FORMAT or not (folder / COUNTS_FILE).is_file():
            return None
        documents = tuple(map(_document_state, raw["documents"]))
        formats = tuple(raw["formats"]) if raw["formats"] is not None else None
        lines = tuple(raw["shard_lines"])
        return BuildState(raw["code"], raw["per_shard"], formats, raw["triples"], documents, raw["store"], lines)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _document_state(d: dict[str, Any]) -> DocumentState:
    stamp = FileStamp(**d["stamp"]) if d["stamp"] is not None else None
    warnings = tuple((path, reason, position) for path, reason, position in d["warnings"])
    return DocumentState(d["name"], d["key"], d["shard"], d["size"], tuple(d["counts"]), warnings, stamp, d["meta"])


def state_json(state: BuildState) -> str:
    return json.dumps({"format": STATE_FORMAT} | asdict(state), ensure_ascii=False)


class _NotIncremental(Exception):
    """This update cannot be made from the previous build: build it all (the new generation is thrown away)."""


@dataclass(frozen=True, slots=True)
class _Difference:
    """What the changed documents take out of the graph and put into it."""

    own_removed: set[bytes]
    own_added: set[bytes]
    shared: dict[bytes, int]  # digest -> change in the number of documents giving the triple
    shared_lines: dict[bytes, bytes]
    own_lines_delta: int  # own lines (counted as a build counts them, repeats included)


def _difference(old: Sequence[bytes], new: Sequence[bytes]) -> _Difference:
    from kg.graph import is_own_line, line_digest

    own_old: set[bytes] = set()
    own_new: set[bytes] = set()
    shared: dict[bytes, int] = {}
    lines: dict[bytes, bytes] = {}
    own_delta = 0
    for documents, sign, own in ((old, -1, own_old), (new, 1, own_new)):
        for ntriples in documents:
            mine: set[bytes] = set()
            for line in ntriples.splitlines(keepends=True):
                if is_own_line(line):
                    own.add(line)
                    own_delta += sign
                    continue
                key = line_digest(line)
                if key in mine:
                    continue
                mine.add(key)
                shared[key] = shared.get(key, 0) + sign
                lines[key] = line
    return _Difference(own_old - own_new, own_new - own_old, shared, lines, own_delta)


def _quads(lines: Iterable[bytes]) -> list[ox.Quad]:
    data = b"".join(lines)
    return list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES, lenient=True)) if data else []


def _apply(store: ox.Store, counts: sqlite3.Connection, diff: _Difference) -> tuple[int, bool]:
    """Apply the difference to the store and the counts; returns the change in the number of triples, and
    whether a triple about a named thing (a region, agency, policy, indicator: kg.graph.is_named_line)
    entered or left the store."""
    from kg.graph import is_named_line

    remove = set(diff.own_removed)
    add = set(diff.own_added)
    changed = {k: d for k, d in diff.shared.items() if d}
    before: dict[bytes, int] = {}
    keys = list(changed)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        marks = ",".join("?" * len(chunk))
        before.update(counts.execute(f"SELECT digest, documents FROM shared WHERE digest IN ({marks})", chunk))
    for key in keys:
        if key not in before:  # one document or none: the store says which
            (quad,) = _quads([diff.shared_lines[key]])
            before[key] = 1 if quad in store else 0
    upserts: list[tuple[bytes, int]] = []
    deletes: list[tuple[bytes, int]] = []
    shared_delta = 0
    for key, delta in changed.items():
        after = before[key] + delta
        if after < 0:
            raise _NotIncremental(f"the counts of shared triples do not add up ({before[key]} {delta:+d})")
        if before[key] == 0 and after > 0:
            add.add(diff.shared_lines[key])
            shared_delta += 1
        elif before[key] > 0 and after == 0:
            remove.add(diff.shared_lines[key])
            shared_delta -= 1
        (upserts if after > 1 else deletes).append((key, after))
    counts.executemany("INSERT OR REPLACE INTO shared VALUES (?, ?)", upserts)
    counts.executemany("DELETE FROM shared WHERE digest = ?", [(k,) for k, _ in deletes])
    counts.commit()
    for quad in _quads(remove):
        store.remove(quad)
    store.extend(_quads(add))
    return diff.own_lines_delta + shared_delta, any(map(is_named_line, remove | add))


def _cached(document: DocumentState, cache_dir: Path) -> DocumentResult:
    """An unchanged document's result, from the cache under its recorded key (its file is not read)."""
    from kg.pipeline import DocumentResult

    entry = kg.cache.read(cache_dir, document.key)
    if entry is None:
        raise _NotIncremental(f"{document.name}: its triples are not in the cache")
    return DocumentResult(document.name, document.size, entry.ntriples, entry.counts, True, entry.warnings)


def _write_shard_files(item: tuple[ShardTask, list[DocumentResult]]) -> ShardResult:
    from kg.shards import write_shard_files

    return write_shard_files(*item)


def _same(store: ox.Store) -> ox.Store:
    return store


def update(
    corpus: Path | str,
    out_dir: Path,
    tasks: list[DocumentTask],
    problems: list[CorpusError],
    *,
    per_shard: int,
    formats: tuple[str, ...] | None,
    jobs: int,
    cache_dir: Path,
    version: str,
    store: bool = True,
    cluster: str | None = None,
) -> BuildReport | None:
    """Publish the update of the current sharded build of ``out_dir`` to ``tasks``; None if it takes a full build.

    Call with the build lock held. Returns the build's report (``problems``: the corpus's unreadable files).
    The changed documents are extracted in ``jobs`` processes, or on the Dask ``cluster`` (an address).
    """
    from kg.pipeline import BuildReport

    with reading(out_dir) as previous:
        if previous is None:
            return None
        state = read_state(previous.path)
        if state is None or (state.code, state.per_shard, state.formats, state.store) != (
            version, per_shard, formats, store
        ):  # fmt: skip
            return None
        report = BuildReport(problems=list(problems))
        try:
            report.outputs = _update(corpus, out_dir, tasks, report, previous, state, jobs, cache_dir, version, cluster)
        except _NotIncremental:
            return None
        return report


def _keys(tasks: Sequence[DocumentTask], old: dict[str, DocumentState]) -> dict[str, DocumentState]:
    """Each document's key and stamp now (key "" when it cannot be read: it is processed again, and reported).

    A file whose stamp and metadata are as recorded keeps its recorded key unread (git's index does
    the same); the others are read and hashed, and stamped afresh.
    """
    from kg.load import file_stamp, read_stamped

    now = {}
    for task in tasks:
        if not isinstance(task.path, Path):
            raise _NotIncremental("a corpus by URL")
        meta = meta_digest(task)
        was = old.get(task.name)
        if was is not None and was.stamp is not None and was.meta == meta:
            try:
                if file_stamp(os.stat(task.path)) == was.stamp:
                    now[task.name] = was
                    continue
            except OSError:
                pass  # read below, which says why it cannot be
        try:
            data, stamp = read_stamped(task.path, task.name)
        except CorpusError:
            now[task.name] = DocumentState(task.name, "", 0)
            continue
        now[task.name] = DocumentState(task.name, task.cache_key(data), 0, stamp=stamp, meta=meta)
    return now


def _store_difference(
    changed: Sequence[DocumentTask],
    removed: Sequence[DocumentState],
    results: dict[str, DocumentResult],
    old: dict[str, DocumentState],
    cache_dir: Path,
) -> _Difference:
    """What the changed and removed documents take out of the store and put into it (old triples from the cache)."""
    gone = [old[t.name] for t in changed if t.name in old] + list(removed)
    old_ntriples = []
    for document in gone:
        if document.key:
            entry = kg.cache.read(cache_dir, document.key)
            if entry is None:
                raise _NotIncremental(f"{document.name}: its previous triples are not in the cache")
            old_ntriples.append(entry.ntriples)
    new_ntriples = [r.ntriples for r in results.values() if r.problem is None and r.failure is None]
    return _difference(old_ntriples, new_ntriples)


def _update(
    corpus: Path | str,
    out_dir: Path,
    tasks: list[DocumentTask],
    report: BuildReport,
    previous: Generation,
    state: BuildState,
    jobs: int,
    cache_dir: Path,
    version: str,
    cluster: str | None,
) -> list[Path]:
    from kg.answers import update_answers
    from kg.export import ExportSource, export, write_files
    from kg.pipeline import LOG_FILE, _in_processes, _log_text, _write, run_tasks
    from kg.shards import SHARDED_FORMATS, SHARDS_DIR, TURTLE_SUFFIX, plan, shard_name

    old = {d.name: d for d in state.documents}
    now = _keys(tasks, old)
    changed = [t for t in tasks if not now[t.name].key or t.name not in old or old[t.name].key != now[t.name].key]
    removed = [d for d in state.documents if d.name not in now]
    if (len(changed) + len(removed)) * MAX_CHANGED_SHARE > max(len(tasks), 8):
        raise _NotIncremental("too many documents changed")
    results = {r.name: r for r in run_tasks(changed, jobs, cluster)} if changed else {}
    diff = _store_difference(changed, removed, results, old, cache_dir) if state.store else None

    documents: list[DocumentState] = []
    shards = plan(tasks, state.per_shard, Path(), count_shared=False)  # the update's counts come from the cache
    by_shard: dict[int, list[str]] = {}
    for document in state.documents:
        by_shard.setdefault(document.shard, []).append(document.name)
    previous_shards = {tuple(names): number for number, names in by_shard.items()}
    if not state.documents:
        previous_shards[()] = 0  # an empty build's one shard, the vocabulary's
    changed_names = {t.name for t in changed}
    shard_lines = [0] * len(shards)

    with GenerationWriter(out_dir) as generation:
        folder = generation.path / SHARDS_DIR
        folder.mkdir()
        to_write = []
        for shard in shards:
            names = tuple(t.name for t in shard.documents)
            was = previous_shards.get(names)
            if was is not None and (was == 0) == (shard.number == 0) and not changed_names.intersection(names):
                for suffix in (".nt.gz", TURTLE_SUFFIX):
                    source = previous.path / SHARDS_DIR / shard_name(was, suffix)
                    if source.exists():
                        os.link(source, folder / shard_name(shard.number, suffix))
                shard_lines[shard.number] = state.shard_lines[was]
            else:
                to_write.append(replace(shard, folder=folder))
        fault_point("update-linked")
        # from the results in hand and the cache: no file of a rewritten shard is read again
        rewrite = []
        for shard in to_write:
            rewrite.append((shard, [results.get(t.name) or _cached(old[t.name], cache_dir) for t in shard.documents]))
        for written in _in_processes(_write_shard_files, rewrite, jobs):
            shard_lines[written.number] = written.lines
        (generation.path / COUNTS_FILE).write_bytes((previous.path / COUNTS_FILE).read_bytes())
        store = None
        if diff is not None:
            ox.Store.read_only(str(previous.path / STORE_NAME)).backup(str(generation.path / STORE_NAME))
            store = ox.Store(str(generation.path / STORE_NAME))
            counts = sqlite3.connect(generation.path / COUNTS_FILE)
            try:
                delta, named = _apply(store, counts, diff)
                triples = state.triples + delta
            finally:
                counts.close()
            store.flush()
            touched = [t.name for t in changed] + [d.name for d in removed]
            update_answers(store, previous.path, generation.path, touched, named=named)  # kg/answers.py
        else:
            triples = sum(shard_lines)  # no store: the shards' lines, as the build counts them

        shard_of = {t.name: s.number for s in shards for t in s.documents}
        for task in tasks:
            result = results.get(task.name)
            if result is None:  # unchanged: as the previous build took it
                document = old[task.name]
                report.documents += 1
                report.input_bytes += document.size
                report.cached += 1
                report.warnings.extend(CorpusWarning(*w) for w in document.warnings)
                for name, n in zip(kg.cache.COUNT_NAMES, document.counts, strict=True):
                    report.counts[name] += n
                # shards may be renumbered; a file read again (touched, same bytes) has a new stamp
                stamp = now[task.name].stamp
                documents.append(replace(document, shard=shard_of[task.name], stamp=stamp))
                continue
            if result.failure is not None:
                report.failures.append(result.failure)
            elif result.problem is not None:
                report.problems.append(result.problem)
            else:
                report.add(result)
            documents.append(document_state(result, task, shard_of[task.name]))
        report.triples = triples
        report.triples_in_shards = not state.store
        new_state = BuildState(
            version, state.per_shard, state.formats, triples, tuple(documents), state.store, tuple(shard_lines)
        )
        (generation.path / STATE_FILE).write_text(state_json(new_state), encoding="utf-8")

        extra = [f for f in state.formats or () if f not in SHARDED_FORMATS]  # as the build (kg/pipeline.py)
        log = _log_text(report.failures, corpus, version).encode("utf-8") if report.failures else None
        also: list[tuple[str, Callable[[BinaryIO], None] | Path]] = (
            [(LOG_FILE, partial(_write, log))] if log is not None else []
        )
        if store is not None:
            no_ntriples = generation.path / ".no-ntriples"  # the sharded formats are not asked of export
            export(ExportSource(no_ntriples, partial(_same, store)), generation.path, extra, also=also)
            del store
        else:
            write_files(generation.path, also)
        fault_point("before-publish")
        published = generation.publish()
    kg.cache.prune(cache_dir, {d.key for d in documents if d.key})
    return [p for p in published if p.name != LOG_FILE]
