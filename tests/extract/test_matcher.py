"""Dictionary scans: leftmost-longest phrase matching and regex prefilters.

The fast paths must give exactly what the slow ones gave: a regex tried only where one of its
heads starts finds what finditer finds.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract.agencies import patterns
from kg.extract.matcher import PhraseMatcher, PhraseStarts, finditer_at
from kg.extract.times import _TIME, time_starts

SENTENCES = [
    "青海省人力资源和社会保障厅、省财政厅联合印发通知，2023年1—10月全省新增就业5.2万人。",
    "昌吉州市场监管局会同州发展改革委，截至11月底，已为1077家企业发放稳岗返还补助。",
    "格尔木市人社局推行“免申即享”经办模式，前11个月惠及企业3200余家。",
    "国家发展改革委、人力资源社会保障部印发《关于进一步优化就业服务的实施方案》。",
    "今年以来，西宁市城东区东关大街街道办事处开展“就近办”服务，去年同期为12月。",
    "生物园区管委会(筹)在3月：完成了第2批项目；目前已有85%的企业入驻。",
]


def test_matcher_leftmost_longest() -> None:
    """The longest phrase at the leftmost position; matches do not overlap; offsets are characters."""
    matcher = PhraseMatcher(["青海", "青海省", "海省", "格尔木", "格尔木市"])
    assert matcher.find("在青海省格尔木市，青海") == [(1, 4, "青海省"), (4, 8, "格尔木市"), (9, 11, "青海")]


def test_matcher_starts_include_overlaps() -> None:
    """PhraseStarts gives every start, also those inside another match."""
    assert PhraseStarts(["青海省", "海省", "省"])("青海省") == [0, 1, 2]


@pytest.mark.parametrize("sentence", SENTENCES)
def test_matcher_prefiltered_regexes_match_finditer(sentence: str) -> None:
    """The agency and time regexes, tried only at their heads, find exactly what finditer finds."""
    agency, _national, agency_heads = patterns()
    for pattern, heads in ((agency, agency_heads), (_TIME, time_starts())):
        expected = [(m.span(), m.groupdict()) for m in pattern.finditer(sentence)]
        assert [(m.span(), m.groupdict()) for m in finditer_at(pattern, sentence, heads(sentence))] == expected


_WORDS = ["省", "市", "州", "人社局", "财政厅", "发展改革委", "国家", "管委会", "街道", "办事处", "园区", "的", "个"]
_PIECES = st.sampled_from([*_WORDS, "截至", "今年", "前", "年", "月", "底", "1", "2023", "11", "—", "至", "，"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_matcher_prefiltered_regexes_on_random_text(text: str) -> None:
    agency, _national, agency_heads = patterns()
    for pattern, heads in ((agency, agency_heads), (_TIME, time_starts())):
        expected = [(m.span(), m.groupdict()) for m in pattern.finditer(text)]
        assert [(m.span(), m.groupdict()) for m in finditer_at(pattern, text, heads(text))] == expected


def test_decimal_digits_are_every_character_backslash_d_matches() -> None:
    import re
    import sys

    from kg.extract.matcher import decimal_digits

    every = "".join(map(chr, range(sys.maxunicode + 1)))  # the slow way, surrogates included
    assert decimal_digits() == tuple(re.findall(r"\d", every))
    assert "٣" in decimal_digits() and "三" not in decimal_digits()
