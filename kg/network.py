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
import re
from collections.abc import Container, Iterable, Iterator
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

import networkx as nx
import pyoxigraph as ox

from kg.errors import ExportError
from kg.export import ExportSource, write_files
from kg.formats import FORMATS, format_name
from kg.overview import select_rows
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


NodeRow = tuple[str, dict[str, object]]
EdgeRow = tuple[str, str, str, dict[str, object]]
# The attributes of nodes and edges, with their GraphML/GEXF types (every file declares them all up front).
NODE_ATTRIBUTES = {"type": "string", "label": "string", "code": "string", "level": "string"}
NODE_ATTRIBUTES |= {"longitude": "double", "latitude": "double"}
EDGE_ATTRIBUTES = {"relation": "string", "status": "string", "period": "string", "evidence": "string"}
EDGE_ATTRIBUTES |= {"document": "string", "value": "double", "unit": "string", "qualifier": "string"}


def node_rows(store: ox.Store) -> Iterator[NodeRow]:
    """Every node once, in order of id: (id, attributes)."""
    last = None
    for row in select_rows(store, _NODES + " ORDER BY ?id ?type"):
        if row["id"] == last:
            continue  # a node of two types keeps the first (Agency before Region ...)
        last = row["id"]
        attrs: dict[str, object] = {"type": row["type"], "label": row["label"]}
        for key in ("code", "level"):
            if key in row:
                attrs[key] = row[key]
        if "lon" in row:
            attrs["longitude"], attrs["latitude"] = float(row["lon"]), float(row["lat"])
        yield row["id"], attrs


def edge_rows(store: ox.Store, nodes: Container[str]) -> Iterator[EdgeRow]:
    """Every edge between ``nodes`` once: (source, target, key, attributes); links, adoptions, observations."""
    seen: set[int] = set()  # hashes of keys: a key repeats when one sentence says a fact twice

    def new(key: str) -> bool:
        h = hash(key)
        if h in seen:
            return False
        seen.add(h)
        return True

    for row in select_rows(store, _LINKS + " ORDER BY ?p ?s ?o"):
        key = f"{row['p']}:{row['s']}>{row['o']}"
        if row["s"] in nodes and row["o"] in nodes and new(key):
            yield row["s"], row["o"], key, {"relation": row["p"]}
    for row in select_rows(store, _ADOPTIONS + " ORDER BY ?id ?document ?evidence"):
        key = f"{row['id']}#{row['document']}#{row['evidence']}"
        if row["s"] in nodes and row["o"] in nodes and new(key):
            runs: dict[str, object] = {"relation": "runs"}
            runs.update({k: row[k] for k in ("status", "period", "evidence", "document") if k in row})
            yield row["s"], row["o"], key, runs
    for row in select_rows(store, _OBSERVATIONS + " ORDER BY ?id ?document ?evidence"):
        key = f"{row['id']}#{row['document']}#{row['evidence']}"
        if row["s"] in nodes and row["o"] in nodes and new(key):
            reports: dict[str, object] = {"relation": "reports", "value": float(row["value"])}
            reports.update({k: row[k] for k in ("unit", "qualifier", "period", "evidence", "document") if k in row})
            yield row["s"], row["o"], key, reports


def property_graph(store: ox.Store) -> nx.MultiDiGraph:
    """The store as a networkx graph (for a focus, which is small); nodes and edges in sorted order."""
    g = nx.MultiDiGraph()
    g.add_nodes_from(node_rows(store))
    for s, o, key, attrs in sorted(edge_rows(store, g), key=lambda e: e[2]):
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


FOCUS_WRITERS = {"graphml": "write_graphml", "gexf": "write_gexf", "cytoscape-json": "write_cytoscape"}
FOCUS_WRITERS["html"] = "write_focus_html"


def export_focus(engine: OxigraphEngine, out_dir: Path, formats: Iterable[str], name: str) -> list[Path]:
    """Write the neighbourhood of the policy or region ``name`` in each graph format, named after it.

    ``kg export -f html --focus 免申即享`` writes ``zhengce-免申即享.html``: a second focus never
    overwrites the first.
    """
    specs = {fmt: format_name(fmt) for fmt in formats}
    others = [fmt for fmt, spec in specs.items() if spec not in FOCUS_WRITERS]
    if others:
        raise ExportError(f"a focus applies to the graph formats ({', '.join(FOCUS_WRITERS)}), not {', '.join(others)}")
    graph = focus_graph(property_graph(engine.store), engine, name)
    writers = {spec: globals()[FOCUS_WRITERS[spec]] for spec in specs.values()}
    files = []
    for spec, writer in writers.items():
        write = partial(writer, graph, name=name) if spec == "html" else partial(writer, graph)
        files.append((FORMATS[spec].focus_file_name(name), write))
    return write_files(out_dir, files)


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


def _page(data: dict[str, Any], map_data: dict[str, Any] | None, title: str, name: str) -> bytes:
    """One self-contained page: Cytoscape.js inlined, the data as JSON, no request leaves the page."""
    page = resources.files("kg").joinpath("static", "viewer.html").read_text(encoding="utf-8")
    library = resources.files("kg").joinpath("static", "cytoscape.min.js").read_text(encoding="utf-8")

    def embedded(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")

    page = page.replace("/*CYTOSCAPE*/", library.replace("</script", "<\\/script"))
    page = page.replace("/*GRAPH*/null", embedded(data)).replace("/*MAP*/null", embedded(map_data))
    page = page.replace('/*NAME*/"zhengce"', embedded(name)).replace("{{TITLE}}", html.escape(title))
    return page.encode("utf-8")


def write_html(source: ExportSource, out: BinaryIO) -> None:
    """The build's viewer: the bounded overview (kg/overview.py) with its map tab."""
    from kg.overview import map_layer, overview

    data = overview(source.store)
    out.write(_page(data, map_layer(data["nodes"]), "zhengce-kg 政策知识图谱", "zhengce"))


def write_focus_html(g: nx.MultiDiGraph, out: BinaryIO, name: str = "focus") -> None:
    """The viewer on one neighbourhood (every node and edge of it)."""
    from kg.overview import from_graph, map_layer

    data = from_graph(g)
    page_name = FORMATS["html"].focus_file_name(name).removesuffix(".html")
    out.write(_page(data, map_layer(data["nodes"]), f"{name} · zhengce-kg", page_name))


# --- the whole graph, streamed (kg export -f graphml|gexf|cytoscape-json) -----------------------------

_ATTRIBUTE_ESCAPES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}  # kept, not normalised
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(value: object) -> str:
    """Text for an XML attribute or element (quotes escaped, characters XML 1.0 cannot hold dropped)."""
    text = repr(value) if isinstance(value, float) else str(value)
    return escape(_NOT_XML.sub("", text), _ATTRIBUTE_ESCAPES)


class _Lines:
    """Buffered writes of text lines to a binary file."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.parts: list[str] = []
        self.size = 0

    def __call__(self, line: str) -> None:
        self.parts.append(line)
        self.size += len(line)
        if self.size > 1 << 20:
            self.flush()

    def flush(self) -> None:
        self.out.write("".join(self.parts).encode("utf-8"))
        self.parts, self.size = [], 0


def _store_of(source: ExportSource) -> ox.Store:
    return source.store


def stream_graphml(source: ExportSource, out: BinaryIO) -> None:
    """The whole property graph as GraphML (yEd, Gephi), written as it is read: nodes, then edges."""
    store = _store_of(source)
    w = _Lines(out)
    w(
        "<?xml version='1.0' encoding='utf-8'?>\n"
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/'
        'xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
    )
    for kind, attributes in (("node", NODE_ATTRIBUTES), ("edge", EDGE_ATTRIBUTES)):
        for name, type_ in attributes.items():
            w(f'  <key id="{name}" for="{kind}" attr.name="{name}" attr.type="{type_}" />\n')
    w('  <graph edgedefault="directed">\n')
    nodes: set[str] = set()
    for node, attrs in node_rows(store):
        nodes.add(node)
        data = "".join(f'<data key="{k}">{_xml(v)}</data>' for k, v in attrs.items())
        w(f'    <node id="{_xml(node)}">{data}</node>\n')
    for s, o, key, attrs in edge_rows(store, nodes):
        data = "".join(f'<data key="{k}">{_xml(v)}</data>' for k, v in attrs.items())
        w(f'    <edge source="{_xml(s)}" target="{_xml(o)}" id="{_xml(key)}">{data}</edge>\n')
    w("  </graph>\n</graphml>\n")
    w.flush()


def stream_gexf(source: ExportSource, out: BinaryIO) -> None:
    """The whole property graph as GEXF 1.2 (Gephi), written as it is read."""
    store = _store_of(source)
    w = _Lines(out)
    node_ids = {name: str(i) for i, name in enumerate(a for a in NODE_ATTRIBUTES if a != "label")}
    edge_ids = {name: str(i + len(node_ids)) for i, name in enumerate(EDGE_ATTRIBUTES)}
    w(
        "<?xml version='1.0' encoding='utf-8'?>\n"
        '<gexf xmlns="http://www.gexf.net/1.2draft" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" version="1.2">\n'
        '  <graph defaultedgetype="directed" mode="static" name="">\n'
    )
    for kind, ids, types in (("node", node_ids, NODE_ATTRIBUTES), ("edge", edge_ids, EDGE_ATTRIBUTES)):
        w(f'    <attributes mode="static" class="{kind}">\n')
        for name, i in ids.items():
            w(f'      <attribute id="{i}" title="{name}" type="{types[name]}" />\n')
        w("    </attributes>\n")
    w("    <nodes>\n")
    nodes: set[str] = set()
    for node, attrs in node_rows(store):
        nodes.add(node)
        values = "".join(
            f'<attvalue for="{node_ids[k]}" value="{_xml(v)}" />' for k, v in attrs.items() if k != "label"
        )
        w(f'      <node id="{_xml(node)}" label="{_xml(attrs["label"])}"><attvalues>{values}</attvalues></node>\n')
    w("    </nodes>\n    <edges>\n")
    for s, o, key, attrs in edge_rows(store, nodes):
        values = "".join(f'<attvalue for="{edge_ids[k]}" value="{_xml(v)}" />' for k, v in attrs.items())
        w(f'      <edge source="{_xml(s)}" target="{_xml(o)}" id="{_xml(key)}">')
        w(f"<attvalues>{values}</attvalues></edge>\n")
    w("    </edges>\n  </graph>\n</gexf>\n")
    w.flush()


def _position(attrs: dict[str, object]) -> dict[str, float] | None:
    lon, lat = attrs.get("longitude"), attrs.get("latitude")
    if not isinstance(lon, float) or not isinstance(lat, float):
        return None
    # x east, y south, at a scale that spreads China over ~2000 px
    return {"x": round((lon - 73) * 40, 1), "y": round((54 - lat) * 50, 1)}


def stream_cytoscape(source: ExportSource, out: BinaryIO) -> None:
    """The whole property graph as Cytoscape JSON (networkx's cytoscape_data layout), written as it is read."""
    store = _store_of(source)
    w = _Lines(out)
    w('{"data": [], "directed": true, "multigraph": true, "elements": {"nodes": [\n')
    nodes: set[str] = set()
    for i, (node, attrs) in enumerate(node_rows(store)):
        nodes.add(node)
        element: dict[str, object] = {"data": {**attrs, "id": node, "value": node, "name": attrs["label"]}}
        position = _position(attrs)
        if position is not None:
            element["position"] = position
        w(("" if i == 0 else ",\n") + json.dumps(element, ensure_ascii=False, sort_keys=True))
    w('\n], "edges": [\n')
    for i, (s, o, key, attrs) in enumerate(edge_rows(store, nodes)):
        element = {"data": {**attrs, "source": s, "target": o, "key": key}}
        w(("" if i == 0 else ",\n") + json.dumps(element, ensure_ascii=False, sort_keys=True))
    w("\n]}}\n")
    w.flush()
