"""The build cache: each document's extraction result, kept by a key of everything that shapes it.

An entry is a file ``DIR/.kg-cache/<k[:2]>/<k>.nt``: one header line naming the format, its key,
the length and SHA-256 of the payload, then the payload (comment lines with the counts and
warnings, then the document's N-Triples). It is written through a temporary file, fsynced and
renamed, so it is whole or absent; a read checks the header against the key it was looked up
by, the length and the checksum, and anything that does not match (cut short, edited, copied
from another key, another format, not an entry at all) is a miss: the file is built again and
the entry rewritten. A cache can make a build faster, never different.

The key hashes the document's name, metadata and bytes with ``code_version()``: the code and
data of extraction and graph building and the versions of the libraries that shape their
output (OpenCC, jieba, cn2an, ahocorasick-rs, rdflib, pyoxigraph, Unicode's tables). Modules
that do not (the CLI, queries, serving, exporting) are left out, so editing help
text keeps every user's cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from kg.errors import CorpusWarning

FORMAT = b"kg-cache-2"
ENTRY_SUFFIX = ".nt"
COUNT_NAMES = ("regions", "agencies", "policies", "adoptions", "observations")

# Distributions whose behaviour decides the triples of a document.
OUTPUT_LIBRARIES = ("OpenCC", "jieba", "cn2an", "ahocorasick-rs", "rdflib", "pyoxigraph")
# Package files that never run while a document is extracted and turned into triples (a test runs
# an extraction and checks none of these modules was imported). Everything else is in the key, so
# a new module is in it unless someone shows it does not shape the output.
NOT_IN_KEY = frozenset(
    {
        "__main__.py",
        "answers.py",  # the canned questions' index beside the store, made from the store
        "cache.py",  # the format has its own version (FORMAT), checked in every entry
        "cli.py",
        "cluster.py",  # where documents are processed, not how
        "evaluate.py",
        "export.py",
        "formats.py",
        "network.py",
        "query.py",
        "results.py",
        "serve.py",
        "shards.py",  # how the triples are split into files, not what they are
        "sparql.py",
        "store.py",
        "update.py",  # which documents are extracted again, not what they give
        "validate.py",
    }
)
NOT_IN_KEY_DIRS = frozenset({"static", "queries"})  # the viewer's scripts, the canned questions
_KEY_SUFFIXES = {".py", ".tsv", ".txt", ".ttl", ".toml", ".json"}


def library_versions() -> dict[str, str]:
    """The versions of the libraries that shape a document's triples (and of Unicode's tables)."""
    found = {"unicodedata": unicodedata.unidata_version}
    for name in OUTPUT_LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "absent"
    return found


def key_files() -> list[Path]:
    """The package's code and data files that shape a document's triples, and the ontology."""
    from kg.ontology import ontology_file

    root = Path(__file__).resolve().parent
    files = sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and p.suffix in _KEY_SUFFIXES
        and "__pycache__" not in p.parts
        and not (p.parent == root and p.name in NOT_IN_KEY)
        and not NOT_IN_KEY_DIRS & set(p.relative_to(root).parts[:1])
    )
    return [*files, ontology_file("zhengce.ttl"), ontology_file("policies.ttl")]


@cache
def code_version() -> str:
    """A hash of what extraction and graph building depend on: ``key_files`` and ``library_versions``."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256(FORMAT + b"\0")
    for p in key_files():
        name = p.relative_to(root).as_posix() if p.is_relative_to(root) else p.name
        h.update(name.encode() + b"\0" + p.read_bytes() + b"\0")
    h.update(json.dumps(library_versions(), sort_keys=True).encode())
    return h.hexdigest()[:16]


def entry_key(code: str, name: str, meta: str, data: bytes) -> str:
    """The key of one document: the code version, its name, its metadata (JSON) and its bytes."""
    h = hashlib.sha256()
    for part in (code, name, meta):
        h.update(part.encode("utf-8") + b"\0")
    h.update(data)
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class Entry:
    ntriples: bytes
    counts: tuple[int, ...]
    warnings: tuple[CorpusWarning, ...]


def entry_path(cache_dir: Path, key: str) -> Path:
    return cache_dir / key[:2] / f"{key}{ENTRY_SUFFIX}"


def encode(key: str, entry: Entry) -> bytes:
    """An entry's bytes: the checked header, then the payload."""
    payload = b"# counts " + " ".join(map(str, entry.counts)).encode() + b"\n"
    for w in entry.warnings:
        payload += b"# warning " + json.dumps([w.path, w.reason, w.position], ensure_ascii=False).encode() + b"\n"
    payload += entry.ntriples
    digest = hashlib.sha256(payload).hexdigest()
    return b"%s %s %d %s\n" % (FORMAT, key.encode(), len(payload), digest.encode()) + payload


def decode(key: str, data: bytes) -> Entry | None:
    """The entry in ``data`` if it is whole, this format's and this key's; else None (a miss)."""
    header, newline, payload = data.partition(b"\n")
    fields = header.split(b" ")
    if not newline or len(fields) != 4 or fields[0] != FORMAT or fields[1] != key.encode():
        return None
    if not fields[2].isdigit() or int(fields[2]) != len(payload):
        return None
    if hashlib.sha256(payload).hexdigest().encode() != fields[3]:
        return None
    counts_line, _, body = payload.partition(b"\n")
    warnings = []
    try:
        counts = tuple(int(n) for n in counts_line.removeprefix(b"# counts ").split())
        while body.startswith(b"# warning "):
            line, _, body = body.partition(b"\n")
            path, reason, position = json.loads(line.removeprefix(b"# warning "))
            warnings.append(CorpusWarning(str(path), str(reason), position))
    except (ValueError, TypeError):
        return None
    if len(counts) != len(COUNT_NAMES) or (body and not body.endswith(b"\n")):
        return None
    return Entry(body, counts, tuple(warnings))


def read(cache_dir: Path, key: str) -> Entry | None:
    """The entry of ``key``, or None: absent, unreadable or damaged entries are misses."""
    path = entry_path(cache_dir, key)
    try:
        if not path.is_file() or path.is_symlink():  # only the cache's own files (no FIFO, no link out)
            return None
        with path.open("rb") as fh:
            data = fh.read()
    except OSError:
        return None
    return decode(key, data)


def write(cache_dir: Path, key: str, entry: Entry) -> None:
    """Write an entry atomically (temporary file, fsync, rename); a cache that cannot be written only costs time."""
    from kg.export import write_atomic

    with contextlib.suppress(OSError):
        write_atomic(entry_path(cache_dir, key), encode(key, entry))


def prune(cache_dir: Path, keep: set[str]) -> None:
    """Keep only the entries this build used (the cache mirrors the corpus), and no killed writer's temporaries."""
    for entry in cache_dir.glob("*/*"):
        stale_temp = entry.name.startswith(".") and entry.name.endswith(".tmp")
        if stale_temp or (entry.suffix == ENTRY_SUFFIX and entry.stem not in keep) or entry.is_symlink():
            with contextlib.suppress(OSError):
                entry.unlink()
    # os.walk would be enough, but a cache holds at most 256 folders
    for folder in cache_dir.glob("*"):
        if folder.is_dir() and not folder.is_symlink():
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if empty


def safe_cache_dir(out_dir: Path, name: str) -> Path:
    """``out_dir/name``, refused when it is a link (a build writes only inside its output folder)."""
    from kg.errors import ExportError

    path = out_dir / name
    if path.is_symlink():
        raise ExportError(f"{path} is a symbolic link; the cache must be a folder inside {out_dir}")
    if path.exists() and not path.is_dir():
        raise ExportError(f"{path} is not a folder; move it away (the build keeps its cache there)")
    os.makedirs(path, exist_ok=True)
    return path
