"""Result formats: table widths for Chinese, CSV and JSON as SPARQL 1.1 has them, TSV one row per line."""

from __future__ import annotations

import csv
import io
import json

from kg.query import Result, Term
from kg.results import display_width, render

XSD = "http://www.w3.org/2001/XMLSchema#"
RESULT = Result(
    ("region", "value", "sentence"),
    (
        (
            Term.uri("https://w3id.org/zhengce/id/region/632801"),
            Term.literal("60000", datatype=XSD + "decimal"),
            Term.literal("城镇新增就业6万人以上，\n失业率控制在5.5%左右。"),
        ),
        (Term.literal("青海省", lang="zh"), None, Term.literal('tab\there "quoted"')),
    ),
)


def test_results_display_width_counts_chinese_twice() -> None:
    assert display_width("格尔木市") == 8
    assert display_width("ab１") == 4  # a full-width digit is wide
    assert display_width("é") == 1  # e + combining accent


def test_results_table_aligns_and_cuts() -> None:
    lines = render(RESULT, "table", max_width=14).splitlines()
    assert lines[0].split() == ["region", "value", "sentence"]
    assert lines[2].startswith("region:632801")
    assert "…" in lines[2] and "\n" not in lines[2]
    # the value column is numeric: right-aligned under its header
    assert lines[2].index("60000") + len("60000") == lines[0].index("value") + len("value")
    # every data row has the same display width up to its last column's start
    starts = {display_width(line[: line.index(cell)]) for line, cell in ((lines[2], "城镇"), (lines[3], "tab"))}
    assert len(starts) == 1
    assert lines[-1] == "(2 rows)"


def test_results_csv_is_sparql_csv() -> None:
    text = render(RESULT, "csv")
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["region", "value", "sentence"]
    assert rows[1][0] == "https://w3id.org/zhengce/id/region/632801"
    assert rows[1][2] == "城镇新增就业6万人以上，\n失业率控制在5.5%左右。"
    assert rows[2][1] == ""


def test_results_tsv_one_line_per_row() -> None:
    lines = render(RESULT, "tsv").splitlines()
    assert len(lines) == 3
    assert lines[1].split("\t")[2] == "城镇新增就业6万人以上，\\n失业率控制在5.5%左右。"
    assert lines[2].split("\t") == ["青海省", "", 'tab\\there "quoted"']


def test_results_json_is_sparql_json() -> None:
    doc = json.loads(render(RESULT, "json"))
    assert doc["head"]["vars"] == ["region", "value", "sentence"]
    first, second = doc["results"]["bindings"]
    assert first["value"] == {"type": "literal", "value": "60000", "datatype": XSD + "decimal"}
    assert second["region"] == {"type": "literal", "value": "青海省", "xml:lang": "zh"}
    assert "value" not in second  # unbound variables are left out
    assert json.loads(render(Result(boolean=True), "json")) == {"head": {}, "boolean": True}


def test_results_table_fits_the_width_given() -> None:
    """A table wider than the terminal is cut to it, by display width, the least important columns first."""
    wide = Result(
        ("region", "status", "sentence", "document"),
        (tuple(map(Term.literal, ("昌吉回族自治州", "implemented", "昌吉州" * 30, "x" * 30))),),
    )
    lines = render(wide, "table", width=60, keep=("region", "status", "sentence")).splitlines()
    assert max(display_width(line) for line in lines) <= 60
    assert lines[2].startswith("昌吉回族自治州  implemented  昌吉州")
    narrow = render(wide, "table", width=40, keep=("region", "status", "sentence")).splitlines()
    assert narrow[-1] == "(1 row; hidden to fit: document)"
    assert max(display_width(line) for line in narrow) <= 40
    assert render(wide, "table", width=60, max_width=0).splitlines()[2].endswith("x" * 30)  # 0: never cut


def test_results_limit_and_jsonl() -> None:
    """--limit keeps the first rows (a table says of how many); jsonl is one flat object a row."""
    assert render(RESULT, "table", limit=1).splitlines()[-1] == "(1 of 2 rows)"
    lines = render(RESULT, "jsonl").splitlines()
    assert [json.loads(line) for line in lines] == [
        {"region": "https://w3id.org/zhengce/id/region/632801", "value": 60000.0, "sentence": RESULT.rows[0][2].value},  # type: ignore[union-attr]
        {"region": "青海省", "value": None, "sentence": 'tab\there "quoted"'},
    ]
    assert len(render(RESULT, "jsonl", limit=1).splitlines()) == 1


def test_results_colour_only_when_asked() -> None:
    """Colour codes only with colour=True, and the columns still line up."""
    plain_text = render(RESULT, "table")
    coloured = render(RESULT, "table", colour=True)
    assert "\x1b[" not in plain_text and "\x1b[1m" in coloured
    assert coloured.splitlines()[2] == plain_text.splitlines()[2]
