"""Agencies: a region or level word before a body's name, national bodies, and resolution of jurisdiction."""

from __future__ import annotations

import pytest

from kg.facts import document_facts
from kg.load import load_text
from kg.types import DocMeta


def agencies(text: str, region: str | None = None) -> set[tuple[str, str]]:
    facts = document_facts(load_text(text, "t.txt", meta=DocMeta(date="2024-03", region=region)))
    return {(a.name, a.jurisdiction) for a in facts.agencies}


def aliases(text: str, region: str | None = None) -> set[str]:
    facts = document_facts(load_text(text, "t.txt", meta=DocMeta(date="2024-03", region=region)))
    return {alias for a in facts.agencies for alias in (a.name, *a.aliases)}


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


def test_agencies_keep_written_forms_as_aliases() -> None:
    """The forms written in text stay as alternative labels (省社保局, 昌吉州社保中心)."""
    assert {"省社保局"} <= aliases("青海省召开会议，省社保局部署工作。")
    assert {"昌吉州社保中心", "昌吉州社会保险中心"} <= aliases("昌吉州社保中心推进改革。")


@pytest.mark.parametrize(
    "text",
    [
        "政府工作报告指出要稳增长。",
        "全省生态环境部门共检查企业7695家。",
        "各级政府要落实责任。",
        "他在检察院工作多年。",
    ],
)
def test_agencies_bodies_without_a_place_are_not_agencies(text: str) -> None:
    """A body's name with no region or level before it (or 全/各) is not an agency."""
    assert agencies(text, "630000") == set()
