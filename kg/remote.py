"""A corpus at a URL (``file://``, ``http://``, ``s3://`` ... through fsspec): its files and metadata.

The client lists the corpus; each file is read where it is processed (a worker process, or a
worker of a Dask cluster), so no single process holds the corpus. Files are named relative to
the corpus URL as a folder's files are named relative to the folder (``sub/a.txt``), so the
same corpus gives the same graph whether it is read from a folder or from a URL. fsspec and the
protocol's own package (aiohttp for http, s3fs, gcsfs ...) are the optional extra ``[cluster]``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote

from kg.corpus import METADATA_FILE, TEXT_SUFFIXES, CorpusFile, discover, metadata_from_json, read_metadata
from kg.errors import CorpusError, KgError, MetadataError
from kg.load import MAX_FILE_BYTES
from kg.types import DocMeta

MISSING = "reading a corpus at a URL needs fsspec: pip install 'zhengce-kg[cluster]'"


def corpus_location(text: str) -> Path | str:
    """What the user typed as CORPUS: a URL (``scheme://...``) stays a string, anything else is a folder."""
    return text if "://" in text else Path(text)


def find_corpus(
    corpus: Path | str, *, follow_links: bool = False
) -> tuple[list[CorpusFile], list[CorpusError], dict[str, DocMeta]]:
    """The corpus's text files (sorted by name), the entries that cannot be documents, and its metadata."""
    if isinstance(corpus, Path):
        files, problems = discover(corpus, follow_links=follow_links)
        return files, problems, read_metadata(corpus)
    fs, root = _filesystem(corpus)
    files, problems = _list(fs, root, corpus)
    metadata: dict[str, DocMeta] = {}
    meta_url = f"{root.rstrip('/')}/{METADATA_FILE}"
    if fs.exists(meta_url):
        where = f"{corpus.rstrip('/')}/{METADATA_FILE}"
        try:
            text = fs.cat_file(meta_url).decode("utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise MetadataError(f"{where}: cannot read: {_message(e)}") from None
        metadata = metadata_from_json(text, where)
    return files, problems, metadata


def _filesystem(url: str) -> tuple[Any, str]:
    try:
        import fsspec
    except ImportError:
        raise KgError(MISSING) from None
    try:
        fs, root = fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as e:  # no such protocol, or its package (s3fs ...) is not installed
        raise KgError(f"{url}: {e}") from None
    try:
        is_dir = fs.isdir(root)
    except Exception as e:  # a server that cannot be reached: aiohttp's errors are not OSErrors
        raise CorpusError(url, f"cannot read: {_message(e)}") from None
    if not is_dir:
        raise CorpusError(url, "not a folder")
    return fs, str(root)


def _list(fs: Any, root: str, corpus: str) -> tuple[list[CorpusFile], list[CorpusError]]:
    """The files under ``root``, as discover() finds them in a folder (hidden entries and metadata.json left out)."""
    prefix = root.rstrip("/") + "/"
    try:
        found = fs.find(root, withdirs=False, detail=False)
    except Exception as e:
        raise CorpusError(corpus, f"cannot list: {_message(e)}") from None
    protocols = fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,)
    http = any(str(p).startswith("http") for p in protocols)
    files: list[CorpusFile] = []
    problems: list[CorpusError] = []
    for path in found:
        if not str(path).startswith(prefix):
            continue  # a link out of the corpus on an HTTP index page
        rel = str(path)[len(prefix) :]
        if http:
            rel = unquote(rel)  # index pages quote their links; the names are what the server's folder holds
        if not rel or any(part.startswith(".") for part in rel.split("/")) or rel == METADATA_FILE:
            continue
        if not rel.lower().endswith(TEXT_SUFFIXES):
            problems.append(CorpusError(rel, f"not a text file (expected {', '.join(TEXT_SUFFIXES)})"))
            continue
        files.append(CorpusFile(_url(fs, str(path)), rel))
    files.sort(key=lambda f: f.name)
    problems.sort(key=lambda p: p.path)
    return files, problems


def _url(fs: Any, path: str) -> str:
    """A path fsspec listed, as a URL a worker can open on its own."""
    return str(fs.unstrip_protocol(path)) if "://" not in path else path


def read_url(url: str, source_file: str) -> bytes:
    """A corpus file's bytes, read through fsspec. Raises CorpusError naming the file, as read_bytes does."""
    try:
        import fsspec
    except ImportError:
        raise KgError(MISSING) from None
    try:
        with fsspec.open(url, "rb") as fh:
            data: bytes = fh.read(MAX_FILE_BYTES + 1)
    except Exception as e:  # OSError, or the protocol's own (aiohttp.ClientError ...)
        raise CorpusError(source_file, f"cannot read: {_message(e)}") from None
    if len(data) > MAX_FILE_BYTES:
        raise CorpusError(source_file, f"file too large (more than {MAX_FILE_BYTES} bytes)")
    return data


def file_size(path: Path | str) -> int:
    """A corpus file's size for the progress bar (0 when unknown: a URL is not asked for it)."""
    if isinstance(path, str):
        return 0
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _message(e: BaseException) -> str:
    text = " ".join(str(e).split())
    return f"{type(e).__name__}: {text}" if text else type(e).__name__
