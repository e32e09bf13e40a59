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
from kg.maps import CHROMIUM_FLAGS
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


@pytest.fixture(scope="module")
def whole_graph_files(seed_build: Path) -> Path:
    """kg export -f graphml -f gexf -f cytoscape-json: the whole graph, streamed, on request."""
    args = ["export", "-f", "graphml", "-f", "gexf", "-f", "cytoscape-json", "--exports", str(seed_build)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return seed_build


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_network_round_trip(whole_graph_files: Path, graph: nx.MultiDiGraph, fmt: str) -> None:
    """The streamed GraphML and GEXF read back with the same nodes, edges and (typed) attributes, Chinese and
    the sentences' line breaks intact."""
    path = whole_graph_files / f"zhengce.{fmt}"
    back = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    assert dict(back.nodes(data=True)) == dict(graph.nodes(data=True))
    assert _edges_without_ids(back) == _edges(graph)


def _edges_without_ids(g: nx.Graph) -> list[tuple[str, str, str]]:
    out = []
    for u, v, d in g.edges(data=True):
        d = {k: val for k, val in d.items() if k not in ("id", "key")}
        out.append((u, v, json.dumps(d, sort_keys=True, ensure_ascii=False)))
    return sorted(out)


def test_network_cytoscape_json_round_trip(whole_graph_files: Path, graph: nx.MultiDiGraph) -> None:
    data = json.loads((whole_graph_files / "zhengce.cyjs").read_text(encoding="utf-8"))
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
    assert nx.read_gexf(seed_build / "zhengce-652300.gexf").number_of_nodes() > 3


def test_network_focus_exports_are_named_after_their_focus(seed_build: Path) -> None:
    """A second focus does not overwrite the first: zhengce-免申即享.html beside zhengce-格尔木市.html."""
    for name in ("免申即享", "格尔木市"):
        result = CliRunner().invoke(cli, ["export", "-f", "html", "--focus", name, "--exports", str(seed_build)])
        assert result.exit_code == 0, result.output
    first = (seed_build / "zhengce-免申即享.html").read_text(encoding="utf-8")
    second = (seed_build / "zhengce-格尔木市.html").read_text(encoding="utf-8")
    assert '"zhengce-免申即享"' in first and "昌吉回族自治州" in first
    assert first != second


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
    # evidence flowed for reading: the source's column breaks are gone (offsets still point into the original)
    assert "大力开展以“全民参保 共享美好”" in page and "大\\n\\n力开展" not in page


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _open(browser: str, url: str, tmp_path: Path, *extra: str) -> str:
    """Headless Chromium (a fresh profile, no network) on ``url``; its DOM after the scripts ran."""
    flags = [
        *CHROMIUM_FLAGS,
        "--disable-quic",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=20000",
        "--window-size=1600,1000",
        *extra,
    ]
    done = subprocess.run([browser, *flags, url], capture_output=True, text=True, timeout=180)
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)
    return done.stdout


def _body(dom: str) -> dict[str, str]:
    body = re.search(r"<body([^>]*)>", dom)
    assert body is not None, dom[:500]
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', body.group(1)))


@pytest.mark.slow
@pytest.mark.skipif(_chromium() is None and not os.environ.get("CI"), reason="Debian's chromium is not installed")
def test_network_viewer_first_screen_is_regions_and_policies_readable(seed_build: Path, tmp_path: Path) -> None:
    """Chromium, offline: the build's page opens on regions and policies only, no two labels overlapping, labels
    at a readable size; the screenshot is docs/viewer.png. Toggles in the URL bring the other kinds."""
    from PIL import Image

    browser = _chromium()
    assert browser is not None, "CI must have chromium (.ci/run installs it)"
    url = (seed_build / "zhengce.html").as_uri()
    first = _body(_open(browser, url, tmp_path, "--dump-dom"))
    assert first["visible-types"] == "Policy,Region"
    assert first["overlaps"] == "0"
    assert float(first["label-px"]) >= 10
    assert int(first["rendered-nodes"]) > 30
    shot = tmp_path / "viewer.png"
    _open(browser, url, tmp_path, f"--screenshot={shot}")
    image = Image.open(shot).convert("RGB")
    colours = {image.getpixel((x, y)) for x in range(0, 1200, 7) for y in range(60, 900, 7)}
    assert (0x2B, 0x7B, 0xB9) in colours and (0xC0, 0x39, 0x2B) in colours  # region and policy nodes drawn
    (DOCS := Path(__file__).resolve().parent.parent / "docs").mkdir(exist_ok=True)
    shutil.copyfile(shot, DOCS / "viewer.png")
    shown = _body(_open(browser, url + "#show=Agency,Indicator", tmp_path, "--dump-dom"))
    assert shown["visible-types"] == "Agency,Indicator,Policy,Region" and shown["overlaps"] == "0"


@pytest.mark.slow
@pytest.mark.skipif(_chromium() is None and not os.environ.get("CI"), reason="Debian's chromium is not installed")
def test_network_viewer_map_tab(seed_build: Path, tmp_path: Path) -> None:
    """#tab=map&policy=...: 青海省 outlined as planned, 格尔木市 a dot coloured as implemented."""
    browser = _chromium()
    assert browser is not None
    url = (seed_build / "zhengce.html").as_uri() + "#policy=policy:mianshen-jixiang&tab=map"
    dom = _open(browser, url, tmp_path, "--dump-dom")
    golmud = re.search(r'<circle [^>]*fill="([^"]+)"[^>]*data-iri="region:632801"', dom)
    assert golmud is not None and golmud.group(1) == "#1b9e4b"
    qinghai = re.search(r'<path d="[^"]*" fill="([^"]+)" stroke="([^"]+)"[^>]*data-iri="region:630000"', dom)
    assert qinghai is not None and qinghai.groups() == ("#dbe6f8", "#3366cc")
