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
