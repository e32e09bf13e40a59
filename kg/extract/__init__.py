"""Extractors: small functions ``(Document, Segmentation) -> Iterable[Mention]``, registered here.

Adding an extractor is a deliberate change: ``tests/extract/test_registry.py`` compares the
registry with a checked-in list, as spaCy does for its factories.
"""

from __future__ import annotations

from kg.errors import UnknownExtractorError
from kg.extract.agencies import agency_mentions
from kg.extract.policies import policy_mentions
from kg.extract.quantities import quantity_mentions
from kg.extract.regions import region_mentions, region_references
from kg.extract.times import time_mentions
from kg.types import Document, Extractor, Mention, Segmentation

# name -> (extractor, the Mention labels it assigns)
EXTRACTORS: dict[str, tuple[Extractor, tuple[str, ...]]] = {
    "regions": (region_mentions, ("Region", "Place")),
    "region_references": (region_references, ("RegionRef",)),
    "agencies": (agency_mentions, ("Agency",)),
    "policies": (policy_mentions, ("Policy",)),
    "quantities": (quantity_mentions, ("Quantity",)),
    "times": (time_mentions, ("Time",)),
}

DEFAULT_PIPELINE: tuple[str, ...] = tuple(EXTRACTORS)


def get_extractor(name: str) -> Extractor:
    """The extractor registered under ``name``; UnknownExtractorError lists the valid names."""
    try:
        return EXTRACTORS[name][0]
    except KeyError:
        raise UnknownExtractorError(name, sorted(EXTRACTORS)) from None


def run_extractors(doc: Document, seg: Segmentation, pipeline: tuple[str, ...] = DEFAULT_PIPELINE) -> list[Mention]:
    """All mentions of ``doc``, in text order; a mention with a label its extractor did not declare is an error."""
    out: list[Mention] = []
    for name in pipeline:
        extractor = get_extractor(name)
        assigns = EXTRACTORS[name][1]
        for mention in extractor(doc, seg):
            if mention.label not in assigns:
                raise UnknownExtractorError(f"{name} returned label {mention.label}", list(assigns))
            out.append(mention)
    out.sort(key=lambda m: (m.start, -m.end, m.label))
    return out
