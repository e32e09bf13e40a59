"""Docs that cannot drift: the README's command reference and examples are what the commands say now."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_docs_readme_reference_and_examples_are_current() -> None:
    """README.md's command table and console examples (run at COLUMNS=80), and docs/cli.md, match the commands."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "update_readme.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
