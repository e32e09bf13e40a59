"""Discovery: kg list and kg stats on the seed build, with counts, codes, provinces and "did you mean"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.catalog import KINDS, listing, stats
from kg.cli import cli
from kg.errors import QueryError
from kg.query import open_engine
from kg.results import plain
from kg.terminal import display_width


@pytest.mark.parametrize("engine_name", ["oxigraph", "rdflib"])
def test_catalog_lists_every_kind_on_both_engines(seed_build: Path, engine_name: str) -> None:
    """Each kind lists rows, and both engines list the same ones."""
    engine = open_engine(seed_build, engine_name)
    other = open_engine(seed_build, "rdflib" if engine_name == "oxigraph" else "oxigraph")
    for kind in KINDS:
        rows = listing(engine, kind).rows
        assert rows, kind
        assert sorted(map(str, rows)) == sorted(map(str, listing(other, kind).rows))


def test_catalog_regions_have_codes_provinces_counts(seed_build: Path) -> None:
    """格尔木市 is listed with its code, province and the facts about it."""
    result = listing(open_engine(seed_build), "regions", "格尔木")
    row = dict(zip(result.variables, (plain(t) for t in result.rows[0]), strict=True))
    assert (row["region"], row["code"], row["province"]) == ("格尔木市", "632801", "青海省")
    assert int(row["adoptions"]) > 0 and int(row["observations"]) > 0


def test_catalog_did_you_mean(seed_build: Path) -> None:
    """A name that matches nothing proposes the closest ones."""
    with pytest.raises(QueryError, match="no region matches '格尔目'; did you mean 格尔木市"):
        listing(open_engine(seed_build), "regions", "格尔目")
    with pytest.raises(QueryError, match="no policy matches '免申即想'; did you mean 免申即享"):
        listing(open_engine(seed_build), "policies", "免申即想")


def test_catalog_stats_counts_by_kind(seed_build: Path) -> None:
    """kg stats: documents, facts and triples of the build."""
    counted = stats(open_engine(seed_build), seed_build)
    counts = dict(counted.counts)
    assert counts["documents"] == 5 and counts["adoptions"] > 0 and counts["observations"] > 0
    assert counted.triples == len((seed_build / "zhengce.nt").read_bytes().splitlines())
    assert counted.built is not None


def test_catalog_cli_list_fits_columns_and_limits(seed_build: Path) -> None:
    """kg list under COLUMNS=60 fits 60 columns; --limit and -f jsonl work; an unknown name exits 1."""
    base = ["list", "--exports", str(seed_build)]
    table = CliRunner().invoke(cli, [*base, "regions", "--limit", "3"], env={"COLUMNS": "60"})
    lines = table.output.splitlines()
    assert table.exit_code == 0 and len(lines) == 6 and lines[-1].startswith("(3 of ")
    assert max(display_width(line) for line in lines) <= 60
    jsonl = CliRunner().invoke(cli, [*base, "policies", "免申即享", "-f", "jsonl"])
    assert json.loads(jsonl.output.splitlines()[0])["id"] == "mianshen-jixiang"
    missing = CliRunner().invoke(cli, [*base, "regions", "格尔目"])
    assert missing.exit_code == 1 and "did you mean 格尔木市" in missing.output


def test_catalog_cli_stats(seed_build: Path) -> None:
    """kg stats prints where and when the build was made, then its counts."""
    out = CliRunner().invoke(cli, ["stats", "--exports", str(seed_build)]).output.splitlines()
    assert out[0].startswith(f"{seed_build}: built ") and "zhengce-kg" in out[0]
    assert any(line.split()[:2] == ["documents", "5"] for line in out)
