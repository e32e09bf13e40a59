"""Resolve: a document's date and genre from its own text, and what 全市/全国 refer to."""

from __future__ import annotations

import pytest

from kg.facts import document_facts
from kg.load import load_text
from kg.resolve import document_date, document_genre
from kg.segment import segment
from kg.types import DocMeta

# Paragraphs as long as a report's: the loader then reads short lines as lines, not a newspaper column.
BODY = "\n".join(["全市经济运行总体平稳，各项工作取得新进展，民生保障持续加强，改革开放不断深化。" * 2] * 3)


@pytest.mark.parametrize(
    "text, name, date",
    [
        ("标题\n本报记者  某某《人民日报》（2026年02月24日第 17 版）\nBODY\n", "a.txt", "2026-02-24"),
        ("关于某市预算执行情况的报告\n——2026年1月22日在某市第十七届人民代表大会上\nBODY\n", "b.txt", "2026-01-22"),
        ("某市2025年统计公报\n发布时间：2026-05-18\nBODY\n", "c.txt", "2026-05-18"),
        ("关于印发某方案的通知\n各有关单位：\nBODY\n某某办公室\n2022年3月23日\n", "d.txt", "2022-03-23"),
        ("BODY\n", "303_report_2021.txt", "2021"),
        ("BODY\n", "notes.txt", None),
    ],
)
def test_resolve_document_date_from_text_then_file_name(text: str, name: str, date: str | None) -> None:
    """A dateline, a 在…会议上 line, 发布时间, a signature date, else a year in the file name."""
    assert document_date(load_text(text.replace("BODY", BODY), name)) == date


def test_resolve_document_date_metadata_wins() -> None:
    """The corpus metadata's date is used when given."""
    doc = load_text("《人民日报》（2026年02月24日第 17 版）\n", "a.txt", meta=DocMeta(date="2020"))
    assert document_date(doc) == "2020"


@pytest.mark.parametrize(
    "title, genre",
    [
        ("某省关于加快对接经贸新规则的实施意见的通知", "plan"),
        ("某市“十五五”规划纲要", "plan"),
        ("关于某市2025年预算执行情况和2026年预算草案的报告（摘要）", "report"),
        ("某市2025年国民经济和社会发展统计公报", "report"),
        ("窗口服务，“跑”出加速度", "news"),
    ],
)
def test_resolve_document_genre_from_title(title: str, genre: str) -> None:
    """A plan states what is to be done, a report what was done; any other title is news."""
    doc = load_text(f"{title}\n{BODY}\n", "t.txt")
    assert document_genre(doc, segment(doc)) == genre


def test_resolve_genre_of_a_notice_over_its_issue_number() -> None:
    """A notice's issue number on the line under its title (绵府办发〔2025〕18号) is not part of the
    title: the title still ends in 通知, and what the notice sets out is planned."""
    text = (
        "某市人民政府办公室关于印发《某市推进政务服务改革实施方案》的通知\n某府办发〔2025〕18号\n"
        "各县（市、区）人民政府，市级各部门：\n《某市推进政务服务改革实施方案》已经市政府同意，现印发给你们。\n"
    )
    doc = load_text(text, "t.txt")
    assert document_genre(doc, segment(doc)) == "plan"


def test_resolve_report_region_from_the_lines_under_its_title() -> None:
    """A report titled without a place is about the region of the meeting it was given at and of
    who gives it, not the county it names most (晋江市, 石狮市 in a list)."""
    text = (
        "政府工作报告\n——2026年1月10日在泉州市第十八届人民代表大会第五次会议上\n泉州市人民政府\n各位代表：\n"
        "过去一年，城镇新增就业9.2万人，石狮市地区生产总值达到1208亿元。\n"
    )
    found = periods(text, "2026-01-10")
    assert found["92000"][0] == "350500"
    assert found["120800000000"][0] == "350581"


def test_resolve_report_says_whole_city_of_its_own_city() -> None:
    """In a city's report, 全市 after a county-level city it names (晋江市) is still the city; a place
    of one clause group (在石狮市开展试点) is not the subject of the next (推广…，在全市建成…)."""
    text = (
        "泉州市2026年政府工作报告\n一、2025年工作回顾\n晋江市在全省率先试点集成改革。\n"
        "全面推行河湖长制，全市1386名各级河湖长累计巡河12.6万人次。\n"
        "在石狮市开展长期护理保险制度试点；推广“社银合作”模式，在全市建成300个社银合作网点。\n"
    )
    found = periods(text, "2026-01-10")
    assert found["126000"][0] == found["300"][0] == "350500"
    facts = document_facts(load_text(text, "t.txt", meta=DocMeta(date="2026-01-10")))
    assert {(a.region, a.policy.policy_id) for a in facts.adoptions if a.policy.policy_id == "sheyin-hezuo"} == {
        ("350500", "sheyin-hezuo")
    }


def test_resolve_country_and_level_references() -> None:
    """全国 is China; 全区 is the last district the article named, not the province named in passing."""
    text = "□ 记者 某某\n在青海省西宁市城东区，全区新增就业1000人。全国新增就业1200万人。\n"
    facts = document_facts(load_text(text, "t.txt", meta=DocMeta(date="2024-06")))
    assert {(o.region, o.value) for o in facts.observations} == {("630102", 1000), ("000000", 12000000)}


def test_resolve_level_words_name_existing_regions() -> None:
    """全市 in an article about 北京市朝阳区 is 北京市 (a city of province rank), 全区 the district."""
    text = "□ 记者 某某\n北京市朝阳区推进改革。全市城镇新增就业1.2万人。全区新增就业3000人。\n"
    facts = document_facts(load_text(text, "t.txt", meta=DocMeta(date="2024-06")))
    assert {(o.region, int(o.value)) for o in facts.observations} == {("110000", 12000), ("110105", 3000)}


def periods(text: str, date: str, region: str | None = None) -> dict[str, tuple[str, str | None]]:
    """Each figure's (region, period), by its value."""
    facts = document_facts(load_text(text, "t.txt", meta=DocMeta(date=date, region=region)))
    return {str(o.value): (o.region, o.period) for o in facts.observations}


def test_resolve_stock_over_a_span_is_the_spans() -> None:
    """A stock counted 截至6月底 is the level at the end of June; a count over 上半年 is the half's."""
    text = "□ 记者 某某\n今年上半年，抚远市旅游总人数96.32万人次。截至6月底，抚远市养老保险参保人数12万人。\n"
    found = periods(text, "2025-07-16")
    assert found["963200"] == ("230883", "2025-01/2025-06")
    assert found["120000"] == ("230883", "2025-06")


def test_resolve_rate_counted_until_a_month_is_the_rate_then() -> None:
    """A rate or share 截至12月底 is the level at the end of December, as a stock is: a percentage
    is never a sum over the months; a growth rate to that date still covers them."""
    text = (
        "□ 记者 某某\n截至2025年11月底，湛江市基本养老保险参保人数达到486.2万人，参保率为95.6%。"
        "截至2025年11月底，湛江市社保基金收入增长4.1%。\n"
    )
    found = periods(text, "2026-01-20")
    assert found["4862000"] == found["95.6"] == ("440800", "2025-11")
    assert found["4.1"] == ("440800", "2025-01/2025-11")


def test_resolve_what_can_be_done_is_the_pages_time() -> None:
    """A clause that says what can be done (…事项可线上帮办代办) states the page's present, not the year
    its paragraph opened with; what was done then (推出…服务) keeps that year."""
    text = (
        "□ 记者 某某\n新余市持续优化政务服务。\n2023年，新余市推出帮办代办服务，新增窗口12个。"
        "全市1884项服务事项可线上帮办代办，人均可支配收入达到3.2万元。\n"
    )
    found = periods(text, "2026-02-25")
    assert found["1884"] == ("360500", "2026")
    assert found["12"] == found["32000"] == ("360500", "2023")


def test_resolve_year_end_takes_the_year_last_named() -> None:
    """年底前 is the end of the year the text last named (还将在2026年推行…，力争年底前…)."""
    text = "□ 记者 某某\n邯郸市还将在2026年推行“医保码”应用，力争年底前定点医药机构接入率达到100%。\n"
    assert periods(text, "2025-12-18")["100"] == ("130400", "2026")


def test_resolve_page_dateline_is_not_the_year_reported() -> None:
    """A dateline under a news title (云南日报 2026年1月8日) dates the page; the article that opens
    with 2025年 reports 2025 in its later paragraphs."""
    text = (
        "红河州医保服务跑出“加速度”\n云南日报  2026年1月8日\n"
        "2025年，红河哈尼族彝族自治州持续深化改革，全州跨省异地就医直接结算17.6万人次。\n"
        "建水县推行合作，建成医保服务点43个。\n"
    )
    assert periods(text, "2026-01-08")["43"] == ("532524", "2025")


def test_resolve_stock_of_firms_counted_until_a_month() -> None:
    """经营主体总量 counted 截至2月底 is the stock at the end of February."""
    text = "□ 记者 某某\n截至2月底，临沂全市经营主体总量达到132.6万户。\n"
    assert periods(text, "2026-03-18")["1326000"] == ("371300", "2026-02")


def test_resolve_month_without_year() -> None:
    """A month written alone takes the year its paragraph last wrote; with none, a month that has
    not come yet at the page's date is last year's."""
    text = "□ 记者 某某\n2025年1至11月，全国城镇新增就业1210万人。11月，全国城镇调查失业率为5.1%。\n"
    assert periods(text, "2026-01-13")["5.1"] == ("000000", "2025-11")
    alone = "□ 记者 某某\n11月，全国外来农业户籍劳动力城镇调查失业率为4.4%。\n"
    assert periods(alone, "2026-01-13")["4.4"] == ("000000", "2025-11")
    assert periods(alone, "2026-12-20")["4.4"] == ("000000", "2026-11")


def test_resolve_stocktaking_date_gives_later_sentences_its_year() -> None:
    """截至2025年9月底 frames its own sentence; a later sentence of the paragraph keeps its year only."""
    text = (
        "□ 记者 某某\n截至2025年9月底，全国基本养老保险参保人数为10.74亿人。"
        "近年来，全国基本医保年度参保率稳定在95%左右。\n"
    )
    found = periods(text, "2026-01-13")
    assert found["1074000000"] == ("000000", "2025-09")
    assert found["95"] == ("000000", "2025")


def test_resolve_time_after_the_subjects_region_frames_the_sentence() -> None:
    """南宁市1-5月…，利润总额…: a time written right after the subject's region frames the later clauses;
    上半年实现地区生产总值…，同比增长4.8%: a growth rate in a clause of its own is of its level's period."""
    text = "□ 记者 某某\n南宁市1-5月规上工业增加值增长5%，利润总额120亿元，增长3%。\n"
    found = periods(text, "2026-07-15")
    assert found["12000000000"] == ("450100", "2026-01/2026-05")
    assert found["3"] == ("450100", "2026-01/2026-05")
    half = "□ 记者 某某\n南宁市上半年实现地区生产总值2612亿元，同比增长4.8%。\n"
    assert periods(half, "2026-07-15")["4.8"] == ("450100", "2026-01/2026-06")


def test_resolve_months_not_yet_ended_at_the_pages_date_are_last_years() -> None:
    """1至11月, 前三季度 written without a year on a January page end after its date: they are last
    year's months; on a November page they are this year's."""
    text = "□ 记者 某某\n南宁市1至11月城镇新增就业5.2万人，前三季度地区生产总值4022亿元。\n"
    found = periods(text, "2026-01-15")
    assert found["52000"] == ("450100", "2025-01/2025-11")
    assert found["402200000000"] == ("450100", "2025-01/2025-09")
    assert periods(text, "2025-11-20")["52000"] == ("450100", "2025-01/2025-11")


def test_resolve_time_after_a_lead_frames_later_clause_groups() -> None:
    """A time opening a clause after a news lead (…获悉，今年1—10月，…) frames the sentence's later
    clause groups, as one opening the sentence does."""
    text = (
        "本报讯（记者 某某）记者从万州区人力社保局获悉，今年1—10月，万州区城镇新增就业2.18万人；"
        "发放失业保险稳岗返还资金1860万元。\n"
    )
    found = periods(text, "2025-11-26")
    assert found["21800"] == ("500101", "2025-01/2025-10")
    assert found["18600000"] == ("500101", "2025-01/2025-10")


def test_resolve_article_opening_at_a_stocktaking_date() -> None:
    """An article that opens 截至2025年11月，… reports that year, in its later paragraphs too."""
    text = (
        "□ 记者 某某\n截至2025年11月，江西省有效发明专利拥有量达5.8万件。\n"
        "江西省推行知识产权专员制度，培养专业人才近3000名。\n"
    )
    assert periods(text, "2026-01-06")["3000"] == ("360000", "2025")


def test_resolve_counts_up_to_now_are_the_pages_year() -> None:
    """On a page of the year's first months, completed work is last year's, unless the sentence
    counts from a stated start up to now (设立以来, 9年来); 近年来 states no start."""
    since = "□ 记者 某某\n雄安新区设立9年来形成了涵盖733所学校的教育体系。\n"
    assert periods(since, "2026-02-24")["733"] == ("133100", "2026")
    vague = "□ 记者 某某\n近年来，江油市先后资助困境儿童2000余人，累计投入帮扶资金300万元。\n"
    assert periods(vague, "2024-01-10")["3000000"] == ("510781", "2023")
    plan = "□ 记者 某某\n宝安区同日也发布了2026年民生实事清单，将投入120亿元推进民生项目。\n"
    assert periods(plan, "2026-02-03")["12000000000"] == ("440306", "2026")
    whole_year = "□ 记者 某某\n银川市设立“零工市场”，全年发布岗位信息1.2万条。\n"
    assert periods(whole_year, "2026-01-20")["12000"] == ("640100", "2025")
    assert periods(whole_year, "2026-07-20")["12000"] == ("640100", "2026")


def test_resolve_semicolon_group_without_region_keeps_the_subject() -> None:
    """A clause group that names no region (…；基金支出能省30%) is about the subject of the groups
    before it; 全国首单 is the scope of a ranking, no subject."""
    text = (
        "□ 记者 某某\n云南省曲靖市推进医共体改革。马龙区负责人说，“全区实行医共体打包付费；"
        "共享药房零差率销售，基金支出能省30%以上。”\n"
    )
    assert periods(text, "2026-01-06")["30"][0] == "530304"
    ranked = (
        "□ 记者 某某\n截至2025年11月，江西省有效发明专利拥有量达5.8万件；"
        "全国首单知识产权证券化产品落地江西；地理标志品牌价值超1200亿元。\n"
    )
    assert periods(ranked, "2026-01-06")["120000000000"][0] == "360000"


def test_resolve_region_in_a_listed_name_is_no_subject() -> None:
    """A region inside an item of a list that 等 closes (上海垣信, a company) is a member of what is
    counted, not where; a list at the head of its clause (西宁、海东等地) is its subject, and a count
    over it stands on the region its members lie in, not on the last of them."""
    text = "□ 记者 某某\n佳木斯市吸引航天驭星、上海垣信等8家行业头部企业落地。\n"
    assert periods(text, "2025-07-16")["8"][0] == "230800"
    head = "□ 记者 某某\n北京市专家介绍，西宁市、海东市等地新增就业1.2万人。\n"
    assert periods(head, "2025-07-16")["12000"][0] == "630000"
