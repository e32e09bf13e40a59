"""Agency mentions: a region or a level (省, 市, 自治区 ...) followed by the name of a body.

The body names (生态环境厅, 社保中心, 纪委监委 ...) and the national bodies (中宣部 ...) are data
files. A mention's attrs say what stands before the body: ``prefix_region`` (the region alias
written, 昌吉州) or ``prefix_level`` (省), so resolution can find the jurisdiction.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from kg.extract.matcher import PhraseStarts, finditer_at
from kg.reference import data_lines
from kg.types import AgencyName, Document, Mention, Segmentation

_LEVELS = ("自治区", "自治州", "省", "市", "州", "县", "区", "旗", "盟")
# Bodies whose own name carries the place: 生物园区管委会, 西兴街道办事处.
_NAMED_BODY = re.compile(
    r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff]{2,12}?(?:园区|开发区|新区|街道|镇|乡))(管委会|管理委员会|办事处)"
)


@cache
def patterns() -> tuple[re.Pattern[str], dict[str, tuple[str, tuple[str, ...]]], PhraseStarts]:
    units = sorted(data_lines("agency_units.txt"), key=lambda s: (-len(s), s))
    national: dict[str, tuple[str, tuple[str, ...]]] = {}
    for line in data_lines("national_agencies.tsv"):
        name, _, aliases = line.partition("\t")
        alias_list = tuple(a for a in aliases.split(",") if a)
        for form in (name, *alias_list):
            national[form] = (name, alias_list)
    body = "|".join(map(re.escape, units))
    nat = "|".join(map(re.escape, sorted(national, key=lambda s: (-len(s), s))))
    pattern = re.compile(rf"(?P<national>{nat})|(?P<level>{'|'.join(_LEVELS)})?(?P<body>{body})")
    # every match begins with a national body, a unit, or a level word followed by a unit
    heads = PhraseStarts([*national, *units, *(level + unit for level in _LEVELS for unit in units)])
    return pattern, national, heads


def agency_mentions(doc: Document, seg: Segmentation | None = None) -> Iterator[Mention]:
    """Bodies preceded by a region name or a level word, national bodies, and named zone bodies."""
    pattern, national, heads = patterns()
    text = doc.text
    for m in finditer_at(pattern, text, heads(text)):
        if m.group("national"):
            name, aliases = national[m.group("national")]
            yield Mention(
                m.start(), m.end(), m.group(), "Agency", name, AgencyName(name, national=True, aliases=aliases)
            )
            continue
        level = m.group("level") or ""
        # the body must follow a region name (ending right here) or a level word standing alone
        before = text[max(0, m.start() - 1) : m.start()]
        if not level and not re.match(r"[\u4e00-\u9fff]", before):
            continue
        each = text[m.start() - 1 : m.start()] in ("全", "各")  # 全省生态环境部门, 各市政府
        yield Mention(
            m.start(), m.end(), m.group(), "Agency", m.group("body"), AgencyName(m.group("body"), level, each=each)
        )
    for m in _NAMED_BODY.finditer(text):
        yield Mention(m.start(), m.end(), m.group(), "Agency", m.group(), AgencyName(m.group(), named=True))
