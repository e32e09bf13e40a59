"""jieba's dictionary route: the same cuts as jieba, its scores cached, words read across a seam."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.dictionary import dictionary_cuts, joins_words, tokenizer, word_scores
from tests.extract.test_matcher import SENTENCES


def _jieba_cuts(chunk: str) -> list[int]:
    cuts, pos = [], 0
    for token in tokenizer().cut(chunk, HMM=False):
        pos += len(token)
        cuts.append(pos)
    return cuts


@pytest.mark.parametrize("sentence", SENTENCES)
def test_dictionary_cuts_as_jieba(sentence: str) -> None:
    """Every run of Chinese characters is cut where jieba's dictionary route cuts it."""
    for run in re.findall(r"[\u4e00-\u9fff]+", sentence):
        assert list(dictionary_cuts(run)) == _jieba_cuts(run)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="长治久安登上海拔示范县青海省西宁市的人民政府和社会", min_size=1, max_size=16))
def test_dictionary_cuts_random(chunk: str) -> None:
    assert list(dictionary_cuts(chunk)) == _jieba_cuts(chunk)


def test_dictionary_scores_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scores come back the same from the cache file; a damaged or missing file is recomputed."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    computed = word_scores.__wrapped__()
    (path,) = tmp_path.glob("zhengce-kg/jieba-scores-*.marshal")
    assert word_scores.__wrapped__() == computed  # from the file
    jieba = tokenizer()
    assert computed[1] == -math.log(jieba.total)
    assert computed[0]["长治久安"] == math.log(jieba.FREQ["长治久安"]) - math.log(jieba.total)
    path.write_bytes(b"\x00damaged")
    assert word_scores.__wrapped__() == computed
    path.unlink()
    path.parent.chmod(0o500)  # unwritable: still computed (root writes anyway)
    try:
        assert word_scores.__wrapped__() == computed
    finally:
        path.parent.chmod(0o700)


@pytest.mark.parametrize(
    ("before", "after", "joined"),
    [
        ("社保中心负责人介", "绍", True),  # 介绍
        ("稳岗返", "还补贴资金", True),  # 返还
        ("共享美好为主", "题的", True),  # 主题
        ("全面提升服务水平", "全省办理", False),
        ("稳稳托起民生幸福", "记者从省", False),
        ("", "绍", False),
    ],
)
def test_dictionary_joins_words(before: str, after: str, joined: bool) -> None:
    """A word read across the seam (a line break inside a word), or the seam is a word boundary."""
    assert joins_words(before, after) is joined
