"""Quantities: numbers with 万/亿, units, qualifiers, rates, lists and changes, with their indicators."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.extract.quantities import parse_number, qualifier_of, quantity_mentions
from kg.load import load_text
from kg.segment import segment
from kg.types import Figure


def quantities(text: str) -> list[tuple[str, str, str, str]]:
    doc = load_text(text, "t.txt")
    return [
        (f.indicator, str(f.value), f.unit, f.qualifier)
        for m in quantity_mentions(doc, segment(doc))
        if isinstance(f := m.data, Figure) and not f.old
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("全县新增城镇就业1.2万人。", [("新增城镇就业", "12000", "人", "exact")]),
        ("发放创业担保贷款3.5亿元。", [("发放创业担保贷款", "350000000", "元", "exact")]),
        ("建成充电桩300余个。", [("建成充电桩", "300", "个", "at_least")]),
        ("全市森林覆盖率达45.6%左右。", [("森林覆盖率", "45.6", "%", "about")]),
        ("城镇新增就业6万人以上。", [("城镇新增就业", "60000", "人", "at_least")]),
        ("低保标准提高到每人每月820元。", [("低保标准（每人每月）", "820", "元", "exact")]),
        ("月人均养老金从2500元增长到2650元。", [("月人均养老金", "2650", "元", "exact")]),
        (
            "医疗、生育保险参保人数分别达8.1万人、2.3万人。",
            [("医疗保险参保人数", "81000", "人", "exact"), ("生育保险参保人数", "23000", "人", "exact")],
        ),
        (
            "全年生产原盐120万吨、纯碱35万吨。",
            [("生产原盐", "1200000", "吨", "exact"), ("纯碱", "350000", "吨", "exact")],
        ),
        ("共有58家银行网点实现了社保业务就近办。", [("银行网点", "58", "家", "exact")]),
        ("组织志愿者三千二百人参与。", [("组织志愿者", "3200", "人", "exact")]),
        # the members counted of the body they make up
        ("由9名督办员组成的督办组长期进驻。", [("督办组督办员", "9", "人", "exact")]),
        # counts of a list share the noun after the last of them
        (
            "全市第一批13个、第二批8个重点事项全面落地见效。",
            [("重点事项", "13", "个", "exact"), ("第二批重点事项", "8", "个", "exact")],
        ),
        # 家次 counts firms by visits
        ("惠及企业4.6万家次。", [("惠及企业", "46000", "家次", "exact")]),
        # 从 of 从业人员 is no change's start
        ("覆盖快递从业人员不少于1.5万人。", [("覆盖快递从业人员", "15000", "人", "at_least")]),
        # a generic noun (政务服务事项) is named by what the things counted do
        (
            "已有1286项政务服务事项实现“掌上办”。",
            [("政务服务事项实现“掌上办”", "1286", "项", "exact")],
        ),
        # levels in brackets are part of the noun after a count
        ("全市20个县（市、区）医保服务大厅实现一站办结。", [("县（市、区）医保服务大厅", "20", "个", "exact")]),
        # 年底前 is a time, not part of the label
        ("力争年底前定点医药机构接入率达到100%。", [("定点医药机构接入率", "100", "%", "exact")]),
    ],
)
def test_quantities_found_with_indicator(text: str, expected: list[tuple[str, str, str, str]]) -> None:
    """Each number gets its base value, unit, qualifier and the phrase it measures."""
    assert quantities(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2023年12月24日，记者从会上获悉。",
        "实现第19连涨。",
        "拨打12345政务服务便民热线。",
        "建立一个长效机制，落实两项制度。",
        "打造“15分钟政务服务圈”。",
        "构建15分钟就业服务圈。",
    ],
)
def test_quantities_dates_ordinals_and_names_are_not_quantities(text: str) -> None:
    """Dates, ordinals, hotline numbers and small Chinese counts give nothing."""
    assert quantities(text) == []


@pytest.mark.parametrize(
    "pre, approx, post, expected",
    [
        ("", "", "", "exact"),
        ("", "余", "", "at_least"),
        ("", "", "以上", "at_least"),
        ("约", "", "", "about"),
        ("近", "", "", "about"),
        ("", "", "左右", "about"),
        ("不足", "", "", "at_most"),
        ("", "", "以内", "at_most"),
    ],
)
def test_quantities_qualifiers(pre: str, approx: str, post: str, expected: str) -> None:
    """以上/余/多 are at least; 约/近/左右 about; 不足/以内 at most."""
    assert qualifier_of(pre, approx, post) == expected


@given(st.integers(min_value=1, max_value=99999), st.sampled_from(["万", "亿"]))
def test_quantities_multipliers_scale_exactly(n: int, mult: str) -> None:
    """N万 is N * 10^4 and N亿 is N * 10^8, for any N."""
    doc = load_text(f"完成投资{n}{mult}元。", "t.txt")
    (m,) = list(quantity_mentions(doc, segment(doc)))
    assert isinstance(m.data, Figure)
    assert m.data.value == n * (10**4 if mult == "万" else 10**8)


@given(st.integers(min_value=1, max_value=9999))
def test_quantities_chinese_numerals_match_arabic(n: int) -> None:
    """Chinese numerals parse to the same value as Arabic ones."""
    import cn2an

    assert parse_number(cn2an.an2cn(n)) == Decimal(n)


# --- properties of the number normaliser ---------------------------------------------------------


@given(st.integers(min_value=0, max_value=10**12))
def test_quantities_parse_number_arabic_and_chinese_agree(n: int) -> None:
    """An integer written in Arabic digits and in Chinese numerals (cn2an's an2cn) parses to itself."""
    import cn2an

    assert parse_number(str(n)) == n
    assert parse_number(cn2an.an2cn(n)) == n


@given(
    st.decimals(min_value=0, max_value=99999, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from([("万", 10**4), ("亿", 10**8), ("", 1)]),
    st.sampled_from(["人", "元", "户"]),
)
def test_quantities_scale_words_multiply(value: object, scale: tuple[str, int], unit: str) -> None:
    """N万人 / N亿元 is N x 10^4 / 10^8 in the base unit, whatever N's decimals."""
    from kg.types import as_decimal

    word, factor = scale
    number = format(value, "f")
    doc = load_text(f"全年新增就业{number}{word}{unit}。", "t.txt")
    found = [m for m in quantity_mentions(doc, segment(doc)) if m.label == "Quantity"]
    assert len(found) == 1
    figure = found[0].data
    assert isinstance(figure, Figure)
    assert figure.value == as_decimal(Decimal(number) * factor)
    assert figure.unit == unit


@given(st.decimals(min_value=0, max_value=100, places=1, allow_nan=False, allow_infinity=False))
def test_quantities_percent(value: object) -> None:
    """N% (half- or full-width sign) is the number N with unit %."""
    from kg.types import as_decimal

    number = format(value, "f")
    for sign in ("%", "％"):
        doc = load_text(f"城镇调查失业率为{number}{sign}。", "t.txt")
        found = [m for m in quantity_mentions(doc, segment(doc)) if m.label == "Quantity"]
        assert [(m.data.value, m.data.unit) for m in found if isinstance(m.data, Figure)] == [
            (as_decimal(Decimal(number)), "%")
        ]


def figures(text: str) -> list[tuple[str, str, str, str]]:
    doc = load_text(text, "t.txt")
    return [
        (f.indicator, str(f.value), f.unit, f.measure)
        for m in quantity_mentions(doc, segment(doc))
        if isinstance(f := m.data, Figure)
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        # a figure in parentheses is the noun's before them; the list's total names nothing
        (
            "加上新增转移支付（127.92亿元）、新增一般债务（25.59亿元）等174.6亿元。",
            [("加上新增转移支付", "12792000000", "元", "level"), ("新增一般债务", "2559000000", "元", "level")],
        ),
        # a growth rate after a share is the level's
        (
            "教育支出119.06亿元，占比12.4%，下降9%。",
            [
                ("教育支出", "11906000000", "元", "level"),
                ("教育支出占比", "12.4", "%", "share"),
                ("教育支出增长率", "-9", "%", "growth_rate"),
            ],
        ),
        # other currencies and units with a denominator
        ("全年实际使用外资3.89亿美元。", [("实际使用外资", "389000000", "美元", "level")]),
        ("公路密度185.69公里/百平方公里。", [("公路密度", "185.69", "公里/百平方公里", "level")]),
        # an age describing a person is no figure; a life expectancy is
        ("80岁的老人每月领取养老金。人均预期寿命增至82.5岁。", [("人均预期寿命", "82.5", "岁", "level")]),
        # vague amounts are no figures
        ("大厦集聚数十家企业。", []),
        # a news lead is no part of a label
        ("本报讯（记者 张三）招商引资到位资金22.7亿元。", [("招商引资到位资金", "2270000000", "元", "level")]),
        # a bare 总数 is the total of what the sentence counted before it
        (
            "一季度新增长护险定点护理机构26家，总数达到318家。",
            [("新增长护险定点护理机构", "26", "家", "level"), ("长护险定点护理机构总数", "318", "家", "level")],
        ),
        # transactions (笔) and rainfall (毫米) are counted and measured
        ("全年办理业务超过21万笔。", [("办理业务", "210000", "笔", "level")]),
        ("全年平均降水量612.3毫米。", [("平均降水量", "612.3", "毫米", "level")]),
        # the change verb before a list of numbers is each one's
        (
            "城乡居民人均可支配收入分别增长4.2%、6.5%。",
            [
                ("城乡居民人均可支配收入增长率", "4.2", "%", "growth_rate"),
                ("城乡居民人均可支配收入增长率", "6.5", "%", "growth_rate"),
            ],
        ),
        (
            "出口、进口分别下降3%和5%。",
            [("出口增长率", "-3", "%", "growth_rate"), ("进口增长率", "-5", "%", "growth_rate")],
        ),
        # a concentration: a mass per volume
        ("PM2.5平均浓度下降到36微克/立方米。", [("PM2.5平均浓度", "36", "微克/立方米", "level")]),
        # 还 and 达 close a label only where they are words of their own: 稳岗返还, 下达 keep theirs
        ("落实失业保险稳岗返还1860万元。", [("落实失业保险稳岗返还", "18600000", "元", "level")]),
        ("中央直达资金下达68.5亿元。", [("中央直达资金下达", "6850000000", "元", "level")]),
        ("参保人数达8.1万人。", [("参保人数", "81000", "人", "level")]),
        # 各 opens a label as "each", but 各项, 各类 are words of the noun (各项贷款余额)
        ("各项贷款余额1712.8亿元。", [("各项贷款余额", "171280000000", "元", "level")]),
        # a percentage before 的 and a noun is the share of those things
        ("实现80%以上的高频政务服务事项在乡镇便民服务中心办理。", [("高频政务服务事项占比", "80", "%", "share")]),
        # a clause of a bare verb (安排54.9亿元) arranges its sentence's subject
        (
            "全市一般公共预算收入预期增长4%，安排54.9亿元。",
            [
                ("全市一般公共预算收入增长率", "4", "%", "growth_rate"),
                ("全市一般公共预算收入安排", "5490000000", "元", "level"),
            ],
        ),
        # a later clause of the same budget keeps its level (市本级) and budget
        (
            "市本级一般公共预算收入安排15.2亿元，支出安排56.8亿元。",
            [
                ("市本级一般公共预算收入安排", "1520000000", "元", "level"),
                ("市本级一般公共预算支出安排", "5680000000", "元", "level"),
            ],
        ),
        # the heading's level stays with a budget the sentence's subject names
        (
            "（二）市级预算\n社保基金预算收入300亿元，支出335.76亿元。",
            [
                ("市级社保基金预算收入", "30000000000", "元", "level"),
                ("市级社保基金预算支出", "33576000000", "元", "level"),
            ],
        ),
        # the words of an estimate or a target say what kind of figure it is, not what it measures
        ("全市一般公共预算收入预计完成36.7亿元。", [("全市一般公共预算收入", "3670000000", "元", "level")]),
        ("城镇新增就业力争达到5万人。", [("城镇新增就业", "50000", "人", "level")]),
    ],
)
def test_quantities_labels_on_report_and_news_forms(text: str, expected: list[tuple[str, str, str, str]]) -> None:
    """Parentheses, lists, shares, currencies, denominators, ages, vague amounts and leads read right."""
    assert figures(text) == expected


def test_quantities_budget_level_and_kind_from_headings() -> None:
    """A heading's level (市级) and budget (一般公共预算) stay in the labels under it; 全市 before a budget stays."""
    text = "（二）市级预算执行情况\n1.一般公共预算\n收入完成100亿元，增长3%。全市一般公共预算收入500亿元。\n"
    assert [f[0] for f in figures(text)] == [
        "市级一般公共预算收入",
        "市级一般公共预算收入增长率",
        "全市一般公共预算收入",
    ]


@pytest.mark.parametrize(
    "text, indicator",
    [
        # a verb of reach opening a clause: what reaches is the object of the clause before it
        ("开展汽车、家电等消费品以旧换新活动，惠及消费者43万人次。", "消费品以旧换新活动惠及消费者"),
        ("发放稳岗补贴，惠及市场主体9.6万家。", "发放稳岗补贴惠及市场主体"),
        (
            "评价对象为各部门管理的2020-2021年省级产业发展专项资金，涉及财政资金48亿元。",
            "省级产业发展专项资金涉及财政资金",
        ),
        # 举行 is a bare verb: the counted noun after the number names what is counted
        ("面向高校毕业生等重点群体举行近300场招聘会。", "重点群体举行招聘会"),
        # a quoted name is read whole, never cut inside its quotes
        ("101个服务窗口实行居民身份证业务“全城通办”。", "服务窗口实行居民身份证业务“全城通办”"),
        # a shortened repeat of an indicator the sentence named is that indicator
        ("2018年，规上工业企业数量仅226户；到2024年，企业数量增至442户。", "规上工业企业数量"),
        # a year inside the phrase: what stands before it is a predicate, not what is counted
        ("这是佳木斯务实推动2025年“七聚七提”40件民生实事的剪影。", "“七聚七提”民生实事"),
        # a percentage followed by 用于 is the share of the whole before it that goes there
        ("全国财政支出70%以上用于民生。", "财政支出用于民生占比"),
    ],
)
def test_quantities_indicator_from_the_clauses_around(text: str, indicator: str) -> None:
    """Chinese leaves out what an earlier clause named: the label takes it from there."""
    assert quantities(text)[-1][0] == indicator


def test_quantities_long_share_keeps_its_part_and_its_change_in_points() -> None:
    """X占Y的比重 is a share, not a relative clause: a long one keeps X (not only 比重), and a change
    in points after it (比上年提高1.4个百分点) is the share's."""
    text = "高技术制造业增加值占规模以上工业增加值的比重为19.6%，比上年提高1.4个百分点。"
    assert quantities(text) == [
        ("高技术制造业增加值占规模以上工业增加值的比重", "19.6", "%", "exact"),
        ("高技术制造业增加值占规模以上工业增加值的比重增量", "1.4", "百分点", "exact"),
    ]
    longer = "用于教育、医疗卫生、社会保障和就业等民生领域的支出占全市一般公共预算支出的比重为78.6%。"
    assert quantities(longer)[0][0] == "用于教育、医疗卫生、社会保障和就业等民生领域的支出占比"


@pytest.mark.parametrize(
    "text, indicator",
    [
        # a list closed by 等 and its kind says where the counted things come from
        ("试点地区要将社保、医保、户籍等领域不少于100项高频政务服务事项下放至乡镇。", "高频政务服务事项下放至乡镇"),
        # 整合 is a bare verb: what it makes is counted after the number
        ("分散在各部门的办事窗口已整合为22个综合窗口。", "办事窗口已整合综合窗口"),
    ],
)
def test_quantities_counted_noun_after_a_list_or_a_bare_verb(text: str, indicator: str) -> None:
    assert quantities(text)[0][0] == indicator


def test_quantities_fenbie_after_clauses_of_their_own_deals_out_their_labels() -> None:
    """A，B，分别增长x和y: with no subject of its own, 分别 deals its rates out to the figures of the
    clauses before it, one each, in order."""
    text = "城镇居民人均可支配收入达到52136元，农村居民人均可支配收入达到23861元，分别增长4.1%和6.3%。"
    assert [f[0] for f in quantities(text)] == [
        "城镇居民人均可支配收入",
        "农村居民人均可支配收入",
        "城镇居民人均可支配收入增长率",
        "农村居民人均可支配收入增长率",
    ]


@pytest.mark.parametrize(
    "text, labels",
    [
        # a counterpart (支出 of 收入) takes the rest of the first item; 同比 may stand after 分别
        (
            "全市一般公共预算收入、支出分别同比增长3.1%、2.4%。",
            ["全市一般公共预算收入增长率", "全市一般公共预算支出增长率"],
        ),
        ("全市一般公共预算收入、支出分别完成52.8亿元、362.9亿元。", ["全市一般公共预算收入", "全市一般公共预算支出"]),
        ("货物进口、出口分别增长5%、8%。", ["货物进口增长率", "货物出口增长率"]),
    ],
)
def test_quantities_fenbie_over_counterparts(text: str, labels: list[str]) -> None:
    assert [f[0] for f in quantities(text)] == labels


@pytest.mark.parametrize(
    "text, expected",
    [
        # 同口径, 按可比口径 compare like with like: no part of what grows
        (
            "全市一般公共预算收入完成52.8亿元，同口径增长3.5%。",
            [
                ("全市一般公共预算收入", "5280000000", "元", "exact"),
                ("全市一般公共预算收入增长率", "3.5", "%", "exact"),
            ],
        ),
        (
            "税收收入32.6亿元，按可比口径增长2.1%。",
            [("税收收入", "3260000000", "元", "exact"), ("税收收入增长率", "2.1", "%", "exact")],
        ),
        # 每千人口: the base of a rate, no amount of people that would cut the label
        ("每千人口拥有执业（助理）医师3.2人。", [("每千人口拥有执业（助理）医师", "3.2", "人", "exact")]),
    ],
)
def test_quantities_comparison_basis_and_rate_base(text: str, expected: list[tuple[str, str, str, str]]) -> None:
    assert quantities(text) == expected


def test_quantities_year_of_a_comparison_or_a_date_stays() -> None:
    """较2024年同期 is a comparison's base and 2023年5月 a date: neither cuts the label."""
    assert quantities("医共体较2024年同期节约410多万元。")[-1][0] == "医共体较2024年同期节约"


def test_quantities_reach_takes_no_long_clause_or_figure() -> None:
    """A long clause or one with its own figure before 惠及 names no one thing: the label stays."""
    assert quantities("拉动投资15亿元，惠及消费者43万人次。")[-1][0] == "惠及消费者"
    long_clause = "将公租房货币补贴对象由城镇低收入家庭拓展至城镇中低收入家庭，惠及补贴对象1129户。"
    assert quantities(long_clause)[-1][0] == "惠及补贴对象"
