"""The benchmark's own arithmetic and sampling (its figures are for people to read; these keep them honest)."""

from __future__ import annotations

import os
import time

from benchmarks.bench import _cpu_seconds, _tree_rss, amdahl_hours


def test_the_terabyte_projection_keeps_the_client_serial() -> None:
    # 100 MB: 10 s in the client, 100 s in workers -> 1 TB: 10,000 x 10 s serial + 10,000 x 100 s / 100 workers
    assert amdahl_hours(100, 10.0, 100.0) == (100_000 + 10_000) / 3600
    assert amdahl_hours(100, 0.0, 36.0, workers=100) == 1.0
    # a start-up of 2 s is paid once, not once per 100 MB
    assert amdahl_hours(100, 12.0, 100.0, client_start=2.0) == (2 + 100_000 + 10_000) / 3600


def test_the_sample_counts_this_process_cpu_and_memory() -> None:
    end = time.process_time() + 0.3
    while time.process_time() < end:  # burn some CPU so the clock ticks
        pass
    assert _tree_rss(os.getpid()) > 10 * 2**20
    assert _cpu_seconds(os.getpid()) >= 0.25
