"""kg export -f tables: tidy CSV (UTF-8 with BOM, one fact a row, every column named) and Parquet."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.catalog import stats
from kg.cli import cli
from kg.formats import FORMATS, format_names, formats_named
from kg.query import open_engine
from kg.tables import TABLES

NAMES = ("observations", "adoptions", "agencies", "regions")


@pytest.fixture(scope="module")
def tables(seed_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the seed build with kg export -f tables run on it."""
    out = tmp_path_factory.mktemp("tables") / "build"
    shutil.copytree(seed_build, out, symlinks=True)
    result = CliRunner().invoke(cli, ["export", "-f", "tables", "--exports", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _read(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, for spreadsheets"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_tables_are_registered_formats() -> None:
    """tables is a name of the format registry: the four CSV files, and Parquet with pyarrow."""
    assert "tables" in format_names()
    assert formats_named("tables")[:4] == tuple(f"{name}-csv" for name in NAMES)
    assert {FORMATS[f].file_name for f in formats_named("tables")} >= {f"{name}.csv" for name in NAMES}
    assert not any(FORMATS[f].default for f in formats_named("tables")), "kg build does not write them"


def test_tables_one_fact_a_row_every_column_named(tables: Path, seed_build: Path) -> None:
    """Each fact is one row (as many as kg stats counts), with the table's named columns."""
    counts = dict(stats(open_engine(seed_build), seed_build).counts)
    for name in NAMES:
        rows = _read(tables / f"{name}.csv")
        assert list(rows[0]) == list(TABLES[name].names)
        assert all(column for column in rows[0])
        first = next(iter(rows[0]))
        assert len({row[first] for row in rows}) == len(rows), f"{name}: one row a fact"
    assert len(_read(tables / "observations.csv")) == counts["observations"]
    assert len(_read(tables / "adoptions.csv")) == counts["adoptions"]
    assert len(_read(tables / "agencies.csv")) == counts["agencies"]


def test_tables_observation_row_is_tidy(tables: Path) -> None:
    """A figure of 格尔木市: region, code, province, indicator, value, unit, period, evidence and its offsets."""
    rows = [r for r in _read(tables / "observations.csv") if r["code"] == "632801" and r["value"] == "114500"]
    assert rows
    row = rows[0]
    assert (row["region"], row["province"], row["unit"], row["measure"], row["kind"]) == (
        "格尔木市",
        "青海省",
        "人",
        "level",
        "actual",
    )
    assert row["document"].endswith(".txt") and int(row["end"]) > int(row["start"]) and int(row["sources"]) >= 1
    source = (Path(__file__).resolve().parent.parent / "corpus" / row["document"]).read_text(encoding="utf-8")
    assert "114500" in row["value"] and len(source) >= int(row["end"])


def test_tables_parquet_keeps_codes_as_text(tables: Path) -> None:
    """The Parquet tables type their columns: codes and periods text, values numbers."""
    pandas = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    frame = pandas.read_parquet(tables / "observations.parquet")
    assert frame["code"].dropna().map(type).eq(str).all()
    assert frame["value"].dtype.kind == "f" and frame["start"].dtype.kind == "i"
    assert len(frame) == len(_read(tables / "observations.csv"))
