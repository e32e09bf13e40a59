from __future__ import annotations

from pathlib import Path

import pytest

TEST_DIR = Path(__file__).resolve().parent
ROOT = TEST_DIR.parent
CORPUS = ROOT / "corpus"
GOLD = TEST_DIR / "gold" / "seed-gold.json"
EXPORTS = ROOT / "exports"


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh build of the seed corpus (once per session); returns its output folder."""
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("build")
    build(CORPUS, out)
    return out
