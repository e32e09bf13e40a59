"""kg build --cluster: a real Dask scheduler and worker processes give the same bytes as one machine."""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import EXIT_SKIPPED, cli
from kg.pipeline import LOG_FILE, build
from kg.store import reading
from tests.conftest import CORPUS, SEED_EXPORT, TEST_DIR

distributed = pytest.importorskip("distributed")
cloudpickle = pytest.importorskip("cloudpickle")
cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers run this module's functions without it

pytestmark = pytest.mark.cluster
DEV_CORPUS = TEST_DIR / "gold" / "dev" / "corpus"
_EXPORT_FILES = ("zhengce.nt", "zhengce.ttl")


class DaskCluster:
    """``dask scheduler`` and ``dask worker`` processes (no nanny: a killed worker stays dead)."""

    def __init__(self, work: Path, workers: int) -> None:
        self.work = work
        work.mkdir(parents=True, exist_ok=True)
        self.scheduler_file = work / "scheduler.json"
        self.processes: list[subprocess.Popen[bytes]] = []
        self.workers: list[subprocess.Popen[bytes]] = []
        try:
            self.scheduler = self._start("scheduler", "--port", "0", "--no-dashboard")
            self.address = self._address()
            for i in range(workers):
                self.workers.append(self._start("worker", "--nthreads", "1", "--no-nanny", "--name", f"w{i}"))
            with distributed.Client(self.address, timeout="30s") as client:
                client.wait_for_workers(workers, timeout=60)
        except BaseException:
            self.stop()
            raise

    def _address(self) -> str:
        """The scheduler's address, once it has written the whole scheduler file."""
        deadline = time.monotonic() + 60
        while True:
            try:
                return str(json.loads(self.scheduler_file.read_text(encoding="utf-8"))["address"])
            except (OSError, ValueError, KeyError):
                assert time.monotonic() < deadline and self.scheduler.poll() is None, "the scheduler did not start"
                time.sleep(0.1)

    def _start(self, what: str, *options: str) -> subprocess.Popen[bytes]:
        log = (self.work / f"{what}-{len(self.processes)}.log").open("wb")
        command = [sys.executable, "-m", "dask", what, "--scheduler-file", str(self.scheduler_file), *options]
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=self.work)
        log.close()
        self.processes.append(process)
        return process

    def run(self, function: Callable[..., object], *args: object) -> None:
        """Run ``function(*args)`` in every worker process."""
        with distributed.Client(self.address, timeout="30s") as client:
            client.run(function, *args)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaskCluster]:
    cluster = DaskCluster(tmp_path_factory.mktemp("dask"), workers=2)
    try:
        yield cluster
    finally:
        cluster.stop()


def _exports(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in _EXPORT_FILES}


def _build(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["build", *args])
    return result.exit_code, result.stdout, result.stderr


def test_cluster_build_equals_local_build(dask_cluster: DaskCluster, tmp_path: Path) -> None:
    """Scheduler and two worker processes: the committed seed export, byte for byte; then from the workers' cache."""
    out = tmp_path / "out"
    code, stdout, stderr = _build(str(CORPUS), "--out", str(out), "--cluster", dask_cluster.address)
    assert code == 0, stdout + stderr
    assert "5 documents, " in stdout and "Traceback" not in stderr
    assert _exports(out) == _exports(SEED_EXPORT)
    assert len(list((out / ".kg-cache").glob("*/*.nt"))) == 5  # the workers share this disk: they wrote the cache
    code, stdout, stderr = _build(str(CORPUS), "--out", str(out), "--cluster", dask_cluster.address)
    assert code == 0 and "5 documents (5 from cache)" in stdout, stdout + stderr
    assert _exports(out) == _exports(SEED_EXPORT)
    # shards, written by the workers: the bytes of --jobs 2's
    sharded, local = tmp_path / "sharded", tmp_path / "local"
    code, stdout, stderr = _build(
        str(CORPUS), "--out", str(sharded), "--cluster", dask_cluster.address, "--shards", "4"
    )
    assert code == 0, stdout + stderr
    assert _build(str(CORPUS), "--out", str(local), "--jobs", "2", "--shards", "4")[0] == 0
    shards = sorted((sharded / "shards").iterdir())
    assert len(shards) == 6 and [p.read_bytes() for p in shards] == [
        p.read_bytes() for p in sorted((local / "shards").iterdir())
    ]
    # the store, loaded from the shards in the client: the triples of --jobs 2's
    assert _store_triples(sharded) == _store_triples(local)
    # without a store: the same shards, and the client only collected records
    bare = tmp_path / "bare"
    code, stdout, stderr = _build(
        str(CORPUS), "--out", str(bare), "--cluster", dask_cluster.address, "--shards", "4", "--no-store"
    )
    assert code == 0 and "triples in shards" in stdout, stdout + stderr
    assert [p.read_bytes() for p in sorted((bare / "shards").iterdir())] == [p.read_bytes() for p in shards]
    assert not (bare / "zhengce.oxigraph").exists()


def test_cluster_update_of_a_changed_file_gives_a_clean_builds_bytes(dask_cluster: DaskCluster, tmp_path: Path) -> None:
    """A sharded cluster build built again after one file changed: only that document goes to the workers,
    and the shards and store are those of a clean build of the changed corpus."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    out = tmp_path / "out"
    options = ("--cluster", dask_cluster.address, "--shards", "4")
    assert _build(str(corpus), "--out", str(out), *options)[0] == 0
    inodes = {p.name: p.stat().st_ino for p in (out / "shards").iterdir()}
    changed = sorted(corpus.glob("*.txt"))[3]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n2024年青海省新增就业1万人。\n", encoding="utf-8")
    code, stdout, stderr = _build(str(corpus), "--out", str(out), *options)
    assert code == 0 and "5 documents (4 from cache)" in stdout, stdout + stderr
    kept = {p.name for p in (out / "shards").iterdir() if inodes.get(p.name) == p.stat().st_ino}
    assert kept and len(kept) < len(inodes)  # an update: the other shards are links to the previous ones
    clean = tmp_path / "clean"
    assert _build(str(corpus), "--out", str(clean), "--jobs", "2", "--shards", "4", "--no-cache")[0] == 0
    assert [p.read_bytes() for p in sorted((out / "shards").iterdir())] == [
        p.read_bytes() for p in sorted((clean / "shards").iterdir())
    ]
    assert _store_triples(out) == _store_triples(clean)


def _store_triples(out: Path) -> set[str]:
    with reading(out) as generation:
        assert generation is not None
        return {str(q) for q in generation.open_store()}


@pytest.fixture
def http_corpus(tmp_path: Path) -> Iterator[str]:
    """The seed corpus served over HTTP from loopback (python's own file server, directory index pages)."""
    root = tmp_path / "www"
    (root / "seed").mkdir(parents=True)
    for f in CORPUS.iterdir():
        (root / "seed" / f.name).write_bytes(f.read_bytes())
    (root / "seed" / ".hidden.txt").write_text("not a document", encoding="utf-8")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/seed/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_cluster_build_of_an_http_corpus(dask_cluster: DaskCluster, http_corpus: str, tmp_path: Path) -> None:
    """Workers read the files from the URL themselves; names, metadata and bytes are those of the folder's build."""
    out = tmp_path / "out"
    code, stdout, stderr = _build(http_corpus, "--out", str(out), "--cluster", dask_cluster.address, "--no-cache")
    assert code == 0, stdout + stderr
    assert _exports(out) == _exports(SEED_EXPORT)  # metadata.json was read over HTTP too: titles and dates are in it
    # on one machine too
    code, stdout, stderr = _build(http_corpus, "--out", str(tmp_path / "local"), "--jobs", "2", "--no-cache")
    assert code == 0, stdout + stderr
    assert _exports(tmp_path / "local") == _exports(SEED_EXPORT)


def test_cluster_unreachable_corpus_and_scheduler_are_one_line_errors(tmp_path: Path) -> None:
    code, _, stderr = _build("http://127.0.0.1:9/corpus/", "--out", str(tmp_path / "out"))
    assert code == 1 and "Traceback" not in stderr
    assert stderr.startswith("Error: http://127.0.0.1:9/corpus/: cannot read: ") and stderr.count("\n") == 1
    code, _, stderr = _build(str(CORPUS), "--out", str(tmp_path / "out"), "--cluster", "local:0")
    assert code == 1 and "expected local or local:N with N >= 1" in stderr and stderr.count("\n") == 1
    code, _, stderr = _build(str(CORPUS), "--out", str(tmp_path / "out"), "--cluster", "local:2", "-j", "2")
    assert code == 2 and "choose one" in stderr
    assert not (tmp_path / "out" / "zhengce.nt").exists()


def _plant(document_facts: Callable[..., object]) -> None:
    """Replace extraction in a worker process (the crash_corpus fixture's patch does not reach it)."""
    import kg.facts

    vars(kg.facts).setdefault("_unplanted", kg.facts.document_facts)
    kg.facts.document_facts = document_facts  # type: ignore[assignment]


def test_cluster_failure_is_reported_as_on_one_machine(
    dask_cluster: DaskCluster, crash_corpus: Path, tmp_path: Path
) -> None:
    """A document whose extraction fails on a worker: the same error line, the same log, the rest built."""
    import kg.facts

    def without_process(text: str, out: Path) -> str:
        text = re.sub(r"in process \d+", "in process N", text).replace(str(out), "OUT")
        # the planted function reached the workers by value: its frame has no file to show a line of
        return re.sub(r'  File "[^"]+", (line \d+, in document_facts_or_crash\n)(    .*\n)?', r"  File F, \1", text)

    local = tmp_path / "local"
    code, _, local_err = _build(str(crash_corpus), "--out", str(local), "--jobs", "2")
    assert code == EXIT_SKIPPED
    dask_cluster.run(_plant, kg.facts.document_facts)
    try:
        out = tmp_path / "cluster"
        code, stdout, stderr = _build(str(crash_corpus), "--out", str(out), "--cluster", dask_cluster.address)
    finally:
        dask_cluster.run(_restore)
    assert code == EXIT_SKIPPED, stdout + stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert [without_process(e, out) for e in errors] == [
        without_process(e, local) for e in local_err.splitlines() if e.startswith("error:")
    ]
    worker_pid = int(re.findall(r"in process (\d+)", errors[0])[0])
    assert worker_pid in {p.pid for p in dask_cluster.workers}  # a worker raised, and its traceback came back
    assert without_process((out / LOG_FILE).read_text(encoding="utf-8"), out) == without_process(
        (local / LOG_FILE).read_text(encoding="utf-8"), local
    )
    assert _exports(out) == _exports(local)


def _restore() -> None:
    import kg.facts

    kg.facts.document_facts = vars(kg.facts).pop("_unplanted")  # type: ignore[assignment]


def test_cluster_worker_killed_mid_build_changes_nothing(tmp_path: Path) -> None:
    """SIGKILL a worker while it extracts: Dask gives its tasks to the other worker, and the graph is the same."""
    reference = build(DEV_CORPUS, tmp_path / "reference", use_cache=False)
    cluster = DaskCluster(tmp_path / "dask", workers=2)
    try:
        with distributed.Client(cluster.address, timeout="30s") as monitor:
            pids: dict[str, int] = monitor.run(os.getpid)
            victim = next(address for address, pid in pids.items() if pid == cluster.workers[1].pid)
            outcome: list[object] = []

            def run() -> None:
                try:
                    outcome.append(build(DEV_CORPUS, tmp_path / "out", cluster=cluster.address, use_cache=False))
                except BaseException as e:
                    outcome.append(e)

            builder = threading.Thread(target=run)
            builder.start()
            deadline = time.monotonic() + 60
            while not monitor.processing().get(victim):
                assert builder.is_alive() and time.monotonic() < deadline, "the victim never got a document"
                time.sleep(0.01)
            os.kill(pids[victim], signal.SIGKILL)
            killed_mid_build = builder.is_alive()
            builder.join(timeout=120)
        assert cluster.workers[1].wait(timeout=10) == -signal.SIGKILL
    finally:
        cluster.stop()
    assert killed_mid_build and not builder.is_alive()
    (report,) = outcome
    assert not isinstance(report, BaseException), report
    assert report.documents == reference.documents == 14 and not report.failures
    assert _exports(tmp_path / "out") == _exports(tmp_path / "reference")


def _descendants(pid: int) -> set[int]:
    """The processes below ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _hears_ctrl_c() -> None:
    """In the child before exec: SIGINT as in a terminal. A test run as a shell's background job inherits
    SIGINT ignored, and Python then keeps ignoring it: the build would not stop (a flaky failure)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
def test_cluster_local_workers_and_an_interrupted_client(tmp_path: Path) -> None:
    """--cluster local:2 starts two worker processes: same bytes; Ctrl-C leaves the previous export and no workers."""
    out = tmp_path / "out"
    command = [sys.executable, "-m", "kg", "build", str(CORPUS), "--out", str(out), "--cluster", "local:2"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert _exports(out) == _exports(SEED_EXPORT)
    published = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    store = (out / "zhengce.oxigraph").resolve()

    # a corpus of 30 copies of the seeds, so the build is still running when it is interrupted (the
    # seeds alone can finish within the second the test waits for the workers to start)
    larger = tmp_path / "larger"
    larger.mkdir()
    for k in range(30):
        for f in CORPUS.glob("*.txt"):
            shutil.copyfile(f, larger / f"c{k:02d}_{f.name}")
    interrupted = subprocess.Popen(
        [*command[:4], str(larger), *command[5:], "--no-cache"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_hears_ctrl_c,
    )
    deadline = time.monotonic() + 120
    while len(workers := _descendants(interrupted.pid)) < 2:  # LocalCluster's nannies and their workers
        assert interrupted.poll() is None and time.monotonic() < deadline, "no worker processes started"
        time.sleep(0.05)
    time.sleep(1.0)  # the workers are importing zhengce-kg or extracting
    workers = _descendants(interrupted.pid)
    interrupted.send_signal(signal.SIGINT)
    _, stderr = interrupted.communicate(timeout=120)
    assert interrupted.returncode != 0 and b"Traceback" not in stderr, stderr.decode()
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in workers):
        assert time.monotonic() < deadline, "worker processes outlived the interrupted client"
        time.sleep(0.1)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == published
    assert (out / "zhengce.oxigraph").resolve() == store
    assert not list(out.glob(".*.tmp"))


class _DeadFuture:
    """A shard task whose every worker died (what Dask's future raises then)."""

    def result(self) -> object:
        from types import SimpleNamespace

        from distributed import KilledWorker

        worker = SimpleNamespace(address="tcp://127.0.0.1:9")  # the scheduler's record of the last worker
        raise KilledWorker("kg-0-shard-0", worker, 3)  # type: ignore[arg-type]

    def release(self) -> None:
        pass


def test_a_shard_that_kills_its_workers_fails_its_documents_and_keeps_the_vocabulary(tmp_path: Path) -> None:
    """Its documents are failed extractions (as on one machine); its shard is written without them by the client,
    so shard 0 still holds the vocabulary and the numbering has no hole."""
    from kg.cluster import _shard_result
    from kg.graph import vocabulary_ntriples
    from kg.pipeline import DocumentTask, code_version
    from kg.shards import plan
    from kg.types import DocMeta

    names = sorted(p.name for p in CORPUS.glob("*.txt"))[:2]
    tasks = [DocumentTask(CORPUS / n, n, DocMeta(), None, code_version()) for n in names]
    (shard,) = plan(tasks, 1_000_000, tmp_path)
    result = _shard_result(shard, _DeadFuture())
    assert [r.name for r in result.documents] == names
    assert all(r.failure is not None and "KilledWorker" in r.failure.error for r in result.documents)
    assert gzip.decompress((tmp_path / "zhengce-00000.nt.gz").read_bytes()) == vocabulary_ntriples()
    assert result.lines == len(vocabulary_ntriples().splitlines())


class _DoneFuture:
    def __init__(self, value: object) -> None:
        self.value = value

    def result(self) -> object:
        return self.value

    def release(self) -> None:
        pass


def test_a_task_that_kills_its_workers_is_retried_a_document_at_a_time(tmp_path: Path) -> None:
    """A task of several documents whose every worker died: each document is tried alone, and only the one that
    kills workers is a failed extraction (as on one machine); the others are built, in corpus order."""
    from kg.cluster import _document_results
    from kg.pipeline import DocumentTask, code_version, process_document
    from kg.types import DocMeta

    names = sorted(p.name for p in CORPUS.glob("*.txt"))[:3]
    tasks = tuple(DocumentTask(CORPUS / n, n, DocMeta(), None, code_version()) for n in names)
    submitted: list[tuple[str, ...]] = []

    def submit(documents: tuple[DocumentTask, ...], key: str) -> object:
        submitted.append(tuple(d.name for d in documents))
        if documents[0].name == names[1]:
            return _DeadFuture()
        return _DoneFuture([process_document(d) for d in documents])

    results = _document_results(tasks, _DeadFuture(), submit)
    assert submitted == [(n,) for n in names]
    assert [r.name for r in results] == names
    assert [r.failure is not None for r in results] == [False, True, False]
    assert results[1].failure is not None and "KilledWorker" in results[1].failure.error
    assert results[0].ntriples == process_document(tasks[0]).ntriples != b""
