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
from kg.export import ExportSource, export, format_name, write_atomic
from kg.gazetteer import COUNTRY
from kg.graph import GraphMerger, build_graph, document_ntriples, literal, region_iri, vocabulary_ntriples
from kg.ontology import ZC
from kg.types import DocMeta, DocumentFacts, PlaceRef
from tests.conftest import CORPUS, SEED_EXPORT


def _facts() -> DocumentFacts:
    return DocumentFacts(
        "a.txt", DocMeta(title="标题", date="2024-01"), ("标题",), ("632801",), (PlaceRef("格尔木市某街道", "632801"),)
    )


def test_graph_region_and_its_ancestors() -> None:
    """A mentioned region brings its labels, code and every ancestor."""
    g = build_graph([_facts()])
    r = URIRef(region_iri("632801"))
    assert (r, ZC.adminCode, Literal("632801")) in g
    assert (r, ZC.partOf, URIRef(region_iri("632800"))) in g
    assert (URIRef(region_iri("632800")), ZC.partOf, URIRef(region_iri("630000"))) in g
    assert (URIRef(region_iri("630000")), RDF.type, ZC.Region) in g


def test_graph_region_province() -> None:
    """Every region at or below a province names its province, a province itself; the country none."""
    g = build_graph([_facts()])
    province = URIRef(region_iri("630000"))
    for code in ("632801", "632800", "630000"):
        assert set(g.objects(URIRef(region_iri(code)), ZC.province)) == {province}
    places = set(g.subjects(ZC.partOf, URIRef(region_iri("632801")))) - {URIRef(region_iri("632801"))}
    assert places and all(set(g.objects(p, ZC.province)) == {province} for p in places)
    country = URIRef(region_iri(COUNTRY))
    assert (country, RDF.type, ZC.Region) in g
    assert not set(g.objects(country, ZC.province))


def test_graph_is_the_same_whatever_the_order() -> None:
    """Documents given in another order give the same graph."""
    other = DocumentFacts("b.txt", DocMeta(), (), ("630100",))
    assert isomorphic(build_graph([_facts(), other]), build_graph([other, _facts()]))


def test_graph_merger_keeps_first_occurrence() -> None:
    """Each triple once, where it first occurs; a second document adds only what is new."""
    one = document_ntriples(_facts())
    other = document_ntriples(DocumentFacts("b.txt", DocMeta(), (), ("632801", "630100")))
    merger = GraphMerger()
    assert merger.add(one) == one
    added = merger.add(other)
    assert set(added.splitlines()) == set(other.splitlines()) - set(one.splitlines())
    subjects = {line.split(b" ")[0] for line in added.splitlines()}
    assert b"<https://w3id.org/zhengce/id/doc/b.txt>" in subjects
    assert b"<https://w3id.org/zhengce/id/region/632801>" not in subjects  # it came with a.txt
    assert merger.triples == len(set(one.splitlines()) | set(other.splitlines()))
    third = merger.add(document_ntriples(DocumentFacts("c.txt", DocMeta(), (), ("632801", "630100"))))
    assert {line.split(b" ")[0] for line in third.splitlines()} == {b"<https://w3id.org/zhengce/id/doc/c.txt>"}


def test_graph_literal_escapes_as_oxigraph() -> None:
    """Literals are written as Oxigraph writes them, for every code point (controls, quotes, U+FFFE ...)."""
    s, p = ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p")
    texts = ["".join(map(chr, range(i, min(i + 512, 0x110000)))) for i in range(0, 0x110000, 512)]
    texts = ["".join(ch for ch in t if not 0xD800 <= ord(ch) < 0xE000) for t in texts]
    ours = "".join(f"<{s.value}> <{p.value}> {literal(t)} .\n" for t in texts if t).encode()
    theirs = ox.serialize([ox.Triple(s, p, ox.Literal(t)) for t in texts if t], format=ox.RdfFormat.N_TRIPLES)
    assert ours == theirs
    assert literal("5", datatype="<http://www.w3.org/2001/XMLSchema#integer>") == str(ox.Literal(5))
    assert literal("格尔木", language="zh") == str(ox.Literal("格尔木", language="zh"))


def test_export_turtle_follows_the_ntriples_order(tmp_path: Path) -> None:
    """Turtle is written from the build's N-Triples in their order, so a subject's triples stay together."""
    nt = tmp_path / "graph.nt"
    nt.write_bytes(vocabulary_ntriples() + document_ntriples(_facts()))
    (path,) = export(ExportSource(nt, ox.Store), tmp_path / "out", ["turtle"])
    text = path.read_text(encoding="utf-8")
    subjects = [ox.NamedNode(q.subject.value) for q in ox.parse(nt.read_bytes(), format=ox.RdfFormat.N_TRIPLES)]
    firsts = list(dict.fromkeys(subjects))
    turtle_subjects = [q.subject for q in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)]
    assert list(dict.fromkeys(turtle_subjects)) == firsts
    assert text.count("region:632801 a zc:Region") == 1


@pytest.mark.parametrize("fmt", ["turtle", "nt"])
def test_export_round_trip(tmp_path: Path, fmt: str) -> None:
    """parse(serialize(g)) is isomorphic to g."""
    g = build_graph([_facts()])
    nt = tmp_path / "graph.nt"
    nt.write_bytes(vocabulary_ntriples() + document_ntriples(_facts()))
    (path,) = export(ExportSource(nt, ox.Store), tmp_path / "out", [fmt])
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
    """A fresh build of corpus/ reproduces exports/seed/ byte for byte (rebuild and commit when extraction changes)."""
    for name in ("zhengce.ttl", "zhengce.nt"):
        assert (SEED_EXPORT / name).is_file() and not (SEED_EXPORT / name).is_symlink()
        assert (seed_build / name).read_bytes() == (SEED_EXPORT / name).read_bytes(), name


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
