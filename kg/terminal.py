"""Text on a terminal: display width (a Chinese character takes two columns), clipping, the terminal's width.

Widths come from wcwidth (Unicode's East Asian Width and zero-width tables, kept up to date), so
combining marks, zero-width joiners and full-width punctuation line up as a terminal draws them.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

import wcwidth

ELLIPSIS = "…"


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal (control characters count as none)."""
    return int(wcwidth.width(text, control_codes="ignore"))


def clip(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` columns, ending in … where something was cut (``width`` 0: never)."""
    if width <= 0 or display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + ELLIPSIS


def pad(text: str, width: int, *, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` columns, on the left if ``right`` (numbers)."""
    gap = " " * max(width - display_width(text), 0)
    return gap + text if right else text + gap


def terminal_width(stream: TextIO | None = None) -> int | None:
    """The width to fit output to: $COLUMNS if set, else the terminal's, else None (not a terminal)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    stream = stream or sys.stdout
    try:
        if stream.isatty():
            return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        pass
    return None


def use_colour(stream: TextIO | None = None) -> bool:
    """Colour only on a terminal, and never with NO_COLOR set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False
