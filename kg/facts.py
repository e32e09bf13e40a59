"""Facts: turn one document's segmentation, mentions and resolved regions into DocumentFacts."""

from __future__ import annotations

from kg.extract import run_extractors
from kg.extract.regions import region_codes_in
from kg.resolve import choose_regions, places
from kg.segment import segment
from kg.types import Document, DocumentFacts, Evidence


def evidence(doc: Document, start: int, end: int) -> Evidence:
    """Evidence for the normalised span [start, end): the original span and its text as written."""
    o_start, o_end = doc.to_original(start, end)
    return Evidence(doc.source_file, o_start, o_end, doc.original[o_start:o_end])


def document_facts(doc: Document) -> DocumentFacts:
    """Everything the graph needs of one document (a pure function of the document)."""
    seg = segment(doc, region_codes_in)
    mentions = run_extractors(doc, seg)
    resolved = choose_regions(doc, mentions)
    titles = tuple(a.title for a in seg.articles if a.title)
    return DocumentFacts(
        source_file=doc.source_file,
        meta=doc.meta,
        titles=titles,
        regions=tuple(r.code for r in resolved),
        places=tuple(places(mentions, resolved)),
    )
