"""The scores of both gold sets never drop below the floors the build has reached.

The seed set is the five pages the rules were first written on; the development set
(tests/gold/dev) is fourteen real texts of other provinces and genres. Raise a floor when the
build improves; a change that lowers a score below its floor fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.evaluate import evaluate, format_report, load_export, load_gold
from tests.conftest import GOLD, ROOT, TEST_DIR

DEV = TEST_DIR / "gold" / "dev"

# fmt: off
SEED_FLOORS = {
    "regions_f1": 0.969, "adoptions_f1": 1.0, "adoptions_status_accuracy": 1.0,
    "observations_recall": 1.0, "observations_attribution_precision": 1.0,
    "observations_period_accuracy": 1.0, "agencies_recall": 1.0,
}
DEV_FLOORS = {
    "regions_f1": 0.99, "adoptions_f1": 1.0, "adoptions_status_accuracy": 1.0,
    "observations_recall": 0.99, "observations_attribution_precision": 0.949,
    "observations_period_accuracy": 0.942, "agencies_recall": 1.0,
}
# fmt: on


@pytest.fixture(scope="module")
def dev_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh build of the development corpus (no metadata: dates and regions come from the texts)."""
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("dev")
    build(DEV / "corpus", out, formats=("turtle",))
    return out


def _shortfalls(figures: dict[str, float], floors: dict[str, float]) -> dict[str, tuple[float, float]]:
    return {k: (round(figures[k], 3), floor) for k, floor in floors.items() if figures[k] < floor - 1e-9}


def test_gold_floors_seed(seed_build: Path) -> None:
    """Every seed score is at or above its floor."""
    figures = evaluate(load_gold(GOLD), load_export(seed_build / "zhengce.ttl")).figures()
    assert not _shortfalls(figures, SEED_FLOORS)


def test_gold_floors_dev(dev_build: Path) -> None:
    """Every development-set score is at or above its floor."""
    figures = evaluate(load_gold(DEV / "gold.json"), load_export(dev_build / "zhengce.ttl")).figures()
    assert not _shortfalls(figures, DEV_FLOORS)


def _readme_block(after: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(re.escape(after) + r".*?```\n(.*?)```", readme, re.DOTALL)
    assert m is not None, after
    return m.group(1).strip()


def test_gold_floors_readme_figures_are_this_builds(seed_build: Path, dev_build: Path) -> None:
    """The README's figures for both sets are what kg eval prints for this build."""
    seed = format_report(evaluate(load_gold(GOLD), load_export(seed_build / "zhengce.ttl")))
    dev = format_report(evaluate(load_gold(DEV / "gold.json"), load_export(dev_build / "zhengce.ttl")))
    assert _readme_block("On the seed corpus (") == seed
    assert _readme_block("On the development set (") == dev
