"""``kg validate``: check an export against the SHACL shapes of ``ontology/shapes.ttl``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import SH

from kg.errors import ExportError, ValidationError
from kg.export import read_export
from kg.ontology import load_ontology


@dataclass(frozen=True, slots=True)
class Violation:
    focus: str
    path: str
    message: str
    severity: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.focus} {self.path}: {self.message}"


def validate_file(path: Path) -> list[Violation]:
    """The SHACL violations of the export ``path``; ValidationError if it cannot be read."""
    try:
        data = read_export(path)
    except ExportError as e:
        raise ValidationError(str(e)) from None
    return validate(data)


def validate(data: Graph) -> list[Violation]:
    """The SHACL violations of ``data`` (with the ontology loaded for class membership)."""
    import pyshacl  # heavy; only this command needs it

    shapes = load_ontology("shapes.ttl")
    ontology = load_ontology("zhengce.ttl", "policies.ttl")
    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", allow_warnings=True
    )
    assert isinstance(report, Graph)
    out = []
    for result in report.subjects(SH.resultSeverity, None):
        severity = report.value(result, SH.resultSeverity)
        out.append(
            Violation(
                focus=str(report.value(result, SH.focusNode)),
                path=str(report.value(result, SH.resultPath) or ""),
                message=str(report.value(result, SH.resultMessage) or ""),
                severity=str(severity).rsplit("#", 1)[-1],
            )
        )
    return sorted(out, key=lambda v: (v.focus, v.path, v.message))
