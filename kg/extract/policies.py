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


@cache
def _automaton() -> PhraseMatcher:
    return PhraseMatcher(policy_lexicon())


def discovered_id(label: str) -> str:
    return "d-" + hashlib.sha1(label.encode("utf-8")).hexdigest()[:12]


def policy_mentions(doc: Document, _seg: Segmentation | None = None) -> Iterator[Mention]:
    """Scheme policies (key: policy id) and discovered ones (key: d-<hash>, attr discovered=1)."""
    text = doc.text
    lexicon = policy_lexicon()
    known_spans: list[tuple[int, int]] = []
    for start, end, label in _automaton().find(text):
        known_spans.append((start, end))
        yield Mention(start, end, label, "Policy", lexicon[label].policy_id, PolicyName(lexicon[label].policy_id))
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
