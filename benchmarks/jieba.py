"""A default ``kg build --jobs 1`` against ``jieba.lcut`` alone over the same text (issue 19: the build should be
at least as fast). Each in its own process, import and dictionary loading included, alternated.

    python -m benchmarks.jieba CORPUS OUT [--runs N]      # CORPUS: e.g. a 5 MB scale_corpus of the seeds
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

_JIEBA = """
import sys
from pathlib import Path

import jieba

jieba.setLogLevel(60)
words = sum(len(jieba.lcut(p.read_text(encoding="utf-8"))) for p in sorted(Path(sys.argv[1]).glob("*.txt")))
print(words)
"""


def _timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.jieba", description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    megabytes = sum(p.stat().st_size for p in args.corpus.glob("*.txt")) / 1e6
    build = [sys.executable, "-m", "kg", "build", str(args.corpus), "--out", str(args.out)]
    build += ["--jobs", "1", "--no-cache", "--no-progress"]
    print(f"{megabytes:.1f} MB; wall s and CPU s of each run")
    ratios = []
    for run in range(args.runs):
        jieba_wall, jieba_cpu = _timed([sys.executable, "-c", _JIEBA, str(args.corpus)])
        build_wall, build_cpu = _timed(build)
        ratios.append(jieba_wall / build_wall)
        print(
            f"run {run + 1}: jieba.lcut {jieba_wall:.2f} s ({jieba_cpu:.2f} CPU s), "
            f"kg build {build_wall:.2f} s ({build_cpu:.2f} CPU s): the build at {ratios[-1]:.2f}x jieba's speed"
        )
    print(f"median: {sorted(ratios)[len(ratios) // 2]:.2f}x")


if __name__ == "__main__":
    main()
