"""The corpus folder: which files are documents, and what the optional metadata file says of them."""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kg.errors import CorpusError, MetadataError, display_name
from kg.types import DocMeta

METADATA_FILE = "metadata.json"
TEXT_SUFFIXES = (".txt", ".text", ".md")
_META_FIELDS = {"title", "date", "publisher", "source", "region", "note"}


@dataclass(frozen=True, slots=True)
class CorpusFile:
    path: Path | str  # a file, or a URL a worker reads through fsspec (kg/remote.py)
    name: str  # path relative to the corpus folder, with forward slashes


def discover(corpus: Path, *, follow_links: bool = False) -> tuple[list[CorpusFile], list[CorpusError]]:
    """Text files under ``corpus`` (sorted), and a CorpusError for each entry that cannot be one.

    Only regular files are documents: FIFOs, devices and sockets are skipped (reading one could
    block forever or never end). A symbolic link to a file outside the corpus is skipped unless
    ``follow_links``; links to folders are never followed, so a link loop cannot trap the walk.
    Folders are walked with a stack, not recursion, so any depth is fine. Names that are not
    UTF-8 or hold control characters are escaped (``display_name``): a document's name is always
    printable, on one line, and the same on every build.
    """
    if not corpus.is_dir():
        raise CorpusError(str(corpus), "not a folder")
    root = os.path.realpath(corpus)
    files: list[CorpusFile] = []
    problems: list[CorpusError] = []
    stack = [corpus]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name, reverse=True)
        except OSError as e:
            problems.append(CorpusError(_rel(corpus, folder), f"cannot list the folder: {e.strerror or e}"))
            continue
        for entry in entries:
            path = Path(entry.path)
            rel = _rel(corpus, path)
            if entry.name.startswith(".") or rel == METADATA_FILE:
                continue
            problem = _not_a_document(entry, root, follow_links)
            if problem == "folder":
                stack.append(path)
            elif problem:
                problems.append(CorpusError(rel, problem))
            else:
                files.append(CorpusFile(path, rel))
    files.sort(key=lambda f: f.name)
    problems.sort(key=lambda p: p.path)
    return files, problems


def _not_a_document(entry: os.DirEntry[str], root: str, follow_links: bool) -> str | None:
    """Why a folder entry is no document ("folder" for a folder to walk), or None for a text file to read."""
    try:
        if entry.is_dir(follow_symlinks=False):
            return "folder"
        link = entry.is_symlink()
        if link and os.path.isdir(entry.path):
            return "symbolic link to a folder, not followed"
        mode = os.stat(entry.path).st_mode  # of the file a link points to
        target = os.path.realpath(entry.path) if link else ""
    except (OSError, ValueError) as e:  # a dangling link, a loop of links
        return f"cannot read: {getattr(e, 'strerror', None) or e}"
    if link and not follow_links and os.path.commonpath([root, target]) != root:
        return f"symbolic link to {display_name(target)}, outside the corpus (--follow-links reads it)"
    if not stat.S_ISREG(mode):
        return f"not a regular file ({_kind(mode)})"
    if not entry.name.lower().endswith(TEXT_SUFFIXES):
        return f"not a text file (expected {', '.join(TEXT_SUFFIXES)})"
    return None


def _kind(mode: int) -> str:
    for test, kind in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    ):
        if test(mode):
            return kind
    return "not a file"


def _rel(corpus: Path, path: Path) -> str:
    """The name of a corpus file: its path relative to the corpus, with forward slashes, escaped to print."""
    return display_name(path.relative_to(corpus).as_posix())


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
        for field_name, value in fields.items():
            problem = _field_problem(field_name, value)
            if problem:
                raise MetadataError(
                    f"{path}: document {display_name(name)!r}, field {field_name!r}: {display_name(repr(value))[:80]}"
                    f" {problem}"
                )
        out[name] = DocMeta(
            title=fields.get("title"),
            date=fields.get("date"),
            publisher=fields.get("publisher"),
            source=fields.get("source"),
            region=fields.get("region"),
        )
    return out


_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_REGION_CODE = re.compile(r"\d{6}")


def _field_problem(field_name: str, value: object) -> str | None:
    """What is wrong with one metadata value (None when nothing): it must be text, dates and codes well formed."""
    if value is None:
        return None
    if not isinstance(value, str):
        return "is not text"
    if field_name == "date":
        m = _DATE.fullmatch(value)
        if m is None:
            return "is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"
        try:
            date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
        except ValueError:
            return "is not a date of the calendar"
    if field_name == "region" and not _REGION_CODE.fullmatch(value):
        return "is not a region code (six digits, as 650000)"
    return None
