"""Dictionary scans: leftmost-longest phrase matching, regex prefilters, and jieba's route.

The fast paths must give exactly what the slow ones gave: a regex tried only where one of its
heads starts finds what finditer finds; dictionary_cuts cuts where jieba's cut(HMM=False) cuts.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract.agencies import _patterns
from kg.extract.matcher import PhraseMatcher, PhraseStarts, finditer_at
from kg.extract.regions import _tokenizer, _word_scores, dictionary_cuts
from kg.extract.times import _TIME, _time_starts

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
    agency, _national, agency_heads = _patterns()
    for pattern, heads in ((agency, agency_heads), (_TIME, _time_starts())):
        expected = [(m.span(), m.groupdict()) for m in pattern.finditer(sentence)]
        assert [(m.span(), m.groupdict()) for m in finditer_at(pattern, sentence, heads(sentence))] == expected


_WORDS = ["省", "市", "州", "人社局", "财政厅", "发展改革委", "国家", "管委会", "街道", "办事处", "园区", "的", "个"]
_PIECES = st.sampled_from([*_WORDS, "截至", "今年", "前", "年", "月", "底", "1", "2023", "11", "—", "至", "，"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_matcher_prefiltered_regexes_on_random_text(text: str) -> None:
    agency, _national, agency_heads = _patterns()
    for pattern, heads in ((agency, agency_heads), (_TIME, _time_starts())):
        expected = [(m.span(), m.groupdict()) for m in pattern.finditer(text)]
        assert [(m.span(), m.groupdict()) for m in finditer_at(pattern, text, heads(text))] == expected


def _jieba_cuts(chunk: str) -> list[int]:
    cuts, pos = [], 0
    for token in _tokenizer().cut(chunk, HMM=False):
        pos += len(token)
        cuts.append(pos)
    return cuts


@pytest.mark.parametrize("sentence", SENTENCES)
def test_matcher_dictionary_cuts_as_jieba(sentence: str) -> None:
    """Every run of Chinese characters is cut where jieba's dictionary route cuts it."""
    for run in re.findall(r"[\u4e00-\u9fff]+", sentence):
        assert dictionary_cuts(run) == _jieba_cuts(run)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="长治久安登上海拔示范县青海省西宁市的人民政府和社会", min_size=1, max_size=16))
def test_matcher_dictionary_cuts_random(chunk: str) -> None:
    assert dictionary_cuts(chunk) == _jieba_cuts(chunk)


def test_matcher_word_scores_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scores come back the same from the cache file; a damaged or missing file is recomputed."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    computed = _word_scores.__wrapped__()
    (path,) = tmp_path.glob("zhengce-kg/jieba-scores-*.marshal")
    assert _word_scores.__wrapped__() == computed  # from the file
    tokenizer = _tokenizer()
    assert computed[1] == -math.log(tokenizer.total)
    assert computed[0]["长治久安"] == math.log(tokenizer.FREQ["长治久安"]) - math.log(tokenizer.total)
    path.write_bytes(b"\x00damaged")
    assert _word_scores.__wrapped__() == computed
    path.unlink()
    path.parent.chmod(0o500)  # unwritable: still computed (root writes anyway)
    try:
        assert _word_scores.__wrapped__() == computed
    finally:
        path.parent.chmod(0o700)
