"""Facts: adoptions with region and status, observations with region and period, evidence offsets."""

from __future__ import annotations

import pytest

from kg.facts import document_facts
from kg.load import load_text
from kg.types import DocMeta


def adoptions(text: str, date: str = "2024-06", region: str | None = None) -> set[tuple[str, str, str]]:
    facts = document_facts(load_text(text, "t.txt", meta=DocMeta(date=date, region=region)))
    return {(a.region, a.policy.policy_id, a.status) for a in facts.adoptions}


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "□ 记者 某某\n2023年，格尔木市全面推行“免申即享”经办模式。\n",
            {("632801", "mianshen-jixiang", "implemented")},
        ),
        ("□ 记者 某某\n海东市被选为首批“就近办”试点地区。\n", {("630200", "jiujin-ban", "piloting")}),
        ("□ 记者 某某\n西宁市将推行“一网通办”。\n", {("630100", "yiwang-tongban", "planned")}),
        (
            "□ 记者 某某\n昌吉州社保中心工作扎实。我州落实告知承诺制。\n",
            {("652300", "gaozhi-chengnuo-zhi", "implemented")},
        ),
        (
            "□ 记者 某某\n四川省广元市旺苍县同步落实河长制、林长制。\n",
            {("510821", "hezhang-zhi", "implemented"), ("510821", "linzhang-zhi", "implemented")},
        ),
    ],
)
def test_facts_adoptions_region_and_status(text: str, expected: set[tuple[str, str, str]]) -> None:
    """The region comes from the sentence or a reference word; the status from the sentence."""
    assert adoptions(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # 全省 before 率先 is the scope of a ranking; the county-level city runs the pilot
        (
            "□ 记者 某某\n晋江市在全省率先试点“一件事一次办”集成改革。\n",
            {("350582", "yijianshi-yiciban", "piloting")},
        ),
        # 全省 after 获批 is the scope of a designation
        (
            "□ 记者 某某\n界首市获批全省“高效办成一件事”改革试点。\n",
            {("341282", "gaoxiao-banchengyijianshi", "piloting")},
        ),
        # a pilot sought (争取纳入…试点) is not yet run: planned; one approved (获批) is piloting
        (
            "□ 记者 某某\n南宁市积极争取纳入“无废城市”建设试点。\n",
            {("450100", "wufei-chengshi", "planned")},
        ),
        # a region after 是 or 作为 is the scope of what the subject is, not the subject
        (
            "□ 记者 某某\n银川市是宁夏职业伤害保障试点城市之一。\n",
            {("640100", "zhiye-shanghai-baozhang", "piloting")},
        ),
        # 全国 after 入选 is the list's scope, not who builds the zero-waste city
        (
            "□ 记者 某某\n大理市入选全国“十四五”时期“无废城市”建设名单。\n",
            {("532901", "wufei-chengshi", "implemented")},
        ),
        # 网上办件量 counts cases (办件): no 网上办 named
        ("□ 记者 某某\n一季度，南山区网上办件量达到48.6万件。\n", set()),
        # the places of a pilot (在太原市、大同市开展…试点) are not the subject of the next clause
        (
            "□ 记者 某某\n山西省在太原市、大同市开展“证照分离”改革试点，推行涉企经营许可事项“告知承诺制”。\n",
            {
                ("140100", "zhengzhao-fenli", "piloting"),
                ("140200", "zhengzhao-fenli", "piloting"),
                ("140000", "gaozhi-chengnuo-zhi", "implemented"),
            },
        ),
        # a share of matters that can be handled online is a figure, not the 网上办 service mode
        ("□ 记者 某某\n宜昌市政务服务事项网上可办率达99.2%。\n", set()),
        # 惠企资金直达快享 is 直达快享 of funds, not the 资金直达 mechanism
        ("□ 记者 某某\n柳州市推行“惠企资金直达快享”。\n", {("450200", "zhida-kuaixiang", "implemented")}),
    ],
)
def test_facts_adoptions_scope_words_and_names(text: str, expected: set[tuple[str, str, str]]) -> None:
    """Scope words (在全省率先, 入选全国) name no region that runs a policy; a rate is no policy."""
    assert adoptions(text) == expected


def test_facts_regions_listed_together_share_an_adoption() -> None:
    """Regions listed with 、 和 及 before a policy all run it; a region after 与 is only a partner."""
    listed = "□ 记者 某某\n绵阳市在涪城区、游仙区和三台县开展“帮办代办”服务试点。\n"
    assert adoptions(listed) == {(code, "bangban-daiban", "piloting") for code in ("510703", "510704", "510722")}
    as_pilots = "□ 记者 某某\n诸城市、青州市作为居民长期护理保险试点地区，已将城乡居民纳入保障范围。\n"
    assert adoptions(as_pilots) == {(code, "changqi-huli-baoxian", "piloting") for code in ("370782", "370781")}
    partner = "□ 记者 某某\n宜昌市与重庆市万州区签订合作协议，推行“跨省通办”。\n"
    assert adoptions(partner) == {("420500", "kuasheng-tongban", "implemented")}


def test_facts_label_that_names_a_listed_region_is_its_figure() -> None:
    """晋江市、南安市、石狮市地区生产总值分别达到…: each value is its own city's, as its label says."""
    text = "□ 记者 某某\n泉州市经济平稳，晋江市、南安市、石狮市地区生产总值分别达到3520亿元、1612亿元和1208亿元。\n"
    facts = document_facts(load_text(text, "t.txt", meta=DocMeta(date="2026-01")))
    assert {(o.region, o.indicator) for o in facts.observations} == {
        ("350582", "晋江市地区生产总值"),
        ("350583", "南安市地区生产总值"),
        ("350581", "石狮市地区生产总值"),
    }


def test_facts_second_fenbie_deals_out_the_first_ones_labels() -> None:
    """郑州、洛阳地区生产总值分别达到…，分别增长…: the growth rates are each city's, as the levels are."""
    text = "□ 记者 某某\n郑州、洛阳地区生产总值分别达到14936.5亿元和5896.1亿元，分别增长5.9%和5.6%。\n"
    facts = document_facts(load_text(text, "t.txt", meta=DocMeta(date="2026-03")))
    rates = {(o.region, str(o.value)) for o in facts.observations if o.measure == "growth_rate"}
    assert rates == {("410100", "5.9"), ("410300", "5.6")}


def test_facts_figure_over_a_list_of_regions() -> None:
    """A number after a list of regions is their total (the region they lie in), or each one's when
    均/都 says so."""
    total = "□ 记者 某某\n柳州市筹措资金，支持柳江区、鹿寨县、融水苗族自治县实施乡村振兴项目186个。\n"
    facts = document_facts(load_text(total, "t.txt", meta=DocMeta(date="2026-01")))
    assert {(o.region, str(o.value)) for o in facts.observations} == {("450200", "186")}
    later = "□ 记者 某某\n阜阳市优化服务，临泉县、太和县推行“帮办代办”服务，累计帮办事项2.1万件。\n"
    facts = document_facts(load_text(later, "t.txt", meta=DocMeta(date="2026-01")))
    assert {(o.region, str(o.value)) for o in facts.observations} == {("341200", "21000")}
    each = "□ 记者 某某\n射阳县、东台市一般公共预算收入均超过40亿元。\n"
    facts = document_facts(load_text(each, "t.txt", meta=DocMeta(date="2026-01")))
    assert {(o.region, str(o.value)) for o in facts.observations} == {
        ("320924", "4000000000"),
        ("320981", "4000000000"),
    }


def test_facts_funds_sought_from_a_province_are_the_seekers() -> None:
    """争取浙江省…专项资金: the province gives the funds, the city that seeks them is the figure's."""
    text = "□ 记者 某某\n义乌市争取浙江省共同富裕示范区建设专项资金3.2亿元。\n"
    facts = document_facts(load_text(text, "t.txt", meta=DocMeta(date="2026-01")))
    assert {o.region for o in facts.observations} == {"330782"}


def test_facts_pilot_a_district_seeks_to_join_is_its_plan() -> None:
    """争取纳入全市“跨省通办”试点: 全市 after 纳入 is the scope the district seeks to join, not the
    subject; the district (the clause leaves it out) plans it."""
    text = "□ 记者 某某\n合肥市庐阳区将深化改革，积极争取纳入全市“跨省通办”试点。\n"
    assert adoptions(text, date="2026-01") == {("340103", "kuasheng-tongban", "planned")}


def test_facts_pilot_places_written_as_runs() -> None:
    """在银川市西夏区、吴忠市利通区开展…试点: each item of the list is a run (city, district), and each
    district runs the pilot."""
    text = "□ 记者 某某\n在银川市西夏区、吴忠市利通区、中卫市沙坡头区开展“就近办”试点。\n"
    assert adoptions(text) == {
        ("640105", "jiujin-ban", "piloting"),
        ("640302", "jiujin-ban", "piloting"),
        ("640502", "jiujin-ban", "piloting"),
    }


def test_facts_pilot_rolled_out_later_is_the_provinces_plan() -> None:
    """在湘潭县、醴陵市开展“就近办”试点，…，试点经验成熟后在全省推广: the counties pilot it, and the
    province whose 全省 a later clause rolls it out to plans it."""
    text = (
        "□ 记者 某某\n湖南省印发方案，在湘潭县、醴陵市开展政务服务“就近办”试点，"
        "探索集中办理高频事项，试点经验成熟后在全省推广。\n"
    )
    assert adoptions(text) == {
        ("430321", "jiujin-ban", "piloting"),
        ("430281", "jiujin-ban", "piloting"),
        ("430000", "jiujin-ban", "planned"),
    }


def test_facts_notice_with_a_long_title_and_a_table_of_places() -> None:
    """A notice's title longer than a heading, above its issue number, is its title: the table of pilot
    places closing the text is no title of it, and what the notice plans is the province's."""
    text = (
        "宁夏回族自治区人民政府办公厅关于印发宁夏推进政务服务“就近办”“全区通办”工作方案的通知\n"
        "宁政办发〔2025〕31号\n"
        "各市、县（区）人民政府：\n"
        "深化“一网通办”改革，打造“15分钟政务服务圈”。2025年底前，“全区通办”事项达到300项。\n"
        "附件：试点任务分解表\n"
        "试点地区 试点内容 完成时限\n"
        "西夏区 “就近办” 2025年12月\n"
    )
    assert ("640000", "yiwang-tongban", "planned") in adoptions(text, date="2025-06-16")
    found = observations(text, date="2025-06-16")
    assert [(o[0], o[2], o[3]) for o in found] == [("640000", "300", "项")]


def test_facts_partners_after_yu_are_no_figures_region() -> None:
    """与安徽六安、湖北随州等地: every region of the partners' list is an object, and none is part of the
    label; the figure is the subject's (the region the sentence's clause group is about)."""
    text = "□ 记者 某某\n荣昌区深化川渝“跨省通办”，与四川内江、泸州等地实现312项事项通办。\n"
    facts = document_facts(load_text(text, "t.txt", meta=DocMeta(date="2026-01")))
    assert {(o.region, o.indicator, str(o.value)) for o in facts.observations} == {("500153", "事项通办", "312")}


def test_facts_roundup_sections_headed_by_places() -> None:
    """A page whose sections are headed by places of different provinces (江苏常州——, 四川宜宾——) is a
    roundup: each section, and the subhead under its place heading, is about that place, not the
    place the page's first lines name."""
    text = (
        "多地推进改革\n\n本报记者  王  浩《人民日报》（2026年03月18日第 11 版）\n\n"
        "江苏常州——\n\n“新生儿出生一件事”实现全程网办\n\n常州市推出“高效办成一件事”重点事项32个。\n\n"
        "四川宜宾——\n\n“川渝通办”打破地域壁垒\n\n宜宾市与重庆市永川区等地合作，推动高频事项异地办理。\n"
    )
    assert adoptions(text, date="2026-03-18") == {
        ("320400", "wangshang-ban", "implemented"),
        ("320400", "gaoxiao-banchengyijianshi", "implemented"),
        ("511500", "kuasheng-tongban", "implemented"),
    }


def test_facts_roundup_sections_opened_by_benbao_datelines() -> None:
    """A roundup whose sections each open with 本报某地X月X日电 under a subhead: each section is its own
    article, about its own city, not the first section's."""
    text = (
        "人民日报 2026年2月26日 第11版\n各地深化政务服务改革\n本报记者 张毅 李晓\n"
        "山东济南：“一件事”集成办\n本报济南2月25日电 济南市推行“高效办成一件事”，累计办件42.8万件。\n"
        "新疆乌鲁木齐：“跨省通办”打通服务堵点\n"
        "本报乌鲁木齐2月25日电 乌鲁木齐市已开通“跨省通办”事项168项。\n"
    )
    assert adoptions(text, date="2026-02-26") == {
        ("370100", "gaoxiao-banchengyijianshi", "implemented"),
        ("650100", "kuasheng-tongban", "implemented"),
    }


def test_facts_pilot_places_listed_after_a_colon() -> None:
    """A notice's “就近办”试点：A市B区、C市D区 lists the pilot places after the policy: each item (a run's
    last region) pilots it."""
    text = (
        "福建省人民政府办公厅关于开展政务服务“就近办”试点工作的通知\n一、试点地区\n"
        "（一）“就近办”试点：福州市鼓楼区、厦门市集美区、泉州市晋江市。\n"
        "（二）“免申即享”改革试点地区为：漳州市、龙岩市。\n"
    )
    found = adoptions(text, date="2025-06-18")
    assert {
        ("350102", "jiujin-ban", "piloting"),
        ("350211", "jiujin-ban", "piloting"),
        ("350582", "jiujin-ban", "piloting"),
        ("350600", "mianshen-jixiang", "piloting"),
        ("350800", "mianshen-jixiang", "piloting"),
    } <= found
    assert not any(code in ("350100", "350200", "350500") for code, _, _ in found)


def test_facts_places_a_sentence_says_already_pilot() -> None:
    """在长春市、通化市已开展试点的基础上，将…纳入…试点范围: the places of the earlier pilot pilot the policy too."""
    text = "□ 记者 某某\n在长春市、通化市已开展试点的基础上，吉林省将松原市纳入长期护理保险制度试点范围。\n"
    found = adoptions(text, date="2026-02")
    assert {("220100", "changqi-huli-baoxian", "piloting"), ("220500", "changqi-huli-baoxian", "piloting")} <= found
    assert ("220700", "changqi-huli-baoxian", "piloting") in found


def test_facts_reference_word_inside_a_policy_name_is_no_region() -> None:
    """全省 inside “全省通办” names no region: the figure stays the city's."""
    text = "□ 记者 某某\n绵阳市推进改革，到2026年底，“跨省通办”“全省通办”事项不少于300项。\n"
    found = {
        str(o.value): o.region
        for o in document_facts(load_text(text, "t.txt", meta=DocMeta(date="2025-06"))).observations
    }
    assert found["300"] == "510700"


def test_facts_work_report_targets_are_planned() -> None:
    """Policies under a report's targets heading are planned, and its results are about last year."""
    text = (
        "青海省政府工作报告\n一、2023年工作回顾\n全省落实河长制。\n二、2024年目标任务和重点工作\n全面推行免申即享。\n"
    )
    found = adoptions(text, date="2024", region="630000")
    assert ("630000", "hezhang-zhi", "implemented") in found
    assert ("630000", "mianshen-jixiang", "planned") in found


def test_facts_review_heading_whose_head_is_a_review_word() -> None:
    """（三）重点工作落实情况 reviews the key work (its head noun, 落实情况, comes last): what it lists was done."""
    text = (
        "关于某市2025年预算执行情况和2026年预算草案的报告\n"
        "一、2025年预算执行情况\n"
        "（三）重点工作落实情况\n"
        "惠企资金“免申即享”兑付1.15亿元。\n"
        "二、2026年预算草案\n"
        "（一）重点工作\n"
        "全面推行“不见面审批”。\n"
    )
    found = adoptions(text, date="2026-01-10", region="620500")
    assert found == {("620500", "mianshen-jixiang", "implemented"), ("620500", "bujianmian-shenpi", "planned")}


def test_facts_report_title_above_its_occasion_in_brackets() -> None:
    """（2026年1月6日在…会议上） under a report's title is a line of its own, not the title's end: the
    text is a report, and its part headed by the report's year plans."""
    text = (
        "关于台山市2025年预算执行情况和2026年预算草案的报告\n"
        "（2026年1月6日在台山市第十七届人民代表大会第五次会议上）\n"
        "一、2025年预算执行情况\n"
        "落实稳岗返还政策。\n"
        "二、2026年财政重点工作\n"
        "持续深化“放管服”改革。\n"
    )
    found = adoptions(text, date=None)
    assert found == {("440781", "wengang-fanhuan", "implemented"), ("440781", "fang-guan-fu", "planned")}


def test_facts_no_region_no_adoption() -> None:
    """A policy with no region anywhere in reach gives no adoption."""
    assert adoptions("□ 记者 某某\n要持续深化“放管服”改革。\n") == set()


def test_facts_observation_period_and_evidence() -> None:
    """An observation carries its period and evidence pointing at the original characters."""
    original = "□ 记者 某某\n\n截至 2023 年底，全市新增\n\n就业1.2万人。\n"
    doc = load_text(original, "t.txt", meta=DocMeta(date="2024-01", region="630100"))
    facts = document_facts(doc)
    (obs,) = [o for o in facts.observations if o.unit == "人"]
    assert (obs.region, obs.period, str(obs.value)) == ("630100", "2023", "12000")
    assert original[obs.evidence.start : obs.evidence.end] == obs.evidence.text
    assert "".join(obs.evidence.text.split()).startswith("截至2023年底")


def observations(text: str, date: str | None = "2024-06", region: str | None = None) -> list[tuple[str, ...]]:
    facts = document_facts(load_text(text, "t.txt", meta=DocMeta(date=date, region=region)))
    return sorted(
        (o.region, o.indicator, str(o.value), o.unit, o.measure, o.kind, o.period or "") for o in facts.observations
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        # one subject, three figures: the level, a signed change and a growth rate of it
        (
            "□ 记者 某某\n2023年，西宁市一般公共预算收入12.6亿元，比上年增收0.8亿元，增长6.8%。\n",
            [
                ("630100", "一般公共预算收入", "1260000000", "元", "level", "actual", "2023"),
                ("630100", "一般公共预算收入增量", "80000000", "元", "change", "actual", "2023"),
                ("630100", "一般公共预算收入增长率", "6.8", "%", "growth_rate", "actual", "2023"),
            ],
        ),
        # a decrease is negative
        (
            "□ 记者 某某\n2023年，海东市国有资本经营预算收入下降12.5%。\n",
            [
                ("630200", "国有资本经营预算收入增长率", "-12.5", "%", "growth_rate", "actual", "2023"),
            ],
        ),
        # a target and an estimate are not outcomes
        (
            "□ 记者 某某\n2024年，格尔木市力争城镇新增就业1万人，预计地区生产总值增长6%。\n",
            [
                ("632801", "城镇新增就业", "10000", "人", "level", "target", "2024"),
                ("632801", "地区生产总值增长率", "6", "%", "growth_rate", "estimate", "2024"),
            ],
        ),
        # a share of a whole
        (
            "□ 记者 某某\n2023年，西宁市民生支出占一般公共预算支出比重达80%。\n",
            [
                ("630100", "民生支出占一般公共预算支出比重", "80", "%", "share", "actual", "2023"),
            ],
        ),
        # the noun after a count names what is counted; 5个方面 is no figure
        (
            "□ 记者 某某\n2023年，海东市新增120个公共停车泊位，从5个方面推进改革。\n",
            [
                ("630200", "新增公共停车泊位", "120", "个", "level", "actual", "2023"),
            ],
        ),
        # a starting value is a fact only with its own time; 现在 is the page's year
        (
            "□ 记者 某某\n西宁市话务人员数量由2022年5月的40人，增长至现在的55人。\n",
            [
                ("630100", "话务人员数量", "40", "人", "level", "actual", "2022-05"),
                ("630100", "话务人员数量", "55", "人", "level", "actual", "2024"),
            ],
        ),
    ],
)
def test_facts_observations_measure_kind_and_label(text: str, expected: list[tuple[str, ...]]) -> None:
    """Each figure says what it measures, its measure and kind, its signed value and period."""
    assert observations(text) == sorted(expected)


def test_facts_observation_period_from_section_heading() -> None:
    """A figure under 一、2025年预算执行情况 of a 2026 report is about 2025; under the 2026 draft, a 2026 target."""
    text = (
        "关于西宁市2025年预算执行情况和2026年预算草案的报告\n"
        "一、2025年预算执行情况\n"
        "（一）政府性基金预算\n全市收入完成50亿元。\n"
        "二、2026年预算草案\n全市一般公共预算收入安排60亿元。\n"
    )
    found = observations(text, date="2026-01-20", region="630100")
    assert ("630100", "政府性基金预算收入", "5000000000", "元", "level", "actual", "2025") in found
    assert any(o[2] == "6000000000" and o[5] == "target" and o[6] == "2026" for o in found)


def test_facts_reference_words_mention_their_region() -> None:
    """A page about 哈尔滨市 that writes 全省 mentions 黑龙江省, though it never names it; 全国 adds no region."""
    text = "□ 记者 某某\n截至1月底，全省重点事项办件量86.4万件，居全国前列。哈尔滨市深化“一网通办”。\n"
    facts = document_facts(load_text(text, "t.txt", meta=DocMeta(date="2026-02-10")))
    assert set(facts.regions) == {"230100", "230000"}


def test_facts_document_date_from_the_text() -> None:
    """Without metadata, a newspaper dateline dates the page (its 目前 is the page's year)."""
    text = "标题一行\n本报记者  某某《人民日报》（2025年03月04日第 5 版）\n目前，海东市已建成15个服务站。\n"
    found = observations(text, date=None)
    assert found == [("630200", "建成服务站", "15", "个", "level", "actual", "2025")]


@pytest.mark.parametrize(
    "text, expected",
    [
        # a notice states what is to be done: planned, unless its clause says a pilot
        (
            "西宁市人民政府关于推行免申即享的通知\n各区政府：\n全面推行免申即享，在城东区开展就近办试点。\n",
            {("630100", "mianshen-jixiang", "planned"), ("630102", "jiujin-ban", "piloting")},
        ),
        # 将 followed by a noun and 纳入 is 把, not the future
        ("□ 记者 某某\n西宁市将更多事项纳入“一网通办”。\n", {("630100", "yiwang-tongban", "implemented")}),
        # a policy's own name (计划) says nothing of its status
        ("□ 记者 某某\n2023年，西宁市深入实施全民参保计划。\n", {("630100", "quanmin-canbao-jihua", "implemented")}),
        # a quoted directive is planned
        (
            "□ 记者 某某\n会议作出部署：“推行长期护理保险制度”。西宁市落实河长制。\n",
            {("630100", "changqi-huli-baoxian", "planned"), ("630100", "hezhang-zhi", "implemented")},
        ),
    ],
)
def test_facts_status_by_genre_and_clause(text: str, expected: set[tuple[str, str, str]]) -> None:
    """The genre sets the default status; the clause's own words decide the rest; one status per sentence."""
    assert adoptions(text, date="2024-06", region="630100") == expected


def test_facts_comparison_base_is_not_the_period() -> None:
    """比上年增长5.3% of a 2025 bulletin is about 2025, not the year it is compared with."""
    body = "全市经济运行总体平稳，各项工作取得新进展，民生保障持续加强，改革开放不断深化。" * 2
    text = f"西宁市2025年国民经济和社会发展统计公报\n{body}\n{body}\n全年地区生产总值1000亿元，比上年增长5.3%。\n"
    found = observations(text, date="2026-03-31")
    assert {o[6] for o in found} == {"2025"}


def test_facts_citations_and_pilots_and_cross_province_handling() -> None:
    """根据《…》 is a legal basis, no adoption; a quoted name before 试点 is piloted; 川渝通办 is 跨省通办."""
    text = "□ 记者 某某\n根据《某某管理办法》，西宁市开展“股贷债保”联动试点，推进川渝通办。\n"
    facts = document_facts(load_text(text, "t.txt", meta=DocMeta(date="2024-06")))
    got = {(a.policy.label, a.status) for a in facts.adoptions}
    assert ("股贷债保", "piloting") in got
    assert ("kuasheng-tongban", "implemented") in got
    assert not any("管理办法" in label for label, _status in got)


def test_facts_year_end_after_jinnian_is_this_years() -> None:
    """年底前 takes the year the text last named, and 今年 names one: on a March page, 今年…，力争年底前…
    is this year's end, not the end of the year an earlier sentence named (2025年…)."""
    text = (
        "□ 记者 某某\n2025年，遵义市兑现奖补资金2.35亿元。\n"
        "今年贵州省将新增“一件事”主题服务20项，力争年底前“一网通办”率达到95%以上。\n"
    )
    periods = {o[1]: o[-1] for o in observations(text, date="2026-03-18")}
    assert periods["兑现奖补资金"] == "2025"
    assert periods["“一网通办”率"] == "2026"


def test_facts_whole_year_clause_is_not_framed_by_a_month_end() -> None:
    """截至1月底，已开通…168项，全年异地办件量2.3万件: the first clause's month end frames the count after
    it, not the clause that 全年 opens (on a February page, the year just ended)."""
    text = "□ 记者 某某\n截至1月底，乌鲁木齐市已开通“跨省通办”事项168项，全年异地办件量2.3万件。\n"
    periods = {o[2]: o[-1] for o in observations(text, date="2026-02-26")}
    assert periods["168"] == "2026-01"
    assert periods["23000"] == "2025"
    framed = "□ 记者 某某\n截至2025年底，浙江省已在11个设区市推行改革，全年为企业减少跑动230万次。\n"
    assert {o[2]: o[-1] for o in observations(framed, date="2026-03-05")}["2300000"] == "2025"


def test_facts_whole_year_in_a_plan_part_is_the_reports_year() -> None:
    """全年 on a January page reviews the year just ended, but not in the report's plan part: under
    三、2026年重点工作, 全年计划实施重点项目320个 is this year's target."""
    text = (
        "政府工作报告\n——2026年1月20日在抚州市第五届人民代表大会第六次会议上\n"
        "一、过去一年工作回顾\n全市地区生产总值增长5.3%。\n"
        "三、2026年重点工作\n（一）扩大有效投资。全年计划实施重点项目320个，完成投资580亿元以上。\n"
    )
    facts = document_facts(load_text(text, "fuzhou_zhengfu_gongzuo_baogao_2026.txt", meta=DocMeta()))
    periods = {o.indicator: o.period for o in facts.observations}
    assert periods["地区生产总值增长率"] == "2025"
    assert periods["实施重点项目"] == "2026"


def _values(text: str, date: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for o in document_facts(load_text(text, "t.txt", meta=DocMeta(date=date))).observations:
        out.setdefault(str(o.value), set()).add(o.region)
    return out


def test_facts_group_word_refers_back_to_the_places_listed() -> None:
    """三地 after 义乌市、东阳市、永康市 is those three: their total stands in their common region (金华市)."""
    text = (
        "□ 记者 某某\n今年以来，义乌市、东阳市、永康市联合推行政务服务“跨城通办”，首批126个高频事项实现三地通办。"
        "截至10月底，三地“跨城通办”窗口累计办件2.8万件。\n"
    )
    assert _values(text, "2025-11-20")["28000"] == {"330700"}


def test_facts_group_word_written_after_its_list() -> None:
    """两市 right after its list, and a rate 均 over the group: each of the two."""
    text = "□ 记者 某某\n西宁市、海东市两市全面推行“免申即享”，惠企资金兑付1.6亿元。两市政务服务好评率均达到99%以上。\n"
    found = _values(text, "2025-11-20")
    assert found["160000000"] == {"630000"}
    assert found["99"] == {"630100", "630200"}
    assert {("630100", "mianshen-jixiang", "implemented"), ("630200", "mianshen-jixiang", "implemented")} <= adoptions(
        text, date="2025-11"
    )


def test_facts_group_word_without_a_fitting_list_keeps_the_region() -> None:
    """三地 with a list of two before it, or 全省各地, refers to no list: the fact keeps its subject."""
    text = "□ 记者 某某\n长沙市、株洲市推行“一网通办”。三地窗口办件1.2万件。湖南省全省各地办件5.6万件。\n"
    found = _values(text, "2025-11-20")
    assert found["12000"] == {"430100"}  # the clause before is 长沙市、株洲市's; no list of three
    assert found["56000"] == {"430000"}


def test_facts_group_word_reaches_back_through_its_article() -> None:
    """两市 in a later paragraph still counts the two pilots named above; a share of their total is theirs together."""
    text = (
        "咸阳市人民政府办公室关于开展政务服务“就近办”试点工作的通知\n"
        "市政府决定在兴平市、彬州市开展政务服务“就近办”试点。\n"
        "到2025年底，两市便民服务中心可办事项均不少于150项，两市合计办件量占全市的比重为30%。\n"
    )
    found = _values(text, "2025-07-15")
    assert found["150"] == {"610481", "610482"}
    assert found["30"] == {"610400"}


def test_facts_time_after_a_list_of_subjects_frames_the_later_clauses() -> None:
    """昆山市、太仓市、常熟市去年联合推行…，三市累计…: 去年 after the subjects' list frames the clauses after it."""
    text = (
        "□ 记者 某某\n昆山市、太仓市、常熟市去年联合推行“跨城通办”，三市累计办理跨城业务4.6万件，"
        "群众满意率均达到99.5%以上。\n"
    )
    found = {
        (str(o.value), o.region): o.period
        for o in document_facts(load_text(text, "t.txt", meta=DocMeta(date="2026-03-10"))).observations
    }
    assert found[("46000", "320500")] == "2025"
    assert found[("99.5", "320583")] == "2025"


def test_facts_places_written_before_a_pilots_name_pilot_it() -> None:
    """对乐都区、平安区“直达快享”试点经验进行总结: the places named right before the pilot's name are its pilots,
    though they are the verb's object; a scheme a district seeks to join is not yet its pilot."""
    text = (
        "关于海东市2025年预算执行情况的报告\n市财政局会同市人社局，对乐都区、平安区“直达快享”试点经验进行总结。"
        "互助县积极争取纳入青海省“就近办”试点。\n"
    )
    found = adoptions(text, date="2026-01", region="630200")
    assert {("630202", "zhida-kuaixiang", "piloting"), ("630203", "zhida-kuaixiang", "piloting")} <= found
    assert not any(code == "630000" for code, _, _ in found)


def test_facts_a_later_sentence_rolling_the_pilot_out_plans_it() -> None:
    """试点经验在全市推广 in a sentence that names no policy plans the pilot of the sentence before for 全市."""
    text = (
        "咸阳市人民政府办公室关于开展政务服务“就近办”试点工作的通知\n"
        "市政府决定在兴平市、彬州市开展政务服务“就近办”试点。\n一、工作目标\n"
        "到2025年底，两市便民服务中心可办事项均不少于150项；到2026年6月底，试点经验在全市推广。\n"
    )
    found = adoptions(text, date="2025-07-15", region="610400")
    assert {("610481", "jiujin-ban", "piloting"), ("610400", "jiujin-ban", "planned")} <= found


def test_facts_group_total_rate_and_groups_across_provinces() -> None:
    """三市共办理…，增长12% is the growth of their total (their common region); a group across provinces
    (陕西、甘肃两省) has no region below the country, so its figures keep the sentence's region."""
    text = (
        "□ 记者 某某\n宝鸡市、咸阳市、渭南市联合推行“跨城通办”。三市共办理业务2.4万件，比上年增长12%。\n"
        "陕西省、甘肃省签订协议。两省共办理“跨省通办”业务12.8万件。\n"
    )
    found = _values(text, "2026-01-28")
    assert found["24000"] == found["12"] == {"610000"}
    assert len(found["128000"]) == 1 and found["128000"] != {"000000"}


def test_facts_group_word_leaves_the_label() -> None:
    """两市重点事项网办率均达到90%: the label is what is measured, without the group word that names where."""
    text = "□ 记者 某某\n今年将在昆明市、曲靖市开展试点，力争年底前两市重点事项网办率均达到90%。\n"
    labels = {
        (o.region, o.indicator)
        for o in document_facts(load_text(text, "t.txt", meta=DocMeta(date="2026-02-06"))).observations
    }
    assert labels == {("530100", "重点事项网办率"), ("530300", "重点事项网办率")}
