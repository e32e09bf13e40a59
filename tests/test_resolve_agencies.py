"""Resolution of agencies: jurisdiction by level word and seat, full names and aliases."""

from __future__ import annotations

import pytest

from kg.facts import document_facts
from kg.gazetteer import Region
from kg.load import load_text
from kg.resolve import _agency_ref, _seat_jurisdiction, _strip_regions, names_level
from kg.types import AgencyName, DocMeta


@pytest.mark.parametrize(
    "code, expected",
    [
        ("340100", "340000"),  # 合肥: Anhui's capital, a seat body there serves the province
        ("510100", "510000"),  # 成都
        ("511500", "511500"),  # 宜宾: not a capital
        ("110000", "110000"),  # 北京: a municipality is its own province
        ("511502", "511502"),  # a district
    ],
)
def test_seat_bodies_of_a_capital_serve_the_province(code: str, expected: str) -> None:
    assert _seat_jurisdiction(code) == expected


@pytest.mark.parametrize(
    "name, level, word, kind, expected",
    [
        ("宜宾市", "prefecture", "市", "city", True),
        ("抚远市", "county", "市", "city", True),
        ("上海市", "province", "市", "city", True),  # 市委 in a 宝山区 text is Shanghai's
        ("四川省", "province", "省", "province", True),
        ("翠屏区", "county", "区", "district", True),
        ("广西壮族自治区", "province", "区", "district", True),  # 区党委
        ("宜宾市", "prefecture", "区", "district", False),
        ("江安县", "county", "县", "county", True),
        ("昌吉回族自治州", "prefecture", "州", "prefecture", True),
        ("杭州市", "prefecture", "州", "prefecture", False),
    ],
)
def test_level_words_name_regions_of_their_level(name: str, level: str, word: str, kind: str, expected: bool) -> None:
    """A level word (its kind from conventions: 市 city, 区 district ...) names regions of its level only."""
    assert names_level(kind, Region("000001", name, level, None)) is expected


def test_place_names_lose_the_regions_they_start_with() -> None:
    assert _strip_regions("辽宁大连金普新区") == ("金普新区", ["210000", "210200"])
    assert _strip_regions("容西片区") == ("容西片区", [])


@pytest.mark.parametrize(
    "name, official, prefixes, label, some_aliases",
    [
        (
            AgencyName("委", "市", kind="party", parts=("委",)),
            "平顶山市",
            ["市"],
            "中共平顶山市委员会",
            {"平顶山市委", "中共平顶山市委", "市委"},
        ),
        (
            AgencyName("委社会工作部", kind="party", parts=("委", "社会工作部")),
            "丽水市",
            ["丽水市"],
            "中共丽水市委社会工作部",
            {"丽水市委社会工作部"},
        ),
        (
            AgencyName("人大", "市", kind="congress", parts=("人大",)),
            "无锡市",
            ["市"],
            "无锡市人民代表大会",
            {"无锡市人大", "市人大"},
        ),
        (
            AgencyName("政府督查室", "市", kind="government", parts=("政府", "督查室")),
            "丽水市",
            ["市"],
            "丽水市人民政府督查室",
            {"丽水市政府督查室", "市政府督查室"},
        ),
        (
            AgencyName("医保局", "市", parts=("医保局",)),
            "宜宾市",
            ["市"],
            "宜宾市医疗保障局",
            {"宜宾市医保局", "市医保局"},
        ),
        (AgencyName("海关", kind="customs", parts=("海关",)), "合肥市", ["合肥"], "合肥海关", set()),
        (
            AgencyName("调查队", kind="survey", parts=("调查队",), parent="国家统计局"),
            "石家庄市",
            ["石家庄"],
            "国家统计局石家庄调查队",
            {"石家庄调查队"},
        ),
    ],
)
def test_full_names_and_aliases(
    name: AgencyName, official: str, prefixes: list[str], label: str, some_aliases: set[str]
) -> None:
    """The label is the full name; the forms written and their expansions are aliases."""
    ref = _agency_ref(name, "000001", official, prefixes)
    assert ref.name == label
    assert some_aliases <= set(ref.aliases)
    assert label not in ref.aliases


def test_level_word_names_the_region_its_sentence_just_named() -> None:
    """在青山区，区人社局…: 区 is the district the sentence named, not the autonomous region above the
    article's city; with no district named, 区 still reaches the autonomous region (区党委)."""

    def bodies(text: str) -> set[tuple[str, str]]:
        facts = document_facts(load_text(text, "t.txt", meta=DocMeta(date="2026-03")))
        return {(a.name, a.jurisdiction) for a in facts.agencies}

    district = "□ 记者 某某\n包头市推进就业服务。在青山区，区人社局把就业服务搬到了家门口。\n"
    assert ("青山区人力资源和社会保障局", "150204") in bodies(district)
    region = "□ 记者 某某\n包头市推进就业服务。区人社局有关负责人介绍了情况。\n"
    assert {j for _n, j in bodies(region)} == {"150000"}
