"""Regions: gazetteer matching, short forms, and context resolution of ambiguous names."""

from __future__ import annotations

import pytest

from kg.extract.regions import region_mentions
from kg.gazetteer import WEAK, gazetteer, region_aliases
from kg.load import load_text
from kg.resolve import choose_regions
from kg.types import DocMeta


def codes(text: str, meta: DocMeta | None = None) -> set[str]:
    doc = load_text(text, "t.txt", meta=meta)
    return {r.code for r in choose_regions(doc, list(region_mentions(doc)))}


def test_regions_gazetteer_is_current() -> None:
    """The list is the current one: 湟中区 630106, no 湟中县; parents are linked."""
    g = gazetteer()
    assert g.by_code["630106"].name == "湟中区"
    assert g.by_code["630106"].parent == "630100"
    assert g.ancestors("632801") == ["632800", "630000", "000000"]
    assert len(g.by_code) > 3000


@pytest.mark.parametrize(
    "name, level, expected",
    [
        ("海西蒙古族藏族自治州", "prefecture", ["海西州", "海西"]),
        ("昌吉回族自治州", "prefecture", ["昌吉州", "昌吉"]),
        ("大通回族土族自治县", "county", ["大通县", "大通"]),
        ("新疆维吾尔自治区", "province", ["新疆"]),
        ("格尔木市", "county", ["格尔木"]),
        ("青海省", "province", ["青海"]),
    ],
)
def test_regions_short_forms(name: str, level: str, expected: list[str]) -> None:
    """Official names yield the short forms people write."""
    groups = ["蒙古族", "藏族", "回族", "土族", "维吾尔族"]
    assert [a for a, _s in region_aliases(name, level, groups)[1:]] == expected


def test_regions_two_character_county_stem_is_weak() -> None:
    """A two-character county stem (大通) is weak: it needs support in the document."""
    assert dict(region_aliases("大通回族土族自治县", "county", ["回族", "土族"]))["大通"] == WEAK


@pytest.mark.parametrize(
    "text, expected",
    [
        ("西宁市城北区推进老旧小区改造。", {"630100", "630105"}),
        ("市长前往城北区、大通县调研，青海省委要求加快进度。", {"630000", "630105", "630121"}),
        ("四川省广元市旺苍县开展志愿服务。", {"510000", "510800", "510821"}),
        ("昌吉州社保中心与新疆各地协作。", {"652300", "650000"}),
        ("格尔木社保稳稳托起民生幸福", {"632801"}),
    ],
)
def test_regions_resolve_in_context(text: str, expected: set[str]) -> None:
    """Short and ambiguous forms resolve by their neighbours."""
    assert codes(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "陈刚登上海拔4215米的山麓。",
        "奋力推进高质量发展和长治久安。",
        "深化清洁取暖试点城市和示范县建设。",
        "推进城市消费集聚区和县域商业体系建设。",
        "大通道建设加快推进。",
    ],
)
def test_regions_words_are_not_regions(text: str) -> None:
    """Region names inside ordinary words are not mentions."""
    assert codes(text) == set()


def test_regions_weak_stem_with_prefecture_support() -> None:
    """A bare county stem counts when its prefecture is named (阜康 in a 昌吉州 text)."""
    assert "652302" in codes("昌吉州加快发展。阜康冶炼厂争创开门红。")


def test_regions_places_below_regions() -> None:
    """A street after its district is a place of that district."""
    from kg.resolve import places

    doc = load_text("乌海市海勃湾区林荫街道组织开展便民集市。", "t.txt")
    mentions = list(region_mentions(doc))
    found = places(mentions, choose_regions(doc, mentions))
    assert [(p.label, p.parent) for p in found.values()] == [("海勃湾区林荫街道", "150302")]
