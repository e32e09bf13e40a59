"""Fault injection, in the spirit of SQLite's crash tests: real builds killed at every step of publishing, a
damaged cache, readers during swaps, a full disk, kg export racing kg build. After each, the published build is
the previous one or the new one, whole, never a mix, and no command printed a traceback.

Builds run in subprocesses and are killed with SIGKILL at named points (kg/store.py ``fault_point``, switched on
by the environment variable KG_TEST_KILL_AT; KG_TEST_PAUSE_AT=POINT:SECONDS holds one there to race another).
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.cache import ENTRY_SUFFIX
from kg.pipeline import CACHE_DIR, build
from kg.store import CURRENT_LINK, GENERATIONS_DIR, STORE_NAME, current_generation, reading
from tests.conftest import CORPUS, SEED_EXPORT

TEXTS = {
    "a.txt": "青海省西宁市全面推行“免申即享”，城镇新增就业6.2万人。",
    "b.txt": "四川省成都市推进“一网通办”，新增市场主体3.5万户。",
    "c.txt": "新疆昌吉州推进“一网通办”，2025年地区生产总值增长6.1%。",
}
# The steps of publishing, in order: each file renamed into the new generation, then the commit.
POINTS_BEFORE_SWAP = [
    "after-zhengce.ttl",
    "after-zhengce.nt",
    "after-zhengce.html",
    "before-publish",
    "before-fsync",
    "before-swap",
]
POINTS_AFTER_SWAP = ["after-swap", "after-links"]
Corpora = dict[str, tuple[Path, bytes]]  # "A", "B": a corpus and the N-Triples of its clean build


def _corpus(folder: Path, names: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text(TEXTS[name], encoding="utf-8")
    return folder


def kg(*args: str | Path, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the kg command in a subprocess (its own process: a SIGKILL kills only it)."""
    return subprocess.run(
        [sys.executable, "-m", "kg", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


def _no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, result.stderr


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> Corpora:
    """Two corpora and the N-Triples of a clean build of each."""
    root = tmp_path_factory.mktemp("corpora")
    found = {}
    for label, names in (("A", ["a.txt"]), ("B", ["a.txt", "b.txt", "c.txt"])):
        corpus = _corpus(root / label, names)
        out = root / f"clean-{label}"
        build(corpus, out, use_cache=False)
        found[label] = (corpus, (out / "zhengce.nt").read_bytes())
    assert found["A"][1] != found["B"][1]
    return found


def whole(out: Path, expected: dict[str, bytes]) -> str:
    """Which build ``out`` publishes (a key of ``expected``), after checking it is whole and one build's.

    The current generation's N-Triples are one clean build's bytes; its Turtle and its store hold the same
    triples; every published name is a link into the current generation that resolves.
    """
    name = current_generation(out)
    assert name is not None, "nothing published"
    generation = out / GENERATIONS_DIR / name
    nt = (generation / "zhengce.nt").read_bytes()
    which = [label for label, data in expected.items() if data == nt]
    assert which, "the published N-Triples are no clean build's"
    triples = set(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES))
    turtle = (generation / "zhengce.ttl").read_bytes()
    assert set(ox.parse(turtle, format=ox.RdfFormat.TURTLE)) == triples, "Turtle and N-Triples differ"
    store = ox.Store.read_only(str(generation / STORE_NAME))
    assert len(store) == len(triples), "the store is another build's"
    del store
    for entry in out.iterdir():
        if entry.is_symlink() and not entry.name.startswith("."):
            assert os.readlink(entry) == f"{CURRENT_LINK}/{entry.name}", entry
            assert entry.exists(), f"{entry.name} points at nothing"
    for file_name in ("zhengce.nt", "zhengce.ttl", STORE_NAME):
        if (out / file_name).exists():
            assert (out / file_name).resolve() == (generation / file_name).resolve()
    return which[0]


def _generations(out: Path) -> list[str]:
    return sorted(p.name for p in (out / GENERATIONS_DIR).iterdir())


# --- killed while publishing -----------------------------------------------------------------------


def test_faults_build_killed_at_every_step_of_publishing(tmp_path: Path, corpora: Corpora) -> None:
    """SIGKILL at each step: before the swap the previous build is published, after it the new one, whole."""
    expected = {label: nt for label, (_corpus, nt) in corpora.items()}
    out = tmp_path / "out"
    assert kg("build", corpora["A"][0], "--out", out).returncode == 0
    published = "A"
    for point in POINTS_BEFORE_SWAP + POINTS_AFTER_SWAP:
        other = "B" if published == "A" else "A"
        killed = kg("build", corpora[other][0], "--out", out, env={"KG_TEST_KILL_AT": point})
        assert killed.returncode == -signal.SIGKILL, f"the build did not reach {point}: {killed.stderr}"
        now = whole(out, expected)
        assert now == (published if point in POINTS_BEFORE_SWAP else other), point
        published = now
        # a reader that starts cleans what the killed build left, answers from one build, no traceback
        query = kg("query", "--exports", out, "-e", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "-f", "csv")
        _no_traceback(query)
        assert query.returncode == 0 and int(query.stdout.split()[1]) == len(expected[published].splitlines())
        assert _generations(out) == [current_generation(out)], f"leftovers after a kill at {point}"
    # the next build cleans the rest: one generation, no temporary file anywhere, every name linked
    assert kg("build", corpora["B"][0], "--out", out).returncode == 0
    assert whole(out, expected) == "B"
    assert [p for p in out.rglob("*.tmp")] == []
    assert {p.name for p in out.iterdir() if p.is_symlink()} >= {"zhengce.nt", "zhengce.ttl", STORE_NAME}


def test_faults_killed_builds_leave_bounded_leftovers(tmp_path: Path, corpora: Corpora) -> None:
    """Killed builds' half-written generations (once 11-100 MB each, until a build succeeded) go at the next start."""
    out = tmp_path / "out"
    assert kg("build", corpora["A"][0], "--out", out).returncode == 0
    for _ in range(3):
        killed = kg("build", corpora["B"][0], "--out", out, "--no-cache", env={"KG_TEST_KILL_AT": "before-swap"})
        assert killed.returncode == -signal.SIGKILL
        # each build cleaned the one killed before it: the published one and the last killed one remain
        assert len(_generations(out)) == 2
    with reading(out) as generation:  # any command that opens the build cleans
        assert generation is not None
        assert _generations(out) == [generation.name]


def test_faults_export_killed_leaves_the_generation_whole(tmp_path: Path, corpora: Corpora) -> None:
    """kg export killed after writing its file: the generation is whole, the next writer cleans its temporaries."""
    out = tmp_path / "out"
    assert kg("build", corpora["B"][0], "--out", out).returncode == 0
    name = current_generation(out)
    killed = kg("export", "-f", "gexf", "--focus", "一网通办", "--exports", out, env={"KG_TEST_KILL_AT": "locked"})
    assert killed.returncode == -signal.SIGKILL
    stray = out / GENERATIONS_DIR / str(name) / ".zhengce.gexf.killed.tmp"
    stray.write_text("what a killed kg export left", encoding="utf-8")
    done = kg("export", "-f", "gexf", "--focus", "一网通办", "--exports", out)
    _no_traceback(done)
    assert done.returncode == 0 and not stray.exists()
    written = Path(done.stdout.split()[0])  # the focus file, named after the policy
    assert written.parent == out and written.is_symlink()
    assert written.resolve().parent.name == name == current_generation(out)
    assert whole(out, {label: nt for label, (_c, nt) in corpora.items()}) == "B"


# --- the cache ----------------------------------------------------------------------------------------


def _damage(entry: Path, how: str, other: Path) -> None:
    data = entry.read_bytes()
    if how == "cut at a line boundary":  # once: 808 triples silently dropped, exit 0
        entry.write_bytes(data[: data.rindex(b"\n", 0, len(data) * 2 // 3) + 1])
    elif how == "cut mid-line":  # once: every later build failed until the cache was deleted by hand
        entry.write_bytes(data[: len(data) * 2 // 3])
    elif how == "edited":  # once: published as it was
        entry.write_bytes(data.replace(b"zhengce", b"zhengCE", 1))
    elif how == "foreign":  # another document's entry under this key
        entry.write_bytes(other.read_bytes())
    elif how == "emptied":
        entry.write_bytes(b"")
    elif how == "a FIFO":
        entry.unlink()
        os.mkfifo(entry)
    elif how == "a link out":
        entry.unlink()
        entry.symlink_to(other)
    elif how == "older format":
        entry.write_bytes(data.partition(b"\n")[2])


DAMAGE = [
    "cut at a line boundary",
    "cut mid-line",
    "edited",
    "foreign",
    "emptied",
    "a FIFO",
    "a link out",
    "older format",
]


def test_faults_damaged_cache_never_changes_the_build(tmp_path: Path) -> None:
    """Every entry damaged in each way: the build's bytes are a clean build's, and the entries are rewritten."""
    out = tmp_path / "out"
    build(CORPUS, out)
    clean = {name: (SEED_EXPORT / name).read_bytes() for name in ("zhengce.nt", "zhengce.ttl")}
    for how in DAMAGE:
        entries = sorted((out / CACHE_DIR).glob(f"*/*{ENTRY_SUFFIX}"))
        assert len(entries) == 5
        others = []  # each entry's neighbour, as it is before any is damaged
        for i in range(len(entries)):
            others.append(tmp_path / f"other-{i}.nt")
            shutil.copyfile(entries[i - 1], others[-1])
        for entry, other in zip(entries, others, strict=True):
            _damage(entry, how, other)
        report = build(CORPUS, out)
        assert report.cached == 0, how
        assert {name: (out / name).read_bytes() for name in clean} == clean, how
        assert build(CORPUS, out).cached == 5, f"entries not rewritten after: {how}"


def test_faults_damaged_cache_in_the_command_is_no_error(tmp_path: Path, corpora: Corpora) -> None:
    """kg build over a cache whose entries are cut mid-line: exit 0, no traceback, a clean build's bytes."""
    out = tmp_path / "out"
    corpus, nt = corpora["B"]
    assert kg("build", corpus, "--out", out).returncode == 0
    for entry in (out / CACHE_DIR).glob(f"*/*{ENTRY_SUFFIX}"):
        _damage(entry, "cut mid-line", entry)
    result = kg("build", corpus, "--out", out)
    _no_traceback(result)
    assert result.returncode == 0 and (out / "zhengce.nt").read_bytes() == nt


# --- readers while builds swap ----------------------------------------------------------------------

READER = """
import json, sys, time
from pathlib import Path
from kg.query import open_engine
out, seconds = Path(sys.argv[1]), float(sys.argv[2])
counts, errors, opens = set(), [], 0
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    try:
        engine = open_engine(out, "oxigraph")
        result = engine.run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        counts.add(int(result.rows[0][0].value))
        opens += 1
        del engine
    except Exception as e:  # any error is a failure of the test
        errors.append(f"{type(e).__name__}: {e}")
print(json.dumps({"counts": sorted(counts), "errors": errors[:5], "opens": opens}))
"""


def test_faults_readers_while_builds_swap(tmp_path: Path, corpora: Corpora) -> None:
    """Store opens in other processes while builds publish: never an error (once: Corruption ... No such file .sst)."""
    out = tmp_path / "out"
    assert kg("build", corpora["A"][0], "--out", out).returncode == 0
    sizes = {len(nt.splitlines()) for _c, nt in corpora.values()}
    readers = [
        subprocess.Popen([sys.executable, "-c", READER, str(out), "25"], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    swaps = 0
    started = time.monotonic()
    while time.monotonic() - started < 18:
        label = "B" if swaps % 2 == 0 else "A"
        result = kg("build", corpora[label][0], "--out", out)
        _no_traceback(result)
        assert result.returncode == 0, result.stderr
        swaps += 1
        query = kg("query", "--exports", out, "-e", "ASK { ?s ?p ?o }")
        _no_traceback(query)
        assert query.returncode == 0
    for reader in readers:
        stdout, _ = reader.communicate(timeout=60)
        summary = json.loads(stdout)
        assert summary["errors"] == [] and summary["opens"] > 20 and set(summary["counts"]) <= sizes, summary
    assert swaps >= 3
    assert len(_generations(out)) == 1  # the readers are gone: so are the generations they held


# --- a full disk ----------------------------------------------------------------------------------------


@contextlib.contextmanager
def _small_disk(folder: Path, size: str) -> Iterator[str]:
    """A tmpfs of ``size`` mounted on ``folder`` when this process may mount (root), else nothing mounted."""
    folder.mkdir()
    mounted = (
        hasattr(os, "geteuid")
        and os.geteuid() == 0
        and subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)]).returncode == 0
    )
    try:
        yield "tmpfs" if mounted else "rlimit"
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=False)


def _limit_file_size() -> None:  # the fallback: any file over 64 kB fails to grow (EFBIG), like a full disk
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


def test_faults_disk_full_is_one_line_and_keeps_the_previous_build(tmp_path: Path) -> None:
    """Disk full while writing the new generation: one line, exit 1, the previous build whole, no leftovers."""
    with _small_disk(tmp_path / "disk", "5m") as kind:
        out = tmp_path / "disk" / "out"
        first = kg("build", CORPUS, "--out", out, "--no-cache")
        assert first.returncode == 0, first.stderr
        seed = {"seed": (SEED_EXPORT / "zhengce.nt").read_bytes()}
        before = current_generation(out)
        if kind == "tmpfs":  # the seed build takes about 3 MB: a second does not fit beside it
            full = kg("build", CORPUS, "--out", out, "--no-cache")
        else:
            full = subprocess.run(
                [sys.executable, "-m", "kg", "build", str(CORPUS), "--out", str(out), "--no-cache"],
                capture_output=True,
                text=True,
                preexec_fn=_limit_file_size,
            )
        _no_traceback(full)
        assert full.returncode == 1, full.stderr
        lines = full.stderr.strip().splitlines()
        assert len(lines) == 1 and "the previous build is unchanged" in lines[0], lines
        assert ("No space left on device" if kind == "tmpfs" else "File too large") in lines[0]
        assert current_generation(out) == before and whole(out, seed) == "seed"
        assert _generations(out) == [before]  # the failed generation was removed: its space is free again
        query = kg("query", "--exports", out, "-e", "ASK { ?s ?p ?o }")
        assert query.returncode == 0 and "true" in query.stdout.lower()


# --- kg export against kg build ------------------------------------------------------------------------


def test_faults_export_races_build(tmp_path: Path, corpora: Corpora) -> None:
    """kg export during a build (once: an old Turtle beside a new N-Triples, both exit 0) is refused in one line."""
    expected = {label: nt for label, (_c, nt) in corpora.items()}
    out = tmp_path / "out"
    assert kg("build", corpora["A"][0], "--out", out).returncode == 0
    command = [sys.executable, "-m", "kg", "build", str(corpora["B"][0]), "--out", str(out)]
    slow = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "KG_TEST_PAUSE_AT": "before-swap:6"},
    )
    try:
        deadline = time.monotonic() + 60
        while len(_generations(out)) < 2:  # the build has made its generation: it holds the lock
            assert slow.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        raced = kg("export", "-f", "turtle", "--exports", out)
        _no_traceback(raced)
        assert raced.returncode == 1 and "another kg build or kg export is writing" in raced.stderr
        assert whole(out, expected) == "A"
    finally:
        _stdout, stderr = slow.communicate(timeout=120)
    assert slow.returncode == 0, stderr
    assert whole(out, expected) == "B"
    # and the other way round: a build while kg export writes
    holder = subprocess.Popen(
        [sys.executable, "-m", "kg", "export", "-f", "graphml", "--exports", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "KG_TEST_PAUSE_AT": "locked:6"},
    )
    try:
        time.sleep(3)  # it has started and holds the lock (a slow start only makes the build below win)
        competing = kg("build", corpora["A"][0], "--out", out)
        _no_traceback(competing)
        if competing.returncode == 0:  # the export had not taken the lock yet: the build went first
            assert whole(out, expected) == "A"
        else:
            assert "another kg build or kg export is writing" in competing.stderr
            assert whole(out, expected) == "B"
    finally:
        holder.communicate(timeout=120)
    assert holder.returncode == 0
    assert (out / "zhengce.graphml").resolve().parent.name == current_generation(out)
    whole(out, expected)


def test_faults_kg_serve_while_builds_swap(tmp_path: Path, corpora: Corpora) -> None:
    """kg serve answers throughout rebuilds, each answer from one whole build (once: it served a deleted store)."""
    import threading

    import httpx

    from tests.test_serve import running_server

    out = tmp_path / "out"
    assert kg("build", corpora["A"][0], "--out", out).returncode == 0
    sizes = {len(nt.splitlines()) for _c, nt in corpora.values()}
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    answers: list[int | str] = []
    stop = threading.Event()
    with running_server(out, tmp_path / "server.log") as (url, _proc):

        def ask() -> None:
            while not stop.is_set():
                reply = httpx.get(
                    url + "/sparql", params={"query": count}, headers={"Accept": "application/sparql-results+json"}
                )
                if reply.status_code == 200:
                    answers.append(int(reply.json()["results"]["bindings"][0]["n"]["value"]))
                else:
                    answers.append(f"{reply.status_code}: {reply.text[:200]}")

        asker = threading.Thread(target=ask)
        asker.start()
        try:
            for label in ("B", "A", "B"):
                result = kg("build", corpora[label][0], "--out", out)
                assert result.returncode == 0, result.stderr
        finally:
            stop.set()
            asker.join(timeout=60)
    log = (tmp_path / "server.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log and "Corruption" not in log
    assert answers and all(isinstance(a, int) and a in sizes for a in answers), answers[:5]
    assert len(set(answers)) == 2  # it served both builds: each rebuild at once
