"""Reading the corpus folder: only regular files, links kept inside, any name, any depth, checked metadata."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import EXIT_SKIPPED, cli
from kg.corpus import discover, read_metadata
from kg.errors import MetadataError, display_name
from kg.load import decode, read_bytes

GOOD = "青海省西宁市全面推行“免申即享”，城镇新增就业6.2万人。"


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(GOOD, encoding="utf-8")
    return corpus


def _build(corpus: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """kg build in a subprocess with a deadline: a build that hangs on a FIFO fails the test, not the suite."""
    return subprocess.run(
        [sys.executable, "-m", "kg", "build", str(corpus), "--out", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_corpus_fifo_device_and_socket_are_skipped_without_blocking(tmp_path: Path) -> None:
    """A FIFO named *.txt once hung the build forever (holding the lock); /dev/zero read until memory ran out."""
    corpus = _corpus(tmp_path)
    os.mkfifo(corpus / "fifo.txt")
    (corpus / "zero.txt").symlink_to("/dev/zero")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(corpus / "sock.txt"))
        result = _build(corpus, tmp_path / "out", "--follow-links")
    assert result.returncode == EXIT_SKIPPED, result.stderr
    assert "Traceback" not in result.stderr
    skipped = sorted(line for line in result.stderr.splitlines() if line.startswith("skipped:"))
    assert skipped == [
        "skipped: fifo.txt: not a regular file (a FIFO)",
        "skipped: sock.txt: not a regular file (a socket)",
        "skipped: zero.txt: not a regular file (a character device)",
    ]
    assert "1 documents" in result.stdout


def test_corpus_read_bytes_refuses_a_fifo_it_is_handed(tmp_path: Path) -> None:
    """Even when a file became a FIFO after the corpus was listed, reading it does not block."""
    fifo = tmp_path / "late.txt"
    os.mkfifo(fifo)
    with pytest.raises(Exception, match="not a regular file"):
        read_bytes(fifo, "late.txt")


def test_corpus_link_outside_is_skipped_unless_followed(tmp_path: Path) -> None:
    """A link to /etc/passwd was read and published as evidence; now skipped unless --follow-links."""
    corpus = _corpus(tmp_path)
    outside = tmp_path / "outside.txt"
    outside.write_text("四川省成都市推进“一网通办”。", encoding="utf-8")
    (corpus / "out.txt").symlink_to(outside)
    (corpus / "in.txt").symlink_to(corpus / "a.txt")  # inside the corpus: read
    files, problems = discover(corpus)
    assert [f.name for f in files] == ["a.txt", "in.txt"]
    assert [str(p) for p in problems] == [
        f"out.txt: symbolic link to {outside}, outside the corpus (--follow-links reads it)"
    ]
    files, problems = discover(corpus, follow_links=True)
    assert [f.name for f in files] == ["a.txt", "in.txt", "out.txt"] and problems == []


def test_corpus_names_not_utf8_or_with_newlines_stay_on_one_line(tmp_path: Path) -> None:
    """A non-UTF-8 name aborted the build; a newline in a name split the skipped: line (a forged log line)."""
    corpus = _corpus(tmp_path)
    (corpus / os.fsdecode(b"caf\xe9.txt")).write_bytes(GOOD.encode("utf-8"))
    (corpus / "forged\nskipped: evil.txt").write_bytes(b"")  # empty: skipped, named
    (corpus / "tab\tname.txt").write_bytes(b"")  # empty: skipped, with its name escaped
    result = _build(corpus, tmp_path / "out")
    assert result.returncode == EXIT_SKIPPED, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert "skipped: forged\\nskipped: evil.txt: empty file" in lines
    assert "skipped: tab\\tname.txt: empty file" in lines
    assert not any(line.startswith("skipped: evil") for line in lines)
    assert "2 documents" in result.stdout
    nt = (tmp_path / "out" / "zhengce.nt").read_text(encoding="utf-8")
    assert "caf%5Cxe9.txt" in nt  # the document's name, escaped, in its IRI


def test_corpus_display_name_escapes_only_what_does_not_print() -> None:
    assert display_name("青海/a b.txt") == "青海/a b.txt"
    assert display_name("a\nb\x1b.txt") == "a\\nb\\x1b.txt"
    assert display_name(os.fsdecode(b"caf\xe9.txt")) == "caf\\xe9.txt"
    assert display_name("a\u2028b") == "a\\u2028b"


def test_corpus_deep_folders_are_walked_without_recursion(tmp_path: Path) -> None:
    """Folders 1,100 deep aborted the build (recursion); they are walked with a stack."""
    corpus = _corpus(tmp_path)
    fd = os.open(corpus, os.O_RDONLY)  # make the chain relative to open folders: paths grow past PATH_MAX
    try:
        for _ in range(1100):
            os.mkdir("d", dir_fd=fd)
            inner = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        with open(os.open("deep.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w", encoding="utf-8") as fh:
            fh.write(GOOD)
    finally:
        os.close(fd)
    try:
        files, problems = discover(corpus)
    finally:
        _remove_chain(corpus)
    assert problems == [] and [f.name for f in files] == ["a.txt", "d/" * 1100 + "deep.txt"]


def _remove_chain(top: Path) -> None:
    """Remove top/d/d/.../d without recursion (shutil.rmtree recurses, and so would pytest's clean-up)."""
    current, n = top / "d", 0
    while current.exists():
        lifted = top / f"lifted-{n}"
        if (current / "d").exists():
            os.rename(current / "d", lifted)  # the rest of the chain, moved up beside the top
        for name in os.listdir(current):
            os.unlink(current / name)
        os.rmdir(current)
        current, n = lifted, n + 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"date": "2024-13-01"}, "document 'a.txt', field 'date': '2024-13-01' is not a date of the calendar"),
        ({"date": "yesterday"}, "document 'a.txt', field 'date': 'yesterday' is not a date (YYYY, YYYY-MM or"),
        ({"date": 2024}, "document 'a.txt', field 'date': 2024 is not text"),
        ({"region": "新疆"}, "document 'a.txt', field 'region': '新疆' is not a region code"),
    ],
)
def test_corpus_bad_metadata_names_file_document_and_field(
    tmp_path: Path, fields: dict[str, object], message: str
) -> None:
    """A metadata date that is not a date aborted the build as an internal error; now one line naming all three."""
    corpus = _corpus(tmp_path)
    (corpus / "metadata.json").write_text(json.dumps({"a.txt": fields}), encoding="utf-8")
    with pytest.raises(MetadataError, match=r"metadata\.json: ") as info:
        read_metadata(corpus)
    assert message in str(info.value)
    result = CliRunner().invoke(cli, ["build", str(corpus), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and message in result.output and len(result.output.strip().splitlines()) == 1


def test_corpus_big5_is_recognised() -> None:
    """Big5 text was called binary; it is decoded (and converted to simplified characters by load)."""
    text = "臺灣省政府推動數位轉型，二零二三年經濟成長率達百分之三點一。各縣市政府積極響應。" * 3
    assert decode(text.encode("big5"), "tw.txt") == (text, "big5")
    simplified = "青海省西宁市全面推行免申即享，城镇新增就业六万人，各县市政府积极响应。" * 3
    assert decode(simplified.encode("gb18030"), "cn.txt") == (simplified, "gb18030")
