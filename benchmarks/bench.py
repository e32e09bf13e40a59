"""Benchmark: scaled corpora built end to end, with throughput, memory, sizes and query latency.

    python -m benchmarks                      # 10 MB and 100 MB, 3 runs each, jobs 1 and 2
    python -m benchmarks --sizes 10 --runs 1  # a quick look
    python -m benchmarks --huge               # adds 1 GB
    python -m benchmarks --sizes 100 --jobs 2 --cluster local:2 --runs 1   # the Dask path next to --jobs 2

(from a source tree: the benchmark is not part of the installed package).

A scaled corpus is made from the seed documents by copies that vary what a real corpus varies:
each copy moves the seed's regions to other regions of the same level (a county to a county of
the new prefecture, so the hierarchy stays consistent, names and short forms alike), redraws
every figure with as many digits, and shifts the years. So the graph grows like a real one, with
new regions, agencies, observations and evidence, rather than by duplicates.

Each build runs as its own process (``python -m kg build``), timed from start to exit with the
peak resident memory of its whole process tree (parent and workers, summed, sampled from /proc
every 50 ms). No timed unit tests: this prints figures for people to read.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from kg.corpus import METADATA_FILE, discover, read_metadata
from kg.gazetteer import gazetteer, region_aliases_of

MB = 1_000_000
_DIGITS = re.compile(r"(?<![0-9])[0-9]+(?![0-9])")
_YEAR = re.compile(r"(?<![0-9])(20[0-9]{2})(?=年|-|/)")

# --- scaled corpora --------------------------------------------------------------------------------


def _region_forms(code: str) -> list[str]:
    """A region's full name first, then its short forms (longest first)."""
    name = gazetteer().by_code[code].name
    return [name, *sorted((a for a in region_aliases_of(code) if a != name), key=len, reverse=True)]


def _seed_regions(text: str) -> set[str]:
    """Codes of the regions a seed text names, with their ancestors (found by the extractor itself)."""
    from kg.extract.regions import region_codes_in

    g = gazetteer()
    codes: set[str] = set()
    for code in region_codes_in(text):
        codes.update(c for c in [code, *g.ancestors(code)] if c in g.by_code and g.by_code[c].level != "country")
    return codes


@dataclass(frozen=True, slots=True)
class Variation:
    """How one copy differs from its seed: regions moved, figures redrawn, years shifted."""

    regions: dict[str, str]  # seed code -> copy code
    year_shift: int
    rng_seed: str


def _children(level: str, parent: str | None) -> list[str]:
    g = gazetteer()
    return sorted(c for c, r in g.by_code.items() if r.level == level and (parent is None or r.parent == parent))


def plan_variation(codes: set[str], rng: random.Random) -> Variation:
    """Move each region to one of the same level, keeping the hierarchy: children follow their parent."""
    g = gazetteer()
    mapping: dict[str, str] = {}
    for code in sorted(codes, key=lambda c: (g.by_code[c].level != "province", g.by_code[c].level == "county", c)):
        region = g.by_code[code]
        parent = mapping.get(region.parent or "")
        pool = _children(region.level, parent) or _children(region.level, None)
        taken = set(mapping.values())
        free = [c for c in pool if c not in taken] or pool
        mapping[code] = rng.choice(free)
    return Variation(mapping, rng.choice([-3, -2, -1, 0, 1]), str(rng.random()))


def vary_text(text: str, variation: Variation) -> str:
    """The seed text with its regions, figures and years varied (consistently within the copy)."""
    replacements: dict[str, str] = {}
    for old, new in variation.regions.items():
        old_forms, new_forms = _region_forms(old), _region_forms(new)
        for i, form in enumerate(old_forms):
            if len(form) >= 2:
                replacements.setdefault(form, new_forms[min(i, len(new_forms) - 1)])
    if replacements:
        pattern = re.compile("|".join(re.escape(f) for f in sorted(replacements, key=len, reverse=True)))
        text = pattern.sub(lambda m: replacements[m.group(0)], text)
    text = _YEAR.sub(lambda m: str(int(m.group(1)) + variation.year_shift), text)
    rng = random.Random(variation.rng_seed)

    def redraw(m: re.Match[str]) -> str:
        digits = m.group(0)
        if len(digits) == 4 and digits.startswith("20"):  # a year already shifted
            return digits
        first = str(rng.randint(1, 9)) if len(digits) > 1 else str(rng.randint(0, 9))
        return first + "".join(str(rng.randint(0, 9)) for _ in digits[1:])

    return _DIGITS.sub(redraw, text)


def scale_corpus(seeds: Path, out: Path, megabytes: float, seed: int = 0) -> tuple[int, int]:
    """Write copies of the seed documents into ``out`` until it holds ``megabytes`` of text.

    Returns (documents, bytes). The same arguments give the same corpus.
    """
    files, _problems = discover(seeds)
    metadata = read_metadata(seeds)
    texts = [(f.name, Path(f.path).read_text(encoding="utf-8")) for f in files]
    seed_codes = {name: _seed_regions(text) for name, text in texts}
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    meta_out: dict[str, dict[str, str]] = {}
    written, documents, copy = 0, 0, 0
    target = int(megabytes * MB)
    while written < target:
        rng = random.Random(f"{seed}-{copy}")
        for name, text in texts:
            variation = plan_variation(seed_codes[name], rng)
            data = vary_text(text, variation).encode("utf-8")
            copy_name = f"c{copy:05d}_{name}"
            (out / copy_name).write_bytes(data)
            written += len(data)
            documents += 1
            meta = metadata.get(name)
            if meta is not None:
                fields = {k: v for k, v in asdict(meta).items() if v}
                if "date" in fields:
                    fields["date"] = str(int(fields["date"][:4]) + variation.year_shift) + fields["date"][4:]
                if "region" in fields:
                    fields["region"] = variation.regions.get(fields["region"], fields["region"])
                meta_out[copy_name] = fields
            if written >= target:
                break
        copy += 1
    (out / METADATA_FILE).write_text(json.dumps(meta_out, ensure_ascii=False, indent=1), encoding="utf-8")
    return documents, written


# --- measuring ----------------------------------------------------------------------------------


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21]) * page
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(c for c, p in parents.items() if p == pid)
    return total


@dataclass(frozen=True, slots=True)
class BuildRun:
    seconds: float
    cpu_seconds: float  # user + system time of the build process and its workers
    client_cpu_seconds: float  # of the build process alone (the merge, the files, the store): the serial part
    peak_rss: int
    documents: int
    facts: int
    triples: int


def _cpu_seconds(pid: int) -> float:
    """User + system seconds of one process so far (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_build(
    corpus: Path, out: Path, jobs: int | str, *, cache: bool = False, options: tuple[str, ...] | None = None
) -> BuildRun:
    """One ``kg build`` process, timed, its process tree's memory sampled.

    ``jobs`` is a number of processes, or a Dask cluster's address (``local:2``: ``--cluster local:2``);
    ``options`` replace both (``--cluster local:2 --shards 100`` ...).
    """
    parallel = ["--jobs", str(jobs)] if isinstance(jobs, int) else ["--cluster", jobs]
    parallel = list(options) if options is not None else parallel
    command = [sys.executable, "-m", "kg", "build", str(corpus), "--out", str(out), *parallel]
    command += ["--no-progress"] + ([] if cache else ["--no-cache"])
    peak = 0
    client_cpu = 0.0
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, client_cpu
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            client_cpu = max(client_cpu, _cpu_seconds(proc.pid))  # sampled: up to 50 ms short at the end
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # counts the workers too: the build waited for them
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    done.set()
    sampler.join()
    # 3: files were skipped; one whose extraction failed (a bug) would make the figures wrong
    if proc.returncode not in (0, 3) or ": extraction failed: " in stderr:
        raise RuntimeError(f"kg build failed ({proc.returncode}): {stderr}")
    m = re.search(r"(\d+) documents.*?, (\d+) facts, (\d+) triples", stdout)
    if m is None:
        raise RuntimeError(f"unexpected kg build output: {stdout!r}")
    return BuildRun(seconds, cpu, client_cpu, peak, int(m.group(1)), int(m.group(2)), int(m.group(3)))


# Each canned question with arguments a scaled corpus answers (the seed's policies move with it).
QUESTION_SAMPLES: dict[str, tuple[tuple[str, ...], dict[str, object]]] = {
    "regions-running": (("免申即享",), {}),
    "policies-of": (("PROVINCE",), {"below": True}),
    "metrics-of": (("PROVINCE",), {"below": True}),
    "compare": (("就业",), {}),
    "policy-spread": ((), {}),
    "agencies-of": (("PROVINCE",), {"below": True}),
}


def query_latencies(out: Path, runs: int) -> dict[str, float]:
    """Median seconds of each canned question on the build's store (in process, store open and warm:
    each question is asked once before it is timed, as a long-running process or server would)."""
    from kg.query import ask, open_engine

    engine = open_engine(out, "oxigraph")
    province = engine.run('SELECT ?l WHERE { ?r zc:adminLevel "province" ; rdfs:label ?l } ORDER BY ?l LIMIT 1')
    name = province.rows[0][0].value if province.rows and province.rows[0][0] else "青海省"
    latencies = {}
    for question, (arguments, options) in QUESTION_SAMPLES.items():
        args = tuple(name if a == "PROVINCE" else a for a in arguments)
        ask(engine, question, args, **options)  # type: ignore[arg-type]
        times = []
        for _ in range(max(runs, 3)):
            start = time.perf_counter()
            ask(engine, question, args, **options)  # type: ignore[arg-type]
            times.append(time.perf_counter() - start)
        latencies[question] = statistics.median(times)
    return latencies


def viewer_seconds(out: Path) -> float:
    """Seconds to write the build's viewer page (kg.network.write_html: the bounded overview) from its store,
    in process, store open: the part of a build the viewer costs (issue 15: at most a tenth of the build)."""
    import io

    from kg.export import ExportSource
    from kg.network import write_html
    from kg.query import OxigraphEngine, open_engine

    engine = open_engine(out, "oxigraph")
    assert isinstance(engine, OxigraphEngine)
    source = ExportSource(out / "zhengce.nt", lambda: engine.store)
    start = time.perf_counter()
    write_html(source, io.BytesIO())
    return time.perf_counter() - start


def cli_latency(out: Path) -> float:
    """Wall seconds of a whole ``kg ask regions-running 免申即享`` process (start-up included)."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "kg", "ask", "regions-running", "免申即享", "--exports", str(out), "-f", "csv"],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def _size_mb(path: Path) -> float:
    return path.stat().st_size / MB if path.exists() else 0.0


def _dir_mb(path: Path) -> float:
    target = path.resolve()
    return sum(p.stat().st_size for p in target.rglob("*") if p.is_file()) / MB if target.exists() else 0.0


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}, {platform.system()}"


def _rows(sizes: list[float], jobs_list: list[int | str], runs: int, work: Path, seeds: Path) -> Iterator[list[str]]:
    for size in sizes:
        corpus = work / f"corpus-{size:g}MB"
        documents, written = scale_corpus(seeds, corpus, size)
        print(f"# made {corpus}: {documents} documents, {written / MB:.1f} MB", file=sys.stderr)
        for jobs in jobs_list:
            out = work / f"exports-{size:g}MB-{'j' if isinstance(jobs, int) else ''}{jobs}"
            cores = jobs if isinstance(jobs, int) else int(str(jobs).partition(":")[2] or os.cpu_count() or 1)
            results = [run_build(corpus, out, jobs) for _ in range(runs)]
            seconds = statistics.median(r.seconds for r in results)
            cpu = statistics.median(r.cpu_seconds for r in results)
            client = statistics.median(r.client_cpu_seconds for r in results)
            peak = max(r.peak_rss for r in results)
            last = results[-1]
            # incremental: touch one file, rebuild with the cache (the first cached build fills it)
            run_build(corpus, out, jobs, cache=True)
            first = sorted(corpus.glob("*.txt"))[0]
            first.write_text(first.read_text(encoding="utf-8") + "\n新增一句：2024年青海省新增就业1万人。\n", "utf-8")
            incremental = run_build(corpus, out, jobs, cache=True).seconds
            latencies = query_latencies(out, runs)
            viewer = viewer_seconds(out)
            print(f"# {size:g} MB, jobs {jobs}: {seconds:.1f} s", file=sys.stderr)
            yield [
                f"{written / MB:.1f}",
                str(jobs) if isinstance(jobs, int) else f"--cluster {jobs}",
                str(last.documents),
                str(last.facts),
                str(last.triples),
                f"{seconds:.1f}",
                f"{written / MB / seconds:.2f}",
                f"{written / MB / seconds / cores:.2f}",
                f"{cpu:.1f}",
                f"{client:.1f} ({100 * client / cpu:.0f} %)",
                f"{written / MB / cpu:.2f}",
                f"{peak / 2**20:.0f}",
                f"{_size_mb(out / 'zhengce.ttl'):.1f} / {_size_mb(out / 'zhengce.nt'):.1f} / "
                f"{_dir_mb(out / 'zhengce.oxigraph'):.1f}",
                f"{incremental:.1f}",
                f"{viewer:.1f} ({viewer / seconds:.0%})",
                f"{latencies['regions-running'] * 1000:.0f}",
                " / ".join(f"{latencies[q] * 1000:.0f}" for q in QUESTION_SAMPLES if q != "regions-running"),
                f"{cli_latency(out):.2f}",
            ]


HEADER = [
    "input MB",
    "jobs",
    "documents",
    "facts",
    "triples",
    "wall s (median)",
    "MB/s",
    "MB/s per core",
    "CPU s (median)",
    "client CPU s (share)",
    "MB per CPU s",
    "peak RSS MiB",
    "ttl / nt / store MB",
    "rebuild 1 changed file s",
    "viewer page s (share of the build)",
    "regions-running ms",
    "policies-of / metrics-of / compare / policy-spread / agencies-of ms",
    "kg ask process s",
]


# --compare: the ways to build one corpus, side by side (issue 19 item 5)
COMPARE_MODES: dict[str, tuple[str, ...]] = {
    "--jobs 2": ("--jobs", "2"),
    "--cluster local:2": ("--cluster", "local:2"),
    "--jobs 2 --shards 100": ("--jobs", "2", "--shards", "100"),
    "--cluster local:2 --shards 100": ("--cluster", "local:2", "--shards", "100"),
    # no store: the client lists, schedules and collects records, and touches no triple
    "--jobs 2 --shards 100 --no-store": ("--jobs", "2", "--shards", "100", "--no-store"),
    "--cluster local:2 --shards 100 --no-store": ("--cluster", "local:2", "--shards", "100", "--no-store"),
}
COMPARE_HEADER = [
    "input MB",
    "build",
    "wall s (median)",
    "peak RSS MiB",
    "CPU s workers",
    "CPU s client",
    "client share of CPU",
    "CPU s client, start-up (seed corpus)",
    "1 TB on 100 workers, h (Amdahl)",
]
TERABYTE_WORKERS = 100


def amdahl_hours(
    megabytes: float, client_cpu: float, worker_cpu: float, workers: int = TERABYTE_WORKERS, client_start: float = 0.0
) -> float:
    """Hours for 1 TB on ``workers`` workers: the client's CPU time beyond its start-up (``client_start``, paid
    once) scales with the corpus and stays serial, the workers' divides among them (no waiting for I/O or the
    network counted; a lower bound)."""
    scale = 1_000_000 / megabytes
    return (client_start + max(client_cpu - client_start, 0.0) * scale + worker_cpu * scale / workers) / 3600


def _compare_rows(size: float, runs: int, work: Path, seeds: Path, corpus: Path | None) -> Iterator[list[str]]:
    if corpus is None:
        corpus = work / f"corpus-{size:g}MB"
        _documents, written = scale_corpus(seeds, corpus, size)
    else:
        written = sum(p.stat().st_size for p in corpus.glob("*.txt"))
    results: dict[str, list[BuildRun]] = {mode: [] for mode in COMPARE_MODES}
    # what the client spends whatever the corpus (Python, imports, a LocalCluster's start): the seed corpus
    start = {
        mode: run_build(seeds, work / "exports-compare-start", 0, options=options).client_cpu_seconds
        for mode, options in COMPARE_MODES.items()
    }
    for _ in range(runs):  # alternated, so a busy minute does not fall on one mode only
        for mode, options in COMPARE_MODES.items():
            out = work / ("exports-compare-" + re.sub(r"[^a-z0-9]+", "-", mode).strip("-"))
            results[mode].append(run_build(corpus, out, 0, options=options))
            print(f"# {mode}: {results[mode][-1].seconds:.1f} s", file=sys.stderr)
    for mode, runs_of_mode in results.items():
        seconds = statistics.median(r.seconds for r in runs_of_mode)
        client = statistics.median(r.client_cpu_seconds for r in runs_of_mode)
        total = statistics.median(r.cpu_seconds for r in runs_of_mode)
        workers = max(total - client, 0.0)
        yield [
            f"{written / MB:.1f}",
            f"`{mode}`",
            f"{seconds:.1f}",
            f"{max(r.peak_rss for r in runs_of_mode) / 2**20:.0f}",
            f"{workers:.1f}",
            f"{client:.1f}",
            f"{client / total:.0%}" if total else "-",
            f"{start[mode]:.1f}",
            f"{amdahl_hours(written / MB, client, workers, client_start=start[mode]):.1f}",
        ]


def _update_row(size: float, work: Path, corpus: Path) -> list[str]:
    """A sharded build, then one file changed and built again (the update: kg/update.py)."""
    out = work / "exports-update"
    options = ("--jobs", "2", "--shards", "100")
    run_build(corpus, out, 0, cache=True, options=options)
    first = sorted(corpus.glob("*.txt"))[0]
    original = first.read_bytes()
    try:
        first.write_text(original.decode("utf-8") + "\n新增一句：2024年青海省新增就业1万人。\n", "utf-8")
        update = run_build(corpus, out, 0, cache=True, options=options)
    finally:
        first.write_bytes(original)
    workers = update.cpu_seconds - update.client_cpu_seconds
    seconds, peak = f"{update.seconds:.1f}", f"{update.peak_rss / 2**20:.0f}"
    return [
        f"{size:g}",
        "update, 1 file changed",
        seconds,
        peak,
        f"{workers:.1f}",
        f"{update.client_cpu_seconds:.1f}",
        "",
        "",
        "",
    ]


def compare(size: float, runs: int, work: Path, seeds: Path, corpus: Path | None) -> None:
    """Print the table of ``--compare``."""
    print("| " + " | ".join(COMPARE_HEADER) + " |")
    print("|" + "---|" * len(COMPARE_HEADER))
    for row in _compare_rows(size, runs, work, seeds, corpus):
        print("| " + " | ".join(row) + " |", flush=True)
    row = _update_row(size, work, corpus or work / f"corpus-{size:g}MB")
    print("| " + " | ".join(row) + " |", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[10, 100], help="corpus sizes in MB")
    parser.add_argument("--huge", action="store_true", help="also 1000 MB")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="--jobs values to build with")
    parser.add_argument(
        "--cluster",
        nargs="+",
        default=[],
        metavar="ADDRESS",
        help="also build with kg build --cluster ADDRESS (local:2 is a LocalCluster of two worker processes)",
    )
    parser.add_argument("--runs", type=int, default=3, help="builds per size and jobs (the median is shown)")
    parser.add_argument("--seeds", type=Path, default=Path("corpus"), help="the seed documents")
    parser.add_argument("--work", type=Path, default=Path("/tmp/kg-bench"), help="where corpora and builds go")
    parser.add_argument(
        "--compare",
        action="store_true",
        help="instead: --jobs 2 and --cluster local:2, single files, shards and shards without a store, at the"
        " first size (CPU of client and workers, a 1 TB projection), then one file changed and the sharded build"
        " updated",
    )
    parser.add_argument("--corpus", type=Path, help="with --compare: build this corpus instead of making one")
    args = parser.parse_args(argv)
    sizes = [*args.sizes, *([1000.0] if args.huge else [])]
    print(f"machine: {machine()}")
    print()
    if args.compare:
        compare(args.sizes[0], args.runs, args.work, args.seeds, args.corpus)
        return
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "---|" * len(HEADER))
    for row in _rows(sizes, [*args.jobs, *args.cluster], args.runs, args.work, args.seeds):
        print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
