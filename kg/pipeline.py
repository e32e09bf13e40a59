"""Orchestration: corpus folder -> DocumentFacts per file -> graph -> export files.

Each document is processed on its own (a bad file is reported and skipped); the graph and the
export see only the DocumentFacts of the files that loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kg.corpus import discover, read_metadata
from kg.errors import CorpusError
from kg.export import DEFAULT_FORMATS, export
from kg.facts import document_facts
from kg.graph import build_graph
from kg.load import load_file
from kg.types import DocMeta, DocumentFacts


@dataclass
class BuildReport:
    documents: int = 0
    triples: int = 0
    outputs: list[Path] = field(default_factory=list)
    problems: list[CorpusError] = field(default_factory=list)


def extract_corpus(corpus: Path) -> tuple[list[DocumentFacts], list[CorpusError]]:
    """Facts of every readable document of ``corpus``, and the problems of the others."""
    files, problems = discover(corpus)
    metadata = read_metadata(corpus)
    facts: list[DocumentFacts] = []
    for f in files:
        try:
            doc = load_file(f.path, f.name, metadata.get(f.name, DocMeta()))
        except CorpusError as e:
            problems.append(e)
            continue
        facts.append(document_facts(doc))
    return facts, problems


def build(corpus: Path, out_dir: Path, formats: tuple[str, ...] = DEFAULT_FORMATS) -> BuildReport:
    """Build the graph of ``corpus`` and write it to ``out_dir`` (atomically)."""
    facts, problems = extract_corpus(corpus)
    graph = build_graph(facts)
    outputs = export(graph, out_dir, formats)
    return BuildReport(len(facts), len(graph), outputs, problems)
