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


def test_regions_short_name_before_another_level_is_no_name() -> None:
    """会同 (会同县) before 市财政局 is the verb 会同 (jointly with); 会同县 and 彭水县 (彭水 is an
    autonomous county, written with 县) are names."""
    assert codes("怀化市人社局要会同市财政局建立工作机制。") == {"431200"}
    assert codes("怀化市会同县推进改革。") == {"431200", "431225"}
    assert codes("重庆市彭水县推进改革。") == {"500000", "500243"}


def test_regions_weak_stem_with_prefecture_support() -> None:
    """A bare county stem counts when its prefecture is named (阜康 in a 昌吉州 text)."""
    assert "652302" in codes("昌吉州加快发展。阜康冶炼厂争创开门红。")


def test_regions_places_below_regions() -> None:
    """A street after its district is a place of that district, labelled by its own name."""
    from kg.resolve import places

    doc = load_text("乌海市海勃湾区林荫街道组织开展便民集市。", "t.txt")
    mentions = list(region_mentions(doc))
    found = places(mentions, choose_regions(doc, mentions))
    assert [(p.label, p.parent) for p in found.values()] == [("林荫街道", "150302")]


def facts_of(text: str) -> tuple[set[str], set[tuple[str, str]]]:
    """The region codes and the (label, parent) places a whole build reads in ``text``."""
    from kg.facts import document_facts

    facts = document_facts(load_text(text, "t.txt"))
    return set(facts.regions), {(p.label, p.parent) for p in facts.places}


@pytest.mark.parametrize(
    "text, expected",
    [
        # after their county or district, its short form, or a place
        ("福建省泉州市晋江市陈埭镇开展专项行动。", {("陈埭镇", "350582")}),
        ("内蒙古自治区鄂尔多斯市达拉特旗树林召镇开展活动。", {("树林召镇", "150621")}),
        ("佳木斯富锦市长安镇的稻田里，无人机正在作业。", {("长安镇", "230882")}),
        ("在湖北省武汉市东湖高新区光谷街道，居民办事更方便。", {("东湖高新区", "420100"), ("光谷街道", "420100")}),
        ("山东青岛西海岸新区启动一批重点项目。", {("西海岸新区", "370200")}),
        # a zone named by its region's short form and a head: the region is part of its name
        ("湖北省支持武汉经开区建设。", {("武汉经开区", "420100")}),
        ("江苏省支持苏州工业园区和苏州高新区发展。", {("苏州高新区", "320500")}),
        ("成都东部新区加快发展。", {("成都东部新区", "510100")}),
        # a short form that only begins the place's name names no region (崖州 of 崖州湾)
        ("三亚崖州湾科技城综合医院投入使用。", {("崖州湾科技城", "460200")}),
        # a town or street named like a region is no mention of that region
        ("广州市越秀区北京街道推行一站式服务。", {("北京街道", "440104")}),
        ("河南省郑州市新郑市龙湖镇推行一网通办。", {("龙湖镇", "410184")}),
        # listed after a place with 、: named as written, where that one lies
        ("河北省石家庄市正定县正定镇、新城铺镇开展整治。", {("正定镇", "130123"), ("新城铺镇", "130123")}),
        ("江苏省南京市江北新区研创园新增企业300家。", {("江北新区", "320100")}),
        ("营口自贸片区发挥引领作用，辽宁省给予支持。", {("营口自贸片区", "210800")}),
        # written alone: where the text writes it after its region, else the region named before it
        ("山东青岛西海岸新区启动项目。西海岸新区还将推进产业升级。", {("西海岸新区", "370200")}),
        ("青岛市召开全市会议。会上，西海岸新区介绍了经验。", {("西海岸新区", "370200")}),
        ("三亚南丁产业园开工。市政府支持推动南丁产业园建设。", {("南丁产业园", "460200")}),
    ],
)
def test_regions_places(text: str, expected: set[tuple[str, str]]) -> None:
    """Townships, streets and zones without a code, written after their region or alone."""
    assert facts_of(text)[1] == expected


def test_regions_place_town_named_like_a_city() -> None:
    """北京街道 in 广州 and 龙湖镇 in 新郑 do not mention 北京市 or 汕头's 龙湖区."""
    assert facts_of("广州市越秀区北京街道推行一站式服务。")[0] == {"440100", "440104"}
    assert "440507" not in facts_of("河南省郑州市新郑市龙湖镇推行一网通办。")[0]


@pytest.mark.parametrize(
    "text",
    [
        "推进城镇化和乡村振兴，加快小城镇和特色小镇建设。",
        "全市各乡镇、街道要做到小事不出村、大事不出镇。",
        "西宁市推动新区建设，市县乡三级联动。",
        "推进示范新区和城市新区建设，争创国家级高新技术产业开发区。",
        "海淀区街道全面推行网格化管理。",
        "高沙镇召开会议。",  # alone, and no region to lie in: dropped, not guessed
        "西宁市城西区的车辆沿着海湖新区大道前行。",
        "三亚市支持推动南丁产业园建设。",  # alone after an ordinary word, never after its region
        "古镇旅游带动了返乡创业和乡村旅游。",
    ],
)
def test_regions_words_are_not_places(text: str) -> None:
    """Common nouns ending in 镇/乡/新区, classes of places, road names and phrases are no places."""
    assert facts_of(text)[1] == set()


@pytest.mark.parametrize(
    "text, expected",
    [
        # 龙江 is short for 黑龙江 here, not 齐齐哈尔's 龙江县 ...
        ("依托数字龙江建设，黑龙江省与齐齐哈尔市加强合作。", {"230000", "230200"}),
        ("龙江振兴步伐加快，黑龙江省齐齐哈尔市发布新政。", {"230000", "230200"}),
        # ... unless the county itself is named
        ("黑龙江省齐齐哈尔市龙江县推进改革。龙江今年新增就业1000人。", {"230000", "230200", "230221"}),
    ],
)
def test_regions_tail_of_a_longer_name(text: str, expected: set[str]) -> None:
    """A county's stem that is the tail of a longer name the text writes stands for that name."""
    assert codes(text) == expected


def test_regions_parent_written_before_decides() -> None:
    """北京市朝阳区 is Beijing's even in a text that also names 长春's 朝阳区 (and names 长春 more)."""
    text = "北京市朝阳区推进接诉即办。长春市朝阳区开展活动，长春市南关区、长春市绿园区参加。"
    assert codes(text) == {"110000", "110105", "220100", "220104", "220102", "220106"}


def test_regions_jieba_word_of_two_regions() -> None:
    """辽宁大连 is one word to jieba, and two regions."""
    assert codes("辽宁大连推进政务服务改革。") == {"210000", "210200"}


def test_regions_weak_stem_needs_its_province_in_view() -> None:
    """A county stem supported only by its prefecture is no mention once the text is in another province."""
    assert codes("西宁市召开会议。昆明市五华区表示，城北居民满意。") == {"630100", "530100", "530102"}
    assert "630105" in codes("西宁市召开会议。城北居民满意。")


@pytest.mark.parametrize("text", ["加强海域使用管理，推进海域综合整治。", "苏鲁交界地区加强协作。"])
def test_regions_source_list_entries_that_are_no_regions(text: str) -> None:
    """海域 and 苏鲁交界 are entries of the source list, not regions."""
    assert codes(text) == set()


@pytest.mark.parametrize("text", ["新建学校3所，推进乡村振兴。", "深化资源整合与合作。", "延长服务时间，比如周末。"])
def test_regions_ordinary_words_are_not_county_stems(text: str) -> None:
    """新建 (新建区), 振兴 (振兴区), 资源 (资源县) ... are ordinary words of government text."""
    assert codes(text) == set()


def test_regions_short_form_inside_a_facility_name() -> None:
    """A short form that begins a park's or a square's name (锦江体育公园) is no mention of the
    region; the full name (锦江区) is."""
    assert codes("四川成都：从水井坊锦江体育公园到通济花园，处处是绿。") == {"510000", "510100"}
    assert codes("四川成都锦江区建成体育公园。") == {"510000", "510100", "510104"}
