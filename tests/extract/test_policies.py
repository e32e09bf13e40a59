"""Policy mentions: scheme names and variants, discovered names, and ordinary quotes that are not policies."""

from __future__ import annotations

import pytest

from kg.extract.policies import policy_mentions
from kg.load import load_text
from kg.types import PolicyName


def found(text: str) -> list[tuple[str, str, bool]]:
    doc = load_text(text, "t.txt")
    return [(m.text, m.key, isinstance(m.data, PolicyName) and m.data.discovered) for m in policy_mentions(doc)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("某县全面推行惠企政策“免申即享”。", [("免申即享", "mianshen-jixiang", False)]),
        ("企业可免申报即享受稳岗资金。", [("免申报即享受", "mianshen-jixiang", False)]),
        ("全面落实河湖长制。", [("河湖长制", "hezhang-zhi", False)]),
        # variants other provinces write: 免申即兑 (兑现 of a benefit), 帮代办
        ("推行惠企政策“免申即兑”。", [("免申即兑", "mianshen-jixiang", False)]),
        ("为老年人提供帮代办服务。", [("帮代办", "bangban-daiban", False)]),
        ("深入实施全民参保计划。", [("全民参保计划", "quanmin-canbao-jihua", False)]),
        (
            "推进政务服务“跨省通办”“掌上办”。",
            [("跨省通办", "kuasheng-tongban", False), ("掌上办", "zhangshang-ban", False)],
        ),
        ("开展“社保服务进万家”活动。", [("社保服务进万家", "d-", True)]),
        ("实施“小微企业贷款贴息”工程。", [("小微企业贷款贴息", "d-", True)]),
        ("印发《某市优化营商环境三年行动方案》。", [("某市优化营商环境三年行动方案", "d-", True)]),
    ],
)
def test_policies_found(text: str, expected: list[tuple[str, str, bool]]) -> None:
    """Scheme labels link to their concept; discovered names are marked as such."""
    got = found(text)
    assert [(t, k[:2] if d else k, d) for t, k, d in got] == expected


@pytest.mark.parametrize(
    "text",
    [
        "兜牢民生“底线”。",
        "志愿服务有“温度”。",
        "实现“零距离”服务。",
        "他说：“我每月按时领取养老金。”",
        "各项工作取得明显成效。",
    ],
)
def test_policies_ordinary_quotes_are_not_policies(text: str) -> None:
    """Quoted ordinary phrases are not discovered as policies."""
    assert found(text) == []
