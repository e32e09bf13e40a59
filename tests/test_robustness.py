"""Bad input, interrupted builds and paths: the corpus is still built, the previous export survives."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import EXIT_SKIPPED, cli
from kg.pipeline import LOG_FILE
from kg.store import CURRENT_LINK, GENERATIONS_DIR, open_store, store_path
from tests.conftest import CORPUS

GOOD = "青海省西宁市全面推行“免申即享”，城镇新增就业6.2万人。"


def _bad_corpus(root: Path) -> tuple[Path, dict[str, str | None]]:
    """A corpus of every kind of awkward file; returns it and, per file, the message expected (None: builds)."""
    corpus = root / "corpus"
    corpus.mkdir()
    expected: dict[str, str | None] = {}

    def put(name: str, data: bytes, message: str | None) -> None:
        (corpus / name).write_bytes(data)
        expected[name] = message

    put("good.txt", GOOD.encode("utf-8"), None)
    put("gb18030.txt", GOOD.encode("gb18030"), None)
    put("utf16-bom.txt", GOOD.encode("utf-16"), None)
    put("utf16-le-no-bom.txt", GOOD.encode("utf-16-le"), None)
    put("utf16-be-no-bom.txt", GOOD.encode("utf-16-be"), None)
    put("utf8-bom.txt", b"\xef\xbb\xbf" + GOOD.encode("utf-8"), None)
    put("controls.txt", ("青海省\x01西宁市\x07推进“一网通办”。\x1b").encode(), None)
    put("empty.txt", b"", "empty.txt: empty file")
    put("binary.txt", bytes(range(256)) * 8, "binary.txt:0: binary file")
    put("surrogate.txt", GOOD.encode() + b"\xed\xa0\x80" + GOOD.encode(), "surrogate.txt:")
    put("one-line-50mb.txt", "好".encode() * (50 * 1024 * 1024 // 3), "one-line-50mb.txt:0: line 1 is longer than")
    put("picture.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "picture.png: not a text file")
    (corpus / "dangling.txt").symlink_to(root / "missing.txt")
    expected["dangling.txt"] = "dangling.txt: cannot read"
    (corpus / "loop").symlink_to(corpus, target_is_directory=True)
    expected["loop"] = "loop: symbolic link to a folder, not followed"
    return corpus, expected


def test_robustness_bad_input_suite(tmp_path: Path) -> None:
    """Each bad file gets one line naming it (and the position), the rest is built, the exit status is 3."""
    corpus, expected = _bad_corpus(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(corpus), "--out", str(out)])
    assert result.exit_code == EXIT_SKIPPED, result.output + result.stderr
    lines = result.stderr.splitlines()
    for name, message in expected.items():
        mine = [line for line in lines if line.startswith(f"skipped: {name}")]
        if message is None:
            assert not mine, f"{name} should build: {mine}"
        else:
            assert len(mine) == 1 and message in mine[0], f"{name}: {mine}"
    built = sum(m is None for m in expected.values())
    assert f"{built} documents" in result.stdout
    # built, but with a warning that names the file, where, and what was removed
    warned = [line for line in lines if line.startswith("warning:")]
    assert warned == ["warning: controls.txt:3: 3 control character(s) removed (the first, U+0001, on line 1)"]
    text = (out / "zhengce.nt").read_text(encoding="utf-8")
    for name in ("gb18030.txt", "utf16-le-no-bom.txt", "utf16-be-no-bom.txt", "controls.txt"):
        assert f"/doc/{name.replace('.txt', '')}" in text, name
    assert "region/630100" in text  # 西宁市, read from every encoding


def test_robustness_warning_is_repeated_from_the_cache(tmp_path: Path) -> None:
    """A rebuild that takes the file from the cache warns again; --strict makes the warning fatal."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "controls.txt").write_bytes("青海省\x01西宁市推进“一网通办”。".encode())
    out = tmp_path / "out"
    for _ in range(2):
        result = CliRunner().invoke(cli, ["build", str(corpus), "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert "warning: controls.txt:3: 1 control character(s) removed" in result.stderr
    assert "(1 from cache)" in result.stdout
    result = CliRunner().invoke(cli, ["build", str(corpus), "--out", str(tmp_path / "strict"), "--strict"])
    assert result.exit_code == 1 and "error: controls.txt:3" in result.stderr


def test_robustness_strict_makes_bad_input_fatal(tmp_path: Path) -> None:
    corpus, _expected = _bad_corpus(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(corpus), "--out", str(out), "--strict"])
    assert result.exit_code == 1
    assert "error: picture.png" in result.stderr
    assert not (out / "zhengce.ttl").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_robustness_unreadable_file(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD, encoding="utf-8")
    locked = corpus / "locked.txt"
    locked.write_text(GOOD, encoding="utf-8")
    locked.chmod(0)
    result = CliRunner().invoke(cli, ["build", str(corpus), "--out", str(tmp_path / "out")])
    assert result.exit_code == EXIT_SKIPPED
    assert "skipped: locked.txt: cannot read: Permission denied" in result.stderr


def test_robustness_outputs_stay_inside_the_output_folder(tmp_path: Path) -> None:
    """A symlink planted where an export file goes is replaced, not followed; a planted cache link is refused."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(GOOD, encoding="utf-8")
    outside = tmp_path / "outside.ttl"
    outside.write_text("precious", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "zhengce.ttl").symlink_to(outside)
    result = CliRunner().invoke(cli, ["build", str(corpus), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert outside.read_text(encoding="utf-8") == "precious"
    assert os.readlink(out / "zhengce.ttl") == f"{CURRENT_LINK}/zhengce.ttl"  # the build's own link now
    (tmp_path / "elsewhere").mkdir()
    out2 = tmp_path / "out2"
    out2.mkdir()
    (out2 / ".kg-cache").symlink_to(tmp_path / "elsewhere")
    refused = CliRunner().invoke(cli, ["build", str(corpus), "--out", str(out2)])
    assert refused.exit_code == 1 and "symbolic link" in refused.output
    assert list((tmp_path / "elsewhere").iterdir()) == []
    out3 = tmp_path / "out3"
    out3.mkdir()
    (out3 / GENERATIONS_DIR).symlink_to(tmp_path / "elsewhere")
    refused = CliRunner().invoke(cli, ["build", str(corpus), "--out", str(out3)])
    assert refused.exit_code == 1 and "symbolic link" in refused.output
    assert list((tmp_path / "elsewhere").iterdir()) == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_robustness_extraction_failure_skips_the_file(
    crash_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """A file whose extraction raises is named in one line, logged with its traceback, not cached; the rest is built."""
    out = tmp_path / "out"
    command = ["build", str(crash_corpus), "--out", str(out), "--jobs", str(jobs)]
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == EXIT_SKIPPED, result.output + result.stderr
    log = out / LOG_FILE
    errors = [line for line in result.stderr.splitlines() if "b-crash.txt" in line]
    assert errors == [
        f"error: b-crash.txt: extraction failed: TypeError: planted failure in process {_pid(log)} (traceback in {log})"
    ]
    assert "Traceback" not in result.output + result.stderr
    assert "2 documents" in result.stdout and LOG_FILE not in result.stdout
    assert (_pid(log) != os.getpid()) == (jobs > 1)  # with --jobs 2 a worker raised, and its traceback came back
    text = log.read_text(encoding="utf-8")
    assert "== b-crash.txt: extraction failed: TypeError: planted failure" in text
    assert "Traceback (most recent call last):" in text and "in document_facts_or_crash" in text
    assert "a-good.txt" not in text and "c-good.txt" not in text
    nt = (out / "zhengce.nt").read_text(encoding="utf-8")
    assert "/doc/a-good.txt>" in nt and "/doc/c-good.txt>" in nt and "/doc/b-crash.txt>" not in nt
    assert "region/630100>" in nt and "region/510100>" in nt  # 西宁市 and 成都市, from the files that built
    assert len(list((out / ".kg-cache").glob("*/*.nt"))) == 2  # the failed file is not cached
    published = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    # --strict: fatal, nothing written, the previous export and log untouched
    strict = CliRunner().invoke(cli, [*command, "--strict"])
    assert strict.exit_code == 1
    assert "error: b-crash.txt: extraction failed: TypeError: planted failure" in strict.stderr
    assert "nothing was written" in strict.stderr and "Traceback" not in strict.output + strict.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == published
    fresh = tmp_path / "strict"
    assert CliRunner().invoke(cli, ["build", str(crash_corpus), "--out", str(fresh), "--strict"]).exit_code == 1
    assert not list(fresh.glob("zhengce*")) and not (fresh / LOG_FILE).exists()

    # fixed: the failed file is extracted again, the others come from the cache, the log goes
    monkeypatch.undo()
    fixed = CliRunner().invoke(cli, command)
    assert fixed.exit_code == 0, fixed.output + fixed.stderr
    assert "3 documents (2 from cache)" in fixed.stdout
    assert "/doc/b-crash.txt>" in (out / "zhengce.nt").read_text(encoding="utf-8")
    assert not log.exists()


def _pid(log: Path) -> int:
    """The process the planted failure names in the build's log."""
    match = re.search(r"planted failure in process (\d+)", log.read_text(encoding="utf-8"))
    assert match is not None
    return int(match.group(1))


def _snapshot(out: Path) -> dict[str, bytes]:
    files = {name: (out / name).read_bytes() for name in ("zhengce.ttl", "zhengce.nt")}
    files["generation"] = os.readlink(out / CURRENT_LINK).encode()
    return files


@pytest.mark.slow
def test_robustness_interrupted_build_leaves_previous_export(tmp_path: Path) -> None:
    """Kill real builds (SIGKILL and SIGINT) early, midway and late: the previous export and store stay whole."""
    from benchmarks.bench import scale_corpus

    big = tmp_path / "big"
    scale_corpus(CORPUS, big, 3)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "kg", "build", str(big), "--out", str(out), "--no-cache"]
    started = time.monotonic()
    subprocess.run(command, check=True, capture_output=True)
    duration = time.monotonic() - started
    before = _snapshot(out)
    interrupted = 0
    for fraction, sig in ((0.25, signal.SIGKILL), (0.5, signal.SIGINT), (0.8, signal.SIGKILL)):
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * fraction)
        if proc.poll() is not None:  # finished early on a less busy machine: it published, start again
            before = _snapshot(out)
            continue
        interrupted += 1
        workers = _children(proc.pid)  # found now: once it is killed they are init's, as any other build's
        proc.send_signal(sig)
        proc.wait(timeout=120)
        for child in workers:
            with contextlib.suppress(OSError):  # gone already: they exit when their pipe closes
                if b"kg\x00build" in Path(f"/proc/{child}/cmdline").read_bytes():
                    os.kill(child, signal.SIGKILL)
        after = _snapshot(out)
        # Under load the signal may land after the build's one commit point: then its generation is
        # published, and (the same corpus) holds the same bytes. Whole either way, never a mix.
        published = after.pop("generation") != before.pop("generation")
        assert after == before, f"export changed after {sig.name} at {fraction:.0%} of a build ({published=})"
        before = _snapshot(out)
        store = store_path(out)
        assert store is not None and len(open_store(store)) > 1000
    assert interrupted >= 2
    # the next build cleans what the killed ones left, and gives the same bytes
    subprocess.run(command, check=True, capture_output=True)
    assert _snapshot(out)["zhengce.nt"] == before["zhengce.nt"]
    leftovers = [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == [] and len(list((out / GENERATIONS_DIR).iterdir())) == 1


def _children(parent: int) -> list[int]:
    """The processes ``parent`` started (its workers). Not "every kg build whose parent is init": that
    would also be any build a user or another test suite started in the background on this machine."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == parent:
                found.append(int(entry))
    return found
