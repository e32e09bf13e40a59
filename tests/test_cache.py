"""The build cache: entries checked by length and checksum, a key of exactly what shapes the output."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kg.cache
from kg.cache import Entry, code_version, decode, encode, entry_path, read, write
from kg.errors import CorpusWarning
from tests.conftest import ROOT

KEY = "ab" + "0" * 62
ENTRY = Entry(
    (
        '<http://example.org/a> <http://example.org/b> "甲" .\n<http://example.org/a> <http://example.org/c> "乙" .\n'
    ).encode(),
    (1, 2, 3, 4, 5),
    (CorpusWarning("a.txt", "control characters removed", 7),),
)


def test_cache_entry_round_trip(tmp_path: Path) -> None:
    write(tmp_path, KEY, ENTRY)
    got = read(tmp_path, KEY)
    assert got is not None and (got.ntriples, got.counts) == (ENTRY.ntriples, ENTRY.counts)
    assert [str(w) for w in got.warnings] == [str(w) for w in ENTRY.warnings]  # exceptions compare by identity
    assert [p.name for p in entry_path(tmp_path, KEY).parent.iterdir()] == [f"{KEY}.nt"]  # no temporary left


@pytest.mark.parametrize(
    "damage",
    [
        "cut at a line boundary",
        "cut mid-line",
        "empty",
        "one byte changed",
        "triple added",
        "header only",
        "foreign key",
        "older format",
        "not an entry",
    ],
)
def test_cache_damaged_entry_is_a_miss(tmp_path: Path, damage: str) -> None:
    data = encode(KEY, ENTRY)
    header, _, payload = data.partition(b"\n")
    damaged = {
        "cut at a line boundary": data[: data.rindex(b"\n", 0, len(data) - 1) + 1],
        "cut mid-line": data[:-10],
        "empty": b"",
        "one byte changed": data.replace("乙".encode(), "丙".encode()),
        "triple added": data + b"<http://example.org/x> <http://example.org/y> <http://example.org/z> .\n",
        "header only": header + b"\n",
        "foreign key": encode("cd" + "1" * 62, ENTRY),
        "older format": payload,  # the format before checksums: counts, then N-Triples
        "not an entry": b"\x00\xff" * 40,
    }[damage]
    assert decode(KEY, damaged) is None
    path = entry_path(tmp_path, KEY)
    path.parent.mkdir(parents=True)
    path.write_bytes(damaged)
    assert read(tmp_path, KEY) is None


def test_cache_entry_that_is_no_regular_file_is_a_miss(tmp_path: Path) -> None:
    """A FIFO (reading would block) or a link out of the cache is not read."""
    path = entry_path(tmp_path, KEY)
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    assert read(tmp_path, KEY) is None
    path.unlink()
    elsewhere = tmp_path / "elsewhere.nt"
    elsewhere.write_bytes(encode(KEY, ENTRY))
    path.symlink_to(elsewhere)
    assert read(tmp_path, KEY) is None


def test_cache_key_changes_with_a_library_version(monkeypatch: pytest.MonkeyPatch) -> None:
    """OpenCC, jieba, cn2an ... shape the triples: a new version of any of them is a new key."""
    before = code_version()
    real = kg.cache.version
    for library in ("OpenCC", "jieba", "cn2an"):
        monkeypatch.setattr(kg.cache, "version", lambda name, lib=library: "999" if name == lib else real(name))
        code_version.cache_clear()
        assert code_version() != before, library
    monkeypatch.setattr(kg.cache, "version", real)
    code_version.cache_clear()
    assert code_version() == before


def _code_version_of(package_root: Path) -> str:
    """code_version() of the package copied under ``package_root``, in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", "from kg.cache import code_version; print(code_version())"],
        env={**os.environ, "PYTHONPATH": str(package_root)},
        cwd=package_root,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def test_cache_key_ignores_help_text_not_extraction_data(tmp_path: Path) -> None:
    """Editing cli.py's help or the query module keeps the cache; editing a data file does not."""
    shutil.copytree(ROOT / "kg", tmp_path / "kg", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "ontology", tmp_path / "ontology")
    original = _code_version_of(tmp_path)
    cli = tmp_path / "kg" / "cli.py"
    cli.write_text(cli.read_text(encoding="utf-8").replace("Build the graph", "Build THE graph"), encoding="utf-8")
    query = tmp_path / "kg" / "query.py"
    query.write_text(query.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    assert _code_version_of(tmp_path) == original
    units = tmp_path / "kg" / "data" / "units.tsv"
    units.write_text(units.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert _code_version_of(tmp_path) != original


def test_cache_modules_left_out_of_the_key_take_no_part_in_extraction() -> None:
    """What NOT_IN_KEY names is never imported while a document is extracted and turned into triples."""
    script = (
        "import sys\n"
        "from kg.facts import document_facts\n"
        "from kg.graph import document_ntriples\n"
        "from kg.load import load_bytes\n"
        "doc = load_bytes('青海省西宁市全面推行“免申即享”，城镇新增就业6.2万人。'.encode(), 'a.txt')\n"
        "document_ntriples(document_facts(doc))\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('kg'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True, cwd=ROOT)
    imported = set(result.stdout.split())
    assert "kg.extract" in imported  # the script did extract
    left_out = {f"kg.{name.removesuffix('.py')}" for name in kg.cache.NOT_IN_KEY} - {"kg.cache", "kg.__main__"}
    assert not imported & left_out
