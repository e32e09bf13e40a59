"""Load: decode a corpus file and normalise its text for matching, keeping offsets to the original.

Normalisation is a chain of one-to-one character maps (traditional -> simplified, full-width ->
half-width, ASCII punctuation -> Chinese punctuation between Chinese characters) followed by
deletions (carriage returns, control characters, spaces inside numbers, and the line breaks that
newspaper columns put inside sentences). Only deletions move offsets, so ``Document.anchors``
records one (normalised, original) pair after each deleted run.
"""

from __future__ import annotations

import codecs
import math
import os
import re
import stat
import statistics
import time
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

from kg.conventions import HAN, conventions
from kg.dictionary import joins_words
from kg.errors import CorpusError, CorpusWarning
from kg.layout import BLOCK_START, HEADING_LINE, OCCASION_LINE, is_furniture
from kg.types import DocMeta, Document, FileStamp, merge_spans

MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_LINE_CHARS = 1_000_000
_LONG_LINE = re.compile(f"[^\n]{{{MAX_LINE_CHARS + 1}}}")

# Characters that end a sentence or a line of text in running prose.
_LINE_FINAL = "。！？!?…；;"
_CLOSERS = "”’」』）)"


_HAN_CHAR = re.compile(rf"[{HAN}]")
_CONTINUATION = re.compile(rf"[{HAN}，、。；：）”]")
_HAN_TAIL = re.compile(rf"[{HAN}]+$")  # the Chinese characters that end a line ...
_HAN_HEAD = re.compile(rf"[{HAN}]+")  # ... and begin the next
_HEADLINE_GAP = re.compile(rf"[{HAN}”]{{2}} [{HAN}“]{{2}}")


def decode(data: bytes, path: str) -> tuple[str, str]:
    """Decode bytes as UTF-8 (BOM or not), UTF-16 (BOM or not), GB18030 or Big5.

    Returns the text and the encoding used. Raises CorpusError naming the file and the byte
    offset of the first undecodable byte, for empty and for binary input.
    """
    if not data:
        raise CorpusError(path, "empty file")
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", path, 3), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", path, 0), "utf-16"
    utf16 = _looks_utf16(data)
    if utf16:
        return _strict(data, utf16, path, 0), utf16
    if b"\x00" in data:
        utf16 = _utf16_by_content(data)
        if utf16:
            return _strict(data, utf16, path, 0), utf16
        raise CorpusError(path, "binary file (contains NUL bytes), not text", data.index(b"\x00"), "byte")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        utf16 = _utf16_by_content(data)
        if utf16:
            return _strict(data, utf16, path, 0), utf16
        if _mostly_utf8(data):
            # valid UTF-8 but for a few bytes (an encoded lone surrogate, a cut character): not GB18030
            raise CorpusError(path, "invalid UTF-8 byte sequence in UTF-8 text", utf8_error.start, "byte") from None
        try:
            text: str | None = data.decode("gb18030")
        except UnicodeDecodeError:
            text = None
        if text is not None and _mostly_text(text) and _mostly_simplified(text):
            return text, "gb18030"
        big5 = _big5(data)  # Traditional Chinese from Taiwan or Hong Kong read as GB18030 is nonsense
        if big5 is not None:
            return big5, "big5"
        if text is None:
            raise CorpusError(
                path, "not UTF-8, UTF-16, GB18030 or Big5 text: undecodable byte", utf8_error.start, "byte"
            ) from None
        if _mostly_text(text):
            return text, "gb18030"
        raise CorpusError(path, "binary file, not text", utf8_error.start, "byte") from None


def _mostly_simplified(text: str) -> bool:
    """Nearly all its Chinese characters are in GB2312, as in any mainland text.

    Big5 bytes read as GB18030 give characters of which about half are outside GB2312 (measured:
    0.42 in GB2312 for a Taiwanese sentence; the seed corpus: 0.9997 and more).
    """
    han = [ch for ch in text[:20000] if "\u4e00" <= ch <= "\u9fff"]
    if len(han) < 20:
        return True  # too little to tell: GB18030, as before
    common = sum(1 for ch in han if _in_gb2312(ch))
    return common >= 0.9 * len(han)


@lru_cache(maxsize=8192)
def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _big5(data: bytes) -> str | None:
    """The text of Big5 bytes (Microsoft's cp950, then the Hong Kong superset), if they are Big5 text."""
    for encoding in ("cp950", "big5hkscs"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _mostly_text(text):
            return text
    return None


def _mostly_utf8(data: bytes) -> bool:
    """Many valid multi-byte UTF-8 characters for each bad sequence: UTF-8 text with a flaw.

    GB18030 read as UTF-8 gives almost no valid multi-byte characters, so it is not taken for this.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    valid = sum(1 for ch in text if ord(ch) > 127) - bad
    return valid >= 10 * bad


def check_lines(text: str, path: str) -> None:
    """Refuse text with a line longer than MAX_LINE_CHARS: a dump, not a document, and slow to segment."""
    m = _LONG_LINE.search(text)
    if m is not None:
        line = text.count("\n", 0, m.start()) + 1
        raise CorpusError(path, f"line {line} is longer than {MAX_LINE_CHARS:,} characters; not a document?", m.start())


# Control characters normalisation deletes (and control_warning reports): not tab, line feed, carriage return.
_CONTROL_CHARS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_CONTROL = re.compile(f"[{_CONTROL_CHARS}]")


def control_warning(text: str, path: str) -> CorpusWarning | None:
    """A warning naming the control characters normalisation will remove (a sign of a damaged file)."""
    first = _CONTROL.search(text)
    if first is None:
        return None
    count = len(_CONTROL.findall(text, first.start()))
    line = text.count("\n", 0, first.start()) + 1
    reason = f"{count} control character(s) removed (the first, U+{ord(first.group()):04X}, on line {line})"
    return CorpusWarning(path, reason, first.start())


def _strict(data: bytes, encoding: str, path: str, shift: int) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        raise CorpusError(path, f"invalid {encoding}: undecodable bytes", e.start + shift, "byte") from None


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: Chinese or ASCII text has NUL or near-zero bytes on one side."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_nul = sample[0::2].count(0)
    odd_nul = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nul > 0.3 * half and even_nul < 0.05 * half:
        return "utf-16-le"
    if even_nul > 0.3 * half and odd_nul < 0.05 * half:
        return "utf-16-be"
    return None


_CHINESE_TEXT = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u2000-\u206f\x20-\x7e\n\r\t]")


def _utf16_by_content(data: bytes) -> str | None:
    """UTF-16 without a BOM and with few NUL bytes (mostly Chinese): the decoding that reads as Chinese.

    Only asked once UTF-8 has failed: ASCII text would read as Chinese in UTF-16 too.
    """
    sample = data[:4096]
    if len(data) % 2 or len(sample) < 4:
        return None
    for encoding in ("utf-16-le", "utf-16-be"):
        text = sample.decode(encoding, errors="replace")  # the sample may end inside a surrogate pair
        if len(_CHINESE_TEXT.findall(text)) >= 0.95 * len(text):
            return encoding
    return None


def _mostly_text(text: str) -> bool:
    if not text:
        return False
    bad = sum(1 for ch in text[:20000] if unicodedata.category(ch) in ("Cc", "Co", "Cn") and ch not in "\n\r\t")
    return bad < 0.01 * min(len(text), 20000)


# --- one-to-one character maps -------------------------------------------------------------

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if chr(cp) not in "，。：；！？（）"}
_FULLWIDTH[0x3000] = 0x20  # ideographic space
for _ch in "，：；！？（）":
    _FULLWIDTH.pop(ord(_ch), None)
# Chinese punctuation keeps its full-width form; ASCII forms between Chinese characters become it.
_TO_CHINESE_PUNCT = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"}
# Each alternative starts with the character it replaces (the context is checked after it), so
# the regex engine jumps from one ASCII mark to the next instead of testing every position.
_ASCII_PUNCT_IN_CJK = re.compile(
    rf"[,;:!?](?:(?<=[{HAN}”’）].)|(?<=[\d%].)(?=[{HAN}]))|[()](?:(?=[{HAN}])|(?<=[{HAN}].))"
)
_FULLWIDTH_RUN = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_FULLWIDTH)) + "]+")


@lru_cache(maxsize=1)
def _t2s_converter() -> object:
    import opencc  # a C++ library; imported lazily so `kg --help` stays quick

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def _t2s_char(ch: str) -> str:
    out: str = _t2s_converter().convert(ch)  # type: ignore[attr-defined]
    return out if len(out) == 1 else ch


def to_simplified(text: str) -> str:
    """Traditional to simplified characters, one character for one (OpenCC's t2s tables)."""
    if text.isascii():
        return text
    whole: str = _t2s_converter().convert(text)  # type: ignore[attr-defined]
    if len(whole) == len(text):
        return whole
    return "".join(_t2s_char(ch) if ord(ch) > 0x2E7F else ch for ch in text)


def char_map(text: str) -> str:
    """All one-to-one normalisations; the result has the same length as the input."""
    # translate() looks up every character; only the (rare) runs of full-width forms need it
    text = _FULLWIDTH_RUN.sub(lambda m: m.group().translate(_FULLWIDTH), to_simplified(text))
    return _ASCII_PUNCT_IN_CJK.sub(lambda m: _TO_CHINESE_PUNCT[m.group()], text)


# --- deletions -----------------------------------------------------------------------------

_SPACE = r"[ \t\u00a0]"
_DELETE_INLINE = re.compile(
    rf"\r|[{_CONTROL_CHARS}\ufeff\u200b-\u200d]"  # carriage returns, controls, zero-width
    rf"|(?<=\d){_SPACE}+(?=[\d{HAN}%])"  # "2023 年", "1530 元", "1 832"
    rf"|(?<=[{HAN}，、：；（]){_SPACE}+(?=\d)"  # "达 11.45万人"
    rf"|(?<=\.){_SPACE}+(?=\d)|(?<=\d){_SPACE}+(?=\.\d)"  # "11. 45"
    rf"|^{_SPACE}+|{_SPACE}+$",  # indentation and trailing spaces
    re.MULTILINE,
)


_NARROW = re.compile(r"[\x00-\u2e7f]")


def _width(line: str) -> float:
    """Width in Chinese characters: a Latin letter, digit or space counts half."""
    return len(line) - 0.5 * len(_NARROW.findall(line))


def _headline_gap(line: str) -> bool:
    """Two phrases set apart by a space, as in a headline (a space inside quotes does not count)."""
    if "“" not in line:
        return _HEADLINE_GAP.search(line) is not None
    return any(line.count("“", 0, m.start()) <= line.count("”", 0, m.start()) for m in _HEADLINE_GAP.finditer(line))


def _breaks_a_word(line: str, following: str) -> bool:
    """Whether a line break between these lines falls inside a word (jieba's dictionary route)."""
    head = _HAN_HEAD.match(following, 0, 6)
    if head is None:
        return False
    tail = _HAN_TAIL.search(line[-6:])  # a slice: a $-anchored search tries every start
    return tail is not None and joins_words(tail.group(), head.group())


def _ends_a_title(line: str) -> bool:
    """Whether a line without punctuation ends with a word that names what a text is (…统计公报,
    …实施方案的通知): a title's last line, however wide, is not wrapped into the line below it."""
    return not any(ch in line for ch in "，。；") and line.endswith(_title_words())


@cache
def _title_words() -> tuple[str, ...]:
    c = conventions()
    return (*c.plan_titles, *c.report_titles)


def _is_body_text(line: str) -> bool:
    """A line of running text rather than a title: it holds a full stop, or commas and some length."""
    return "。" in line or "；" in line or ("，" in line and _width(line) >= 40)


_PROSE_MARKS = re.compile("[，。；]")
_MIN_PROSE_LINES = 3
_UNWRAPPED_SHARE = 0.8
_WIDE_COLUMN = 60  # wider than any column a page wraps its lines at


def _column(lines: list[str]) -> float:
    """The page's column width: the median width of its lines; none (infinite) for a page whose lines
    of prose (with punctuation) nearly all end a sentence, a page of unwrapped paragraphs however many
    short headings, subheads and table rows it has (■海南三亚：, “就近办”打通服务最后一公里)."""
    prose = [line for line in lines if _width(line) >= 6 and _PROSE_MARKS.search(line)]
    ended = sum(1 for line in prose if line[-1] in _LINE_FINAL + _CLOSERS)
    if len(prose) >= _MIN_PROSE_LINES and ended >= _UNWRAPPED_SHARE * len(prose):
        return math.inf
    widths = [_width(line) for line in lines if _width(line) >= 6]
    return statistics.median(widths) if widths else 0.0


def line_breaks(text: str) -> list[tuple[int, int, bool]]:
    """Each run of line breaks (with blank lines) as (start, end, soft).

    A break is soft (a column wrap inside a sentence) when the line before it is about as wide
    as the page's column and does not end a sentence, or ends with a comma; a break before a
    byline, lead or heading marker is never soft.
    """
    runs = [(m.start(), m.end()) for m in re.finditer(r"[ \t\u00a0\u3000]*\n[\s]*", text)]
    if not runs:
        return []
    lines = [s.strip() for s in text.split("\n")]
    column = _column(lines)
    out = []
    prev_end = 0
    for start, end in runs:
        line = text[prev_end:start].strip()
        next_break = text.find("\n", end)
        following = text[end : next_break if next_break >= 0 else len(text)]
        prev_end = end
        soft = False
        # Headline cues: two phrases set apart by a space, or a last line with no punctuation.
        headline = ("，" not in line and _headline_gap(line)) or (
            next_break < 0 and not any(ch in _LINE_FINAL + "，、" for ch in following)
        )
        # A numbered heading line (一、 （二）) ends at its line break.
        headline = headline or bool(HEADING_LINE.match(line))
        # A report's occasion (——2026年1月15日在…会议上) ends at its line break, as a heading does.
        headline = headline or bool(OCCASION_LINE.match(line))
        if line and following and not headline and not BLOCK_START.match(following):
            last = line[-1]
            ends_sentence = last in _LINE_FINAL or (last in _CLOSERS and len(line) > 1 and line[-2] in _LINE_FINAL)
            if last in "，、":
                soft = True
            elif is_furniture(line) or is_furniture(following) or _ends_a_title(line):
                soft = False
            elif not ends_sentence and last not in "）)" and _width(line) >= 0.75 * column and column <= _WIDE_COLUMN:
                soft = True
            elif _HAN_CHAR.fullmatch(last) and _CONTINUATION.match(following) and _is_body_text(line):
                # A paragraph cut mid-word by a blank line (……负责人介 / 绍，……): running text never
                # ends a paragraph on a bare character, though a title (even one with a comma) may.
                soft = True
            elif _breaks_a_word(line, following):  # 稳岗返 / 还补贴资金: no paragraph ends mid-word
                soft = True
        out.append((start, end, soft))
    return out


def normalise(original: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Normalised text and its anchors (see ``Document``)."""
    mapped = char_map(original)
    deletions: list[tuple[int, int]] = []  # original ranges to drop
    for start, end, soft in line_breaks(mapped):
        if soft:
            deletions.append((start, end))
        else:
            nl = mapped.index("\n", start)
            if nl > start:
                deletions.append((start, nl))
            if end > nl + 1:
                deletions.append((nl + 1, end))
    # Inline deletions, skipping what line breaks already removed.
    for m in _DELETE_INLINE.finditer(mapped):
        deletions.append((m.start(), m.end()))
    merged = merge_spans(deletions)
    pieces: list[str] = []
    anchors: list[tuple[int, int]] = [(0, 0)]
    pos = 0
    out_len = 0
    for s, e in merged:
        if s > pos:
            pieces.append(mapped[pos:s])
            out_len += s - pos
        pos = e
        anchors.append((out_len, e))
    pieces.append(mapped[pos:])
    text = "".join(pieces)
    # Drop anchors that add nothing (two deletions with no text between keep the later one).
    compact: list[tuple[int, int]] = []
    for a in anchors:
        if compact and compact[-1][0] == a[0]:
            compact[-1] = a
        else:
            compact.append(a)
    return text, tuple(compact)


def load_text(original: str, source_file: str, encoding: str = "utf-8", meta: DocMeta | None = None) -> Document:
    """A Document from already decoded text."""
    text, anchors = normalise(original)
    return Document(source_file, original, text, anchors, encoding, meta or DocMeta())


def read_bytes(path: Path, source_file: str) -> bytes:
    """A corpus file's bytes. Raises CorpusError naming the file when it cannot be read or is too large."""
    return read_stamped(path, source_file)[0]


# A file changed this close to when it was read may change again within the same tick of the file
# system's clock (2 s on FAT, 1 s on some network file systems) and keep its times: not stamped.
SETTLED_NS = 2_000_000_000


def file_stamp(info: os.stat_result) -> FileStamp:
    return FileStamp(info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


def read_stamped(path: Path, source_file: str) -> tuple[bytes, FileStamp | None]:
    """A corpus file's bytes and its stamp as it was when read (None if it changed too recently to trust one).

    Only a regular file is read: opened without blocking (a FIFO would wait for a writer forever)
    and checked after opening (it may have been replaced since the corpus was listed), and never
    more than MAX_FILE_BYTES (a device such as /dev/zero never ends).
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as e:
        raise CorpusError(source_file, f"cannot read: {e.strerror or e}") from None
    try:
        info = os.fstat(fd)
        read_at = time.time_ns()
        if not stat.S_ISREG(info.st_mode):
            raise CorpusError(source_file, "not a regular file (a FIFO, device or socket)")
        if info.st_size > MAX_FILE_BYTES:
            raise CorpusError(source_file, f"file too large ({info.st_size} bytes; limit {MAX_FILE_BYTES})")
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise CorpusError(source_file, f"cannot read: {e.strerror or e}") from None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:  # it grew while read
        raise CorpusError(source_file, f"file too large (over {MAX_FILE_BYTES} bytes)")
    settled = len(data) == info.st_size and max(info.st_mtime_ns, info.st_ctime_ns) < read_at - SETTLED_NS
    return data, file_stamp(info) if settled else None


def load_bytes(data: bytes, source_file: str, meta: DocMeta | None = None) -> Document:
    """Decode and normalise one corpus file's bytes. Raises CorpusError naming the file."""
    original, encoding = decode(data, source_file)
    check_lines(original, source_file)
    return load_text(original, source_file, encoding, meta)


def load_file(path: Path, source_file: str | None = None, meta: DocMeta | None = None) -> Document:
    """Read, decode and normalise one corpus file. Raises CorpusError naming the file."""
    name = source_file or path.name
    return load_bytes(read_bytes(path, name), name, meta)
