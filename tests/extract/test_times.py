"""Time expressions and the periods facts get from them."""

from __future__ import annotations

import pytest

from kg.extract.times import time_mentions
from kg.load import load_text


@pytest.mark.parametrize(
    "text, key",
    [
        ("截至2023年底，", "Y2023"),
        ("2023年1—10月，", "R2023-01/2023-10"),
        ("截至2023年11月底，", "R2023-01/2023-11"),
        ("1月至11月，", "R?-01/?-11"),
        ("前11个月，", "R?-01/?-11"),
        ("截至11月底，", "R?-01/?-11"),
        ("1月，快递业务量", "M?-01"),
        ("2024年3月，", "M2024-03"),
        ("今年以来，", "REL0"),
        ("去年，", "REL-1"),
        ("截至目前，", "NOW"),
    ],
)
def test_times_keys(text: str, key: str) -> None:
    """Each expression gets the key the period resolution completes."""
    keys = [m.key for m in time_mentions(load_text(text, "t.txt"))]
    assert keys[0] == key


@pytest.mark.parametrize("text", ["第13个", "12345热线", "15分钟文明实践圈", "30余个品牌"])
def test_times_non_times(text: str) -> None:
    """Numbers that are not times give nothing."""
    assert list(time_mentions(load_text(text, "t.txt"))) == []
