"""Segmentation: blocks, articles with their titles, sentences, forward-looking sections."""

from __future__ import annotations

import pytest

from kg.extract.regions import region_codes_in
from kg.load import load_file, load_text
from kg.segment import blocks_of, classify, segment
from tests.conftest import CORPUS


@pytest.mark.parametrize(
    "line, kind",
    [
        ("□ 记者 汤红红", "byline"),
        ("◎ 白雪", "byline"),
        ("□本报实习记者 马军 通讯员 陈小平", "byline"),
        ("本报讯（记者 李静）12月24日，记者从省政府新闻办获悉。", "lead"),
        ("新华社北京3月5日电 近日，中宣部命名第九批示范点。", "lead"),
        ("中新社北京1月5日电 记者从国家医保局获悉。", "lead"),
        # a roundup's dateline: 本报 with a place and a date before 电
        ("本报南昌2月25日电 南昌市把“免申即享”作为惠企服务的重要抓手。", "lead"),
        ("本报乌鲁木齐2月25日电 乌鲁木齐市开通“跨省通办”事项168项。", "lead"),
        # 社…电 without a date between is a word (全社会用电量), not an agency's lead
        ("全年全社会用电量285.3亿千瓦时，增长9.6%。", "body"),
        ("（下转四版）", "mark"),
        ("加快绿色低碳转型", "headline"),
        ("——四川旺苍县2023年精神文明建设工作综述", "headline"),
        ("二、2024年目标任务和重点工作", "headline"),
        ("全省空气质量优良天数比例达95%以上，同比提高。", "body"),
    ],
)
def test_segment_classify_lines(line: str, kind: str) -> None:
    """Each kind of newspaper line is recognised."""
    assert classify(line) == kind


def test_segment_byline_starts_articles_and_closing_titles_are_assigned() -> None:
    """Two bylined bodies, with both titles closing the page, get the title that fits each."""
    text = (
        "□ 记者 张三\n2023年，我市社保部门全面推进全民参保，社保服务水平持续提升。\n"
        "□ 记者 李四\n2023年，青海省生态环境持续改善，空气质量优良天数比例达96%。\n"
        "守护青海生态环境\n"
        "社保服务暖民心\n"
    )
    seg = segment(load_text(text, "p.txt"), region_codes_in)
    assert [a.title for a in seg.articles] == ["社保服务暖民心", "守护青海生态环境"]


def test_segment_title_block_at_top_joins_bodies_by_region() -> None:
    """Titles listed at the top of a page find their bodies by the region the body opens on."""
    text = (
        "托起百姓稳稳的幸福\n——青海格尔木市完善社会保障\n◎ 甲\n"
        "文明耀旺苍\n——四川旺苍县精神文明建设综述\n◎ 乙\n"
        "2023年以来，四川省广元市旺苍县坚持统筹推动文明培育。\n"
        "该县全面深入实施公民道德建设工程。\n"
        "在刚刚过去的2023年，青海省海西蒙古族藏族自治州格尔木市深入践行以人民为中心的发展思想。\n"
    )
    seg = segment(load_text(text, "p.txt"), region_codes_in)
    titles = [a.title for a in seg.articles]
    assert titles == ["文明耀旺苍 ——四川旺苍县精神文明建设综述", "托起百姓稳稳的幸福 ——青海格尔木市完善社会保障"]
    assert "格尔木市深入践行" in "".join(
        load_text(text, "p.txt").text[s.start : s.end] for s in seg.articles[1].sentences
    )


def test_segment_sentences_end_at_stops_and_keep_quotes() -> None:
    """Sentences end at 。！？ and keep a closing quote."""
    doc = load_text("他说：“就近办很方便。”全省已有185家网点。今年继续推进！", "s.txt")
    seg = segment(doc)
    sentences = [doc.text[s.start : s.end] for _a, s in seg.sentences()]
    assert sentences == ["他说：“就近办很方便。”", "全省已有185家网点。", "今年继续推进！"]


def test_segment_headings_by_depth() -> None:
    """Each sentence knows the headings above it: 一、 then （一） then an inline （1） heading."""
    text = (
        "一、2025年预算执行情况\n（一）一般公共预算\n（1）全市收支情况。收入12亿元。\n"
        "二、2026年预算草案\n收入13亿元。\n"
    )
    doc = load_text(text, "r.txt")
    (article,) = segment(doc).articles
    chains = {
        doc.text[s.start : s.end]: [doc.text[h.start : h.end] for h in chain]
        for s, chain in zip(article.sentences, article.headings, strict=True)
    }
    assert chains["收入12亿元。"] == ["一、2025年预算执行情况", "（一）一般公共预算", "（1）全市收支情况。"]
    assert chains["收入13亿元。"] == ["二、2026年预算草案"]


def test_segment_captions_and_credits_are_marks() -> None:
    """A photo caption with its credit, its repeat without it, and the credit alone are not body text."""
    text = (
        "题目\n本报记者  张三\n居民在食堂用餐。  新华社记者  伍志尊摄\n"
        "居民在食堂用餐。\n新华社记者  伍志尊摄\n正文一句。\n"
    )
    doc = load_text(text, "c.txt")
    kinds = [(doc.text[b.start : b.end], b.kind) for b in blocks_of(doc)]
    assert [t for t, k in kinds if k == "mark"] == [
        "居民在食堂用餐。  新华社记者  伍志尊摄",
        "居民在食堂用餐。",
        "新华社记者  伍志尊摄",
    ]
    assert ("正文一句。", "body") in kinds


def test_segment_seed_000_two_articles_titled_from_page_end() -> None:
    """000 holds two articles whose titles both close the page."""
    seg = segment(load_file(CORPUS / "000_0960200b9a27a30c.txt"), region_codes_in)
    assert [a.title for a in seg.articles] == ["格尔木社保稳稳托起民生幸福", "绘绿色生态画卷 让山川湖海长青"]


def test_segment_seed_002_gelmud_title_reaches_body_at_end() -> None:
    """002's 格尔木 title at the top is joined to its body at the end of the page."""
    doc = load_file(CORPUS / "002_ddfab8472888ccbf.txt")
    seg = segment(doc, region_codes_in)
    assert len(seg.articles) >= 6
    last = seg.articles[-1]
    assert last.title is not None and "格尔木" in last.title
    assert "免申即享" in doc.text[last.blocks[0].start : last.blocks[-1].end]
    assert any(a.title and "旺苍" in a.title for a in seg.articles)
