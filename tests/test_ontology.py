"""The ontology: closed namespace matches the Turtle, labels in two languages, shapes parse."""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import OWL, RDF, RDFS

from kg.ontology import ONT_IRI, ZC, load_ontology


def _defined_terms() -> set[str]:
    g = load_ontology("zhengce.ttl")
    return {str(s).removeprefix(ONT_IRI) for s in g.subjects() if str(s).startswith(ONT_IRI) and str(s) != ONT_IRI}


def test_ontology_namespace_matches_turtle() -> None:
    """ZC's terms are exactly those ontology/zhengce.ttl defines."""
    declared = {name for name in ZC.__annotations__}
    assert declared == _defined_terms()


def test_ontology_every_term_has_chinese_and_english_labels() -> None:
    """Every class and property is labelled in Chinese and English."""
    g = load_ontology("zhengce.ttl")
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        for term in g.subjects(RDF.type, kind):
            langs = {lbl.language for lbl in g.objects(term, RDFS.label) if isinstance(lbl, Literal)}
            assert {"zh", "en"} <= langs, term


def test_ontology_classes_aligned_with_common_vocabularies() -> None:
    """Each class is a subclass of a term of a widely used vocabulary."""
    g = load_ontology("zhengce.ttl")
    for cls in g.subjects(RDF.type, OWL.Class):
        parents = [str(p) for p in g.objects(cls, RDFS.subClassOf)]
        assert parents and any(not p.startswith(ONT_IRI) for p in parents), cls


def test_ontology_closed_namespace_rejects_typos() -> None:
    """A misspelt term raises instead of minting a new IRI."""
    import pytest

    with pytest.raises(AttributeError):
        _ = ZC.Regoin


def test_ontology_every_value_of_a_record_field_has_its_individual() -> None:
    """STATUS, QUALIFIER, MEASURE and FIGURE_KIND cover exactly the values the records' types allow."""
    from typing import get_args

    from kg.ontology import FIGURE_KIND, MEASURE, QUALIFIER, STATUS
    from kg.types import STATUSES, FigureKind, Measure, Qualifier

    assert tuple(STATUS) == STATUSES
    assert tuple(QUALIFIER) == get_args(Qualifier)
    assert tuple(MEASURE) == get_args(Measure)
    assert tuple(FIGURE_KIND) == get_args(FigureKind)
