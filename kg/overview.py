"""The viewer's data: a bounded overview of a build, whatever the corpus size.

A build's page (``zhengce.html``) shows regions and the policies they run, the most active of each
(``LIMITS``), with agencies, indicators and documents behind toggles, also bounded. Everything is
read once and counted (one edge per region, policy and status, with how many adoptions say so
and up to three sentences), so the page and the time to write it stay small on any corpus; the
whole graph is ``kg export -f graphml|gexf|cytoscape-json``. A focus (``kg export -f html --focus``)
shows one neighbourhood in full, from the networkx graph of kg/network.py.

The map tab reuses kg/maps.py's projection and province outlines (regions below a province are dots).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

import pyoxigraph as ox

from kg.flow import flowed
from kg.ontology import PREFIX_IRIS

LIMITS = {"Region": 150, "Policy": 80, "Agency": 100, "Indicator": 100, "Document": 100}
EDGE_LIMIT = 3000  # runs edges; the other kinds are bounded by their nodes
SAMPLES = 1  # sentences kept per edge (the count says how many there are; kg serve shows them all)

Element = dict[str, Any]


def select_rows(store: ox.Store, query: str) -> Iterator[dict[str, str]]:
    """The solutions of a SELECT as they come, each a dict of the bound variables' values."""
    solutions = store.query(query, prefixes=PREFIX_IRIS)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    for solution in solutions:
        yield {n: t.value for n, t in zip(names, solution, strict=True) if t is not None}


def _values(iris: Iterable[str]) -> str:
    return " ".join(f"<{iri}>" for iri in iris)


def _chunks(items: list[str], size: int = 400) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# Plain rows, counted here: Oxigraph's GROUP BY with string aggregates costs more than the rows themselves.
_RUNS = """SELECT ?a ?r ?p ?s ?ev WHERE { ?a zc:policy ?p ; zc:region ?r ; zc:status ?s ; zc:evidence ?ev }"""
_REGIONS = """SELECT ?r ?label ?code ?level ?lon ?lat ?up WHERE {
  ?r a zc:Region ; rdfs:label ?label ; zc:adminLevel ?level .
  OPTIONAL { ?r zc:adminCode ?code } OPTIONAL { ?r zc:longitude ?lon ; zc:latitude ?lat }
  OPTIONAL { ?r zc:partOf ?up }
}"""
_POLICIES = (
    """SELECT DISTINCT ?p ?label WHERE { ?a zc:policy ?p . ?p skos:prefLabel ?label . FILTER(lang(?label) = "zh") }"""
)
_EVIDENCE = """SELECT ?ev ?text ?file ?start ?end WHERE {
  VALUES ?ev { %s } ?ev zc:text ?text ; zc:source ?d ; zc:start ?start ; zc:end ?end . ?d zc:sourceFile ?file }"""
_AGENCIES = """SELECT ?g ?label ?region (COUNT(DISTINCT ?a) AS ?n) WHERE {
  ?g a zc:Agency ; rdfs:label ?label . OPTIONAL { ?g zc:jurisdiction ?region } OPTIONAL { ?a zc:agency ?g }
} GROUP BY ?g ?label ?region"""
# Indicators ranked by their figures over the whole build (one index scan, counted by the store), then
# the figures of the kept ones only: reading every figure with its region costs a tenth of a build.
_INDICATOR_COUNTS = """SELECT ?i (COUNT(?o) AS ?n) WHERE { ?o zc:indicator ?i } GROUP BY ?i"""
_REPORTS = """SELECT ?o ?r ?i WHERE { VALUES ?i { %s } ?o zc:indicator ?i ; zc:region ?r }"""
_INDICATORS = """SELECT ?i ?label WHERE { VALUES ?i { %s } ?i rdfs:label ?label }"""
# A figure's value, unit and period (its sentence is one click away on kg serve: the page stays small).
_OBSERVATIONS = """SELECT ?o ?value ?unit ?period WHERE {
  VALUES ?o { %s } ?o zc:value ?value . OPTIONAL { ?o zc:unit ?unit } OPTIONAL { ?o zc:period ?period } }"""
_DOCUMENTS = """SELECT ?d ?file (COUNT(?x) AS ?n) WHERE { ?d a zc:Document ; zc:sourceFile ?file ; zc:mentions ?x }
GROUP BY ?d ?file"""
_MENTIONS = """SELECT ?d ?x WHERE { VALUES ?d { %s } ?d zc:mentions ?x }"""


def _evidence(store: ox.Store, iris: set[str]) -> dict[str, dict[str, Any]]:
    out = {}
    for chunk in _chunks(sorted(iris)):
        for r in select_rows(store, _EVIDENCE % _values(chunk)):
            out[r["ev"]] = {"text": flowed(r["text"]), "document": r["file"], "start": int(r["start"])}
    return out


def _top(counts: Counter[str], limit: int) -> list[str]:
    return [key for key, _n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]


def overview(store: ox.Store, limits: dict[str, int] | None = None) -> dict[str, Any]:
    """The bounded overview: ``nodes`` and ``edges`` (Cytoscape.js element data) and what was left out."""
    limits = {**LIMITS, **(limits or {})}
    adoptions: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    evidence_of: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for r in select_rows(store, _RUNS):
        key = (r["r"], r["p"], r["s"].rsplit("#", 1)[-1].lower())  # zc:Implemented -> implemented
        adoptions[key].add(r["a"])
        evidence_of[key].add(r["ev"])
    runs = [
        {"r": k[0], "p": k[1], "status": k[2], "n": str(len(a)), "evs": " ".join(evidence_of[k])}
        for k, a in adoptions.items()
    ]
    region_weight: Counter[str] = Counter()
    policy_regions: Counter[str] = Counter()
    for r in runs:
        region_weight[r["r"]] += int(r["n"])
        policy_regions[r["p"]] += 1
    policies = set(_top(policy_regions, limits["Policy"]))
    regions_info: dict[str, dict[str, str]] = {}
    for r in select_rows(store, _REGIONS):
        regions_info.setdefault(r["r"], r)
    regions = set(_top(region_weight, limits["Region"]))
    for region in list(regions):  # the regions above, so the hierarchy shows (three levels at most)
        up = regions_info.get(region, {}).get("up")
        while up and up in regions_info and up not in regions:
            regions.add(up)
            up = regions_info[up].get("up")
    nodes: list[Element] = []
    totals = {"Region": len(regions_info), "Policy": len(policy_regions)}
    for region in sorted(regions):
        info = regions_info.get(region)
        if info is None:
            continue
        node: Element = {"id": region, "type": "Region", "label": info["label"], "level": info["level"]}
        node["weight"] = region_weight.get(region, 0)
        if "code" in info:
            node["code"] = info["code"]
        if "lon" in info:
            node["longitude"], node["latitude"] = float(info["lon"]), float(info["lat"])
        nodes.append(node)
    policy_labels = {r["p"]: r["label"] for r in select_rows(store, _POLICIES)}
    for policy in sorted(policies):
        nodes.append({"id": policy, "type": "Policy", "label": policy_labels.get(policy, policy)})
        nodes[-1]["weight"] = policy_regions[policy]
    kept_runs = [r for r in runs if r["r"] in regions and r["p"] in policies]
    kept_runs.sort(key=lambda r: (-int(r["n"]), r["r"], r["p"], r["status"]))
    kept_runs = kept_runs[:EDGE_LIMIT]
    samples = {r["r"] + r["p"] + r["status"]: sorted(r["evs"].split())[:SAMPLES] for r in kept_runs}
    evidence = _evidence(store, {ev for evs in samples.values() for ev in evs})
    edges: list[Element] = []
    for r in sorted(kept_runs, key=lambda r: (r["r"], r["p"], r["status"])):
        sentences = [evidence[ev] for ev in samples[r["r"] + r["p"] + r["status"]] if ev in evidence]
        edges.append(
            {
                "id": f"runs:{r['r']}>{r['p']}:{r['status']}",
                "source": r["r"],
                "target": r["p"],
                "relation": "runs",
                "status": r["status"],
                "count": int(r["n"]),
                "evidence": sentences,
            }
        )
    for region in sorted(regions):
        up = regions_info.get(region, {}).get("up")
        if up in regions:
            edges.append({"id": f"partOf:{region}>{up}", "source": region, "target": up, "relation": "partOf"})
    shown = set(regions) | policies
    nodes_added, edges_added, agency_total = _agencies(store, limits["Agency"], shown)
    nodes += nodes_added
    edges += edges_added
    totals["Agency"] = agency_total
    nodes_added, edges_added, indicator_total = _indicators(store, limits["Indicator"], regions)
    nodes += nodes_added
    edges += edges_added
    totals["Indicator"] = indicator_total
    shown |= {n["id"] for n in nodes}
    nodes_added, edges_added, document_total = _documents(store, limits["Document"], shown)
    nodes += nodes_added
    edges += edges_added
    totals["Document"] = document_total
    return _compact({"nodes": nodes, "edges": edges, "totals": totals, "limits": limits})


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """Ids as prefixed names (``region:632801``: short in the page, stable in a shared URL), the IRI kept on
    each node; edges without ids of their own (the page numbers them)."""
    from kg.pages import short

    for node in data["nodes"]:
        node["iri"], node["id"] = node["id"], short(node["id"])
    for edge in data["edges"]:
        edge.pop("id", None)
        edge["source"], edge["target"] = short(edge["source"]), short(edge["target"])
    return data


def _agencies(store: ox.Store, limit: int, shown: set[str]) -> tuple[list[Element], list[Element], int]:
    weight: Counter[str] = Counter()
    labels: dict[str, str] = {}
    jurisdiction: dict[str, str] = {}
    for r in select_rows(store, _AGENCIES):
        weight[r["g"]] = max(weight[r["g"]], int(r["n"]))
        labels[r["g"]] = r["label"]
        if "region" in r:
            jurisdiction[r["g"]] = r["region"]
    kept = [g for g in _top(weight, limit * 4) if jurisdiction.get(g) in shown][:limit]
    nodes = [{"id": g, "type": "Agency", "label": labels[g], "weight": weight[g]} for g in sorted(kept)]
    edges = [
        {"id": f"jurisdiction:{g}>{place}", "source": g, "target": place, "relation": "jurisdiction"}
        for g in sorted(kept)
        if (place := jurisdiction[g])
    ]
    return nodes, edges, len(labels)


def _indicators(store: ox.Store, limit: int, regions: set[str]) -> tuple[list[Element], list[Element], int]:
    weight: Counter[str] = Counter({r["i"]: int(r["n"]) for r in select_rows(store, _INDICATOR_COUNTS)})
    total = len(weight)
    kept = set(_top(weight, limit))
    observations: dict[tuple[str, str], list[str]] = defaultdict(list)
    for chunk in _chunks(sorted(kept)):
        for r in select_rows(store, _REPORTS % _values(chunk)):
            if r["r"] in regions:
                observations[(r["r"], r["i"])].append(r["o"])
    reports = [{"r": k[0], "i": k[1], "n": str(len(o)), "first": min(o)} for k, o in observations.items()]
    labels: dict[str, str] = {}
    for chunk in _chunks(sorted(kept)):
        labels.update((r["i"], r["label"]) for r in select_rows(store, _INDICATORS % _values(chunk)))
    kept_reports = [r for r in reports if r["i"] in kept and r["r"] in regions]
    kept_reports.sort(key=lambda r: (-int(r["n"]), r["r"], r["i"]))
    kept_reports = sorted(kept_reports[:EDGE_LIMIT], key=lambda r: (r["r"], r["i"]))
    firsts: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(sorted({r["first"] for r in kept_reports})):
        for r in select_rows(store, _OBSERVATIONS % _values(chunk)):
            firsts.setdefault(
                r["o"],
                {
                    "value": r["value"],
                    "unit": r.get("unit", ""),
                    "period": r.get("period", ""),
                },
            )
    nodes = [{"id": i, "type": "Indicator", "label": labels.get(i, i), "weight": weight[i]} for i in sorted(kept)]
    edges = []
    for r in kept_reports:
        edge: Element = {"id": f"reports:{r['r']}>{r['i']}", "source": r["r"], "target": r["i"], "relation": "reports"}
        edge.update(firsts.get(r["first"], {}), count=int(r["n"]))
        edges.append(edge)
    return nodes, edges, total


def _documents(store: ox.Store, limit: int, shown: set[str]) -> tuple[list[Element], list[Element], int]:
    weight: Counter[str] = Counter()
    files: dict[str, str] = {}
    for r in select_rows(store, _DOCUMENTS):
        weight[r["d"]], files[r["d"]] = int(r["n"]), r["file"]
    kept = sorted(_top(weight, limit))
    mentions: dict[str, list[str]] = defaultdict(list)
    for chunk in _chunks(kept):
        for r in select_rows(store, _MENTIONS % _values(chunk)):
            if r["x"] in shown:
                mentions[r["d"]].append(r["x"])
    nodes = [{"id": d, "type": "Document", "label": files[d], "weight": weight[d]} for d in kept]
    edges = [
        {"id": f"mentions:{d}>{x}", "source": d, "target": x, "relation": "mentions"}
        for d in kept
        for x in sorted(mentions[d])
    ]
    return nodes, edges, len(files)


def from_graph(g: Any) -> dict[str, Any]:
    """A focus (a networkx graph of kg/network.py) as the viewer's data: every node and edge, nothing left out."""
    nodes: list[Element] = []
    for node, attrs in sorted(g.nodes(data=True)):
        nodes.append({"id": node, **attrs, "weight": g.degree(node)})
    edges: list[Element] = []
    for i, (s, o, key, attrs) in enumerate(sorted(g.edges(keys=True, data=True), key=lambda e: e[2])):
        edge: Element = {"id": f"e{i}:{key}", "source": s, "target": o, "relation": attrs["relation"], "count": 1}
        for name in ("status", "period", "value", "unit"):
            if name in attrs:
                edge[name] = attrs[name]
        if "evidence" in attrs:
            edge["evidence"] = [{"text": flowed(str(attrs["evidence"])), "document": attrs.get("document", "")}]
        edges.append(edge)
    totals = dict(Counter(str(n["type"]) for n in nodes))
    return _compact({"nodes": nodes, "edges": edges, "totals": totals, "limits": {}})


def map_layer(nodes: list[Element]) -> dict[str, Any]:
    """The map tab's drawing: province outlines (kg/data/province_outlines.json) and each region's position.

    No region boundary is read here: a build must stay quick whatever its size (reading and simplifying
    a few hundred boundary files takes longer than the build). Provinces are drawn as their outlines,
    the other regions as dots; ``kg map`` and ``kg serve``'s /map draw every boundary.
    """
    from kg.maps import HEIGHT, WIDTH, project, province_outlines, svg_path

    provinces = {code: svg_path(geometry) for code, geometry in sorted(province_outlines().items())}
    regions: dict[str, dict[str, Any]] = {}
    for node in nodes:
        if node["type"] != "Region":
            continue
        entry: dict[str, Any] = {"code": node.get("code", "")}
        if "longitude" in node:
            x, y = project(float(node["longitude"]), float(node["latitude"]))
            entry["x"], entry["y"] = round(x, 1), round(y, 1)
        regions[node["id"]] = entry
    return {"width": WIDTH, "height": HEIGHT, "provinces": provinces, "regions": regions}
