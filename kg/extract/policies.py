"""Policy mentions: names from the policy scheme, and new names discovered in text.

Discovery takes only names that look like policies: quoted service modes and campaigns ending in
办, 制, 行动, 工程, 计划, 改革, 模式, 机制 ... (“就近办”, “社保服务进万家”活动), and 《...》 titles of
plans and regulations. Ordinary quoted phrases (“底线”, “温度”) do not qualify.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from functools import cache

from kg.extract.matcher import PhraseMatcher
from kg.policies import policy_lexicon
from kg.types import Document, Mention, PolicyName, Segmentation

_QUOTED = re.compile(r"“([^“”\n]{2,14})”(活动|行动|工程|改革|模式|服务模式|经办模式|机制)?")
_POLICY_TAIL = re.compile(r"(?:[^\d]办|制|行动|工程|计划|改革|模式|机制|专项行动|攻坚战|三年行动)$")
_TITLE = re.compile(r"《([^《》\n]{4,40}(?:规划|方案|条例|办法|意见|规定|计划|纲要|决定|细则|行动))》")
_NOT_POLICY = re.compile(r"[，。；！？、\d]|^(?:不|无|零|没)")


_QUOTES = (("“", "”"), ("‘", "’"))


@cache
def _variants() -> dict[str, str]:
    """Every form matched -> the scheme label it is: each label, and each label with quotes around
    its head (“办不成事”反映窗口, “一件事”一次办), as texts write a coined part of a name."""
    out: dict[str, str] = {}
    for label in policy_lexicon():
        out[label] = label
        for k in range(2, len(label) - 1):
            for left, right in _QUOTES:
                out.setdefault(f"{left}{label[:k]}{right}{label[k:]}", label)
    return out


@cache
def _automaton() -> PhraseMatcher:
    return PhraseMatcher(_variants())


def discovered_id(label: str) -> str:
    return "d-" + hashlib.sha1(label.encode("utf-8")).hexdigest()[:12]


def policy_mentions(doc: Document, _seg: Segmentation | None = None) -> Iterator[Mention]:
    """Scheme policies (key: policy id) and discovered ones (key: d-<hash>, attr discovered=1)."""
    text = doc.text
    lexicon = policy_lexicon()
    known_spans: list[tuple[int, int]] = []
    variants = _variants()
    for start, end, form in _automaton().find(text):
        known_spans.append((start, end))
        entry = lexicon[variants[form]]
        yield Mention(start, end, form, "Policy", entry.policy_id, PolicyName(entry.policy_id, pilot=entry.pilot))
    for m in _QUOTED.finditer(text):
        name = m.group(1)
        if any(s < m.end(1) and m.start(1) < e for s, e in known_spans) or _NOT_POLICY.search(name):
            continue
        if not (_POLICY_TAIL.search(name) or m.group(2)):
            continue
        yield Mention(
            m.start(1), m.end(1), name, "Policy", discovered_id(name), PolicyName(discovered_id(name), discovered=True)
        )
    for m in _TITLE.finditer(text):
        name = m.group(1)
        yield Mention(
            m.start(1), m.end(1), name, "Policy", discovered_id(name), PolicyName(discovered_id(name), discovered=True)
        )
