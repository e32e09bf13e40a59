"""The format registry: one table, the same whatever is imported, each row naming a writer that exists."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import pytest

from kg.errors import ExportError
from kg.formats import ALIASES, FORMATS, GROUPS, default_formats, format_name, format_names

# In a fresh interpreter: the registry as kg.formats declares it, then again after importing every kg module.
_BEFORE_AND_AFTER = """
import importlib, json, pkgutil
import kg
from kg import formats

def table():
    return {"formats": {n: repr(f) for n, f in formats.FORMATS.items()}, "aliases": dict(formats.ALIASES)}

before = table()
imported = []
for module in pkgutil.walk_packages(kg.__path__, "kg."):
    if module.name not in ("kg.__main__",):
        importlib.import_module(module.name)
        imported.append(module.name)
print(json.dumps({"before": before, "after": table(), "imported": imported}))
"""


def test_formats_are_the_same_before_and_after_importing_every_module() -> None:
    run = subprocess.run([sys.executable, "-c", _BEFORE_AND_AFTER], capture_output=True, text=True, check=True)
    result = json.loads(run.stdout)
    assert {"kg.network", "kg.export", "kg.pipeline", "kg.cli"} <= set(result["imported"])
    assert result["before"] == result["after"]
    names = ("observations", "adoptions", "agencies", "regions")
    tables = {f"{t}-{kind}" for t in names for kind in ("csv", "parquet")}
    assert {"turtle", "nt", "graphml", "gexf", "cytoscape-json", "html"} | tables <= set(result["before"]["formats"])


def test_formats_listing_imports_no_writer() -> None:
    """Listing the formats (what the CLI does at start) imports none of the modules that write them."""
    code = "import sys, kg.formats; print(sorted(m for m in sys.modules if m in ('kg.export', 'kg.network')))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_formats_each_writer_exists_and_takes_data_and_file(name: str) -> None:
    writer = FORMATS[name].writer()
    assert callable(writer) and len(inspect.signature(writer).parameters) == 2


def test_formats_aliases_and_unknown_names() -> None:
    assert format_name("ttl") == "turtle" and format_name("ntriples") == "nt" and format_name("html") == "html"
    assert set(ALIASES.values()) <= set(FORMATS)
    assert format_names() == sorted([*FORMATS, *ALIASES, *GROUPS])
    with pytest.raises(ExportError, match=r"No export format 'rdfxml'\. Available names: .*cytoscape-json, gexf"):
        format_name("rdfxml")


def test_formats_a_build_writes_the_bounded_viewer_at_any_size() -> None:
    """The whole property graph (GraphML, GEXF, Cytoscape JSON) only on request; the overview page always."""
    assert default_formats() == ("turtle", "nt", "html")
    assert not any(FORMATS[name].default for name in ("graphml", "gexf", "cytoscape-json"))
    assert FORMATS["gexf"].focus_file_name("免申即享") == "zhengce-免申即享.gexf"
    assert FORMATS["html"].focus_file_name("../x/y") == "zhengce-_x_y.html"


def test_formats_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        FORMATS["x"] = FORMATS["nt"]  # type: ignore[index]
