"""Quantity mentions: a number with its multiplier (万, 亿), unit or counting word, and qualifier.

Each Quantity mention carries, in ``attrs``: ``value`` (base magnitude, as a decimal string),
``unit`` (base unit), ``qualifier``, ``indicator`` (the noun phrase measured), and ``role``
("value", or "old" for the starting value of a change 由…调整至…). Distributive lists
(A、B、C…分别达X、Y、Z) give each number its own indicator.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from decimal import Decimal
from functools import cache

import cn2an

from kg.reference import data_lines
from kg.types import Document, Figure, Mention, Segmentation, as_decimal

_MULTIPLIERS = {"万亿": 10**12, "千亿": 10**11, "百亿": 10**10, "亿": 10**8, "千万": 10**7, "百万": 10**6, "万": 10**4}
_CN_DIGITS = "零〇一二两三四五六七八九十百千"
_CLAUSE_BREAK = "，。；：！？!?;\n（）()"
_LEADING = re.compile(
    r"^(?:(?:截至|截止|到)?\d{4}年(?:\d{1,2}月)?(?:底|末|以来|上半年|全年)?"
    r"|(?:截至|截止)(?:目前|当前|年底)?|\d{1,2}(?:[至到—-]\d{1,2})?月(?:份|底|末)?"
    r"|今年以来|今年|去年|目前|当前|近年来|全年|前\d+个月|其中|同时|此外|共计|共|累计|现已|已)"
)
_REGION_WORDS = re.compile(
    r"^(?:全省|全市|全州|全县|全区|我省|我市|我州|我县|我区|本市|该市|该州|该县|该区|全疆|自治区)"
)
_TRAILING = re.compile(
    r"(?:分别|共计|合计|总计|累计|共|已|达到|达|为|是|完成|实现|突破|超过|超|增长到|增加到|提高到|提升到|增至|提高至|提升至|"
    r"调整至|调整为|增长至|增加至|上升到|上升至|下降到|下降至|降至|同比增长|同比|增长|增加|提高|减少|下降|比例为|约|近|逾|了)+$"
)
_EMPTY_HEAD = re.compile(
    r"^(?:为|向|对|有|已有|共有|新增|建成|实现|完成|组建|发放|惠及|带动|吸纳|帮助|培训|开展|举办|开行)?$"
)
_POST_CUT = re.compile(r"[，。；、：！？\d（(]|实现|参加|参与|获得|获|享受|受益|入驻|落户|的|已|完成|开展|覆盖|达|为")
_RATE = re.compile(r"(每(?:人|户|年|月|人每月|人每年|吨|亩|天|日)+)$")


@cache
def _units() -> dict[str, str]:
    out = {}
    for line in data_lines("units.tsv"):
        written, base, *_rest = line.split("\t")
        out[written] = base
    return out


@cache
def _quantity_re() -> re.Pattern[str]:
    units = "|".join(map(re.escape, sorted(_units(), key=lambda s: (-len(s), s))))
    mults = "|".join(sorted(_MULTIPLIERS, key=len, reverse=True))
    return re.compile(
        rf"(?P<pre>近|约|超过|逾|不足|不到|最高|最多|超)?"
        rf"(?P<num>\d+(?:\.\d+)?|[{_CN_DIGITS}]+(?:点[{_CN_DIGITS}]+)?)"
        rf"(?P<approx>余|多)?(?P<mult>{mults})?(?P<approx2>余|多)?"
        rf"(?P<unit>{units})(?P<post>以上|左右|以下|以内|多)?"
    )


def parse_number(num: str) -> Decimal | None:
    """Arabic or Chinese numerals to a Decimal; None for what is not a number."""
    if re.fullmatch(r"\d+(?:\.\d+)?", num):
        return Decimal(num)
    try:
        value = cn2an.cn2an(num, "smart")
    except (ValueError, KeyError, IndexError):
        return None
    return Decimal(str(value))


def qualifier_of(pre: str, approx: str, post: str) -> str:
    if post in ("以下", "以内") or pre in ("不足", "不到", "最多", "最高"):
        return "at_most"
    if post == "左右" or pre in ("约", "近"):
        return "about"
    if post in ("以上", "多") or approx or pre in ("超过", "逾", "超"):
        return "at_least"
    return "exact"


def _clause_start(text: str, pos: int, floor: int) -> int:
    i = pos
    while i > floor and text[i - 1] not in _CLAUSE_BREAK:
        i -= 1
    return i


def _strip_head(phrase: str) -> str:
    previous = None
    while phrase != previous:
        previous = phrase
        phrase = _LEADING.sub("", phrase, count=1).lstrip("，、")
        phrase = _REGION_WORDS.sub("", phrase, count=1)
    return phrase


def indicator_before(text: str, start: int, clause_start: int, region_spans: list[tuple[int, int]]) -> str:
    """The noun phrase a number measures, read from the clause before it."""
    pre = text[clause_start:start]
    rate = _RATE.search(_TRAILING.sub("", pre))
    rate_text = rate.group(1) if rate else ""
    # a change (由…至…, 从…到…): the phrase before 由/从
    change = re.search(r"(?:由|从)[^，。；]*$", pre)
    if change:
        pre = pre[: change.start()]
    pre = _TRAILING.sub("", pre)
    if rate_text and pre.endswith(rate_text):
        pre = _TRAILING.sub("", pre[: -len(rate_text)])
    # drop quantities inside the phrase: "为1077家企业发放稳岗返还补助" -> "企业发放稳岗返还补助"
    quantities = list(_quantity_re().finditer(pre))
    if quantities:
        last = quantities[-1]
        after = pre[last.end() :]
        if after.endswith(("、", "和", "及")):
            return ""  # the number is the next item of a list: its noun follows it
        pre = after.lstrip("、和及") if after.strip("、和及") else pre[: quantities[0].start()]
        pre = _TRAILING.sub("", pre)
    # drop a region named at the head of the clause (青海省…, 新疆…); spans are in text order
    first = bisect.bisect_left(region_spans, clause_start, key=lambda span: span[0])
    for s, e in region_spans[first:]:
        if text[clause_start:s].strip():
            break
        head = text[s:e]
        if pre.startswith(head):
            pre = pre[len(head) :]
    pre = _strip_head(pre).strip(" “”")
    if rate_text:
        pre = f"{pre}（{rate_text}）" if pre else ""
    return pre


def indicator_after(text: str, end: int, limit: int) -> str:
    """The noun phrase after a count: "185家银行网点实现了…" -> 银行网点."""
    m = _POST_CUT.search(text, end, limit)
    phrase = text[end : m.start() if m else limit].strip(" ")
    return _balance_quotes(phrase)


def _balance_quotes(phrase: str) -> str:
    if phrase.count("“") > phrase.count("”"):
        return phrase + "”"
    return phrase


def quantity_mentions(doc: Document, seg: Segmentation | None = None) -> Iterator[Mention]:
    """Quantities of each sentence (sentences come from the segmentation)."""
    if seg is None:
        return
    from kg.extract.regions import region_spans  # regions at clause heads are not indicators

    text = doc.text
    spans = region_spans(text)
    for _article, sentence in seg.sentences():
        yield from _sentence_quantities(text, sentence.start, sentence.end, spans)


def _sentence_quantities(text: str, s_start: int, s_end: int, spans: list[tuple[int, int]]) -> Iterator[Mention]:
    units = _units()
    matches = [m for m in _quantity_re().finditer(text, s_start, s_end) if _is_quantity(text, m)]
    distributive = _distributive_indicators(text, s_start, matches)
    for i, m in enumerate(matches):
        number = parse_number(m.group("num"))
        if number is None:
            continue
        value = number * _MULTIPLIERS.get(m.group("mult") or "", 1)
        unit = units[m.group("unit")]
        qualifier = qualifier_of(
            m.group("pre") or "", m.group("approx") or m.group("approx2") or "", m.group("post") or ""
        )
        clause = _clause_start(text, m.start(), s_start)
        role = "value"
        following = text[m.end() : m.end() + 6]
        if re.match(r"(?:调整|增长|增加|提高|提升|上升|下降|降低|减少)?(?:至|到|为)", following) and re.search(
            r"(?:由|从)[^，。；]{0,12}$", text[clause : m.start()]
        ):
            role = "old"
        if i in distributive:
            indicator = distributive[i]
        else:
            indicator = indicator_before(text, m.start(), clause, spans)
            if _EMPTY_HEAD.match(indicator):
                after = indicator_after(text, m.end(), s_end)
                verb = indicator if indicator not in ("为", "向", "对", "有", "已有", "共有") else ""
                indicator = f"{after}" if not verb else f"{verb}{after}"
        if not indicator or len(indicator) > 30:
            continue
        figure = Figure(as_decimal(value), unit, qualifier, indicator, old=role == "old")  # type: ignore[arg-type]
        yield Mention(m.start(), m.end(), m.group(), "Quantity", indicator, figure)


def _is_quantity(text: str, m: re.Match[str]) -> bool:
    num = m.group("num")
    before = text[m.start() - 1 : m.start()] if m.start() else ""
    if before == "第" or (before.isdigit() or before == "."):
        return False
    if not num[0].isdigit():
        # Chinese numerals: only clear amounts (十/百/千 or a multiplier), not 一个 / 两项
        return bool(re.search("[十百千]", num) or m.group("mult"))
    return True


def _distributive_indicators(text: str, s_start: int, matches: list[re.Match[str]]) -> dict[int, str]:
    """A、B、C + shared head + 分别(达) + X、Y、Z: each value gets A+head, B+head, C+head."""
    out: dict[int, str] = {}
    for k, m in enumerate(matches):
        before = text[s_start : m.start()]
        fb = re.search(r"分别(?:达到|达|为|是|增长|完成|有)?$", before)
        if not fb:
            continue
        run = [k]
        j = k
        while j + 1 < len(matches) and text[matches[j].end() : matches[j + 1].start()] in ("、", "和", "及", "，"):
            run.append(j + 1)
            j += 1
        at = s_start + fb.start()
        clause = _clause_start(text, at, s_start)
        subject = _strip_head(text[clause:at])
        items = [it for it in re.split(r"[、和及]", subject) if it]
        if len(items) != len(run) or len(items) < 2:
            continue
        head = items[-1][len(items[-2]) :] if len(items[-1]) > len(items[-2]) else ""
        for idx, item in zip(run, items, strict=True):
            out[idx] = item if item.endswith(head) else item + head
    return out
