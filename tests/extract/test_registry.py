"""The extractor registry: adding or removing an extractor is a deliberate change."""

from __future__ import annotations

import pytest

from kg.errors import ExtractorContractError, UnknownExtractorError
from kg.extract import DEFAULT_PIPELINE, EXTRACTORS, RESOURCES, Component, get_extractor, run_extractors
from kg.load import load_text
from kg.segment import segment
from kg.types import Mention

# fmt: off
EXPECTED = {
    "regions": {"Region": "RegionName", "Place": "PlaceName"},
    "region_references": {"RegionRef": "RegionReference"},
    "agencies": {"Agency": "AgencyName"},
    "policies": {"Policy": "PolicyName"},
    "quantities": {"Quantity": "Figure"},
    "times": {"Time": "TimeSpan"},
}
# fmt: on


def test_registry_matches_checked_in_list() -> None:
    """The registered names, the labels they assign and their data types are the expected ones."""
    got = {name: {label: t.__name__ for label, t in c.assigns.items()} for name, c in EXTRACTORS.items()}
    assert got == EXPECTED
    assert set(DEFAULT_PIPELINE) == set(EXPECTED)


def test_registry_requirements_are_known_resources() -> None:
    """Every requirement names a resource that can be loaded (or the segmentation)."""
    for component in EXTRACTORS.values():
        assert set(component.requires) <= {*RESOURCES, "segmentation"}


def test_registry_rejects_an_undeclared_mention(monkeypatch: pytest.MonkeyPatch) -> None:
    """A mention whose label or data the extractor did not declare stops extraction with a clear error."""

    def rogue(_doc: object, _seg: object) -> list[Mention]:
        return [Mention(0, 2, "西宁", "Region", "西宁", None)]

    monkeypatch.setitem(EXTRACTORS, "times", Component(rogue, {"Time": type(None)}))
    doc = load_text("西宁。", "t.txt")
    message = (
        "Extractor 'times' returned a mention labelled 'Region', a label it does not declare "
        "(it declares: Time with NoneType data); fix the extractor or its entry in kg/extract/__init__.py"
    )
    with pytest.raises(ExtractorContractError) as undeclared:
        run_extractors(doc, segment(doc))
    assert str(undeclared.value) == message
    monkeypatch.setitem(EXTRACTORS, "times", Component(rogue, {"Region": int}))
    wrong_data = r"^Extractor 'times' returned a mention labelled 'Region' with NoneType data, not int \(it"
    with pytest.raises(ExtractorContractError, match=wrong_data):
        run_extractors(doc, segment(doc))


def test_registry_unknown_name_lists_choices() -> None:
    """Asking for an unknown extractor names the available ones."""
    with pytest.raises(UnknownExtractorError, match=r"Available names: .*regions"):
        get_extractor("nope")
