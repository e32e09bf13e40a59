"""Time expressions: years, months, ranges, quarters, five-year plans, and words relative to the document date.

Each Time mention carries a TimeSpan; a year not written (1-10月, 前三季度, 目前) is left None for
the resolve stage to complete from the sentence, the section, the article or the document.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from functools import cache

from kg.extract.matcher import PhraseStarts, decimal_digits, finditer_at
from kg.types import Document, Mention, Segmentation, TimeSpan

_SEP = "[至到—\\-~－–]"
_CN = "一二三四五六七八九十"
_TIME = re.compile(
    rf"(?P<y1>\d{{4}})\s*{_SEP}\s*(?P<y2>\d{{4}})\s*年|(?P<yf>\d{{4}})(?=全年)"
    rf"|(?P<y>\d{{4}})\s*年\s*(?:(?P<m1>\d{{1,2}})月?{_SEP}(?P<m2>\d{{1,2}})月"
    rf"|(?P<m>\d{{1,2}})月(?:份|底|末|初)?|(?P<half>上半年|下半年)|(?P<quarters>前[{_CN}]季度|[{_CN}]季度)"
    rf"|(?P<yend>底|末)|(?P<ystart>初))?"
    rf"|截至(?P<ey>\d{{4}})年(?P<em>\d{{1,2}})月(?:底|末)"
    rf"|截至(?P<um>\d{{1,2}})月(?:底|末)"
    rf"|(?P<rm1>\d{{1,2}})月?{_SEP}(?P<rm2>\d{{1,2}})月"
    rf"|前(?P<first>\d{{1,2}}|[{_CN}]{{1,2}})个月"
    rf"|(?P<q>前[{_CN}]季度|[{_CN}]季度|上半年|下半年)"
    rf"|(?<![\d年])(?P<om>\d{{1,2}})月(?![\d日])"
    rf"|“(?P<plan>[{_CN}]{{1,2}})五”(?:时期|期间|以来|(?=[，,]))|(?P<plan2>[{_CN}]{{1,2}})五(?:时期|期间)"
    rf"|(?<![\d今去明当上前全])(?P<yearend>年(?:底|末)以?前)"
    rf"|(?P<rel>今年|去年|上年|前年|明年|当年|过去一年|一年来|目前|截至目前|当前|现在|现已|如今)"
    rf"(?:(?P<relm>\d{{1,2}})月(?:份|底|末|初)?)?"
)
# What a match of _TIME begins with: a decimal digit (any that \d matches) or one of these words.
# Scanning for these first and trying the regex only there is several times faster than finditer.
_TIME_WORDS = (
    "截至",
    "前",
    "上半年",
    "下半年",
    *(c + "季度" for c in _CN),
    "“",
    *_CN,
    "今年",
    "去年",
    "上年",
    "前年",
    "明年",
    "当年",
    "过去一年",
    "一年来",
    "目前",
    "当前",
    "现在",
    "现已",
    "如今",
    "年底",
    "年末",
)
_COMPARED = ("比", "较")
_UNTIL = ("截至", "截止", "截止到", "截至到")  # 截至2025年11月: the time a count runs to
_CN_NUMBER = {c: i for i, c in enumerate(_CN, 1)} | {f"十{c}": 10 + i for i, c in enumerate(_CN[:9], 1)}
# 一年来 (over the past year) reviews the year just ended, as 过去一年 does
_RELATIVE = {"今年": 0, "去年": -1, "上年": -1, "过去一年": -1, "一年来": -1, "前年": -2, "明年": 1}


def _plan_years(n: int) -> tuple[int, int] | None:
    """The years of the N-th five-year plan: 一五 1953-1957, 二五 1958-1962, then, after the
    1963-1965 adjustment, 三五 1966-1970 ... 十四五 2021-2025."""
    if n < 1:
        return None
    start = 1953 + 5 * (n - 1) if n <= 2 else 1966 + 5 * (n - 3)
    return start, start + 4


def _number(s: str) -> int:
    return int(s) if s.isdigit() else _CN_NUMBER.get(s, 0)


def _quarters(word: str) -> tuple[int, int]:
    """The months a quarter word covers: 前三季度 1-9, 二季度 4-6, 上半年 1-6."""
    if word == "上半年":
        return 1, 6
    if word == "下半年":
        return 7, 12
    n = _CN_NUMBER.get(word[1] if word.startswith("前") else word[0], 1)
    return (1, 3 * n) if word.startswith("前") else (3 * n - 2, 3 * n)


@cache
def time_starts() -> PhraseStarts:
    return PhraseStarts([*decimal_digits(), *_TIME_WORDS])


def time_span(m: re.Match[str]) -> TimeSpan | None:
    """The TimeSpan of one match of the time pattern; None for what is not a time (13月)."""
    g = m.groupdict()
    if g["yf"]:
        year = int(g["yf"])
        return TimeSpan(year) if 1900 <= year <= 2100 else None
    if g["y1"]:
        y1, y2 = int(g["y1"]), int(g["y2"])
        return TimeSpan(year=y1, end_year=y2) if y1 <= y2 else None
    if g["y"]:
        y = int(g["y"])
        if g["m1"]:
            m1, m2 = int(g["m1"]), int(g["m2"])
            return TimeSpan(y, m1, y, m2) if 1 <= m1 <= m2 <= 12 else None
        if g["m"]:
            month = int(g["m"])
            return TimeSpan(y, month) if 1 <= month <= 12 else None
        if g["half"] or g["quarters"]:
            first, last = _quarters(g["half"] or g["quarters"])
            return TimeSpan(y, first, y, last)
        return TimeSpan(y)
    if g["ey"]:
        month = int(g["em"])
        return TimeSpan(int(g["ey"]), 1, int(g["ey"]), month, until=True) if 1 <= month <= 12 else None
    if g["um"]:
        month = int(g["um"])
        return TimeSpan(month=1, end_month=month, until=True) if 1 <= month <= 12 else None
    if g["rm1"]:
        m1, m2 = int(g["rm1"]), int(g["rm2"])
        return TimeSpan(month=m1, end_month=m2) if 1 <= m1 <= m2 <= 12 else None
    if g["first"]:
        n = _number(g["first"])
        return TimeSpan(month=1, end_month=n) if 1 <= n <= 12 else None
    if g["q"]:
        first, last = _quarters(g["q"])
        return TimeSpan(month=first, end_month=last)
    if g["om"]:
        month = int(g["om"])
        return TimeSpan(month=month) if 1 <= month <= 12 else None
    if g["plan"] or g["plan2"]:
        years = _plan_years(_number(g["plan"] or g["plan2"]))
        return TimeSpan(year=years[0], end_year=years[1]) if years else None
    if g["yearend"]:  # 力争年底前…: the end of the year the text last named (2026年推行…，力争年底前…)
        return TimeSpan(anaphoric=True)
    rel = g["rel"]
    if rel == "当年":
        written = int(g["relm"]) if g["relm"] else None
        return TimeSpan(month=written, anaphoric=True) if written is None or 1 <= written <= 12 else None
    if rel in _RELATIVE:
        written = int(g["relm"]) if g["relm"] else None
        if written is not None and not 1 <= written <= 12:
            return None
        return TimeSpan(month=written, relative=_RELATIVE[rel])
    return TimeSpan(now=True)


def time_mentions(doc: Document, _seg: Segmentation | None = None) -> Iterator[Mention]:
    text = doc.text
    for m in finditer_at(_TIME, text, time_starts()(text)):
        if text[m.start() - 1 : m.start()] in _COMPARED:
            continue  # 比上年增长5.3%, 较2024年: the base of a comparison, not the figure's time
        span = time_span(m)
        if span is not None and not span.until and text[max(0, m.start() - 3) : m.start()].endswith(_UNTIL):
            span = replace(span, until=True)
        if span is not None:
            yield Mention(m.start(), m.end(), m.group(), "Time", "", span)


def parse_time(text: str) -> TimeSpan | None:
    """The TimeSpan of ``text`` when it is one time expression (2020年底, 2025年10月), else None.

    >>> parse_time("2025年10月").complete(None, None)
    '2025-10'
    >>> parse_time("去年").relative
    -1
    >>> parse_time("十月革命") is None
    True
    """
    m = _TIME.fullmatch(text)
    return time_span(m) if m else None
