"""Graph and export: deterministic IRIs, atomic writes, round trips, the committed export."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from kg.errors import ExportError
from kg.export import export, format_name, write_atomic
from kg.graph import build_graph, document_ntriples, region_iri, vocabulary_ntriples
from kg.ontology import ZC
from kg.types import DocMeta, DocumentFacts, PlaceRef
from tests.conftest import CORPUS, EXPORTS


def _facts() -> DocumentFacts:
    return DocumentFacts(
        "a.txt", DocMeta(title="标题", date="2024-01"), ("标题",), ("632801",), (PlaceRef("格尔木市某街道", "632801"),)
    )


def test_graph_region_and_its_ancestors() -> None:
    """A mentioned region brings its labels, code and every ancestor."""
    g = build_graph([_facts()])
    r = URIRef(region_iri("632801").value)
    assert (r, ZC.adminCode, Literal("632801")) in g
    assert (r, ZC.partOf, URIRef(region_iri("632800").value)) in g
    assert (URIRef(region_iri("632800").value), ZC.partOf, URIRef(region_iri("630000").value)) in g
    assert (URIRef(region_iri("630000").value), RDF.type, ZC.Region) in g


def test_graph_is_the_same_whatever_the_order() -> None:
    """Documents given in another order give the same graph."""
    other = DocumentFacts("b.txt", DocMeta(), (), ("630100",))
    assert isomorphic(build_graph([_facts(), other]), build_graph([other, _facts()]))


def test_export_is_the_same_whatever_the_insertion_order(tmp_path: Path) -> None:
    """Files are written in the on-disk store's key order, so the order triples arrive in does not matter.

    (Oxigraph's in-memory store keeps insertion order; a build always uses the on-disk one.)
    """
    lines = (vocabulary_ntriples() + document_ntriples(_facts())).splitlines(keepends=True)
    outputs = []
    for name, ordered in (("forward", lines), ("reverse", lines[::-1])):
        store = ox.Store(str(tmp_path / f"{name}.store"))
        store.load(b"".join(ordered), format=ox.RdfFormat.N_TRIPLES)
        export(store, tmp_path / name, ["turtle", "nt"])
        outputs.append([(tmp_path / name / f).read_bytes() for f in ("zhengce.ttl", "zhengce.nt")])
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("fmt", ["turtle", "nt"])
def test_export_round_trip(tmp_path: Path, fmt: str) -> None:
    """parse(serialize(g)) is isomorphic to g."""
    g = build_graph([_facts()])
    store = ox.Store()
    store.load(vocabulary_ntriples() + document_ntriples(_facts()), format=ox.RdfFormat.N_TRIPLES)
    (path,) = export(store, tmp_path, [fmt])
    back = Graph().parse(path, format="turtle" if fmt == "turtle" else "nt")
    assert isomorphic(g, back)


def test_export_unknown_format_lists_choices() -> None:
    """An unknown format names the valid ones."""
    with pytest.raises(ExportError, match=r"Available names: .*turtle"):
        format_name("xml")


def test_export_atomic_write_keeps_old_file_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """If writing fails half-way, the previous file is intact and no temporary file remains."""
    target = tmp_path / "zhengce.ttl"
    target.write_bytes(b"old")

    import os

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]


def test_export_committed_export_is_reproduced(seed_build: Path) -> None:
    """A fresh build of corpus/ reproduces exports/ byte for byte (rebuild and commit when extraction changes)."""
    for name in ("zhengce.ttl", "zhengce.nt"):
        assert (seed_build / name).read_bytes() == (EXPORTS / name).read_bytes(), name


def test_export_byte_identical_across_hash_seeds(tmp_path: Path) -> None:
    """Two builds in processes with different hash seeds write identical bytes."""
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        subprocess.run(
            [sys.executable, "-m", "kg", "build", str(CORPUS), "--out", str(out)],
            check=True,
            capture_output=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        )
        outs.append(out)
    for name in ("zhengce.ttl", "zhengce.nt"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes()
