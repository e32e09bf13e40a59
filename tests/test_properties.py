"""Property tests: no text crashes extraction, and what comes out is well formed.

The texts are variations of real sentences, from corpus/*.txt and tests/gold/dev/corpus/*.txt: cut
at any point (mid-sentence, mid-number), sentences and paragraphs recombined across documents,
numbers and years replaced (0, huge, decimals, years outside 1900-2100, Chinese numerals),
punctuation and line breaks removed or doubled, with metadata present or not. Each goes through
``load_text`` or ``load_bytes``, ``document_facts`` and ``document_ntriples``.

Under CI the examples are the same on every run (the "ci" profile of tests/conftest.py). To hunt
for new crashes: ``HYPOTHESIS_PROFILE=hunt KG_HUNT_EXAMPLES=5000 pytest tests/test_properties.py``.
A crash found that way is fixed where it is raised, and its smallest input kept in REGRESSIONS below.
"""

from __future__ import annotations

import re
from decimal import Decimal
from random import Random

import cn2an
import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import CorpusError
from kg.facts import document_facts
from kg.gazetteer import gazetteer
from kg.graph import document_ntriples
from kg.load import load_bytes, load_text
from kg.types import DocMeta, Document, DocumentFacts, Evidence
from tests.conftest import CORPUS, HYPOTHESIS_PROFILE, TEST_DIR

_SOURCES = [*sorted(CORPUS.glob("*.txt")), *sorted((TEST_DIR / "gold" / "dev" / "corpus").glob("*.txt"))]
_TEXTS = tuple(p.read_text(encoding="utf-8") for p in _SOURCES)
_PARAGRAPHS = tuple(line for text in _TEXTS for line in text.splitlines() if line.strip())
_SENTENCES = tuple(s for p in _PARAGRAPHS for s in re.findall(r"[^。！？；]+[。！？；]?", p))
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_PUNCTUATION = re.compile(r"[，。；：、！？“”‘’（）《》【】,.;:!?()—…·\n]")
_PERIOD = re.compile(r"[0-9]{4}(-[0-9]{2})?(/[0-9]{4}(-[0-9]{2})?)?")
_CODE = re.compile(r"[0-9]{6}")


def _examples(n: int) -> int:
    """``n`` examples (the file runs in about 20 s on two cores), or the hunt profile's many."""
    return settings.default.max_examples if HYPOTHESIS_PROFILE == "hunt" else n


# --- strategies -------------------------------------------------------------------------------------


@st.composite
def cut_texts(draw: st.DrawFn) -> str:
    """A piece of a real text, cut anywhere; a cut often falls inside a number."""
    text = draw(st.sampled_from(_TEXTS))
    digits = [m.start() + 1 for m in re.finditer(r"\d\d", text)]  # between two digits
    start = draw(st.integers(0, len(text)) | st.sampled_from(digits))
    later = [i for i in digits if start < i <= start + 4000] or [start]
    end = draw(st.integers(start, min(len(text), start + 4000)) | st.sampled_from(later))
    return text[start:end]


@st.composite
def recombined(draw: st.DrawFn) -> str:
    """Sentences and paragraphs of different documents, shuffled together."""
    pieces = draw(st.lists(st.sampled_from(_SENTENCES) | st.sampled_from(_PARAGRAPHS), min_size=1, max_size=12))
    separators = st.sampled_from(["", "\n", "\n\n", " ", "　", "\r\n", "\n\n\n"])
    return "".join(piece + draw(separators) for piece in pieces)


@st.composite
def spliced(draw: st.DrawFn) -> str:
    """Short fragments of real texts (a few characters each, cut anywhere) run together."""
    pieces = []
    for _ in range(draw(st.integers(1, 40))):
        text = draw(st.sampled_from(_TEXTS))
        start = draw(st.integers(0, len(text) - 1))
        pieces.append(text[start : start + draw(st.integers(1, 30))])
    return "".join(pieces)


_YEARS = st.integers(0, 9999).map(lambda y: f"{y:04d}") | st.sampled_from(["0000", "1066", "1899", "2101", "9999"])
_NUMBERS = st.one_of(
    st.sampled_from(["0", "00", "0.0", "0.000001", "1" + "0" * 40, "9" * 30, "3.14159265358979323846264338"]),
    st.integers(0, 10**40).map(str),
    st.decimals(0, 10**12, places=4, allow_nan=False, allow_infinity=False).map(lambda d: format(d, "f")),
    _YEARS,
    st.integers(0, 10**16 - 1).map(lambda n: str(cn2an.an2cn(n))),
    st.sampled_from(["十二", "两", "零", "\u3007", "三千二百", "一百零五万", "零点五", "二\u3007二四"]),
    st.sampled_from(["十十", "点", "万万", "两两", "零零", "十亿亿", "一点", "点五"]),
)


# Digits in other forms: full-width (normalised to ASCII on loading), Arabic-Indic, mathematical bold.
_DIGITS = st.sampled_from(["".join(chr(zero + i) for i in range(10)) for zero in (0x30, 0xFF10, 0x0660, 0x1D7CE)])


def renumber(draw: st.DrawFn, text: str) -> str:
    """Some numbers of ``text`` replaced by others, maybe in other digits."""
    out: list[str] = []
    pos = 0
    for m in _NUMBER.finditer(text):
        if draw(st.booleans()):
            number = draw(_NUMBERS)
            if draw(st.integers(0, 9)) == 0:
                number = number.translate(str.maketrans("0123456789", draw(_DIGITS)))
            out += [text[pos : m.start()], number]
            pos = m.end()
    return "".join([*out, text[pos:]])


def repunctuate(draw: st.DrawFn, text: str) -> str:
    """Punctuation and line breaks removed, doubled or left, all of them or some."""
    how = draw(st.sampled_from(["drop", "double", "some"]))
    if how == "drop":
        return _PUNCTUATION.sub("", text)
    if how == "double":
        return _PUNCTUATION.sub(lambda m: m.group() * 2, text)
    rnd: Random = draw(st.randoms(use_true_random=False))
    return _PUNCTUATION.sub(lambda m: rnd.choice(["", m.group(), m.group() * 2]), text)


@st.composite
def varied(draw: st.DrawFn) -> str:
    """A cut, recombined or spliced text, maybe renumbered, repunctuated and cut again."""
    text = draw(cut_texts() | recombined() | spliced())
    if draw(st.booleans()):
        text = renumber(draw, text)
    if draw(st.booleans()):
        text = repunctuate(draw, text)
    if draw(st.booleans()):
        start = draw(st.integers(0, len(text)))
        text = text[start : draw(st.integers(start, len(text)))]
    return text


_DATES = st.one_of(
    st.none(),
    st.sampled_from(["2024", "2024-03", "2024-03-05", "2024-01", "2024-02-29", "2023-12-31"]),
    st.builds(lambda y, m, d: f"{y}-{m:02d}-{d:02d}", st.integers(1900, 2100), st.integers(1, 12), st.integers(1, 28)),
    st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(1900, 2100), st.integers(1, 12)),
    st.integers(1900, 2100).map(str),
    # what a hand-written metadata.json may hold: nothing checks its dates
    st.sampled_from(["2024-3-5", "2024年3月", "2024/03/05", "March 2024", "", "2024-", "\u00b2\u2070\u00b2\u2074"]),
)
_CODES = sorted(gazetteer().by_code)
metas = st.builds(
    DocMeta,
    title=st.none() | st.sampled_from(_PARAGRAPHS[:50]),
    date=_DATES,
    publisher=st.none() | st.sampled_from(["青海日报", "新疆日报", "人民日报"]),
    source=st.none() | st.sampled_from(["https://example.org/a?b=1&c=“引号”", "not a url"]),
    region=st.none() | st.sampled_from(["630000", "650000", "632801", "130100"]) | st.sampled_from(_CODES),
)
names = st.sampled_from(["p.txt", "305_x.txt", "目录 a#b?.txt", 'q"uote%20.txt'])


# --- what every document's facts must satisfy ----------------------------------------------------


def _evidences(facts: DocumentFacts) -> list[Evidence]:
    return [a.evidence for a in facts.adoptions] + [o.evidence for o in facts.observations]


def check_document(doc: Document) -> None:
    """Extraction does not raise, is deterministic, and gives well-formed facts and parsable triples."""
    facts = document_facts(doc)
    assert document_facts(doc) == facts
    for ev in _evidences(facts):
        assert ev.source_file == doc.source_file
        assert 0 <= ev.start <= ev.end <= len(doc.original)
        assert ev.text == doc.original[ev.start : ev.end]
    for period in [a.period for a in facts.adoptions] + [o.period for o in facts.observations]:
        assert period is None or _PERIOD.fullmatch(period), period
    for o in facts.observations:
        assert isinstance(o.value, Decimal) and o.value.is_finite(), o
        assert o.indicator and o.unit and o.qualifier in ("exact", "at_least", "about", "at_most"), o
    assert all(a.status in ("implemented", "piloting", "planned") for a in facts.adoptions)
    codes = [
        *facts.regions,
        *(a.region for a in facts.adoptions),
        *(o.region for o in facts.observations),
        *(a.jurisdiction for a in facts.agencies),
        *(p.parent for p in facts.places),
    ]
    assert all(_CODE.fullmatch(code) for code in codes), codes
    ntriples = document_ntriples(facts)
    assert document_ntriples(document_facts(doc)) == ntriples
    triples = list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    assert len(triples) == ntriples.count(b"\n") > 0


def check_text(text: str, meta: DocMeta, name: str = "p.txt") -> None:
    """``check_document`` on the text loaded (twice: loading is deterministic too)."""
    doc = load_text(text, name, meta=meta)
    assert load_text(text, name, meta=meta) == doc
    check_document(doc)


# --- the properties ---------------------------------------------------------------------------------


@settings(max_examples=_examples(250), deadline=None)
@given(cut_texts(), metas, names)
def test_properties_cut_texts_extract_cleanly(text: str, meta: DocMeta, name: str) -> None:
    """A real text cut anywhere (mid-sentence, mid-number) extracts without error into well-formed facts."""
    check_text(text, meta, name)


@settings(max_examples=_examples(150), deadline=None)
@given(recombined(), metas)
def test_properties_recombined_texts_extract_cleanly(text: str, meta: DocMeta) -> None:
    """Sentences and paragraphs of different documents shuffled together extract into well-formed facts."""
    check_text(text, meta)


@settings(max_examples=_examples(200), deadline=None)
@given(spliced(), metas)
def test_properties_spliced_fragments_extract_cleanly(text: str, meta: DocMeta) -> None:
    """Fragments of a few characters from anywhere in the texts, run together, extract into well-formed facts."""
    check_text(text, meta)


@settings(max_examples=_examples(250), deadline=None)
@given(st.data(), cut_texts() | recombined(), metas)
def test_properties_renumbered_texts_extract_cleanly(data: st.DataObject, text: str, meta: DocMeta) -> None:
    """Numbers and years replaced (0, huge, decimals, years outside 1900-2100, Chinese numerals) break nothing."""
    check_text(renumber(data.draw, text), meta)


@settings(max_examples=_examples(150), deadline=None)
@given(st.data(), cut_texts() | recombined(), metas)
def test_properties_repunctuated_texts_extract_cleanly(data: st.DataObject, text: str, meta: DocMeta) -> None:
    """Punctuation and line breaks removed or doubled break nothing."""
    check_text(repunctuate(data.draw, text), meta)


@settings(max_examples=_examples(250), deadline=None)
@given(varied(), metas, st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le", "utf-16-be"]))
def test_properties_encoded_variations_load_and_extract(text: str, meta: DocMeta, encoding: str) -> None:
    """Every variation, as the bytes of a file in any supported encoding, loads and extracts cleanly.

    GB18030 and UTF-16 without a byte-order mark are guessed, and a guess on a few bytes may be wrong
    ("为" in GB18030 is valid UTF-8): such a file may be refused (CorpusError: the build skips it) or
    misread, but nothing may crash.
    """
    guessed = encoding in ("gb18030", "utf-16-le", "utf-16-be")
    try:
        doc = load_bytes(text.encode(encoding), "p.txt", meta)
    except CorpusError:
        assert not text or guessed, f"a real text was refused as {encoding}"
        return
    assert doc.original == text or guessed
    check_document(doc)


# --- what the hunt found, kept as regressions -------------------------------------------------------

_Y2024 = "\u0662\u0660\u0662\u0664"  # 2024 in Arabic-Indic digits

# (what broke, the smallest input found, its metadata); each is described in the commit that fixed it
REGRESSIONS: list[tuple[str, str, DocMeta]] = [
    # kg/types.py as_decimal: quantize() in the default context (28 digits) raised InvalidOperation
    ("value-of-29-digits", "西宁市完成投资1" + "0" * 28 + "元。", DocMeta()),
    # kg/facts.py period_for/_complete: a year read as an int was written back as "1", not "0001"
    ("year-0001-as-anchor", "西宁市城镇新增就业6.2万人。0001年", DocMeta()),
    ("year-0001-with-a-month", "西宁市3月城镇新增就业6.2万人。0001年", DocMeta()),
    # kg/extract/times.py time_mentions: a year in other digits (\d matches them) was kept in them: "٢٠٢٤"
    ("year-in-arabic-indic-digits", f"西宁市{_Y2024}年城镇新增就业6.2万人。", DocMeta()),
    ("year-and-month-in-arabic-indic-digits", f"截至{_Y2024}年3月底，西宁市城镇新增就业6.2万人。", DocMeta()),
    # kg/facts.py _Context._base_year: int(date[5:7]) raised ValueError on a metadata date not "YYYY-MM..."
    ("date-without-zero-padding", "城镇新增就业6.2万人。", DocMeta(date="2024-3-5")),
    ("date-written-in-chinese", "城镇新增就业6.2万人。", DocMeta(date="2024年3月")),
    # kg/facts.py _year_of: "²⁰²⁴".isdigit() is true, and int() raised ValueError
    ("date-in-superscript-digits", "城镇新增就业6.2万人。", DocMeta(date="\u00b2\u2070\u00b2\u2074")),
]


@pytest.mark.parametrize(("case", "text", "meta"), REGRESSIONS, ids=[case for case, _, _ in REGRESSIONS])
def test_properties_regressions(case: str, text: str, meta: DocMeta) -> None:
    """Each input that once broke extraction (a crash or a malformed fact) now gives well-formed facts."""
    check_text(text, meta)
