"""Extractors: small functions ``(Document, Segmentation) -> Iterable[Mention]``, registered here.

Each is registered with what it assigns (the Mention labels and the type of their ``data``) and
what it requires beyond the text (reference data it loads, the segmentation), as spaCy's
factories declare ``assigns`` and ``requires``. The registry checks every mention against the
declaration; ``warm_up`` loads what the pipeline requires once, before worker processes fork.
Adding an extractor is a deliberate change: ``tests/extract/test_registry.py`` compares the
registry with a checked-in list.
"""

from __future__ import annotations

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


def _load_gazetteer() -> object:
    from kg.extract import regions

    return regions.automaton()


def _load_dictionary() -> object:
    from kg.dictionary import word_scores

    return word_scores()


def _load_policy_scheme() -> object:
    from kg.extract import policies

    return policies.automaton()


def _load_agency_grammar() -> object:
    from kg.extract import agencies

    return agencies.patterns()


def _load_conventions() -> object:
    from kg.conventions import conventions

    return conventions()


def _load_time_words() -> object:
    from kg.extract import times

    return times.time_starts()


def _load_units() -> object:
    from kg.extract import quantities

    return quantities.quantity_pattern(), quantities.quantity_starts()


# What an extractor may require: each loads (and caches) one piece of reference data.
RESOURCES: dict[str, Callable[[], object]] = {
    "gazetteer": _load_gazetteer,  # kg/data/regions.tsv, region_history.tsv, the region automaton
    "dictionary": _load_dictionary,  # jieba's dictionary as word scores (word boundaries)
    "policy_scheme": _load_policy_scheme,  # ontology/policies.ttl
    "agency_grammar": _load_agency_grammar,  # kg/data/agency_*.txt|tsv, national_agencies.tsv
    "conventions": _load_conventions,  # kg/data/conventions.toml
    "time_words": _load_time_words,
    "units": _load_units,  # kg/data/units.tsv
}

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
        quantity_mentions, {"Quantity": Figure}, ("units", "conventions", "gazetteer", "dictionary", "segmentation")
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
                RESOURCES[resource]()


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
