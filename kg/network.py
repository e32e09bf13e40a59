"""The property-graph view of the RDF graph, for Gephi, Cytoscape, yEd and a page in the browser.

Nodes: regions, agencies, policies, indicators and documents, each with ``type``, ``label``
(Chinese) and, for regions, ``code``, ``level``, ``longitude`` and ``latitude``.
Edges (a MultiDiGraph: a region can run one policy with several statuses):

- ``partOf`` region -> region, ``jurisdiction`` agency -> region, ``mentions`` document -> entity;
- ``runs`` region -> policy, one per adoption, with ``status``, ``period``, ``evidence``, ``document``;
- ``reports`` region -> indicator, one per observation, with ``value`` (a number), ``unit``,
  ``qualifier``, ``period``, ``evidence``, ``document``.

Observations are edges rather than nodes: in a viewer a figure then reads as a labelled link from
a region to what is measured, and comparing regions on one indicator is looking at one node's
links; as nodes they would double the node count with boxes that only carry numbers.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO

import networkx as nx
import pyoxigraph as ox

from kg.errors import ExportError
from kg.export import write_files
from kg.formats import FORMATS, format_name
from kg.ontology import PREFIX_IRIS
from kg.query import AmbiguousNameError, Engine, OxigraphEngine, QueryError, resolve

CYTOSCAPE_VERSION = "3.34.4"

_NODES = """
SELECT ?id ?type ?label ?code ?level ?lon ?lat WHERE {
  { ?id a zc:Region ; rdfs:label ?label ; zc:adminLevel ?level . BIND("Region" AS ?type)
    OPTIONAL { ?id zc:adminCode ?code } OPTIONAL { ?id zc:longitude ?lon ; zc:latitude ?lat } }
  UNION { ?id a zc:Agency ; rdfs:label ?label . BIND("Agency" AS ?type) }
  UNION { ?a zc:policy ?id . ?id skos:prefLabel ?label . FILTER(lang(?label) = "zh") BIND("Policy" AS ?type) }
  UNION { ?id a zc:Indicator ; rdfs:label ?label . BIND("Indicator" AS ?type) }
  UNION { ?id a zc:Document ; zc:sourceFile ?label . BIND("Document" AS ?type) }
}"""
_LINKS = """
SELECT ?s ?p ?o WHERE {
  { ?s zc:partOf ?o . BIND("partOf" AS ?p) }
  UNION { ?s zc:jurisdiction ?o . BIND("jurisdiction" AS ?p) }
  UNION { ?s zc:mentions ?o . BIND("mentions" AS ?p) }
}"""
_ADOPTIONS = """
SELECT ?id ?s ?o ?status ?period ?evidence ?document WHERE {
  ?id a zc:PolicyAdoption ; zc:region ?s ; zc:policy ?o ; zc:status/rdfs:label ?status ; zc:evidence ?ev .
  FILTER(lang(?status) = "en")
  ?ev zc:text ?evidence ; zc:source ?d . ?d zc:sourceFile ?document .
  OPTIONAL { ?id zc:period ?period }
}"""
_OBSERVATIONS = """
SELECT ?id ?s ?o ?value ?unit ?qualifier ?period ?evidence ?document WHERE {
  ?id a zc:Observation ; zc:region ?s ; zc:indicator ?o ; zc:value ?value ; zc:unit ?unit ;
      zc:qualifier/rdfs:label ?qualifier ; zc:evidence ?ev .
  FILTER(lang(?qualifier) = "en")
  ?ev zc:text ?evidence ; zc:source ?d . ?d zc:sourceFile ?document .
  OPTIONAL { ?id zc:period ?period }
}"""


def _select(store: ox.Store, query: str) -> list[dict[str, str]]:
    solutions = store.query(query, prefixes=PREFIX_IRIS)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


def property_graph(store: ox.Store) -> nx.MultiDiGraph:
    """The store as a property graph; nodes and edges in sorted order, so writers are deterministic."""
    g = nx.MultiDiGraph()
    nodes = sorted(_select(store, _NODES), key=lambda r: (r["id"], r["type"]))
    for row in nodes:
        attrs: dict[str, object] = {"type": row["type"], "label": row["label"]}
        for key in ("code", "level"):
            if key in row:
                attrs[key] = row[key]
        if "lon" in row:
            attrs["longitude"], attrs["latitude"] = float(row["lon"]), float(row["lat"])
        if row["id"] not in g:
            g.add_node(row["id"], **attrs)
    edges: list[tuple[str, str, str, dict[str, object]]] = []
    for row in _select(store, _LINKS):
        if row["s"] in g and row["o"] in g:
            edges.append((row["s"], row["o"], f"{row['p']}:{row['s']}>{row['o']}", {"relation": row["p"]}))
    for row in _select(store, _ADOPTIONS):
        attrs = {"relation": "runs", **{k: row[k] for k in ("status", "period", "evidence", "document") if k in row}}
        edges.append((row["s"], row["o"], f"{row['id']}#{row['document']}#{row['evidence']}", attrs))
    for row in _select(store, _OBSERVATIONS):
        attrs = {"relation": "reports", "value": float(row["value"])}
        attrs.update({k: row[k] for k in ("unit", "qualifier", "period", "evidence", "document") if k in row})
        edges.append((row["s"], row["o"], f"{row['id']}#{row['document']}#{row['evidence']}", attrs))
    for s, o, key, attrs in sorted(edges, key=lambda e: e[2]):
        if s in g and o in g and not g.has_edge(s, o, key):
            g.add_edge(s, o, key=key, **attrs)
    return g


def focus(g: nx.MultiDiGraph, centres: Iterable[str]) -> nx.MultiDiGraph:
    """The neighbourhood of ``centres``: their neighbours (documents only as centres), and the regions above."""
    keep = set(centres)
    for centre in list(keep):
        neighbours = {*g.successors(centre), *g.predecessors(centre)}
        keep.update(n for n in neighbours if g.nodes[n]["type"] != "Document")
    for node in list(keep):
        stack = [node]
        while stack:  # regions above, so the hierarchy stays readable
            current = stack.pop()
            for _s, parent, data in g.out_edges(current, data=True):
                if data["relation"] == "partOf" and parent not in keep:
                    keep.add(parent)
                    stack.append(parent)
    return nx.MultiDiGraph(g.subgraph(sorted(keep)))


def focus_graph(g: nx.MultiDiGraph, engine: Engine, name: str) -> nx.MultiDiGraph:
    """The neighbourhood of the policy or region ``name`` (a label, alias, code or id)."""
    for kind in ("policy", "region"):
        try:
            centre = resolve(engine, kind, name).value
        except AmbiguousNameError:  # say so rather than try the other kind
            raise
        except QueryError:  # no such policy: try the regions
            continue
        if centre in g:
            return focus(g, [centre])
    raise QueryError(f"no policy or region called {name!r} in this graph")


def export_focus(engine: OxigraphEngine, out_dir: Path, formats: Iterable[str], name: str) -> list[Path]:
    """Write the neighbourhood of the policy or region ``name`` in each graph format, as ``zhengce-focus.*``."""
    specs = {fmt: FORMATS[format_name(fmt)] for fmt in formats}
    others = [fmt for fmt, spec in specs.items() if spec.reads != "graph"]
    if others:
        graph_formats = ", ".join(n for n, spec in FORMATS.items() if spec.reads == "graph")
        raise ExportError(f"a focus applies to the graph formats ({graph_formats}), not {', '.join(others)}")
    graph = focus_graph(property_graph(engine.store), engine, name)
    return write_files(out_dir, [(spec.focus_file_name(), partial(spec.writer(), graph)) for spec in specs.values()])


# --- writers ----------------------------------------------------------------------------------


def write_graphml(g: nx.MultiDiGraph, out: BinaryIO) -> None:
    nx.write_graphml(g, out, encoding="utf-8", prettyprint=True, named_key_ids=True)


def write_gexf(g: nx.MultiDiGraph, out: BinaryIO) -> None:
    nx.write_gexf(g, out, encoding="utf-8", prettyprint=True, version="1.2draft")


def cytoscape_json(g: nx.MultiDiGraph) -> dict[str, object]:
    """Cytoscape.js / Cytoscape desktop JSON (``elements`` with ``data``), with region positions."""
    data: dict[str, Any] = nx.cytoscape_data(g, name="label", ident="id")
    for node in data["elements"]["nodes"]:
        attrs = node["data"]
        if "longitude" in attrs:  # x east, y south, at a scale that spreads China over ~2000 px
            x, y = (attrs["longitude"] - 73) * 40, (54 - attrs["latitude"]) * 50
            node["position"] = {"x": round(x, 1), "y": round(y, 1)}
    return data


def write_cytoscape(g: nx.MultiDiGraph, out: BinaryIO) -> None:
    out.write(json.dumps(cytoscape_json(g), ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8"))


def write_html(g: nx.MultiDiGraph, out: BinaryIO) -> None:
    """One self-contained page: Cytoscape.js inlined, the graph as JSON, no request leaves the page."""
    page = resources.files("kg").joinpath("static", "viewer.html").read_text(encoding="utf-8")
    library = resources.files("kg").joinpath("static", "cytoscape.min.js").read_text(encoding="utf-8")
    data = json.dumps(cytoscape_json(g), ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    page = page.replace("/*CYTOSCAPE*/", library.replace("</script", "<\\/script"))
    page = page.replace("/*GRAPH*/null", data)
    page = page.replace("{{NODES}}", html.escape(str(g.number_of_nodes())))
    out.write(page.encode("utf-8"))
