"""Viewer exports: GraphML/GEXF/Cytoscape JSON round trips, focus, and the offline page rendered by Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.network import focus_graph, property_graph
from kg.query import OxigraphEngine, open_engine


@pytest.fixture(scope="module")
def graph(seed_build: Path) -> nx.MultiDiGraph:
    engine = open_engine(seed_build, "oxigraph")
    assert isinstance(engine, OxigraphEngine)
    return property_graph(engine.store)


def _edges(g: nx.MultiDiGraph) -> list[tuple[str, str, str]]:
    return sorted((u, v, json.dumps(d, sort_keys=True, ensure_ascii=False)) for u, v, d in g.edges(data=True))


def test_network_has_every_kind_of_node_and_edge(graph: nx.MultiDiGraph) -> None:
    types = {d["type"] for _n, d in graph.nodes(data=True)}
    assert types == {"Region", "Agency", "Policy", "Indicator", "Document"}
    edge_types = {d["relation"] for _u, _v, d in graph.edges(data=True)}
    assert edge_types == {"partOf", "jurisdiction", "mentions", "runs", "reports"}
    golmud = graph.nodes["https://w3id.org/zhengce/id/region/632801"]
    assert golmud["label"] == "格尔木市" and golmud["level"] == "county" and isinstance(golmud["longitude"], float)
    runs = [d for u, v, d in graph.edges(data=True) if d["relation"] == "runs" and u.endswith("/632801")]
    assert runs and all(d["evidence"] and d["document"] and d["status"] for d in runs)
    reports = [d for _u, _v, d in graph.edges(data=True) if d["relation"] == "reports"]
    assert all(isinstance(d["value"], float) and d["unit"] for d in reports)


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_network_round_trip(seed_build: Path, graph: nx.MultiDiGraph, fmt: str) -> None:
    """The build's GraphML and GEXF read back with the same nodes, edges and (typed) attributes, Chinese intact."""
    path = seed_build / f"zhengce.{fmt}"
    back = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    assert dict(back.nodes(data=True)) == dict(graph.nodes(data=True))
    assert _edges_without_ids(back) == _edges(graph)


def _edges_without_ids(g: nx.Graph) -> list[tuple[str, str, str]]:
    out = []
    for u, v, d in g.edges(data=True):
        d = {k: val for k, val in d.items() if k not in ("id", "key")}
        out.append((u, v, json.dumps(d, sort_keys=True, ensure_ascii=False)))
    return sorted(out)


def test_network_cytoscape_json_round_trip(seed_build: Path, graph: nx.MultiDiGraph) -> None:
    data = json.loads((seed_build / "zhengce.cyjs").read_text(encoding="utf-8"))
    back = nx.cytoscape_graph(data, name="label", ident="id")
    assert set(back) == set(graph) and back.number_of_edges() == graph.number_of_edges()
    positioned = [n for n in data["elements"]["nodes"] if "position" in n]
    assert positioned and all(n["data"]["type"] == "Region" for n in positioned)


def test_network_focus_on_a_policy(seed_build: Path, graph: nx.MultiDiGraph) -> None:
    """--focus 免申即享 keeps the policy, the regions running it and the regions above them, nothing else."""
    engine = open_engine(seed_build, "oxigraph")
    small = focus_graph(graph, engine, "免申报即享受")
    labels = {d["label"] for _n, d in small.nodes(data=True)}
    assert {"免申即享", "格尔木市", "昌吉回族自治州", "青海省"} <= labels
    assert small.number_of_nodes() < graph.number_of_nodes() / 10
    result = CliRunner().invoke(cli, ["export", "-f", "gexf", "--focus", "652300", "--exports", str(seed_build)])
    assert result.exit_code == 0, result.output
    assert nx.read_gexf(seed_build / "zhengce-focus.gexf").number_of_nodes() > 3


def test_network_focus_refuses_formats_that_are_not_graphs(seed_build: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "-f", "ttl", "--focus", "652300", "--exports", str(seed_build)])
    assert result.exit_code == 1
    assert "Error: a focus applies to the graph formats (graphml, gexf, cytoscape-json, html), not ttl" in result.output
    assert not (seed_build / "zhengce-focus.ttl").exists()


def test_network_html_is_self_contained(seed_build: Path) -> None:
    page = (seed_build / "zhengce.html").read_text(encoding="utf-8")
    assert "<script src" not in page and "<link" not in page
    assert "Cytoscape Consortium" in page  # the library is inlined
    assert "格尔木市" in page


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
@pytest.mark.skipif(_chromium() is None and not os.environ.get("CI"), reason="Debian's chromium is not installed")
def test_network_html_renders_in_headless_chromium(seed_build: Path, graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    """Chromium, offline, renders every node of the seed graph; a screenshot is taken."""
    browser = _chromium()
    assert browser is not None, "CI must have chromium (.ci/run installs it)"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=20000",
        "--window-size=1600,1000",
    ]
    url = (seed_build / "zhengce.html").as_uri()
    dom = subprocess.run([browser, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=180).stdout
    rendered = re.search(r'data-rendered-nodes="(\d+)"', dom)
    assert rendered is not None, dom[:500]
    assert int(rendered.group(1)) == graph.number_of_nodes()
    shot = tmp_path / "zhengce.png"
    subprocess.run([browser, *flags, f"--screenshot={shot}", url], capture_output=True, timeout=180)
    assert shot.stat().st_size > 10_000
