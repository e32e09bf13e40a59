"""Time expressions and the periods facts get from them."""

from __future__ import annotations

import pytest

from kg.extract.times import time_mentions
from kg.load import load_text
from kg.types import TimeSpan


@pytest.mark.parametrize(
    "text, period",
    [
        ("截至2023年底，", "2023"),
        ("2023年1—10月，", "2023-01/2023-10"),
        ("截至2023年11月底，", "2023-01/2023-11"),
        ("1月至11月，", "2022-01/2022-11"),
        ("前11个月，", "2022-01/2022-11"),
        ("截至11月底，", "2022-01/2022-11"),
        ("前三季度，", "2022-01/2022-09"),
        ("2025年上半年，", "2025-01/2025-06"),
        ("1月，快递业务量", "2022-01"),
        ("2024年3月，", "2024-03"),
        ("今年以来，", "2024"),
        ("去年，", "2023"),
        ("当年3月，", "2022-03"),  # 当年: the year the context names
        ("“十四五”时期，", "2021/2025"),
        ("2020-2021 年，", "2020/2021"),
    ],
)
def test_times_periods(text: str, period: str) -> None:
    """Each expression completes to its period; a missing year comes from the context (here 2022),
    a relative one from the document's year (here 2024)."""
    (first, *_rest) = [m.data for m in time_mentions(load_text(text, "t.txt"))]
    assert isinstance(first, TimeSpan)
    assert first.complete(2022, 2024) == period


def test_times_now_is_marked() -> None:
    """截至目前 is the present, which the resolve stage dates."""
    (m,) = time_mentions(load_text("截至目前，", "t.txt"))
    assert isinstance(m.data, TimeSpan) and m.data.now


@pytest.mark.parametrize("text", ["第13个", "12345热线", "15分钟文明实践圈", "30余个品牌"])
def test_times_non_times(text: str) -> None:
    """Numbers that are not times give nothing."""
    assert list(time_mentions(load_text(text, "t.txt"))) == []


@pytest.mark.parametrize(
    "text, until",
    [("截至2025年9月底，", True), ("截至11月底，", True), ("截至2025年11月，", True), ("2025年上半年，", False)],
)
def test_times_until_marks_the_end_of_a_count(text: str, until: bool) -> None:
    """截至… is the moment a count runs to (a stock's level then); a span (上半年) is not."""
    (first, *_rest) = [m.data for m in time_mentions(load_text(text, "t.txt"))]
    assert isinstance(first, TimeSpan) and first.until is until
