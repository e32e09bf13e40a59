"""The command line: build, eval, validate, help for every command, errors at the boundary."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import EXIT_SKIPPED, cli
from tests.conftest import CORPUS, GOLD, ROOT


def test_cli_build_writes_turtle_and_ntriples(tmp_path: Path) -> None:
    """kg build writes both files and says how much it built."""
    result = CliRunner().invoke(cli, ["build", str(CORPUS), "--out", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "5 documents" in result.output
    assert (tmp_path / "zhengce.ttl").stat().st_size > 0
    assert (tmp_path / "zhengce.nt").stat().st_size > 0


def test_cli_build_skips_bad_files_and_says_so(tmp_path: Path) -> None:
    """A bad file is named on stderr, the rest is built, and the exit status is 3."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text("青海省西宁市推进“一网通办”。", encoding="utf-8")
    (corpus / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(corpus), "--out", str(out)])
    assert result.exit_code == EXIT_SKIPPED
    assert "empty.txt: empty file" in result.output
    assert "1 documents" in result.output
    strict = CliRunner().invoke(cli, ["build", str(corpus), "--out", str(tmp_path / "strict"), "--strict"])
    assert strict.exit_code == 1
    assert "error: empty.txt: empty file" in strict.output
    assert not list((tmp_path / "strict").glob("zhengce*")), "a --strict build that fails exports nothing"


def test_cli_eval_prints_figures(seed_build: Path) -> None:
    """kg eval prints every figure; regions F1 on the seeds is at least 0.90."""
    result = CliRunner().invoke(
        cli, ["eval", "--gold", str(GOLD), str(seed_build / "zhengce.ttl")], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    figures = dict(re.findall(r"^(\w+)\s+([\d.]+)$", result.output, re.MULTILINE))
    assert float(figures["regions_f1"]) >= 0.90
    assert float(figures["regions_precision"]) >= 0.85
    assert float(figures["regions_recall"]) >= 0.85


def test_cli_validate_seed_build_conforms(seed_build: Path) -> None:
    """The seed build has no SHACL violations."""
    result = CliRunner().invoke(cli, ["validate", str(seed_build / "zhengce.ttl")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output


def test_cli_validate_reports_violations(tmp_path: Path) -> None:
    """A region with a malformed code is reported readably, with exit status 1."""
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix zc: <https://w3id.org/zhengce/ont#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<http://x/r> a zc:Region ; rdfs:label "某地" ; zc:adminLevel "county" ; zc:adminCode "12AB" .\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["validate", str(bad)])
    assert result.exit_code == 1
    assert "adminCode" in result.output and "http://x/r" in result.output


def test_cli_validate_unreadable_export_is_its_own_error(tmp_path: Path) -> None:
    """An export that does not parse is a ValidationError naming the file and the line, in one line at the CLI."""
    from kg.errors import ValidationError
    from kg.validate import validate_file

    broken = tmp_path / "broken.ttl"
    broken.write_text("<http://x/r> a \n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"broken\.ttl: cannot parse as turtle: .*line"):
        validate_file(broken)
    result = CliRunner().invoke(cli, ["validate", str(broken)])
    assert result.exit_code == 1 and result.output.startswith(f"Error: {broken}: cannot parse as turtle")
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_cli_every_command_has_help_and_is_documented(name: str) -> None:
    """Each command has help text and appears in the README's command reference."""
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert len(result.output) > 100
    assert f"kg {name}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_cli_readme_sparql_example_answers(seed_build: Path) -> None:
    """The README's SPARQL example runs on the export and names the three 免申即享 regions with status."""
    from rdflib import Graph

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    query = re.search(r"```sparql\n(.*?)```", readme, re.DOTALL)
    assert query is not None
    g = Graph().parse(seed_build / "zhengce.ttl")
    rows = {(str(r[0]), str(r[1])) for r in g.query(query.group(1))}
    assert rows == {("格尔木市", "implemented"), ("昌吉回族自治州", "implemented"), ("青海省", "planned")}


def test_cli_eval_builds_a_corpus_when_asked(tmp_path: Path) -> None:
    """kg eval --build CORPUS scores a fresh build of CORPUS and writes nothing else."""
    result = CliRunner().invoke(cli, ["eval", "--gold", str(GOLD), "--build", str(CORPUS)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    figures = dict(re.findall(r"^(\w+)\s+([\d.]+)$", result.output, re.MULTILINE))
    assert float(figures["adoptions_f1"]) >= 0.95


def test_cli_eval_missing_export_says_how_to_make_one(tmp_path: Path) -> None:
    """Without an export, kg eval says to build one (one line, no traceback)."""
    result = CliRunner().invoke(cli, ["eval", "--gold", str(GOLD), str(tmp_path / "none.ttl")])
    assert result.exit_code == 1
    assert "kg build" in result.output and "Traceback" not in result.output


def test_cli_build_empty_corpus_writes_nothing(tmp_path: Path) -> None:
    """An empty corpus folder is an error that leaves a good export alone, unless --allow-empty."""
    (tmp_path / "empty").mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "zhengce.nt").write_text("<a:x> <a:y> <a:z> .\n", encoding="utf-8")
    refused = CliRunner().invoke(cli, ["build", str(tmp_path / "empty"), "--out", str(out)])
    assert refused.exit_code == 1
    assert refused.output.strip().splitlines() == [
        f"Error: {tmp_path / 'empty'}: no text file (.txt) to build; nothing was written"
        " (--allow-empty builds an empty graph)"
    ]
    assert (out / "zhengce.nt").read_text(encoding="utf-8") == "<a:x> <a:y> <a:z> .\n"
    allowed = CliRunner().invoke(cli, ["build", str(tmp_path / "empty"), "--out", str(out), "--allow-empty"])
    assert allowed.exit_code == 0 and "0 documents" in allowed.output


@pytest.mark.parametrize("where", ["file/out", "/proc/kg-out", "/proc"])
def test_cli_build_unwritable_out_is_one_line(tmp_path: Path, where: str) -> None:
    """--out under a file, or in /proc, is a one-line error naming the path, no traceback."""
    (tmp_path / "file").write_text("x", encoding="utf-8")
    out = tmp_path / where if not where.startswith("/") else Path(where)
    result = CliRunner().invoke(cli, ["build", str(CORPUS), "--out", str(out)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {out}") and "cannot write the build there" in lines[0]


def test_cli_ask_fits_80_columns(seed_build: Path) -> None:
    """At COLUMNS=80, kg ask regions-running 免申即享 fits and still shows region, status and the latest sentence."""
    from kg.terminal import display_width

    args = ["ask", "regions-running", "免申即享", "--exports", str(seed_build)]
    lines = CliRunner().invoke(cli, args, env={"COLUMNS": "80"}).output.splitlines()
    assert max(display_width(line) for line in lines) <= 80
    assert lines[0].split()[:3] == ["region", "status", "documents"] and "latest" in lines[0].split()
    gelmu = next(line for line in lines if line.startswith("格尔木市"))
    assert "implemented" in gelmu and "延续实施" in gelmu


def test_cli_help_examples_answer(seed_build: Path) -> None:
    """Every `kg ...` example in a command's help runs and, for questions and lists, returns rows."""
    examples = []
    for command in cli.commands.values():
        help_text = command.help or ""
        examples += [line.strip().split()[1:] for line in help_text.splitlines() if line.strip().startswith("kg ")]
    assert any(example[0] == "ask" for example in examples)
    for example in examples:
        if example[0] not in ("ask", "list"):
            continue
        result = CliRunner().invoke(cli, [*example, "--exports", str(seed_build), "-f", "csv"])
        assert result.exit_code == 0, (example, result.output)
        assert len(result.output.splitlines()) > 1, f"kg {' '.join(example)} returns no rows"


def test_cli_build_messages_say_what_positions_are(tmp_path: Path) -> None:
    """A binary file's position is said to be a byte offset; "skipped" is said once a line."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text("青海省西宁市推进“一网通办”。", encoding="utf-8")
    (corpus / "x.txt").write_bytes("正文".encode() + b"\x00\x01binary")
    (corpus / "picture.png").write_bytes(b"\x89PNG")
    result = CliRunner().invoke(cli, ["build", str(corpus), "--out", str(tmp_path / "out")])
    skipped = [line for line in result.output.splitlines() if line.startswith("skipped:")]
    assert "skipped: x.txt:6: binary file (contains NUL bytes), not text (at byte 6)" in skipped
    assert all(line.count("skipped") == 1 for line in skipped), skipped
