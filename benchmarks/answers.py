"""The answers index of an existing build, written and timed: ``python -m benchmarks.answers OUT FOLDER``.

Writes the index of the build in OUT (its store, read-only) into FOLDER (the build is not changed), says
how long that took and how large it is, then asks each canned question of ``QUESTION_SAMPLES`` (and an
``--evidence all`` form and two pages) five times in process, warm, from that index, and prints the medians.
``--no-write`` times an index FOLDER already holds. For builds made before the index, or to measure it apart.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

from benchmarks.bench import QUESTION_SAMPLES
from kg.answers import write_answers
from kg.query import OxigraphEngine, ask
from kg.store import hold_generation, open_store


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.answers", description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="a build's folder (kg build --out)")
    parser.add_argument("folder", type=Path, help="where the index is written, or read with --no-write")
    parser.add_argument("--no-write", action="store_true", help="time the index FOLDER already holds")
    options = parser.parse_args(argv)
    out, folder = options.out, options.folder
    hold = hold_generation(out)
    if hold is None or hold.generation.store_path is None:
        raise SystemExit(f"{out}: no build with a store")
    store = open_store(hold.generation.store_path)
    if not options.no_write:
        folder.mkdir(parents=True, exist_ok=True)
        wall, cpu = time.perf_counter(), time.process_time()
        path = write_answers(store, folder)
        if path is None:
            raise SystemExit("the graph has a shape the index does not model: no index")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"index: {time.perf_counter() - wall:.1f} s wall, {time.process_time() - cpu:.1f} CPU s, "
            f"{path.stat().st_size / 1e6:.1f} MB, peak {peak:.0f} MiB",
            flush=True,
        )
    engine = OxigraphEngine(store, hold, folder)
    if engine.answers is None:
        raise SystemExit(f"{folder}: no answers index for these questions")
    first = engine.run('SELECT ?l WHERE { ?r zc:adminLevel "province" ; rdfs:label ?l } ORDER BY ?l LIMIT 1')
    province = first.rows[0][0].value if first.rows and first.rows[0][0] else "青海省"
    print(f"PROVINCE = {province}; load average {os.getloadavg()}", flush=True)
    cases: list[tuple[str, tuple[tuple[str, ...], dict[str, object]]]] = [
        *QUESTION_SAMPLES.items(),
        ("regions-running", (("免申即享",), {"evidence": "all"})),
        ("compare", (("就业",), {"evidence": "all"})),
        ("compare", (("就业",), {"evidence": "all", "page": 3})),
        ("metrics-of", (("PROVINCE",), {"below": True, "page": 5})),
    ]
    for name, (arguments, asked) in cases:
        args = tuple(province if a == "PROVINCE" else a for a in arguments)
        times = []
        for _ in range(5):
            start = time.perf_counter()
            result = ask(engine, name, args, **asked)  # type: ignore[arg-type]
            times.append(time.perf_counter() - start)
        print(
            f"{name:16} {asked!s:35} rows {len(result.rows):7d}  median {statistics.median(times):.3f} s  "
            f"min {min(times):.3f} s  ({result.engine})",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
