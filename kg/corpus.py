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
    # (folder, its name relative to the corpus with a closing slash): names are joined as strings, not
    # made by pathlib per entry, which cost half the listing's time (the client lists every document)
    stack = [(corpus, "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name, reverse=True)
        except OSError as e:
            problems.append(CorpusError(display_name(prefix[:-1] or "."), f"cannot list the folder: {e.strerror or e}"))
            continue
        for entry in entries:
            name = prefix + entry.name
            if entry.name.startswith(".") or name == METADATA_FILE:
                continue
            problem = _not_a_document(entry, root, follow_links)
            if problem == "folder":
                stack.append((Path(entry.path), name + "/"))
            elif problem:
                problems.append(CorpusError(display_name(name), problem))
            else:
                files.append(CorpusFile(Path(entry.path), display_name(name)))
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
        # a plain entry's type is in the listing (d_type); a link's target needs a stat
        mode = stat.S_IFREG if not link and entry.is_file(follow_symlinks=False) else os.stat(entry.path).st_mode
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
