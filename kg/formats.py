"""The export formats: one table, declared here, of each format's file and where its writer lives.

As in rdflib's plugin registry (``register(name, kind, module, class)``), a format names the
module and function that write it, and the module is imported only when a file is written in
that format: the list of formats is the same whatever has been imported, and listing them (the
CLI does, for its ``--format`` choices) imports nothing heavy.

A writer is called ``function(source, out)`` with ``source`` the build's
``kg.export.ExportSource`` (its N-Triples and its store) and ``out`` a binary file.

To add a format, add a row to ``FORMATS`` (and a writer where the row says).

>>> format_name("ttl")
'turtle'
>>> FORMATS["graphml"].file_name
'zhengce.graphml'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, BinaryIO, Final

from kg.errors import ExportError

if TYPE_CHECKING:
    from kg.export import ExportSource


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """One export format: its file, its writer (``module.function``, imported on use), when a build writes it."""

    file_name: str
    module: str
    function: str
    default: bool  # written by every kg build

    def writer(self) -> Callable[[ExportSource, BinaryIO], None]:
        """The writing function, its module imported now (looked up on every call, so tests can replace it)."""
        function: Callable[[ExportSource, BinaryIO], None] = getattr(
            importlib.import_module(self.module), self.function
        )
        return function

    def focus_file_name(self, focus: str) -> str:
        """The file a ``kg export --focus FOCUS`` writes in this format (``zhengce-免申即享.gexf``)."""
        stem, _dot, suffix = self.file_name.partition(".")
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in focus).strip(".") or "_"
        return f"{stem}-{safe}.{suffix}"


FORMATS: Final[Mapping[str, ExportFormat]] = MappingProxyType(
    {
        "turtle": ExportFormat("zhengce.ttl", "kg.export", "write_turtle", True),
        "nt": ExportFormat("zhengce.nt", "kg.export", "write_ntriples", True),
        # The whole property graph, streamed from the store, only on request (kg export): at any size.
        "graphml": ExportFormat("zhengce.graphml", "kg.network", "stream_graphml", False),
        "gexf": ExportFormat("zhengce.gexf", "kg.network", "stream_gexf", False),
        "cytoscape-json": ExportFormat("zhengce.cyjs", "kg.network", "stream_cytoscape", False),
        # The viewer: a bounded overview (kg/overview.py), written by every build whatever its size.
        "html": ExportFormat("zhengce.html", "kg.network", "write_html", True),
        # tidy tables for spreadsheets and pandas (kg/tables.py), one fact a row; kg export -f tables
        **{
            f"{table}-{kind}": ExportFormat(f"{table}.{kind}", "kg.tables", f"write_{table}_{kind}", False)
            for kind in ("csv", "parquet")
            for table in ("observations", "adoptions", "agencies", "regions")
        },
    }
)
ALIASES: Final[Mapping[str, str]] = MappingProxyType({"ttl": "turtle", "ntriples": "nt", "n-triples": "nt"})
# Names of several formats at once. "tables" adds the Parquet files where pyarrow is installed.
GROUPS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "tables": tuple(f"{t}-csv" for t in ("observations", "adoptions", "agencies", "regions")),
        "parquet": tuple(f"{t}-parquet" for t in ("observations", "adoptions", "agencies", "regions")),
    }
)


def format_names() -> list[str]:
    """Every name ``formats_named`` accepts (formats, aliases and groups), sorted: the CLI's choices."""
    return sorted([*FORMATS, *ALIASES, *GROUPS])


def formats_named(fmt: str) -> tuple[str, ...]:
    """The formats ``fmt`` names: a group's (``tables``: the CSV files, and Parquet with pyarrow installed),
    or the one format it or its alias names; ExportError if none.

    >>> formats_named("ttl")
    ('turtle',)
    """
    if fmt == "tables":
        from importlib.util import find_spec

        return GROUPS["tables"] + (GROUPS["parquet"] if find_spec("pyarrow") else ())
    return GROUPS.get(fmt) or (format_name(fmt),)


def format_name(fmt: str) -> str:
    """The format ``fmt`` names (itself or the format it is an alias of); ExportError if none."""
    name = ALIASES.get(fmt, fmt)
    if name not in FORMATS:
        raise ExportError(f"No export format {fmt!r}. Available names: {', '.join(format_names())}")
    return name


def default_formats() -> tuple[str, ...]:
    """The formats every build writes, whatever its size (the viewer is a bounded overview).

    >>> default_formats()
    ('turtle', 'nt', 'html')
    """
    return tuple(name for name, f in FORMATS.items() if f.default)
