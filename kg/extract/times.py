"""Time expressions: years, months, month ranges, and words relative to the document date.

A Time mention's ``key`` is a pattern the resolve stage completes with the document's dates:
"Y2023" (a year), "M2023-11" (a month), "R2023-01/2023-10" (a range), "R?-01/?-11" (a range
in a year not written), "M?-01" (a month in a year not written), "REL0" (今年), "REL-1" (去年),
"NOW" (目前, 截至目前).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from functools import cache

from kg.extract.matcher import PhraseStarts, finditer_at
from kg.types import Document, Mention, Segmentation

_RANGE_SEP = "[至到—\\-~－–]"
_TIME = re.compile(
    rf"(?P<y>\d{{4}})年(?:(?P<m1>\d{{1,2}})月?{_RANGE_SEP}(?P<m2>\d{{1,2}})月|(?P<m>\d{{1,2}})月(?:份|底|末)?)?"
    rf"|截至(?P<ey>\d{{4}})年(?P<em>\d{{1,2}})月(?:底|末)"
    rf"|截至(?P<um>\d{{1,2}})月(?:底|末)"
    rf"|(?P<rm1>\d{{1,2}})月?{_RANGE_SEP}(?P<rm2>\d{{1,2}})月"
    rf"|前(?P<first>\d{{1,2}}|[一二三四五六七八九十]{{1,2}})个月"
    rf"|(?<![\d年])(?P<om>\d{{1,2}})月(?![\d日])"
    rf"|(?P<rel>今年|去年|上年|明年|过去一年|目前|截至目前|当前)"
)
# What a match of _TIME begins with: a decimal digit (any that \d matches) or one of these words.
# Scanning for these first and trying the regex only there is several times faster than finditer.
_TIME_WORDS = ("截至", "前", "今年", "去年", "上年", "明年", "过去一年", "目前", "当前")
_CN_MONTH = {c: i for i, c in enumerate("一二三四五六七八九十", 1)} | {"十一": 11, "十二": 12}


def _month(s: str) -> int:
    return int(s) if s.isdigit() else _CN_MONTH.get(s, 0)


@cache
def _time_starts() -> PhraseStarts:
    digits = re.findall(r"\d", "".join(map(chr, range(sys.maxunicode + 1))))
    return PhraseStarts([*digits, *_TIME_WORDS])


def time_mentions(doc: Document, _seg: Segmentation | None = None) -> Iterator[Mention]:
    text = doc.text
    for m in finditer_at(_TIME, text, _time_starts()(text)):
        g = m.groupdict()
        if g["y"]:
            y = f"{int(g['y']):04d}"  # ASCII digits: \d also matches other scripts' (٢٠٢٤)
            if g["m1"]:
                key = f"R{y}-{int(g['m1']):02d}/{y}-{int(g['m2']):02d}"
            elif g["m"]:
                key = f"M{y}-{int(g['m']):02d}"
            else:
                key = f"Y{y}"
        elif g["ey"]:
            key = f"R{int(g['ey']):04d}-01/{int(g['ey']):04d}-{int(g['em']):02d}"
        elif g["um"]:
            key = f"R?-01/?-{int(g['um']):02d}"
        elif g["rm1"]:
            key = f"R?-{int(g['rm1']):02d}/?-{int(g['rm2']):02d}"
        elif g["first"]:
            key = f"R?-01/?-{_month(g['first']):02d}"
        elif g["om"]:
            month = int(g["om"])
            if not 1 <= month <= 12:
                continue
            key = f"M?-{month:02d}"
        else:
            rel = g["rel"]
            key = {"今年": "REL0", "去年": "REL-1", "上年": "REL-1", "过去一年": "REL-1", "明年": "REL1"}.get(
                rel, "NOW"
            )
        yield Mention(m.start(), m.end(), m.group(), "Time", key)
