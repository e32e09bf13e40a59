"""Text as a reader sees it: the source's line breaks taken out, offsets still into the original.

Corpus files are often PDF or newspaper columns wrapped every dozen characters (大\\n\\n力开展);
evidence sentences keep those breaks because their offsets point into the original text. Pages
and the viewer show them flowed: a break between two Chinese characters disappears, a break
between Latin letters or digits becomes one space.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BREAK = re.compile(r"[ \t\u00a0\u3000]*\n\s*")
_NARROW = re.compile(r"[0-9A-Za-z%.,]")


def flowed(text: str) -> str:
    """``text`` without its line breaks (a space only where both sides are Latin letters or digits)."""

    def join(m: re.Match[str]) -> str:
        before = text[m.start() - 1] if m.start() > 0 else ""
        after = text[m.end()] if m.end() < len(text) else ""
        return " " if _NARROW.match(before) and _NARROW.match(after) else ""

    return _BREAK.sub(join, text).strip()


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of a document's original text: [start, end) in the original."""

    start: int
    end: int


def paragraphs(original: str) -> tuple[Paragraph, ...]:
    """The original text cut at its hard line breaks (the load stage's judgement of soft and hard)."""
    from kg.load import char_map, line_breaks

    out: list[Paragraph] = []
    pos = 0
    for start, end, soft in line_breaks(char_map(original)):
        if not soft:
            if original[pos:start].strip():
                out.append(Paragraph(pos, start))
            pos = end
    if original[pos:].strip():
        out.append(Paragraph(pos, len(original)))
    return tuple(out)
