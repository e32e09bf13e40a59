"""Loading: decoding, normalisation, and the offset map back to the original text."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import CorpusError
from kg.load import char_map, decode, load_file, load_text

SENTENCE = "截至2023年底，全市养老保险参保人数达11.45万人。"


@pytest.mark.parametrize(
    "data, encoding",
    [
        (SENTENCE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + SENTENCE.encode("utf-8"), "utf-8-sig"),
        (SENTENCE.encode("gb18030"), "gb18030"),
        (SENTENCE.encode("utf-16"), "utf-16"),
        (SENTENCE.encode("utf-16-le"), "utf-16-le"),
        (SENTENCE.encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_load_decode_encodings(data: bytes, encoding: str) -> None:
    """Every supported encoding decodes to the same text and is named."""
    text, used = decode(data, "x.txt")
    assert text == SENTENCE
    assert used == encoding


def test_load_decode_empty_file_names_it() -> None:
    """An empty file is an error naming the file."""
    with pytest.raises(CorpusError, match=r"^empty\.txt: empty file"):
        decode(b"", "empty.txt")


def test_load_decode_binary_names_file_and_position() -> None:
    """A binary file is an error naming the file and the byte offset."""
    with pytest.raises(CorpusError, match=r"^img\.txt:3: binary"):
        decode(b"abc\x00\x01\x02\xff\xfe" * 10, "img.txt")


def test_load_decode_undecodable_names_position() -> None:
    """Bytes that no supported encoding reads give the offset of the first bad byte."""
    data = "正常文本".encode() + b"\x80\x80\xff\xff\xff" + b"\x81"
    with pytest.raises(CorpusError) as err:
        decode(data, "bad.txt")
    assert err.value.position == 12
    assert str(err.value).startswith("bad.txt:12:")


def test_load_traditional_to_simplified() -> None:
    """Traditional characters are normalised (格爾木 -> 格尔木) one for one."""
    doc = load_text("青海省格爾木市經濟發展", "t.txt")
    assert doc.text == "青海省格尔木市经济发展"
    assert len(doc.text) == len(doc.original)


def test_load_fullwidth_digits_and_spaces_in_numbers() -> None:
    """Full-width digits become ASCII and spaces inside numbers go."""
    doc = load_text("参保人数达 １１.４５ 万人，2023 年", "f.txt")
    assert doc.text == "参保人数达11.45万人，2023年"


def test_load_ascii_punctuation_between_chinese() -> None:
    """ASCII commas and brackets between Chinese characters become Chinese punctuation."""
    assert char_map("本报讯(记者 李静)12月24日,记者") == "本报讯（记者 李静）12月24日，记者"
    assert char_map("1,000 and 3.5") == "1,000 and 3.5"


def test_load_repairs_column_line_breaks() -> None:
    """Breaks inside a sentence (newspaper columns) are removed; paragraph ends are kept."""
    original = (
        "截至2023年底，全市养老保\n\n险参保人数分别达11.45万\n\n人，增长明显。\n\n"
        "提升服务水平\n\n全省办理建设项目环评3227\n\n项，同比增长。"
    )
    doc = load_text(original, "cols.txt")
    assert doc.text.split("\n") == [
        "截至2023年底，全市养老保险参保人数分别达11.45万人，增长明显。",
        "提升服务水平",
        "全省办理建设项目环评3227项，同比增长。",
    ]


def test_load_joins_a_paragraph_cut_mid_word() -> None:
    """A blank line inside a word of running text (负责人介 / 绍) goes, in a page of long paragraphs;
    a title with a comma before a paragraph stays on its own line."""
    paragraph = "连日来，社保中心接到很多这样的咨询电话，这是失业保险稳岗采取“免申即享”经办模式后，资金直达企业。"
    original = (
        f"{paragraph}\n\n{paragraph}社保中心负责人介\n\n绍，“免申即享”服务模式，是指企业全程免申报。\n\n"
        f"奋力谱写新篇章，建设美丽青海\n\n记者从省人社厅获悉，{paragraph}"
    )
    lines = load_text(original, "cut.txt").text.split("\n")
    assert lines[1].endswith("负责人介绍，“免申即享”服务模式，是指企业全程免申报。")
    assert lines[2] == "奋力谱写新篇章，建设美丽青海"
    assert lines[3].startswith("记者从省人社厅获悉")


def test_load_joins_a_line_cut_inside_a_word() -> None:
    """A break inside a word (稳岗返 / 还) goes even after a short line; a heading's break stays."""
    paragraph = "连日来，社保中心接到很多这样的咨询电话，这是失业保险稳岗采取“免申即享”经办模式后，资金直达企业。"
    original = (
        f"{paragraph}\n\n各项待遇水平稳步提高\n\n2023年全州首批失业保险稳岗返\n\n"
        f"还补贴资金4165.90万元已发放到位，惠及7171家企业。\n\n{paragraph}"
    )
    lines = load_text(original, "word.txt").text.split("\n")
    assert lines[1:3] == [
        "各项待遇水平稳步提高",
        "2023年全州首批失业保险稳岗返还补贴资金4165.90万元已发放到位，惠及7171家企业。",
    ]


def test_load_space_inside_quotes_is_no_headline() -> None:
    """A column line with a space inside quotes (“全民参保 共享美好”) is running text, not a headline."""
    original = "“一以贯之”扩大“宣传面”。大\n\n力开展以“全民参保 共享美好”为主\n\n题的“社保服务进万家”活动，采取请\n\n"
    original += "进来、走出去、送上门、沉下去等多种\n\n形式，宣讲政策。"
    assert load_text(original, "quote.txt").text == (
        "“一以贯之”扩大“宣传面”。大力开展以“全民参保 共享美好”为主题的“社保服务进万家”活动，采取请"
        "进来、走出去、送上门、沉下去等多种形式，宣讲政策。"
    )


def test_load_keeps_two_titles_apart() -> None:
    """Two headline lines closing a page stay two lines."""
    original = "正文一句话写得足够长长长长长长。\n\n绘绿色生态画卷 让山川湖海长青\n\n格尔木社保稳稳托起民生幸福\n"
    doc = load_text(original, "titles.txt")
    assert doc.text.strip().split("\n")[-2:] == ["绘绿色生态画卷 让山川湖海长青", "格尔木社保稳稳托起民生幸福"]


def test_load_keeps_a_title_apart_from_its_issue_number() -> None:
    """A notice's issue number (绵府办发〔2025〕18号, （皖开放办〔2022〕6号）) starts its own line, however
    wide the title line before it."""
    for number in ("某府办发〔2025〕18号", "（某开放办〔2022〕6号）"):
        original = (
            f"某市人民政府办公室关于印发《某市推进政务服务改革实施方案》的通知\n{number}\n"
            "各县（市、区）人民政府，市级各部门：\n《某市推进政务服务改革实施方案》已经市政府同意，现印发给你们。\n"
        )
        assert load_text(original, "notice.txt").text.split("\n")[1] == number


def test_load_keeps_subheads_of_an_unwrapped_page() -> None:
    """A page of unwrapped paragraphs keeps its short subheads on their own lines, however many short
    lines (place headings, subheads) it has."""
    original = (
        "多地推进改革\n■海南三亚：\n“一件事”套餐办理再提速\n"
        "三亚市将企业开办、员工招聘等事项整合为“一件事”套餐，去年累计办理套餐业务1.6万件，平均办理时限压缩75%。\n"
        "■湖南吉首：\n“就近办”打通服务最后一公里\n"
        "吉首市在全市12个乡镇（街道）推行“就近办”，群众在家门口就能办理社保、医保等事项，办事更方便。\n"
        "■河南许昌：\n“跨省通办”让异地办事不再难\n"
        "许昌市与浙江温州、江苏昆山等地签订“跨省通办”合作协议，实现83项事项异地办理，群众少跑腿。\n"
    )
    lines = load_text(original, "roundup.txt").text.split("\n")
    assert "“就近办”打通服务最后一公里" in lines


def test_load_keeps_a_title_apart_from_its_issuer_and_occasion() -> None:
    """A title line that ends with what the text is (…统计公报, …的报告) is not wrapped into the issuer
    below it, and a report's occasion in brackets (（2026年1月6日在…会议上）) starts its own line."""
    bulletin = "某某市2025年国民经济和社会发展统计公报\n某某市统计局\n一、综合\n初步核算，全年地区生产总值1612亿元。\n"
    assert load_text(bulletin, "b.txt").text.split("\n")[:2] == [
        "某某市2025年国民经济和社会发展统计公报",
        "某某市统计局",
    ]
    report = (
        "关于某市2025年预算执行情况和2026年预算草案的报告\n（2026年1月6日在某市第十七届人民代表大会第五次会议上）\n"
    )
    assert load_text(report, "r.txt").text.split("\n")[1].startswith("（2026年1月6日")


def test_load_keeps_a_reports_occasion_apart_from_the_speaker_below() -> None:
    """——2026年1月15日在…会议上 is a line of its own however wide: the speaker's line is not wrapped into it
    (会议上海东市财政局 would name 上海)."""
    report = (
        "关于海东市2025年预算执行情况和2026年预算草案的报告\n"
        "——2026年1月15日在海东市第四届人民代表大会第五次会议上\n海东市财政局局长 马文忠\n"
        "一、2025年预算执行情况\n全市一般公共预算收入完成38.6亿元，为预算的101.2%，同比增长5.3%。\n"
    )
    lines = load_text(report, "r.txt").text.split("\n")
    assert lines[1].endswith("会议上")
    assert lines[2] == "海东市财政局局长 马文忠"


def test_load_offsets_map_spans_back() -> None:
    """A span found in the normalised text maps to the same characters of the original."""
    original = "截至 2023 年底，全市养老保险参保人\n\n数分别达 11.45万人。"
    doc = load_text(original, "o.txt")
    start = doc.text.index("参保人数")
    o_start, o_end = doc.to_original(start, start + 4)
    assert original[o_start:o_end].replace("\n", "") == "参保人数"


_CHUNKS = st.sampled_from(
    [
        "参保",
        "人数",
        "達",
        "格爾木",
        " ",
        "  ",
        "\n",
        "\n\n",
        "１２",
        "3.5",
        "万人",
        "，",
        "。",
        "(",
        ")",
        ",",
        "\r\n",
        "\t",
        "abc",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_CHUNKS, max_size=40), st.data())
def test_load_offset_mapping_property(chunks: list[str], data: st.DataObject) -> None:
    """Any span of the normalised text maps back onto original characters that normalise to it."""
    original = "".join(chunks)
    doc = load_text(original, "p.txt")
    if not doc.text:
        return
    start = data.draw(st.integers(0, len(doc.text) - 1))
    end = data.draw(st.integers(start + 1, len(doc.text)))
    o_start, o_end = doc.to_original(start, end)
    assert 0 <= o_start < o_end <= len(original)
    # every normalised character comes from the original character its index maps to
    for i in range(start, end):
        o = doc.original_index(i)
        assert char_map(original[o]) == doc.text[i] or (original[o] in ",;:!?()" and doc.text[i] in "，；：！？（）")
    # and the original span holds nothing but those characters and deleted ones (spaces, breaks)
    kept = [doc.original_index(i) for i in range(start, end)]
    assert kept == sorted(kept) and kept[0] == o_start and kept[-1] == o_end - 1


def test_load_file_reports_unreadable(tmp_path: Path) -> None:
    """A missing file is a CorpusError naming it."""
    with pytest.raises(CorpusError, match=r"gone\.txt"):
        load_file(tmp_path / "gone.txt", "gone.txt")
