"""Extractors: small functions ``(Document, Segmentation) -> Iterable[Mention]``, registered here.

Each is registered with what it assigns (the Mention labels and the type of their ``data``) and
what it requires beyond the text (reference data it loads, the segmentation), as spaCy's
factories declare ``assigns`` and ``requires``. The registry checks every mention against the
declaration; ``warm_up`` loads what the pipeline requires once, before worker processes fork.
Adding an extractor is a deliberate change: ``tests/extract/test_registry.py`` compares the
registry with a checked-in list.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from kg.errors import ExtractorContractError, UnknownExtractorError
from kg.extract.agencies import agency_mentions
from kg.extract.policies import policy_mentions
from kg.extract.quantities import quantity_mentions
from kg.extract.regions import region_mentions, region_references
from kg.extract.times import time_mentions
from kg.types import (
    AgencyName,
    Document,
    Extractor,
    Figure,
    Mention,
    PlaceName,
    PolicyName,
    RegionName,
    RegionReference,
    Segmentation,
    TimeSpan,
)


@dataclass(frozen=True, slots=True)
class Component:
    """An extractor and its declaration: the labels it assigns, with the data type of each, and
    the resources it requires (names of ``RESOURCES``)."""

    extractor: Extractor
    assigns: dict[str, type]
    requires: tuple[str, ...] = ()


# What an extractor may require: each names a cached loader of one piece of reference data, as a
# module and function, imported only when loaded (spaCy-style lazy registration).
RESOURCES: dict[str, tuple[str, str]] = {
    "gazetteer": ("kg.extract.regions", "automaton"),  # regions.tsv, region_history.tsv, the region automaton
    "dictionary": ("kg.dictionary", "word_scores"),  # jieba's dictionary as word scores (word boundaries)
    "policy_scheme": ("kg.extract.policies", "automaton"),  # ontology/policies.ttl
    "agency_grammar": ("kg.extract.agencies", "patterns"),  # agency_*.txt|tsv, national_agencies.tsv
    "conventions": ("kg.conventions", "conventions"),  # conventions.toml
    "time_words": ("kg.extract.times", "time_starts"),
    "units": ("kg.extract.quantities", "quantity_pattern"),  # units.tsv and the qualifier words
    "number_starts": ("kg.extract.quantities", "quantity_starts"),  # where a number can start
}


def load_resource(name: str) -> object:
    """Load (and cache, in its module) the reference data ``name`` stands for."""
    module, function = RESOURCES[name]
    loader: Callable[[], object] = getattr(importlib.import_module(module), function)
    return loader()


EXTRACTORS: dict[str, Component] = {
    "regions": Component(
        region_mentions, {"Region": RegionName, "Place": PlaceName}, ("gazetteer", "dictionary", "conventions")
    ),
    "region_references": Component(region_references, {"RegionRef": RegionReference}, ("gazetteer", "conventions")),
    "agencies": Component(
        agency_mentions, {"Agency": AgencyName}, ("agency_grammar", "conventions", "gazetteer", "dictionary")
    ),
    "policies": Component(policy_mentions, {"Policy": PolicyName}, ("policy_scheme",)),
    "quantities": Component(
        quantity_mentions,
        {"Quantity": Figure},
        ("units", "number_starts", "conventions", "gazetteer", "dictionary", "segmentation"),
    ),
    "times": Component(time_mentions, {"Time": TimeSpan}, ("time_words",)),
}

DEFAULT_PIPELINE: tuple[str, ...] = tuple(EXTRACTORS)


def get_extractor(name: str) -> Extractor:
    """The extractor registered under ``name``; UnknownExtractorError lists the valid names."""
    try:
        return EXTRACTORS[name].extractor
    except KeyError:
        raise UnknownExtractorError(name, sorted(EXTRACTORS)) from None


def warm_up(pipeline: tuple[str, ...] = DEFAULT_PIPELINE) -> None:
    """Load every resource the pipeline's extractors require (once per process)."""
    for name in pipeline:
        get_extractor(name)
        for resource in EXTRACTORS[name].requires:
            if resource in RESOURCES:
                load_resource(resource)


def run_extractors(doc: Document, seg: Segmentation, pipeline: tuple[str, ...] = DEFAULT_PIPELINE) -> list[Mention]:
    """All mentions of ``doc``, in text order; a mention its extractor did not declare is an error."""
    out: list[Mention] = []
    for name in pipeline:
        extractor = get_extractor(name)
        assigns = EXTRACTORS[name].assigns
        for mention in extractor(doc, seg):
            expected = assigns.get(mention.label)
            if expected is None or not isinstance(mention.data, expected):
                raise ExtractorContractError(name, mention.label, type(mention.data).__name__, assigns)
            out.append(mention)
    out.sort(key=lambda m: (m.start, -m.end, m.label))
    return out
