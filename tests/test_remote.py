"""A corpus at a URL lists and reads as the same folder does."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import CorpusError, MetadataError
from kg.pipeline import build
from kg.remote import corpus_location, find_corpus, read_url
from tests.conftest import CORPUS, SEED_EXPORT

pytest.importorskip("fsspec")


def test_remote_corpus_location() -> None:
    assert corpus_location("http://example.org/corpus/") == "http://example.org/corpus/"
    assert corpus_location("s3://bucket/corpus") == "s3://bucket/corpus"
    assert corpus_location("corpus") == Path("corpus")


def test_remote_listing_is_the_folder_listing(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "sub" / ".git").mkdir(parents=True)
    (corpus / "b.txt").write_text("四川省成都市推进“一网通办”。", encoding="utf-8")
    (corpus / "sub" / "a.md").write_text("青海省西宁市全面推行“免申即享”。", encoding="utf-8")
    (corpus / "sub" / ".git" / "x.txt").write_text("hidden", encoding="utf-8")
    (corpus / ".hidden.txt").write_text("hidden", encoding="utf-8")
    (corpus / "picture.png").write_bytes(b"\x89PNG")
    (corpus / "metadata.json").write_text('{"b.txt": {"date": "2024-03-05"}}', encoding="utf-8")
    files, problems, metadata = find_corpus(corpus)
    url_files, url_problems, url_metadata = find_corpus(corpus.as_uri())
    assert [f.name for f in url_files] == [f.name for f in files] == ["b.txt", "sub/a.md"]
    assert (
        [str(p) for p in url_problems]
        == [str(p) for p in problems]
        == ["picture.png: not a text file (expected .txt, .text, .md)"]
    )
    assert url_metadata == metadata and metadata["b.txt"].date == "2024-03-05"
    assert read_url(str(url_files[1].path), "sub/a.md") == (corpus / "sub" / "a.md").read_bytes()
    with pytest.raises(CorpusError, match=r"^gone\.txt: cannot read: "):
        read_url(corpus.as_uri() + "/gone.txt", "gone.txt")
    (corpus / "metadata.json").write_text("{", encoding="utf-8")
    with pytest.raises(MetadataError, match=r"metadata\.json:1:2: invalid JSON"):
        find_corpus(corpus.as_uri())
    with pytest.raises(CorpusError, match="not a folder"):
        find_corpus((corpus / "b.txt").as_uri())


def test_remote_build_from_a_file_url(tmp_path: Path) -> None:
    build(CORPUS.as_uri(), tmp_path, formats=("nt",), use_cache=False)
    assert (tmp_path / "zhengce.nt").read_bytes() == (SEED_EXPORT / "zhengce.nt").read_bytes()
