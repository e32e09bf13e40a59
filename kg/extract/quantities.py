"""Quantity mentions: the figures a sentence reports, each read as a Figure.

A number with its multiplier (万, 亿), unit or counting word and qualifier (kg/data/units.tsv,
the [qualifiers] of kg/data/conventions.toml) is a figure when it measures something; its label
is the noun phrase it quantifies, read alone:

- the phrase before it in its clause, without openers (其中, 全年, regions, times) and verbs
  (达, 完成, 增长到): 全年一般公共预算收入12.6亿元 -> 一般公共预算收入;
- after a bare verb, the noun after it: 新增6393个公共泊位 -> 新增公共泊位;
- after a bare funding verb, the purpose clause that follows: 投入7.3亿元，保障封关运作 -> …;
- with nothing of its own, the subject of an earlier clause of the sentence (Chinese leaves it
  out): …收入12.6亿元，比上年增收0.8亿元，增长6.8% are three figures of one indicator;
- a growth rate (增长6.8%), a change (增收0.8亿元, signed) or a share (占…比重) says so in its
  ``measure`` and its label (…增长率, …增量), and names the indicator it is of;
- the budget a report's heading names (政府性基金预算) and an own level (市本级) stay in the label.

Counts of measures (5个方面, 10项措施), ordinals (第3), and numbers inside names are not figures.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import cn2an

from kg.conventions import alternation, conventions, han_class
from kg.dictionary import word_scores
from kg.extract.matcher import PhraseStarts, decimal_digits, finditer_at
from kg.extract.times import parse_time
from kg.reference import data_lines
from kg.types import Document, Figure, FigureKind, Measure, Mention, Qualifier, Segmentation, as_decimal

_MULTIPLIERS = {"万亿": 10**12, "千亿": 10**11, "百亿": 10**10, "亿": 10**8, "千万": 10**7, "百万": 10**6, "万": 10**4}
_CN_DIGITS = "零〇一二两三四五六七八九十百千"
_CLAUSE_BREAK = "，。；：！？!?;\n"
_MAX_LABEL = 30
# 由…至…, 从…到…: a change's starting point (not the 从 of 从业人员, 从事, nor the 由 of 由于, 自由)
_FROM = re.compile(r"(?:(?<![理自经缘])由(?!于|此)|从(?![业事严优简而未来不中]))[^，。；]*$")
_BREAK = re.compile(f"[{re.escape(_CLAUSE_BREAK)}]")
_MAX_PREDICATE = 20  # what a bare counted noun does (事项可全程网办), at most this long
_LONG_PHRASE = 20  # a phrase longer than this keeps only what follows its last 的
_LIST_CLOSE = re.compile(r"等[\u4e00-\u9fff]{0,2}$")  # …等, …等领域: a list's close before a count
_SHARE_NOUNS = ("比重", "比例", "占比")  # X占Y的比重: the nouns a share is written with


@dataclass(frozen=True, slots=True)
class Unit:
    base: str
    multiplier: int
    kind: str  # count, money, measure, ratio, time


@cache
def _units() -> dict[str, Unit]:
    out = {}
    for line in data_lines("units.tsv"):
        written, base, multiplier, kind = line.split("\t")
        out[written] = Unit(base, int(multiplier), kind)
    return out


@cache
def quantity_pattern() -> re.Pattern[str]:
    c = conventions()
    units = alternation(list(_units()))
    mults = "|".join(sorted(_MULTIPLIERS, key=len, reverse=True))
    before = alternation([*c.at_least_before, *c.about_before, *c.at_most_before])
    after = alternation([*c.at_least_after, *c.about_after, *c.at_most_after])
    han = han_class()
    return re.compile(
        rf"(?P<pre>{before})?"
        rf"(?P<num>\d+(?:\.\d+)?|[{_CN_DIGITS}]+(?:点[{_CN_DIGITS}]+)?)"
        rf"(?P<approx>余|多)?(?P<mult>{mults})?(?P<approx2>余|多)?"
        rf"(?:(?P<unit>{units})(?P<post>{after})?"
        # 4945万老年人: a noun of people as the counting word, after 万/亿
        rf"|(?<=[万亿])(?P<person>{han}{{1,3}}?人)(?![{conventions().han}])"
        # 累计参保人数突破2200万: no unit at all; the label says what it is counted in
        rf"|(?<=[万亿余多])(?P<bare>(?:以上|左右)?)(?=[，。；：、）)\n]|$))"
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


def qualifier_of(pre: str, approx: str, post: str, unit_kind: str = "") -> Qualifier:
    """How exact a number is, from the words around it (以上/余/多 at least, 约/近/左右 about ...)."""
    c = conventions()
    if (post in c.at_most_after and (post != "内" or unit_kind == "time")) or pre in c.at_most_before:
        return "at_most"
    if post in c.about_after or pre in c.about_before:
        return "about"
    if post in c.at_least_after or approx or pre in c.at_least_before:
        return "at_least"
    return "exact"


# --- the phrase a number measures ---------------------------------------------------------------


# A news item's lead (本报讯（记者 张三）, 新华社北京3月19日电): no part of a figure's label.
_LEAD = r"(?:本报|新华社|中新社)[^，。（(]{0,12}?(?:讯|电)\s*(?:[（(][^）)]{0,20}[）)])?"
# 与安徽六安、湖北随州等地拓展通办事项: the partners of what is counted are no part of its label.
_PARTNERS = r"(?:与|同)[^，。；：与同]{2,24}?等(?:地区|地|省份|省市|城市|市县)"
_TIME_WORDS = (
    r"(?:\d{4}\s*年(?:\d{1,2}月(?:份|底|末)?|底|末|初|上半年|下半年|前?[一二三四]季度|全年)?(?:以?前)?"
    r"|\d{1,2}(?:[至到—-]\d{1,2})?月(?:份|底|末)?|今年|去年|上年|当年|前\d+个月|\d+年(?:以)?来|现在|目前|当前|如今"
    r"|前?[一二三四]季度|上半年|下半年|年(?:底|末|内)以?前)"
)


@cache
def _phrase_patterns() -> dict[str, re.Pattern[str]]:
    c = conventions()
    han = han_class()
    time = _TIME_WORDS
    levels = alternation(list(c.levels))
    refs = alternation(list(c.reference_prefixes))
    budget = alternation(c.budget_kinds)
    # 全市 before a budget (全市一般公共预算收入) is the figure's level, kept; elsewhere it names the region
    region_ref = rf"(?:{refs})(?:{levels})(?!{budget})|{alternation(c.country_words)}"
    verbs = alternation(c.verbs)
    per = alternation(c.per)
    reached = alternation(c.level_after_change)  # 增长至68人: 至/到/为 give the level reached
    return {
        "leading": re.compile(
            rf"^(?:{_PARTNERS}|{_LEAD}|(?:截至|截止|到){time}|{time}|(?:{alternation(c.leading)})|{region_ref}|各(?![项类]))"
        ),
        "trailing": re.compile(rf"(?:{alternation(c.trailing)}|{region_ref})+$"),
        "change_to": re.compile(rf"(?:{alternation(c.change_to)})(?:{reached})$"),
        "change_word": re.compile(rf"(?:{alternation([*c.change_to, *c.increase, *c.decrease])})"),
        "verbs": re.compile(rf"^(?:(?:{verbs})了?)+$"),
        "ends_with_verb": re.compile(rf"(?:{verbs})了?$"),
        "lead_verbs": re.compile(rf"^(?:(?:{verbs})了?)+"),
        "funding": re.compile(rf"^.{{0,3}}(?:{alternation(c.funding)})(?:资金)?$"),
        "purpose": re.compile(rf"^(?:{alternation(c.purpose)})"),
        "not_counted": re.compile(rf"^(?:{alternation(c.not_counted)})"),
        "estimate": re.compile(alternation(c.estimate)),
        "target": re.compile(alternation(c.target)),
        "change": re.compile(
            rf"(?:(?P<cmp>{alternation(c.comparison)})[^，；。]{{0,4}}?)?"
            rf"(?P<verb>{alternation([*c.increase, *c.decrease])})了?(?:达|为)?$"
        ),
        "strict_change": re.compile(r"^(?:增加|减少|增长|下降|增收|减收|多增)"),
        "decrease": re.compile(rf"^(?:{alternation(c.decrease)})"),
        "share": re.compile(rf"(?:{alternation(c.share)})|(?:为|完成|达到)[^，；。]{{1,12}}的$"),
        "share_after": re.compile(rf"(?:{alternation(c.share_after)}){han}{{2,10}}(?=[，；。、]|$)"),
        "budget": re.compile(alternation(c.budget_kinds)),
        "han": re.compile(han),
        "own_level": re.compile(alternation(c.own_level)),
        "stage": re.compile(rf"(?:{alternation(c.budget_stages)})$"),
        "budget_end": re.compile(rf"(?:{alternation(c.budget_kinds)})$"),
        # the noun after a count, with the levels it lists in brackets (20个县（市、区）医保服务大厅)
        "after_noun": re.compile(rf"“?{han}(?:[{c.han}A-Za-z“”]|（[省市区县旗、]{{1,6}}）)*"),
        "after_cut": re.compile(alternation([*c.after_noun_ends, *(v for v in c.verbs if len(v) > 1)])),
        "predicate": re.compile(alternation(c.predicates)),
        # after the starting value of a change (由57人，增长至68人): the verb and 至/到/为 of the new one
        "old_value": re.compile(rf"，?(?:{alternation(c.change_to)})?(?:{reached})"),
        "rate": re.compile(rf"(每(?:{per}|人每月|人每年)+|(?:/(?:{per})){{1,2}})$"),
        "rate_after": re.compile(rf"(?:/(?:{per})){{1,2}}"),
        "denominator": re.compile(rf"/[百千万]?{han}{{1,5}}"),
        "change_verb_end": re.compile(rf"(?:{alternation(c.change_to)})$"),
        "adverbial": re.compile(rf"^(?:{alternation(c.adverbials)})"),
        "own_time": re.compile(rf"({time}的?)$"),
    }


def _clause_start(text: str, pos: int, floor: int) -> int:
    """Where the clause holding ``pos`` starts (after the last break at or after ``floor``)."""
    return max(floor, max(text.rfind(c, floor, pos) for c in _CLAUSE_BREAK) + 1)


def _clause_end(text: str, pos: int, limit: int) -> int:
    """Where the clause holding ``pos`` ends (at the next break before ``limit``)."""
    m = _BREAK.search(text, pos, limit)
    return m.start() if m else limit


def strip_phrase(phrase: str, region_spans: tuple[tuple[int, int], ...] = (), offset: int = 0) -> str:
    """A clause's text before a number, without its openers and its closing verbs."""
    p = _phrase_patterns()
    # regions at the head (a list of them: 射阳县、东台市) are the fact's region, not what is measured
    stripped = False
    for s, e in region_spans:
        join = phrase[: s - offset] if s >= offset else None
        if (join == "" or (stripped and join in ("、", "和", "及", "以及"))) and e - offset <= len(phrase):
            phrase = phrase[e - offset :]
            offset = e
            stripped = True
    if stripped and phrase.startswith("的"):
        phrase = phrase[1:]  # 东台市的一般公共预算收入
    phrase = phrase.lstrip("*#·•—-_ ）)、，")  # markup, and what closes the item before
    if phrase.count("“") > phrase.count("”"):
        phrase = phrase.replace("“", "", 1)  # the opening quote of what someone says
    previous = None
    while phrase != previous:
        previous = phrase
        phrase = p["leading"].sub("", phrase, count=1).lstrip("，、 ")
        phrase = _strip_trailing(phrase)
    return _balance_quotes(phrase.strip(" 、"))


def _strip_trailing(phrase: str) -> str:
    """``phrase`` without the words that close it (达, 为, 还 …), unless one of them ends a word that
    keeps it (稳岗返还, 下达, 拥有): the longest such tail that splits no kept word."""
    p = _phrase_patterns()
    m = p["trailing"].search(phrase)
    if m is None:
        return phrase
    kept = conventions().trailing_kept
    for start in range(m.start(), len(phrase)):
        if p["trailing"].fullmatch(phrase, start) and not any(
            phrase.startswith(word, start - len(word) + 1) for word in kept if start >= len(word) - 1
        ):
            return phrase[:start]
    return phrase


def _noun_after(text: str, end: int, limit: int) -> str:
    """The noun phrase after a count: 185家银行网点实现了… -> 银行网点; 663人的帮办代办服务队伍 -> …."""
    p = _phrase_patterns()
    if text.startswith("的", end):
        end += 1
    made_of = _MADE_OF.match(text, end, limit)
    if made_of:  # 由9名督办员组成的督办组: the members of the body -> 督办组督办员
        body = _noun_after(text, made_of.end(), limit)
        return _cut(body + made_of.group(1), 16) if body else made_of.group(1)
    m = p["after_noun"].match(text, end, limit)
    if not m:
        return ""
    phrase = m.group()
    if p["change_word"].match(phrase):
        return ""  # 9400多家增加到…: a change follows, not a noun
    cut = p["after_cut"].search(phrase, 2 if phrase.startswith("“") else 1)
    generic = cut is not None and phrase[: cut.start()].endswith(_GENERIC_NOUNS)
    if cut and (cut.start() <= 3 or generic) and p["predicate"].match(phrase, cut.start()):
        # 1209项事项可全程网办, 44家部门进驻: a bare noun names what is counted by what it does
        phrase = re.split(r"\d", text[end:limit], maxsplit=1)[0][:_MAX_PREDICATE]
    elif cut:
        phrase = phrase[: cut.start()]
    if len(phrase.strip("“”")) < 2:
        return ""
    return _balance_quotes(_cut(phrase, 16))


# The most characters between two counts of one list (13个、第二批8个): an ordinal or a short name.
_LIST_GAP = 5
# Heads of a noun that say only what kind of thing is counted (服务事项, 政务服务事项): what the things
# do names them (1884项服务事项可线上帮办代办, 1286项政务服务事项实现“掌上办”).
_GENERIC_NOUNS = ("事项", "业务", "服务")
# The members counted and what they make up: 9名 + 督办员 + 组成的 + 督办组.
_MADE_OF = re.compile(r"([\u4e00-\u9fff“”]{1,12}?)(?:组成|构成)的(?=[\u4e00-\u9fff“])")


def _cut(phrase: str, length: int) -> str:
    """The first ``length`` characters of a phrase, or up to the end of a quoted name the cut would
    split (实行居民身份证业务“全城通办”: a name is read whole or not at all)."""
    head = phrase[:length]
    if head.count("“") > head.count("”"):
        close = phrase.find("”", length)
        if 0 <= close < _MAX_PREDICATE + 4:
            return phrase[: close + 1]
    return head


def _balance_quotes(phrase: str) -> str:
    """A phrase with its quotes paired: an opening quote cut off before it is put back."""
    opened = phrase.count("“") - phrase.count("”")
    if opened > 0:
        return phrase + "”"
    if opened < 0:
        return "“" + phrase if phrase.index("”") > 0 else phrase.lstrip("”")
    return phrase


@dataclass(frozen=True, slots=True)
class _Reading:
    """What the words before a number say about it."""

    measure: Measure
    negative: bool
    cue_start: int  # where the change or share words begin (the label ends before them)


def _reading(text: str, clause: int, start: int, unit: Unit) -> _Reading:
    p = _phrase_patterns()
    pre = text[clause:start]
    change = p["change"].search(pre)
    if change and (
        unit.base in ("%", "百分点") or change.group("cmp") or p["strict_change"].match(change.group("verb"))
    ):
        verb = change.group("verb")
        negative = bool(p["decrease"].match(verb))
        measure: Measure = "growth_rate" if unit.base == "%" else "change"
        return _Reading(measure, negative, clause + change.start())
    if unit.kind == "ratio" and p["share"].search(pre):
        return _Reading("share", False, start)
    return _Reading("level", False, start)


def _listed_change(
    text: str, previous: re.Match[str], current: re.Match[str], readings: dict[int, _Reading]
) -> _Reading | None:
    """The change or growth reading a number shares with the one listed just before it, with the
    same unit (分别增长4.2%、6.5%; 分别下降3%和5%): the verb before the first is the list's."""
    before = readings.get(previous.start())
    if before is None or before.measure not in ("growth_rate", "change"):
        return None
    if text[previous.end() : current.start()] not in ("、", "和", "及"):
        return None
    if text.find("分别", max(0, before.cue_start - 4), before.cue_start + 2) < 0:
        return None  # 档次增加4500元、5000元档次: the verb deals out no values unless 分别 says so
    return before if previous.group("unit") == current.group("unit") else None


def _kind(text: str, s_start: int, start: int) -> FigureKind:
    """Estimate (预计) or target (力争, 预期目标): a cue in the figure's clause, or in the frame an
    enumeration opens (主要预期目标是：…；…); a cue on an earlier noun (计划新开工项目) is not the figure's."""
    p = _phrase_patterns()
    colon = max(text.rfind("：", s_start, start), text.rfind(":", s_start, start))
    clause = _clause_start(text, start, s_start)
    before = text[s_start:colon] + "，" + text[clause:start] if colon >= 0 else text[clause:start]
    if p["estimate"].search(before):
        return "estimate"
    if p["target"].search(before):
        return "target"
    return "actual"


def _heading_scope(heading_text: str) -> tuple[str, str]:
    """The level and the budget a heading names (（二）市级预算执行情况 -> 市级; 1.政府性基金预算 -> 政府性基金预算)."""
    p = _phrase_patterns()
    level = p["own_level"].search(heading_text)
    budget = p["budget"].search(heading_text)
    return (level.group() if level else "", budget.group() if budget else "")


def quantity_mentions(doc: Document, seg: Segmentation | None = None) -> Iterator[Mention]:
    """Figures of each sentence (sentences come from the segmentation)."""
    if seg is None:
        return
    from kg.extract.regions import region_spans  # regions at clause heads are not indicators

    text = doc.text
    spans = tuple(region_spans(text))
    # one scan of the document, only where a number or a qualifier can start
    found = [m for m in finditer_at(quantity_pattern(), text, quantity_starts()(text)) if _is_quantity(text, m)]
    starts = [m.start() for m in found]
    for article in seg.articles:
        for index, sentence in enumerate(article.sentences):
            if seg.blocks[sentence.block].kind not in ("body", "lead"):
                continue  # headings and captions report no figures
            level, budget = "", ""
            for heading in article.headings[index] if article.headings else ():
                heading_level, heading_budget = _heading_scope(text[heading.start : heading.end])
                level, budget = heading_level or level, heading_budget or budget
            scope = (level, budget)
            inside = found[bisect.bisect_left(starts, sentence.start) : bisect.bisect_left(starts, sentence.end)]
            matches = [m for m in inside if m.end() <= sentence.end]
            yield from sentence_figures(text, sentence.start, sentence.end, spans, scope, matches)


@cache
def quantity_starts() -> PhraseStarts:
    """Where a quantity can start: a digit, a Chinese numeral, or a qualifier before one."""
    c = conventions()
    return PhraseStarts([*decimal_digits(), *_CN_DIGITS, *c.at_least_before, *c.about_before, *c.at_most_before])


def sentence_figures(
    text: str,
    s_start: int,
    s_end: int,
    spans: tuple[tuple[int, int], ...] = (),
    scope: tuple[str, str] = ("", ""),
    matches: list[re.Match[str]] | None = None,
) -> Iterator[Mention]:
    """The figures of one sentence, in order, each with its label, measure and kind."""
    if matches is None:
        matches = [m for m in quantity_pattern().finditer(text, s_start, s_end) if _is_quantity(text, m)]
    if not matches:
        return
    p = _phrase_patterns()
    units = _units()
    distributive = _distributive_indicators(text, s_start, matches)
    numbers = [(x.start(), x.end()) for x in matches]
    topic = ""  # the subject of the sentence so far: later clauses may leave it out
    share = ""  # the label of the sentence's last share, which a change in points is of
    named: list[str] = []  # the labels of the sentence so far
    readings: dict[int, _Reading] = {}  # how each number so far was read, by its start
    for i, m in enumerate(matches):
        number = parse_number(m.group("num"))
        if number is None:
            continue
        unit = units[m.group("unit")] if m.group("unit") else _PEOPLE if m.group("person") else _BARE
        denominator = p["denominator"].match(text, m.end())
        if denominator and not p["rate_after"].match(text, m.end()):  # 公路密度185.69公里/百平方公里
            unit = Unit(unit.base + denominator.group(), unit.multiplier, "ratio")
        value = number * _MULTIPLIERS.get(m.group("mult") or "", 1) * unit.multiplier
        qualifier = qualifier_of(
            m.group("pre") or "", m.group("approx") or m.group("approx2") or "", m.group("post") or "", unit.kind
        )
        num_start = m.start("num")
        if m.group("pre") and _in_word(text, m.start("pre"), m.end("pre")):
            qualifier = qualifier_of(
                "", m.group("approx") or m.group("approx2") or "", m.group("post") or "", unit.kind
            )
        clause = _clause_start(text, num_start, s_start)
        clause_end = _clause_end(text, m.end(), s_end)
        pre_text = text[clause : m.start()]
        old = bool(p["old_value"].match(text, m.end()) and re.search(r"(?:由|从)[^，。；]{0,12}$", pre_text))
        if unit.base == "岁" and p["han"].match(text, m.end()):
            continue  # 80岁的老人, 3周岁以下婴幼儿: an age describing people, not a figure (人均预期寿命82.5岁 is)
        after = m.group("person") or (_noun_after(text, m.end(), clause_end) if unit.kind != "ratio" else "")
        # 实现80%以上的高频事项在…办理: a percentage before 的 and a noun is the share of those things
        share_of = _share_of(text, m, clause_end) if unit.base == "%" else ""
        if not after and unit.kind == "count" and i + 1 < len(matches) and text[m.end() : m.end() + 1] in "、和":
            # 第一批13个、第二批8个重点事项: the counts of a list share the noun after the last of them
            following = matches[i + 1]
            if following.group("unit") == m.group("unit") and following.start() - m.end() <= _LIST_GAP:
                after = _noun_after(text, following.end(), _clause_end(text, following.end(), s_end))
        if after and p["not_counted"].match(after.strip("“")):
            continue  # 5个方面, 10项措施: a count of the text's own parts
        own_time = None
        pre_end = num_start if m.group("pre") and _in_word(text, m.start("pre"), m.end("pre")) else m.start()
        pre_text = text[clause:pre_end]
        t = p["own_time"].search(pre_text)
        if t:  # 从2020年底的9400多家: the number's own time, not part of its label
            own_time = parse_time(t.group(1).rstrip("的"))
            pre_end = clause + t.start()
        label_start = num_start if m.group("pre") and _in_word(text, m.start("pre"), m.end("pre")) else m.start()
        reading = _reading(text, clause, label_start, unit)
        if i and reading.measure == "level" and (listed := _listed_change(text, matches[i - 1], m, readings)):
            reading = _Reading(listed.measure, listed.negative, m.start())  # 分别增长4.2%、6.5%: both growth rates
        readings[matches[i].start()] = reading
        # 财政支出70%以上用于民生: the share of the whole before the number that goes where the words after say
        used_for = p["share_after"].match(text, m.end()) if unit.base == "%" and reading.measure == "level" else None
        if used_for:
            reading = _Reading("share", False, reading.cue_start)
        if share_of and reading.measure == "level":
            reading = _Reading("share", False, reading.cue_start)
        label_end = reading.cue_start if reading.measure in ("growth_rate", "change") else pre_end
        to_level = reading.measure == "level" and bool(p["change_to"].search(text[clause:label_end].rstrip()))
        label = distributive[i] if i in distributive else _label_before(text, clause, label_end, spans, numbers)
        inner = _INNER_YEAR.search(label)
        if inner and len(label) - inner.end() >= 2:  # 推动2025年“七聚七提”40件…: a predicate stands before the year
            label = strip_phrase(label[inner.end() :])
        if to_level:  # 增长至68人: a new level of the clause's subject, else of the sentence's
            subject = strip_phrase(p["change_verb_end"].sub("", p["change_to"].sub("", label)))
            # 执行中经…批准调整为…: an adverbial, not a subject, stands before the verb
            label = subject if subject and not p["adverbial"].match(subject) else topic
        elif not label and pre_text.rstrip().endswith(conventions().benefactive) and after:
            label = pre_text.rstrip()[-1]  # 为1077家企业发放…: the predicate names what is counted
        rate = p["rate"].search(label)
        rate_after = p["rate_after"].match(text, m.end())
        per = rate.group(1) if rate else (rate_after.group() if rate_after else "")
        if rate and label.endswith(rate.group(1)):
            label = strip_phrase(label[: -len(rate.group(1))])
            if p["change_to"].search(label):  # 提高到每人每月820元
                label = strip_phrase(p["change_to"].sub("", label)) or topic
        label = _with_noun_after(label, after, text, m.end(), clause_end, s_end, unit, reading.measure)
        if share_of and (not label or p["verbs"].fullmatch(label)):
            label = share_of
        if reading.measure == "level" and topic and not after and p["verbs"].fullmatch(label):
            label = topic + label  # 收入预期增长4%，安排54.9亿元: what the clause arranges is the subject's
        if label.startswith(conventions().reach):  # 发放稳岗补贴，惠及市场主体9.6万家
            label = _reached_by(text, clause, s_start, numbers) + label
        if not label and not after and pre_text.rstrip().endswith("等"):
            continue  # A（x）、B（y）等174.6亿元: the total of a list names no indicator of its own
        if used_for and label:
            label += used_for.group()
        if not label or (reading.measure != "level" and p["verbs"].fullmatch(label)):
            # 占…的比重为19.6%，比上年提高1.4个百分点: a change in points is the share's, not the topic's
            label = share if share and unit.base == "百分点" and reading.measure == "change" else topic
        elif reading.measure == "share" and re.match(r"^(?:占|为|完成|达到)", label) and topic:
            label = topic + label
        if not label:
            continue
        if unit is _BARE:
            implied = _implied_unit(label)
            if implied is None:
                continue
            unit = implied
        if to_level:  # 规上工业企业数量仅226户；…，企业数量增至442户: a shortened repeat is the one written before
            label = next((e for e in reversed(named) if e.endswith(label) and len(e) > len(label) > 2), label)
        elif label in conventions().totals and named:  # 新增…机构26家，总数达到318家: the total of those
            counted = p["lead_verbs"].sub("", named[-1])
            label = counted + label if len(counted) >= 2 else label
        named.append(label)
        if reading.measure == "share":
            share = label
        sentence_scope = _topic_scope(topic, label)
        # the sentence's subject names the budget (and maybe its level); the heading may name the level
        label_scope = (sentence_scope[0] or scope[0], sentence_scope[1]) if sentence_scope else scope
        if label != topic and reading.measure != "share":  # 占比12.4%，下降9%: the decrease is the level's
            topic = label if p["budget_end"].search(label) else (p["stage"].sub("", label) or label)
        label = _with_scope(label, label_scope)
        if per:
            label = f"{label}（{'每' + per.strip('/').replace('/', '每') if per.startswith('/') else per}）"
        base = ""
        if reading.measure == "growth_rate":
            base, label = label, label + "增长率"
        elif reading.measure == "change":
            base, label = label, label + "增量"
        elif reading.measure == "share" and not re.search(r"占比|比重|比例|率", label):
            base, label = label, label + "占比"
        if len(label) > _MAX_LABEL:
            continue
        signed = -value if reading.negative else value
        figure = Figure(
            as_decimal(signed),
            unit.base,
            qualifier,
            label,
            measure=reading.measure,
            kind=_kind(text, s_start, m.start()),
            base_indicator=base,
            old=old,
            time=own_time,
        )
        yield Mention(m.start(), m.end(), m.group(), "Quantity", label, figure)


_PEOPLE = Unit("人", 1, "count")
_BARE = Unit("", 1, "bare")


def _implied_unit(label: str) -> Unit | None:
    """The unit a label implies for a number written without one (…人数 -> 人, …收入 -> 元)."""
    for ending, unit in conventions().implied_units:
        if label.endswith(ending):
            return Unit(unit, 1, "money" if unit == "元" else "count")
    return None


def _with_noun_after(
    label: str, after: str, text: str, after_start: int, clause_end: int, s_end: int, unit: Unit, measure: Measure
) -> str:
    """The label completed by what follows the number: the counted noun (新增6393个公共泊位), or the
    purpose of money given (投入7.3亿元，保障封关运作 …)."""
    p = _phrase_patterns()
    if measure != "level":
        return label
    if after and label in conventions().benefactive:  # 为1077家企业发放稳岗返还补助: the whole predicate
        return _balance_quotes(_cut(re.split(r"\d", text[after_start:clause_end], maxsplit=1)[0], 16))
    if after and unit.kind == "money" and not (label and p["ends_with_verb"].search(label)):
        after = ""  # 发放3600元育儿补贴: the noun after money counts only after a verb
    # 社保、医保等领域不少于100项高频事项: a list closed by 等 and its kind (等领域, 等部门) only
    # says where the things counted come from; the noun after the number names them
    listed = bool(_LIST_CLOSE.search(label))
    if after and (not label or len(label) <= 10 or listed):
        head = "" if listed or label in ("有", "已有", "共有") else label
        return head + after
    if after and p["ends_with_verb"].search(label):  # 面向…等重点群体举行近300场招聘会
        tail = re.split(r"[等、的]", label)[-1]
        return tail + after
    if unit.kind == "money" and label and p["funding"].fullmatch(label):
        purpose = _purpose_after(text, clause_end, s_end)
        return f"{purpose}{label}" if purpose else label
    if label and p["verbs"].fullmatch(label):
        return ""  # a bare verb says nothing of what is measured
    return label


def _label_before(
    text: str, clause: int, end: int, spans: tuple[tuple[int, int], ...], numbers: list[tuple[int, int]]
) -> str:
    """The noun phrase before a number in its clause (after the earlier ``numbers`` of the sentence
    that stand in it)."""
    p = _phrase_patterns()
    pre = text[clause:end]
    offset = clause
    # a change (由…至…, 从…到…): the phrase before 由/从
    change = _FROM.search(pre) if ("由" in pre or "从" in pre) else None
    if change:
        pre = pre[: change.start()]
    # parentheses: 新增一般债务（25.59亿元） names the noun before them; inside one, its own text counts;
    # after one, what follows it
    if pre.endswith(("（", "(")):
        pre = pre[:-1]
    opened = max(pre.rfind("（"), pre.rfind("("))
    if opened >= 0 and max(pre.rfind("）"), pre.rfind(")")) < opened:
        offset += opened + 1
        pre = pre[opened + 1 :]
    closed = max(pre.rfind("）"), pre.rfind(")"))
    if closed >= 0 and max(pre.rfind("（"), pre.rfind("(")) < 0:
        offset += closed + 1
        pre = pre[closed + 1 :]
    # earlier quantities of the clause (the sentence's own: not 一个, 两项), relative to pre
    quantities = [(s - offset, e - offset) for s, e in numbers if offset <= s and e <= offset + len(pre)]
    if quantities:
        last_end = quantities[-1][1]
        rest = pre[last_end:]
        if rest.endswith(("、", "和", "及")):
            return ""  # the number is the next item of a list: its noun follows it
        if rest.strip("、和及，的 "):
            offset += last_end
            pre = rest.lstrip("、和及")
        else:
            pre = pre[: quantities[0][0]]
    # a long relative clause (各级人代会批准的2025年…收入): what follows the last 的 is the noun
    if "的" in pre and len(pre) > _LONG_PHRASE:
        head, _, tail = pre.rpartition("的")
        tail_clean = strip_phrase(tail)
        if tail_clean in _SHARE_NOUNS and "占" in head:
            # 高技术制造业增加值占规模以上工业增加值的比重: a share names its part before 占, so
            # the phrase is no relative clause; a share too long for a label keeps its part only
            if len(pre) > _MAX_LABEL:
                pre = head[: head.index("占")] + "占比"
        elif len(tail_clean) >= 2 and not p["verbs"].fullmatch(tail_clean):
            offset += len(head) + 1
            pre = tail
    lo = bisect.bisect_left(spans, (offset, -1))
    hi = bisect.bisect_left(spans, (offset + len(pre) + 1, -1))
    phrase = strip_phrase(pre, spans[lo:hi], offset)
    return _balance_quotes(phrase)


# a year inside a phrase, after words and before words (not 较2024年同期, not 2023年5月)
_INNER_YEAR = re.compile(r"(?<=[\u4e00-\u9fff])(?<![较比])(?:19|20)\d{2}年度?(?=[“\u4e00-\u9fff])")
_REACHER = 14  # the longest object of a previous clause named before a verb of reach
_YEARS_HEAD = re.compile(r"^\d{4}(?:[-—至到]\d{4})?年")  # 2020-2021年省级…资金: the years are the period's


def _reached_by(text: str, clause: int, s_start: int, numbers: list[tuple[int, int]]) -> str:
    """What reaches in a clause opened by a verb of reach (惠及, 涉及): the object of the clause before
    it, after what 等 sums up or a relative clause's 的 (开展家电等消费品以旧换新活动 -> 消费品以旧换新活动);
    "" when that clause reports a figure of its own or is not the same sentence's."""
    if clause <= s_start or text[clause - 1] != "，":
        return ""
    start = _clause_start(text, clause - 1, s_start)
    if any(start <= s < clause for s, _e in numbers):
        return ""  # 拉动投资154160万元，惠及…: the figure before is its own
    phrase = re.split(r"[等的]", text[start : clause - 1])[-1]
    phrase = strip_phrase(_YEARS_HEAD.sub("", re.sub(r"\s+", "", phrase)))
    return phrase if 2 <= len(phrase) <= _REACHER else ""  # a long clause names no one thing


def _purpose_after(text: str, clause_end: int, s_end: int) -> str:
    """The purpose clause after a funding figure (…，保障封关运作重点领域) without its opening verb."""
    p = _phrase_patterns()
    if clause_end >= s_end or text[clause_end] != "，":
        return ""
    end = _clause_end(text, clause_end + 1, s_end)
    clause = text[clause_end + 1 : end]
    if not p["purpose"].match(clause):
        return ""
    if len(clause) > 16:  # 支持汽车、电动自行车、家电家装等以旧换新: the verb and what 等 sums up
        verb = p["purpose"].match(clause)
        tail = re.split(r"[等、]", clause)[-1]
        clause = (verb.group() if verb else "") + tail if "等" in clause else clause
    return clause[:16]


def _share_of(text: str, m: re.Match[str], clause_end: int) -> str:
    """The things a percentage written before 的 and a noun is the share of (80%以上的高频事项), or ""."""
    if not text.startswith("的", m.end()):
        return ""
    return _noun_after(text, m.end(), clause_end)


def _topic_scope(topic: str, label: str) -> tuple[str, str] | None:
    """The level and budget of the sentence's subject, for a label that names neither: 市本级一般公共预算
    收入安排15.2亿元，支出安排56.8亿元 -> 市本级一般公共预算支出安排."""
    p = _phrase_patterns()
    budget = p["budget"].search(topic)
    if budget is None or p["budget"].search(label) or p["own_level"].search(label):
        return None
    level = p["own_level"].search(topic, 0, budget.start())
    return (level.group() if level else "", budget.group())


def _with_scope(label: str, scope: tuple[str, str]) -> str:
    """The level and budget a heading names, put before a label that names none (收入 -> 政府性基金预算收入,
    一般公共预算收入 under 市级预算执行情况 -> 市级一般公共预算收入)."""
    p = _phrase_patterns()
    level, budget = scope
    if budget and not p["budget"].search(label):
        label = budget + label
    if level and p["budget"].search(label) and not p["own_level"].search(label):
        label = level + label  # a level matters for budget figures, where 全市 and 市级 differ
    return label


def _in_word(text: str, start: int, end: int) -> bool:
    """Whether a qualifier word (约, 近, 超) ends a word with the character before it (节约, 最近, 附近)."""
    if start == 0 or end - start > 1:
        return False
    score = word_scores()[0].get(text[start - 1 : end])
    return score is not None


# What follows a number that opens a name: a quoted name's rest (“15分钟政务服务圈”) or a reach (…圈).
_NAMED_SPAN = re.compile(r"[\u4e00-\u9fff]{2,12}”|[\u4e00-\u9fff]{0,8}圈")


def _is_quantity(text: str, m: re.Match[str]) -> bool:
    num = m.group("num")
    if m.group("bare") is not None and not m.group("mult"):
        return False  # 30余， is no amount; 2200万， is
    before = text[m.start("num") - 1 : m.start("num")] if m.start("num") else ""
    if before and (before == "第" or before.isdigit() or before in ".-—~/"):
        return False
    if not num[0].isdigit() and before in ("数", "几", "上", "成", "每"):
        return False  # 数十家, 几百人, 上千次, 成百上千: vague amounts; 每千人口: a rate's base
    if text.startswith(("月", "年", "日"), m.end("num")):
        return False
    if _NAMED_SPAN.match(text, m.end()) and (before == "“" or m.group("unit") in ("分钟", "公里")):
        return False  # “15分钟政务服务圈”, 15分钟就业服务圈: a number that opens a name measures nothing
    if not num[0].isdigit():
        # Chinese numerals: only clear amounts (十/百/千 or a multiplier), not 一个 / 两项; 九成 is 90 %
        return bool(re.search("[十百千]", num) or m.group("mult") or m.group("unit") == "成")
    return not (m.group("unit") == "成" and len(num) > 1)  # 成 as a share has one digit (九成, 7成)


@cache
def _distributive_verb() -> re.Pattern[str]:
    """分别 and the verb that deals its values out (分别达, 分别增长, 分别下降)."""
    c = conventions()
    verbs = alternation(["达到", "达", "为", "是", "完成", "有", "占比达", "占比为", "占", *c.increase, *c.decrease])
    return re.compile(rf"分别(?:同比|比上年|较上年)?(?:{verbs})?$")


def _with_counterparts(items: list[str]) -> list[str]:
    """A list whose later items are counterparts of the first one's last word (一般公共预算收入、支出):
    each such item takes the rest of the first (一般公共预算支出)."""
    words = conventions().counterparts
    if not items:
        return items
    first = items[0]
    out = [first]
    for item in items[1:]:
        tail = first[-len(item) :]
        if item in words and tail in words and tail != item and len(first) > len(item):
            item = first[: -len(item)] + item
        out.append(item)
    return out


def _clause_labels(text: str, s_start: int, before: list[re.Match[str]]) -> list[str]:
    """The labels of figures written each in its own clause (城镇居民人均可支配收入达到52136元，农村居民
    人均可支配收入达到23861元，分别增长…): what a later 分别 with no subject deals its values out to."""
    starts = [_clause_start(text, m.start(), s_start) for m in before]
    labels = [strip_phrase(text[c : m.start()]) for c, m in zip(starts, before, strict=True)]
    if len(set(starts)) < len(before) or len(set(labels)) < len(labels) or not all(labels):
        return []
    return labels


def _distributive_indicators(text: str, s_start: int, matches: list[re.Match[str]]) -> dict[int, str]:
    """A、B、C + shared head + 分别(达) + X、Y、Z: each value gets A+head, B+head, C+head; a later
    分别 with no subject of its own (…，分别增长5.9%、5.6%和5.2%) deals out the same labels."""
    out: dict[int, str] = {}
    dealt: list[str] = []  # the labels the last 分别 of the sentence dealt out
    for k, m in enumerate(matches):
        if text.find("分别", max(s_start, m.start() - 6), m.start()) < 0:
            continue  # 分别 stands right before the first value
        before = text[s_start : m.start()]
        fb = _distributive_verb().search(before)
        if not fb:
            continue
        run = [k]
        j = k
        while j + 1 < len(matches) and text[matches[j].end() : matches[j + 1].start()] in ("、", "和", "及", "，"):
            run.append(j + 1)
            j += 1
        at = s_start + fb.start()
        clause = _clause_start(text, at, s_start)
        subject = strip_phrase(text[clause:at])
        items = _with_counterparts([it for it in re.split(r"[、和及]", subject) if it])
        if not items and not dealt:
            dealt = _clause_labels(text, s_start, matches[max(0, k - len(run)) : k])
        if not items and len(dealt) == len(run):
            out.update(zip(run, dealt, strict=True))
            continue
        if len(items) != len(run) or len(items) < 2:
            continue
        head = items[-1][len(items[-2]) :] if len(items[-1]) > len(items[-2]) else ""
        dealt = [item if item.endswith(head) else item + head for item in items]
        out.update(zip(run, dealt, strict=True))
    return out
