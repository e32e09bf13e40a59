"""Dictionary scans on the build's hot path, on ahocorasick-rs (Rust; ~8x pyahocorasick here).

PhraseMatcher: every occurrence of a fixed list of names (gazetteer, policy lexicon), leftmost
longest. PhraseStarts + finditer_at: run a regex only where one of its literal heads occurs.
"""

from __future__ import annotations

import re
import sys
from array import array
from collections.abc import Iterable, Iterator
from functools import cache

from ahocorasick_rs import AhoCorasick, MatchKind


@cache
def decimal_digits() -> tuple[str, ...]:
    """Every character ``\\d`` matches (the digits of every script): what a number can start with."""
    # every code point but the surrogates, decoded at once (joining a million chr() took a second)
    code_points = array("I", range(0xD800))
    code_points.extend(range(0xE000, sys.maxunicode + 1))
    everything = code_points.tobytes().decode("utf-32-le" if sys.byteorder == "little" else "utf-32-be")
    return tuple(re.findall(r"\d", everything))


class PhraseMatcher:
    """Non-overlapping matches, each the longest phrase starting at the leftmost possible position."""

    __slots__ = ("_automaton", "phrases")

    def __init__(self, phrases: Iterable[str]) -> None:
        self.phrases: tuple[str, ...] = tuple(sorted({p for p in phrases if p}))
        self._automaton = AhoCorasick(self.phrases, matchkind=MatchKind.LeftmostLongest)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, phrase) of every match, in text order; offsets are in characters."""
        phrases = self.phrases
        return [(start, end, phrases[i]) for i, start, end in self._automaton.find_matches_as_indexes(text)]


class PhraseStarts:
    """Every position where one of a fixed list of phrases starts, overlapping matches included.

    A prefilter for a slow regex whose matches all begin with one of the phrases: see finditer_at.
    """

    __slots__ = ("_automaton",)

    def __init__(self, phrases: Iterable[str]) -> None:
        self._automaton = AhoCorasick(sorted({p for p in phrases if p}), matchkind=MatchKind.Standard)

    def __call__(self, text: str) -> list[int]:
        return sorted({start for _i, start, _end in self._automaton.find_matches_as_indexes(text, overlapping=True)})


def finditer_at(pattern: re.Pattern[str], text: str, starts: Iterable[int]) -> Iterator[re.Match[str]]:
    """The matches ``pattern.finditer(text)`` gives, trying only ``starts`` (sorted).

    Exact when every match of the pattern begins at one of ``starts``: Python's regex engine
    tries a long alternation at every position of the text, which is what made it slow.
    """
    pos = 0
    for start in starts:
        if start < pos:
            continue
        m = pattern.match(text, start)
        if m is not None:
            yield m
            pos = max(m.end(), start + 1)
