"""jieba's dictionary route: where its word segmentation (``cut(HMM=False)``) cuts a run of Chinese characters.

Used where a word boundary decides something: whether a region name stands as a word
(长治 in 长治久安 does not), and whether a line break falls inside a word (负责人介 / 绍).
The route is computed here from jieba's dictionary with the same arithmetic as jieba, so the
cuts are jieba's own (tests compare them), without jieba's start-up or its cache in /tmp.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import logging
import marshal
import math
import os
import sys
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jieba

_SCORES_FORMAT = 1  # bump when what the scores cache holds changes


@cache
def tokenizer() -> jieba.Tokenizer:
    """jieba's own tokenizer, for text that is not all Chinese characters (the tests compare with it)."""
    import jieba  # imported when needed: the dictionary route does without it (0.2 s)

    jieba.setLogLevel(logging.WARNING)
    t = jieba.Tokenizer()
    with contextlib.suppress(OSError):
        _cache_dir().mkdir(parents=True, exist_ok=True)
        t.tmp_dir = str(_cache_dir())  # jieba's own cache beside ours, not in /tmp
    t.initialize()
    return t


def _cache_dir() -> Path:
    """The user's cache directory for this tool (``$XDG_CACHE_HOME/zhengce-kg``)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "zhengce-kg"


def _scores_cache_file(dictionary: bytes) -> Path:
    """Where the scores of this dictionary are kept between runs."""
    key = hashlib.sha256(f"{_SCORES_FORMAT} {sys.version_info[:2]}".encode() + dictionary)
    return _cache_dir() / f"jieba-scores-{key.hexdigest()[:16]}.marshal"


def _jieba_dictionary() -> bytes:
    """The bytes of the dictionary jieba's default tokenizer uses (found without importing jieba)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("jieba is not installed")
    return (Path(next(iter(spec.submodule_search_locations))) / "dict.txt").read_bytes()


def _compute_word_scores(dictionary: bytes) -> tuple[dict[str, float | None], float]:
    import jieba

    freq, total = jieba.Tokenizer.gen_pfdict(io.BytesIO(dictionary))  # words and their prefixes (0)
    log_total = math.log(total)
    return {word: (math.log(n) - log_total if n else None) for word, n in freq.items()}, -log_total


@cache
def word_scores() -> tuple[dict[str, float | None], float]:
    """jieba's dictionary as log probabilities (None: a prefix of words, not a word itself), and the
    score of a character that is no word (log 1 - log total).

    Computing them takes about a second (as long as jieba's own start-up, which this replaces); a
    marshal file in the user's cache directory, keyed by the dictionary's bytes and the Python
    version, loads in a fifth of that. A cache that cannot be read or written is skipped.
    """
    dictionary = _jieba_dictionary()
    path = _scores_cache_file(dictionary)
    with contextlib.suppress(OSError, EOFError, ValueError, TypeError):
        scores, unknown = marshal.loads(path.read_bytes())
        if isinstance(scores, dict) and isinstance(unknown, float):
            return scores, unknown
    scores, unknown = _compute_word_scores(dictionary)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temp.write_bytes(marshal.dumps((scores, unknown)))
        os.replace(temp, path)  # readers see the whole file or none
    return scores, unknown


@lru_cache(maxsize=8192)  # the text around names recurs (西宁市人民政府, 全省各地): computed once per process
def dictionary_cuts(chunk: str) -> tuple[int, ...]:
    """Where jieba's dictionary route (``cut(HMM=False)`` on a run of Chinese characters) cuts ``chunk``.

    The same dynamic programme as jieba's get_DAG + calc, with the logarithms computed once and
    the same arithmetic and tie-breaking (the longer word wins a tie), so the cuts are identical.
    """
    scores, unknown = word_scores()
    n = len(chunk)
    best = [0.0] * (n + 1)
    last = list(range(n + 1))  # the end index (inclusive) of the best first word at each position
    for i in range(n - 1, -1, -1):
        top, top_end = unknown + best[i + 1], i
        found = False
        j = i + 1
        frag = chunk[i]
        while frag in scores:
            score = scores[frag]
            if score is not None:
                total = score + best[j]
                if not found or total >= top:
                    top, top_end, found = total, j - 1, True
            if j >= n:
                break
            j += 1
            frag = chunk[i:j]
        best[i], last[i] = top, top_end
    cuts = []
    i = 0
    while i < n:
        i = last[i] + 1
        cuts.append(i)
    return tuple(cuts)


def joins_words(before: str, after: str) -> bool:
    """Whether the dictionary route reads a word across the seam of ``before`` + ``after`` (runs of
    Chinese characters): 负责人介 + 绍 (介绍), 为主 + 题的 (主题); not 水平 + 全省."""
    return bool(before and after) and len(before) not in dictionary_cuts(before + after)
