"""Page layout of Chinese government and newspaper text: furniture, bylines, leads and headings.

Photo credits, captions printed with their credit, picture and data-source notes, page-turn
marks, bylines, the leads of news reports and the numbers of headings. Both load (which must not
join such a line to the next) and segment (which sets them apart as marks, bylines and headings)
read these definitions, so the two cannot disagree.
"""

from __future__ import annotations

import re

# 本报记者 张艺开摄, 何  清摄（影像中国）, 新华社发: the credit of a photo, alone on its line.
PHOTO_CREDIT = re.compile(
    r"[□◎]?\s*(?:(?:本报|新华社|人民网)?(?:特约|实习)?记者\s*)?[^\s。，；]{1,4}(?:\s{1,2}[^\s。，；]{1,3})?"
    r"\s*(?:摄|摄影|供图|制图|/摄)(?:[（(][^）)]{1,10}[）)])?|新华社发|[^\s。，；]{2,6}供图"
)
# Notes that stand for a picture or a table's source.
FURNITURE = re.compile(
    r"资料图片|图片来源[:：].*|数据来源[:：].*|制图[:：].*|[（(]图片[^）)]*[）)]|.{0,12}(?:邮箱|信箱|邮件)[:：]\s*\S+@\S+"
)
# A caption followed, after a wide gap, by its credit or note.
_CAPTION = re.compile(r"(?P<caption>.{2,120}?)\s+(?P<credit>\S.{1,29})")
# 《人民日报》（2026年02月24日第 17 版）: the paper, date and page of a newspaper article.
DATELINE = re.compile(
    r"《(?P<paper>[^》]{2,12}报)》\s*[（(]\s*(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日\s*(?:第\s*\d+\s*版)?\s*[）)]"
)
# Numbered headings by depth, as reports number them: 第一部分, 一、, （一）, 1. / 1、, （1）.
HEADING_LEVELS = (
    re.compile(r"第[一二三四五六七八九十\d]+(?:部分|章|篇)\s*"),
    re.compile(r"[一二三四五六七八九十]+、"),
    re.compile(r"[（(][一二三四五六七八九十]+[）)]"),
    re.compile(r"\d{1,2}(?:\.(?!\d)|、)"),
    re.compile(r"[（(]\d{1,2}[）)]"),
)
# 一、 （二）: the numbers that open a heading in Chinese numerals, however the line reads.
_CHINESE_NUMBERED = f"{HEADING_LEVELS[1].pattern}|{HEADING_LEVELS[2].pattern}"
HEADING_NUMBER = re.compile(f"^(?:{_CHINESE_NUMBERED})")
# 一、 （二） 第三章: a numbered heading line ends at its line break.
HEADING_LINE = re.compile(f"{_CHINESE_NUMBERED}|第[一二三四五六七八九十]+[章节部分]")

# （上接第一版）, （下转第3版）: where an article continues on another page.
_PAGE_TURN = r"[（(][上下][接转]"
PAGE_TURN_MARK = re.compile(_PAGE_TURN + r"第?[一二三四五六七八九十\d]+版[）)]")
# 本报讯, 新华社北京3月5日电, 中新社北京1月5日电: the lead of a news report. Another agency's 社…电
# needs its date (or nothing) between: 全社会用电量 opens a paragraph of every statistical bulletin.
NEWS_LEAD = re.compile(
    r"^(?:本报讯|本报\S{0,10}讯|本报\S{0,8}?\d{1,2}月\d{1,2}日电|\S{0,6}日报\S{0,10}讯|新华社\S{0,12}电|\S{0,6}社(?:\S{0,8}?\d{1,2}月\d{1,2}日)?电)"
)
# ◎ 本报记者 张三, 通讯员 李四: who wrote an article.
BYLINE = re.compile(
    r"^(?:[◎□■●]\s*\S|(?:本报)?(?:特约|实习|首席)?记者\s|.{0,12}(?:日报|晚报|新闻网|融媒)?(?:特约|实习)?记者\s*\S{1,4}(?:\s|$)|通讯员\s)"
)
# 绵府办发〔2025〕18号, （皖开放办〔2022〕6号）: a document's issue number, on its own line under its title.
DOCUMENT_NUMBER = r"[（(]?[\u4e00-\u9fff]{1,12}[〔［\[]\d{4}[〕］\]]\d{1,5}号"
# （2026年1月6日在…会议上）: when and where a report was made, on its own line under its title.
_OCCASION_LINE = r"[（(]\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
# ——2026年1月15日在…会议上 or （2026年1月6日在…会议上）: a report's occasion is a line of its own, however wide;
# the speaker's line below it (海东市财政局局长 马文忠) is not wrapped into it (会议上海东市 is no 上海).
OCCASION_LINE = re.compile(r"(?:——|[（(])\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
# A line starting with one of these begins a new block whatever the previous line was.
BLOCK_START = re.compile(
    rf"[◎□■●◆★▲]|本报讯|新华社|——|{_PAGE_TURN}|{_CHINESE_NUMBERED}|{DOCUMENT_NUMBER}|{_OCCASION_LINE}"
)


_MAX_CAPTION_LINE = 160  # a caption (at most 120) with its credit (at most 30) and the gap between


def caption_of(line: str) -> str | None:
    """The caption of a line that is a photo caption followed by its credit, else None."""
    if len(line) > _MAX_CAPTION_LINE:
        return None
    m = _CAPTION.fullmatch(line.strip())
    if m and (PHOTO_CREDIT.fullmatch(m.group("credit")) or FURNITURE.fullmatch(m.group("credit"))):
        return m.group("caption")
    return None


def is_furniture(line: str) -> bool:
    """A credit, a picture or data-source note, or a caption with its credit: not prose.

    >>> is_furniture("本报记者 张艺开摄"), is_furniture("全市生产总值增长5%。")
    (True, False)
    >>> caption_of("格尔木市政务服务中心大厅。    本报记者 张艺开摄")
    '格尔木市政务服务中心大厅。'
    """
    t = line.strip()
    if len(t) > _MAX_CAPTION_LINE:
        return False  # a paragraph: furniture lines are short
    return bool(PHOTO_CREDIT.fullmatch(t) or FURNITURE.fullmatch(t)) or caption_of(t) is not None
