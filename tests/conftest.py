from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Hypothesis profiles, chosen by $HYPOTHESIS_PROFILE: "ci" replays the same examples on every run (.ci/run
# chooses it; so does $CI when the variable is not set); "hunt" draws new examples, many more of them, to
# look for crashes ($KG_HUNT_EXAMPLES of them); otherwise "dev", Hypothesis's default (random examples).
# No deadlines: speed is the benchmark's to check, and a test run first pays for loading reference data.
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile(
    "hunt", max_examples=int(os.environ.get("KG_HUNT_EXAMPLES", "2000")), deadline=None, print_blob=True
)
settings.register_profile("dev", deadline=None)
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
settings.load_profile(HYPOTHESIS_PROFILE)

TEST_DIR = Path(__file__).resolve().parent
ROOT = TEST_DIR.parent
CORPUS = ROOT / "corpus"
GOLD = TEST_DIR / "gold" / "seed-gold.json"
EXPORTS = ROOT / "exports"
SEED_EXPORT = EXPORTS / "seed"  # the committed export of corpus/ (exports/ itself holds links into a build)


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh build of the seed corpus (once per session); returns its output folder."""
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("build")
    build(CORPUS, out)
    return out


CRASH_MARKER = "CRASH-ME"


@pytest.fixture
def crash_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three small files; extraction of b-crash.txt raises a TypeError (document_facts is patched).

    The patch is inherited by the forked workers of a --jobs 2 build; the message names the
    process that raised, so a test can tell that a worker did.
    """
    import os

    import kg.facts
    from kg.types import Document, DocumentFacts

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a-good.txt").write_text("青海省西宁市全面推行“免申即享”，城镇新增就业6.2万人。", encoding="utf-8")
    (corpus / "b-crash.txt").write_text(f"新疆昌吉州推进“一网通办”。{CRASH_MARKER}", encoding="utf-8")
    (corpus / "c-good.txt").write_text("四川省成都市推进“一网通办”，新增市场主体3.5万户。", encoding="utf-8")
    real = kg.facts.document_facts

    def document_facts_or_crash(doc: Document) -> DocumentFacts:
        if CRASH_MARKER in doc.original:
            raise TypeError(f"planted failure\nin process {os.getpid()}")
        return real(doc)

    monkeypatch.setattr(kg.facts, "document_facts", document_facts_or_crash)
    return corpus
