"""The per-document work on a Dask distributed cluster (``kg build --cluster ADDRESS``).

The client submits one task per run of a few documents (decode, extract, triples:
pipeline.process_document; a task costs the scheduler and the worker a few milliseconds, a document
a few dozen) and takes the results back in corpus order, so they go through the same merge and
publishing as a build on one machine and give the same bytes. A sharded build (``--shards N``) submits one
task per shard instead, which extracts its documents and writes the shard files on the worker
and sends back only small per-document records (kg/shards.py): no triple crosses to the client.
Workers read the files themselves (a path
on a shared disk, or a URL: kg/remote.py); the client holds only the tasks still in flight
(a window ahead of the document being merged), never the corpus.

Dask reschedules the tasks of a worker that dies, so a killed worker costs time, not facts; a
document that takes down every worker it is given (three by default) is reported as a failed
extraction, like a bug on one machine, and the rest is built.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import uuid
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from kg.errors import ExtractionFailure, KgError
from kg.pipeline import DocumentResult, DocumentTask, code_version, process_document
from kg.shards import ShardResult, ShardTask, write_shard

LOCAL = "local"
MISSING = "kg build --cluster needs Dask distributed: pip install 'zhengce-kg[cluster]'"
_CONNECT_TIMEOUT = "10s"
_TASKS_PER_THREAD = 4  # tasks in flight per worker thread: enough to keep workers busy, few results held
_DOCUMENTS_PER_TASK = 16  # at most; fewer where the corpus would not give each worker thread a few tasks


class ClusterError(KgError):
    """The cluster cannot be reached, or its workers cannot run this build."""


def parse_local(address: str) -> int | None:
    """Worker processes of ``local`` / ``local:N`` (None when ``address`` names a scheduler)."""
    name, _, count = address.partition(":")
    if name != LOCAL:
        return None
    if not count:
        return max(1, os.cpu_count() or 1)
    if not count.isdigit() or int(count) < 1:
        raise ClusterError(f"--cluster {address}: expected local or local:N with N >= 1 worker processes")
    return int(count)


@contextlib.contextmanager
def connect(address: str) -> Iterator[Any]:
    """A client of the scheduler at ``address``, or of a new LocalCluster for ``local[:N]`` (closed on exit)."""
    try:
        import distributed
    except ImportError:
        raise ClusterError(MISSING) from None
    dask: Any = distributed  # its constructors have no type hints
    workers = parse_local(address)
    if workers is not None:
        # Ctrl-C held while it starts: a half-started cluster cannot be closed cleanly
        with _ctrl_c_deferred() as interrupted, warnings.catch_warnings():
            # another LocalCluster's web server holds port 8787: this one takes another port, nothing to say
            warnings.filterwarnings("ignore", message="Port .* is already in use", category=UserWarning)
            cluster = dask.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,  # extraction holds the GIL: one process per core
                processes=True,
                dashboard_address=None,
                # workers log to the client's stderr: after Ctrl-C their heartbeat to the closed scheduler fails
                # with a logged traceback; what goes wrong in a task comes back as its result, not a log
                silence_logs=logging.CRITICAL,
            )
        with cluster, dask.Client(cluster) as client:
            if interrupted:
                raise KeyboardInterrupt
            yield client
        return
    try:
        client = dask.Client(address, timeout=_CONNECT_TIMEOUT)
    except (OSError, ValueError, TypeError) as e:  # refused, timed out, or not an address
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {' '.join(str(e).split())}") from None
    with client:
        yield client


@contextlib.contextmanager
def _ctrl_c_deferred() -> Iterator[list[int]]:
    """Hold Ctrl-C (SIGINT) until the block is done; the list says whether it came meanwhile."""
    came: list[int] = []
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        yield came  # not ours to hold, or ignored anyway (a shell's background job)
        return
    previous = signal.signal(signal.SIGINT, lambda number, _frame: came.append(number))
    try:
        yield came
    finally:
        signal.signal(signal.SIGINT, previous)


def worker_code_version() -> str:
    """The code version of the zhengce-kg a worker runs (the same as the client's, or the graph would differ)."""
    return code_version()


def _check_workers(client: Any, version: str) -> None:
    try:
        versions: dict[str, str] = client.run(worker_code_version)
    except Exception as e:  # a worker without zhengce-kg cannot even unpickle the function
        raise ClusterError(f"the workers cannot run zhengce-kg ({type(e).__name__}: {e}); install it on them") from None
    for worker, theirs in sorted(versions.items()):
        if theirs != version:
            raise ClusterError(
                f"worker {worker} runs zhengce-kg code {theirs}, this client {version}:"
                " install the same zhengce-kg on every worker"
            )


def _same_code(version: str) -> None:
    """Refuse work on a worker whose code differs (one that joined after the check)."""
    if code_version() != version:
        raise ClusterError(f"a worker runs zhengce-kg code {code_version()}, the client {version}")


def process_on_worker(tasks: tuple[DocumentTask, ...]) -> list[DocumentResult]:
    _same_code(tasks[0].code_version)
    return [process_document(task) for task in tasks]


def shard_on_worker(shard: ShardTask) -> ShardResult:
    for task in shard.documents[:1]:
        _same_code(task.code_version)
    return write_shard(shard)


def run_on_cluster(tasks: list[DocumentTask], address: str) -> Iterator[DocumentResult]:
    """Results in the order of ``tasks``, computed by the workers of the cluster at ``address``."""
    if not tasks:
        return
    with connect(address) as client:
        _check_workers(client, tasks[0].code_version)
        build = uuid.uuid4().hex[:8]  # task keys unique per build: another client may share the scheduler
        threads = sum(client.nthreads().values()) or 1
        size = max(1, min(_DOCUMENTS_PER_TASK, len(tasks) // (_TASKS_PER_THREAD * threads)))
        pending: deque[tuple[tuple[DocumentTask, ...], Any]] = deque()  # (documents, their distributed.Future)

        def submit(documents: tuple[DocumentTask, ...], key: str) -> Any:
            return client.submit(process_on_worker, documents, key=f"kg-{build}-{key}", pure=False)

        try:
            for start in range(0, len(tasks), size):
                documents = tuple(tasks[start : start + size])
                pending.append((documents, submit(documents, str(start))))
                if len(pending) >= _window(client):
                    yield from _document_results(*pending.popleft(), submit)
            while pending:
                yield from _document_results(*pending.popleft(), submit)
        finally:
            if pending:  # stopped early (an error, --strict, Ctrl-C): the rest is not wanted
                client.cancel([future for _documents, future in pending])


def run_shards_on_cluster(shards: list[ShardTask], address: str) -> Iterator[ShardResult]:
    """Each shard extracted and written by one task on the cluster at ``address``; results as they finish.

    Not in order: a long shard (boundaries are drawn by hash, so sizes vary) holds up no other
    worker. A window of tasks is in flight (a few per worker thread); each one done makes room for
    the next, so the scheduler holds a bounded number of tasks however large the corpus.
    """
    import distributed

    if not shards:
        return
    with connect(address) as client:
        _check_workers(client, code_version())
        build = uuid.uuid4().hex[:8]
        work = iter(shards)
        in_flight: dict[str, tuple[ShardTask, Any]] = {}  # task key -> (shard, its distributed.Future)
        dask: Any = distributed  # no type hints
        finished = dask.as_completed()

        def submit() -> None:
            shard = next(work, None)
            if shard is not None:
                key = f"kg-{build}-shard-{shard.number}"
                future = client.submit(shard_on_worker, shard, key=key, pure=False)
                in_flight[key] = (shard, future)
                finished.add(future)

        try:
            for _ in range(_window(client)):
                submit()
            for future in finished:
                shard, _future = in_flight.pop(future.key)
                yield _shard_result(shard, future)
                submit()
        finally:
            if in_flight:  # stopped early (an error, --strict, Ctrl-C): the rest is not wanted
                client.cancel([future for _shard, future in in_flight.values()])


def _window(client: Any) -> int:
    threads = sum(client.nthreads().values()) or 1
    return max(8, _TASKS_PER_THREAD * threads)


def _killed(e: BaseException, names: Sequence[str]) -> list[DocumentResult]:
    """Failed documents: their work took down every worker that tried it (memory, a crash)."""
    error = f"{type(e).__name__}: {' '.join(str(e).split())}"
    trace = f"{error}\n(the workers died while processing this file)\n"
    return [DocumentResult(name, 0, failure=ExtractionFailure(name, error, trace)) for name in names]


def _document_results(
    documents: tuple[DocumentTask, ...], future: Any, submit: Callable[[tuple[DocumentTask, ...], str], Any]
) -> list[DocumentResult]:
    """The results of a task's documents; where the task took down every worker it was given, each of its
    documents is tried alone (``submit``), so that only the one that kills workers fails."""
    from distributed import KilledWorker

    try:
        results: Any = future.result()
    except KilledWorker as e:
        if len(documents) == 1:
            return _killed(e, [documents[0].name])
        alone = [(task, submit((task,), f"alone-{task.name}")) for task in documents]
        return [result for task, single in alone for result in _document_results((task,), single, submit)]
    finally:
        future.release()
    assert isinstance(results, list) and all(isinstance(r, DocumentResult) for r in results)
    return results


def _shard_result(shard: ShardTask, future: Any) -> ShardResult:
    from distributed import KilledWorker

    try:
        result: Any = future.result()
    except KilledWorker as e:
        # its documents failed; the shard is written without them, here (the vocabulary for shard 0)
        failed = _killed(e, [task.name for task in shard.documents])
        return replace(write_shard(replace(shard, documents=())), documents=tuple(failed))
    finally:
        future.release()
    assert isinstance(result, ShardResult)
    return result
