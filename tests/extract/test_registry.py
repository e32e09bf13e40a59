"""The extractor registry: adding or removing an extractor is a deliberate change."""

from __future__ import annotations

import pytest

from kg.errors import UnknownExtractorError
from kg.extract import DEFAULT_PIPELINE, EXTRACTORS, get_extractor

EXPECTED = {
    "regions": ("Region", "Place"),
    "region_references": ("RegionRef",),
    "agencies": ("Agency",),
    "policies": ("Policy",),
    "quantities": ("Quantity",),
    "times": ("Time",),
}


def test_registry_matches_checked_in_list() -> None:
    """The registered names and the labels they assign are the expected ones."""
    assert {name: labels for name, (_fn, labels) in EXTRACTORS.items()} == EXPECTED
    assert set(DEFAULT_PIPELINE) == set(EXPECTED)


def test_registry_unknown_name_lists_choices() -> None:
    """Asking for an unknown extractor names the available ones."""
    with pytest.raises(UnknownExtractorError, match=r"Available names: .*regions"):
        get_extractor("nope")
