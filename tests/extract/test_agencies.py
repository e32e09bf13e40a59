"""Agencies by their grammar: a region, a level word or a national prefix, a body, a unit word.

The sentences are written in the style of the texts the tool reads (news, reports, bulletins,
notices) and name regions of several provinces; none is taken from the gold documents.
"""

from __future__ import annotations

import pytest

from kg.extract.agencies import agency_mentions
from kg.facts import document_facts
from kg.load import load_text
from kg.types import AgencyRef, DocMeta


def refs(text: str, region: str | None = None) -> list[AgencyRef]:
    return list(document_facts(load_text(text, "t.txt", meta=DocMeta(date="2024-03", region=region))).agencies)


def agencies(text: str, region: str | None = None) -> set[tuple[str, str]]:
    return {(a.name, a.jurisdiction) for a in refs(text, region)}


def aliases(text: str, region: str | None = None) -> set[str]:
    return {alias for a in refs(text, region) for alias in (a.name, *a.aliases)}


@pytest.mark.parametrize(
    "text, region, expected",
    [
        ("海东市司法局开展法律援助。", None, {("海东市司法局", "630200")}),
        ("四川省南充市生态环境局主办宣传活动。", None, {("南充市生态环境局", "511300")}),
        ("青海省召开会议，省社保局部署工作。", None, {("青海省社会保险局", "630000")}),
        ("新疆推进社保改革，自治区社保中心复制推广经验。", None, {("新疆维吾尔自治区社会保险中心", "650000")}),
        ("近日，中宣部命名一批示范点。", None, {("中共中央宣传部", "000000")}),
        ("达日县检察院办理案件12件。", None, {("达日县人民检察院", "632624")}),
    ],
)
def test_agencies_resolve_jurisdiction(text: str, region: str | None, expected: set[tuple[str, str]]) -> None:
    """Each body gets its full name and the region it serves."""
    assert agencies(text, region) >= expected


# (sentence, (full name, jurisdiction), a form written that must be an alias)
BODIES = [
    # a region and words ending in a unit word
    ("宜宾市文化广电和旅游局开展送戏下乡活动。", ("宜宾市文化广电和旅游局", "511500"), "宜宾市文化广电和旅游局"),
    ("据泸州市投资促进局介绍，全年签约项目86个。", ("泸州市投资促进局", "510500"), "泸州市投资促进局"),
    ("株洲市12345政务服务便民热线管理中心全年受理诉求。", ("株洲市12345政务服务便民热线管理中心", "430200"), ""),
    ("赣州市工伤保险事务中心推行网上经办。", ("赣州市工伤保险事务中心", "360700"), ""),
    ("湖北省知识产权保护中心受理专利预审申请。", ("湖北省知识产权保护中心", "420000"), ""),
    ("四川省通信管理局、四川省版权局联合开展检查。", ("四川省通信管理局", "510000"), ""),
    ("洛阳市公安局交通管理局发布出行提示。", ("洛阳市公安局交通管理局", "410300"), ""),
    ("山西省能源局、太原市对口支援工作领导小组办公室联合调研。", ("山西省能源局", "140000"), ""),
    # a level word: the region of that level in the article
    ("宜宾市召开医保工作会议，市医保局通报了基金运行情况。", ("宜宾市医疗保障局", "511500"), "市医保局"),
    ("绵阳市优化营商环境，市场主体由市市场监管局登记。", ("绵阳市市场监督管理局", "510700"), "市市场监管局"),
    ("株洲市召开会议，省发展改革委有关负责同志出席。", ("湖南省发展和改革委员会", "430000"), "省发展改革委"),
    # party bodies
    ("在中共宜宾市委的坚强领导下，全市经济稳中向好。", ("中共宜宾市委员会", "511500"), "宜宾市委"),
    ("襄阳市召开大会，认真贯彻省委和市委全会精神。", ("中共湖北省委员会", "420000"), "省委"),
    ("襄阳市召开大会，认真贯彻省委和市委全会精神。", ("中共襄阳市委员会", "420600"), "市委"),
    ("南昌市委组织部印发通知，部署干部培训工作。", ("中共南昌市委组织部", "360100"), "南昌市委组织部"),
    ("南昌市委统一战线工作部召开座谈会。", ("中共南昌市委统一战线工作部", "360100"), "南昌市委统一战线工作部"),
    ("德阳市推进改革，市委编办牵头梳理权责清单。", ("中共德阳市委机构编制委员会办公室", "510600"), "市委编办"),
    ("桂林市召开会议，自治区党委有关负责同志出席。", ("中共广西壮族自治区委员会", "450000"), "自治区党委"),
    # congress and people's political consultative conference
    ("宜宾市人大常委会审议通过了预算调整方案。", ("宜宾市人民代表大会常务委员会", "511500"), "宜宾市人大常委会"),
    ("——在宜宾市第六届人民代表大会第五次会议上", ("宜宾市人民代表大会", "511500"), ""),
    ("南阳市召开会议，在市人大和市政协的监督下完成预算。", ("南阳市人民代表大会", "411300"), "市人大"),
    ("南阳市召开会议，在市人大和市政协的监督下完成预算。", ("中国人民政治协商会议南阳市委员会", "411300"), "市政协"),
    # courts
    ("翠屏区人民法院审结案件3200件。", ("翠屏区人民法院", "511502"), ""),
    # central bank, foreign exchange, financial regulators
    ("金融数据来自中国人民银行宜宾市分行。", ("中国人民银行宜宾市分行", "511500"), "宜宾市分行"),
    ("国家外汇管理局四川省分局发布跨境收支数据。", ("国家外汇管理局四川省分局", "510000"), ""),
    ("国家金融监督管理总局宜宾监管分局开展检查。", ("国家金融监督管理总局宜宾监管分局", "511500"), ""),
    ("四川证监局召开辖区上市公司座谈会。", ("四川省证监局", "510000"), "四川证监局"),
    ("宜宾市组织召开座谈会，市金融监管局介绍了融资情况。", ("宜宾市金融监管局", "511500"), "市金融监管局"),
    # customs: named by a provincial capital, the province's
    ("进出口数据来自成都海关。", ("成都海关", "510000"), ""),
    ("人民银行南昌中心支行牵头推进跨境结算。", ("中国人民银行南昌中心支行", "360000"), "人民银行南昌中心支行"),
    ("宜宾海关优化通关流程。", ("宜宾海关", "511500"), ""),
    # survey teams
    ("农产品价格数据来自国家统计局宜宾调查队。", ("国家统计局宜宾调查队", "511500"), "宜宾调查队"),
    # a league's or prefecture's government is its 行政公署 (行署)
    ("现在，我代表锡林郭勒盟行政公署向大会报告工作。", ("锡林郭勒盟行政公署", "152500"), ""),
    ("阿里地区行署召开专题会议。", ("阿里地区行政公署", "542500"), "阿里地区行署"),
    # the government whose work report a title names
    ("2026年重庆市荣昌区人民政府工作报告", ("荣昌区人民政府", "500153"), "重庆市荣昌区人民政府"),
    # offices of a government
    ("湖南省人民政府办公室印发通知。", ("湖南省人民政府办公室", "430000"), ""),
    ("南充市召开会议，市政府研究室负责起草。", ("南充市人民政府研究室", "511300"), "市政府研究室"),
    ("云南省人民政府外事办公室组织接待。", ("云南省人民政府外事办公室", "530000"), ""),
    # zones and places
    (
        "宜宾临港经济技术开发区管委会召开招商推介会。",
        ("临港经济技术开发区管理委员会", "511500"),
        "宜宾临港经济技术开发区管委会",
    ),
    (
        "今年，宜宾市临港经济技术开发区智能终端产业园区管委会引进项目12个。",
        ("宜宾市临港经济技术开发区智能终端产业园区管理委员会", "511500"),
        "宜宾市临港经济技术开发区智能终端产业园区管委会",
    ),
    ("雄安新区召开会议。材料提交到容东管理委员会后，很快得到回复。", ("容东管理委员会", "133100"), ""),
    ("辽宁沈阳浑南新区政务服务中心推出延时服务。", ("浑南新区政务服务中心", "210112"), "辽宁沈阳浑南新区政务服务中心"),
    ("宜宾市民服务中心推出延时服务。", ("宜宾市市民服务中心", "511500"), "宜宾市民服务中心"),
    # national bodies, listed or read by the grammar
    ("中办、国办印发《关于进一步减轻基层负担的通知》。", ("中共中央办公厅", "000000"), "中办"),
    ("中央网信办部署专项行动。", ("中央网络安全和信息化委员会办公室", "000000"), "中央网信办"),
    ("国家数据局发布公共数据资源开发利用指南。", ("国家数据局", "000000"), ""),
]


@pytest.mark.parametrize("text, expected, alias", BODIES)
def test_agencies_by_grammar(text: str, expected: tuple[str, str], alias: str) -> None:
    """Each kind of body is read, named in full and given its region; the written form is an alias."""
    found = {(a.name, a.jurisdiction): a for a in refs(text)}
    assert expected in found, sorted(found)
    if alias:
        assert alias in (found[expected].name, *found[expected].aliases)


def test_agencies_keep_written_forms_as_aliases() -> None:
    """The forms written in text stay as alternative labels (省社保局, 昌吉州社保中心)."""
    assert {"省社保局"} <= aliases("青海省召开会议，省社保局部署工作。")
    assert {"昌吉州社保中心", "昌吉州社会保险中心"} <= aliases("昌吉州社保中心推进改革。")
    party = aliases("咸阳市召开会议。市委常委会研究部署重点工作，咸阳市委书记出席。")
    assert {"咸阳市委", "中共咸阳市委", "市委", "中共咸阳市委员会"} <= party


def test_agencies_short_name_given_in_brackets_is_an_alias() -> None:
    """X（以下简称“Y”）: Y is an alias of X."""
    text = "淮南市政务服务便民热线管理中心（以下简称“热线管理中心”）主任介绍，热线管理中心全年受理诉求。"
    found = {a.name: a for a in refs(text)}
    assert "热线管理中心" in found["淮南市政务服务便民热线管理中心"].aliases


def test_agencies_a_sub_unit_names_its_body_too() -> None:
    """市政府督查室 names the 市政府 too (and 淮北市税务局稽查局 the 淮北市税务局)."""
    found = agencies("宜宾市召开会议，市政府督查室通报了督查情况。")
    assert {("宜宾市人民政府督查室", "511500"), ("宜宾市人民政府", "511500")} <= found


def test_agencies_lower_governments_are_not_aliases() -> None:
    """各县人民政府, 各区政府 and 市县政府 are every such body, not the higher government's alias."""
    text = "四川省人民政府印发通知，要求各县人民政府、各区政府和市县政府抓好落实。"
    found = refs(text)
    assert {a.name for a in found} == {"四川省人民政府"}
    assert not {"县人民政府", "区政府", "市人民政府", "县政府"} & aliases(text)


def test_agencies_level_word_needs_a_region_of_its_level() -> None:
    """区市场监管局 in a text about a city names no district: it is left out, not given the city."""
    assert agencies("绵阳市推进改革，区市场监管局开展检查。") == set()
    assert agencies("绵阳市涪城区推进改革，区市场监管局开展检查。") == {("涪城区市场监督管理局", "510703")}


def test_agencies_notice_issuer_on_its_title_and_signature() -> None:
    """A notice's issuer, written whole before 关于 and on the line above the date."""
    text = (
        "江西省推进“放管服”改革协调小组办公室关于印发工作要点的通知\n各设区市：\n现将工作要点印发给你们。\n"
        "江西省推进“放管服”改革协调小组办公室\n2024年3月1日\n"
    )
    assert ("江西省推进“放管服”改革协调小组办公室", "360000") in agencies(text)


@pytest.mark.parametrize(
    "text",
    [
        "政府工作报告指出要稳增长。",
        "全省生态环境部门共检查企业7695家。",
        "各级政府要落实责任。",
        "他在检察院工作多年。",
        "财政部门要加强预算管理。",
        "大厅内设集中办理窗口。",
        "省级财政安排资金3亿元。",
        "加快形成新发展格局。",
        "城市管理局面临新挑战。",
    ],
)
def test_agencies_bodies_without_a_place_are_not_agencies(text: str) -> None:
    """A body's name with no region or level before it (or 全/各), and words that only look like one."""
    assert agencies(text, "630000") == set()


@pytest.mark.parametrize(
    "text",
    [
        "宜宾市会展中心举办车展。",
        "宜宾市打造区域物流中心。",
        "宜宾市召开会议。市民服务中心开放。",
        "宜宾市举办招聘会，市县两级督查室靠前督导。",
        "宜宾市政务服务大厅设置综合窗口。",
        "宜宾市一网通办事项达到1200项。",
        "宜宾市翠屏区贤溪社区党群服务中心开展活动。",
        "宜宾市开展专项行动，全市养老服务中心达到52个。",
    ],
)
def test_agencies_phrases_that_are_not_bodies(text: str) -> None:
    """Venues, predicates, 市民, grassroots units and 全市 are not the region's bodies."""
    found = {a.name for a in refs(text)}
    assert not any(name.endswith(("中心", "督查室", "大厅")) for name in found), found


def test_agencies_mentions_are_read_only_at_their_heads() -> None:
    """The extractor's mentions do not overlap, and each lies where its words are."""
    doc = load_text("省商务厅牵头，省发展改革委、省农业农村厅按职责分工配合。", "t.txt")
    mentions = list(agency_mentions(doc))
    assert [m.text for m in mentions] == ["省商务厅", "省发展改革委", "省农业农村厅"]
    assert all(doc.text[m.start : m.end] == m.text for m in mentions)
