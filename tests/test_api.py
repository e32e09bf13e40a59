"""The Python API: kg.open / Graph.ask, query, region, list, stats; kg.build; import kg is cheap."""

from __future__ import annotations

import doctest
import subprocess
import sys
from pathlib import Path

import pytest

import kg
from kg.errors import EmptyCorpusError, QueryError
from kg.query import AmbiguousNameError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def in_build(seed_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder whose ``exports`` is the seed build, at a fixed terminal width of 100."""
    (tmp_path / "exports").symlink_to(seed_build)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "100")
    return tmp_path


def test_api_docs_example_runs_as_written(in_build: Path) -> None:
    """docs/python-api.md's examples print what the page says they print."""
    failures, tried = doctest.testfile(
        str(ROOT / "docs" / "python-api.md"), module_relative=False, optionflags=doctest.ELLIPSIS, verbose=False
    )
    assert tried > 10
    assert failures == 0


def test_api_issue_example_prints_the_three_regions(in_build: Path) -> None:
    """The issue's one-liner prints 格尔木市, 昌吉回族自治州 and 青海省 after the README's build."""
    command = "import kg; print(kg.open('exports').ask('regions-running', '免申即享'))"
    out = subprocess.run([sys.executable, "-c", command], capture_output=True, text=True, check=True).stdout
    for region in ("格尔木市", "昌吉回族自治州", "青海省"):
        assert region in out
    assert "(3 rows; hidden to fit: " in out  # one row per region and status


def test_api_import_is_cheap_and_quiet() -> None:
    """import kg loads none of the engines or the API, and prints nothing."""
    heavy = "('rdflib', 'pyoxigraph', 'click')"
    loaded = f"m.split('.')[0] in {heavy} or m.startswith('kg.')"
    probe = f"import sys, kg; print(sorted(m for m in sys.modules if {loaded}))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert done.stderr == ""


def test_api_rows_values_and_pandas(seed_build: Path) -> None:
    """Rows hold Python values (numbers as numbers), and to_pandas keeps codes as text."""
    with kg.open(seed_build) as g:
        rows = g.ask("metrics-of", "格尔木市", indicator="参保")
        assert rows and all(isinstance(row[rows.columns.index("value")], int | float) for row in rows)
        frame = rows.to_pandas()
        assert list(frame.columns) == list(rows.columns)
        codes = g.ask("regions-running", "免申即享").to_pandas()["code"]
        assert set(codes) == {"652300", "632801", "630000"}


def test_api_region_lookups(seed_build: Path) -> None:
    """A region by label, alias, code, full name; a name that is no region proposes the closest."""
    with kg.open(seed_build) as g:
        assert g.region("632801").label == "格尔木市"
        assert g.region("昌吉州").code == "652300"
        assert g.region("青海省格尔木市").code == "632801"
        assert g.region("海西蒙古族藏族自治州格尔木市").code == "632801"
        with pytest.raises(QueryError, match="did you mean 格尔木, 格尔木市"):
            g.region("格尔目")


def test_api_ambiguous_region_lists_provinces_and_takes_full_name(tmp_path: Path) -> None:
    """朝阳区 of 北京市 and of 长春市: told apart by province and code; the full name or the code picks one."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("北京市朝阳区全面推行“一网通办”，城镇新增就业2.1万人。", encoding="utf-8")
    (corpus / "b.txt").write_text("吉林省长春市朝阳区推进“免申即享”，新增市场主体3500户。", encoding="utf-8")
    kg.build(corpus, tmp_path / "out")
    with kg.open(tmp_path / "out") as g:
        with pytest.raises(AmbiguousNameError) as ambiguous:
            g.region("朝阳区")
        message = str(ambiguous.value)
        assert "朝阳区 (北京市, 110105)" in message and "朝阳区 (吉林省, 长春市, 220104)" in message
        assert "北京市朝阳区" in message
        assert g.region("北京市朝阳区").code == "110105"
        assert g.region("长春市朝阳区").code == "220104"
        assert g.region("吉林省长春市朝阳区").code == "220104"
        assert g.region("220104").province == "吉林省"
        rows = g.ask("policies-of", "北京市朝阳区")
        assert {row[rows.columns.index("policy")] for row in rows} == {"一网通办"}


def test_api_build_refuses_an_empty_corpus(tmp_path: Path) -> None:
    """An empty corpus folder is an error that writes nothing, unless allow_empty."""
    (tmp_path / "empty").mkdir()
    with pytest.raises(EmptyCorpusError, match="nothing was written"):
        kg.build(tmp_path / "empty", tmp_path / "out")
    assert not (tmp_path / "out").exists()
    report = kg.build(tmp_path / "empty", tmp_path / "out", allow_empty=True)
    assert report.documents == 0 and (tmp_path / "out" / "zhengce.nt").is_file()


def test_api_query_is_guarded(seed_build: Path) -> None:
    """Graph.query goes through the checked path: SERVICE refused, a timeout stops it."""
    with kg.open(seed_build, timeout=1) as g:
        with pytest.raises(QueryError, match="SERVICE is refused"):
            g.query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
        with pytest.raises(QueryError, match="stopped after 1 s"):
            g.query("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
