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

from kg.conventions import alternation, conventions, han_class
from kg.extract.matcher import PhraseMatcher
from kg.policies import policy_lexicon
from kg.types import Document, Mention, PolicyName, Segmentation

_NOT_POLICY = re.compile(r"[，。；！？、\d]|^(?:不|无|零|没)")


_ACROSS_PROVINCES = "跨省通办"
# What follows a name ending in 办 when the 办 starts another word: 网上办件量 is the count of cases (办件).
_CASE_NOUNS = ("件",)


@cache
def _provinces_tongban() -> re.Pattern[str]:
    """Two to four provinces' one-character names before 通办 (川渝通办, 京津冀通办)."""
    return re.compile(rf"[{''.join(conventions().province_characters)}]{{2,4}}通办")


@cache
def _discovery() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Quoted names (with what may follow the quote), policy-like endings, and 《…》 titles."""
    c = conventions()
    han = han_class()
    after = alternation(c.after_quote)
    quoted = re.compile(rf"“([^“”\n]{{2,14}})”((?:{han}{{0,2}}?)(?:{after}))?")
    # 办 ends a name only after a character that is not a digit (就近办, not 12345办)
    tail = re.compile(rf"(?:[^\d]办|{alternation([e for e in c.policy_endings if e != '办'])})$")
    title = re.compile(rf"《([^《》\n]{{4,40}}(?:{alternation(c.title_endings)}))》")
    return quoted, tail, title


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
def automaton() -> PhraseMatcher:
    return PhraseMatcher(_variants())


def discovered_id(label: str) -> str:
    return "d-" + hashlib.sha1(label.encode("utf-8")).hexdigest()[:12]


def policy_mentions(doc: Document, _seg: Segmentation | None = None) -> Iterator[Mention]:
    """Scheme policies (key: policy id) and discovered ones (key: d-<hash>, PolicyName.discovered)."""
    text = doc.text
    lexicon = policy_lexicon()
    covered: set[int] = set()  # characters inside a scheme policy's name
    variants = _variants()
    for start, end, form in automaton().find(text):
        if form.endswith("办") and text.startswith(_CASE_NOUNS, end):
            continue  # 网上办件量: 办件 (a case handled) is a noun, the name is not written here
        covered.update(range(start, end))
        entry = lexicon[variants[form]]
        yield Mention(start, end, form, "Policy", entry.policy_id, PolicyName(entry.policy_id, pilot=entry.pilot))
    # 川渝通办, 京津冀通办: handling across the provinces named is 跨省通办
    across = lexicon.get(_ACROSS_PROVINCES)
    if across is not None:
        for m in _provinces_tongban().finditer(text):
            if covered.isdisjoint(range(m.start(), m.end())):
                covered.update(range(m.start(), m.end()))
                yield Mention(m.start(), m.end(), m.group(), "Policy", across.policy_id, PolicyName(across.policy_id))
    quoted, tail, title = _discovery()
    for m in quoted.finditer(text):
        name = m.group(1)
        if not covered.isdisjoint(range(m.start(1), m.end(1))) or _NOT_POLICY.search(name):
            continue
        if not (tail.search(name) or m.group(2)):
            continue
        yield Mention(
            m.start(1), m.end(1), name, "Policy", discovered_id(name), PolicyName(discovered_id(name), discovered=True)
        )
    for m in title.finditer(text):
        name = m.group(1)
        yield Mention(
            m.start(1), m.end(1), name, "Policy", discovered_id(name), PolicyName(discovered_id(name), discovered=True)
        )
