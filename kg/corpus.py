"""The corpus folder: which files are documents, and what the optional metadata file says of them."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from kg.errors import CorpusError, MetadataError
from kg.types import DocMeta

METADATA_FILE = "metadata.json"
TEXT_SUFFIXES = (".txt", ".text", ".md")
_META_FIELDS = {"title", "date", "publisher", "source", "region", "note"}


@dataclass(frozen=True, slots=True)
class CorpusFile:
    path: Path | str  # a file, or a URL a worker reads through fsspec (kg/remote.py)
    name: str  # path relative to the corpus folder, with forward slashes


def discover(corpus: Path) -> tuple[list[CorpusFile], list[CorpusError]]:
    """Text files under ``corpus`` (sorted), and a CorpusError for each entry that cannot be one.

    Symbolic links to folders are not followed, so a link loop cannot trap the walk.
    """
    if not corpus.is_dir():
        raise CorpusError(str(corpus), "not a folder")
    files: list[CorpusFile] = []
    problems: list[CorpusError] = []
    for root, dirs, names in os.walk(corpus, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for d in dirs:
            if (Path(root) / d).is_symlink():
                problems.append(CorpusError(_rel(corpus, Path(root) / d), "symbolic link to a folder, not followed"))
        for n in sorted(names):
            path = Path(root) / n
            rel = _rel(corpus, path)
            if n.startswith(".") or rel == METADATA_FILE:
                continue
            if not n.lower().endswith(TEXT_SUFFIXES):
                problems.append(CorpusError(rel, f"not a text file (expected {', '.join(TEXT_SUFFIXES)})"))
                continue
            files.append(CorpusFile(path, rel))
    files.sort(key=lambda f: f.name)
    return files, problems


def _rel(corpus: Path, path: Path) -> str:
    return path.relative_to(corpus).as_posix()


def read_metadata(corpus: Path) -> dict[str, DocMeta]:
    """``metadata.json``: ``{"file.txt": {"title", "date", "publisher", "source", "region"}}``; {} when absent."""
    path = corpus / METADATA_FILE
    if not path.exists():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise MetadataError(f"{path}: cannot read: {e}") from None
    return metadata_from_json(text, str(path))


def metadata_from_json(text: str, path: str) -> dict[str, DocMeta]:
    """The metadata file's text (read from ``path``, a file or a URL) as DocMeta by file name."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise MetadataError(f"{path}:{e.lineno}:{e.colno}: invalid JSON: {e.msg}") from None
    if not isinstance(data, dict):
        raise MetadataError(f"{path}: expected an object keyed by file name")
    out: dict[str, DocMeta] = {}
    for name, fields in data.items():
        if not isinstance(fields, dict):
            raise MetadataError(f"{path}: entry {name!r} is not an object")
        unknown = set(fields) - _META_FIELDS
        if unknown:
            raise MetadataError(
                f"{path}: entry {name!r} has unknown fields {sorted(unknown)}; allowed: {sorted(_META_FIELDS)}"
            )
        out[name] = DocMeta(
            title=fields.get("title"),
            date=fields.get("date"),
            publisher=fields.get("publisher"),
            source=fields.get("source"),
            region=fields.get("region"),
        )
    return out
