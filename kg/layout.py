"""Page layout of Chinese government and newspaper text: the lines that are furniture, not prose.

Photo credits, captions printed with their credit, picture and data-source notes, and numbered
heading lines. Both load (which must not join such a line to the next) and segment (which sets
them apart as marks and headings) read these definitions, so the two cannot disagree.
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
# 一、 （二） 第三章: a numbered heading line ends at its line break.
HEADING_LINE = re.compile(
    r"[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|第[一二三四五六七八九十]+[章节部分]"
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
    """A credit, a picture or data-source note, or a caption with its credit: not prose."""
    t = line.strip()
    if len(t) > _MAX_CAPTION_LINE:
        return False  # a paragraph: furniture lines are short
    return bool(PHOTO_CREDIT.fullmatch(t) or FURNITURE.fullmatch(t)) or caption_of(t) is not None
