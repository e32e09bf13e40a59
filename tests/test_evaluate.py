"""kg eval's scoring rules on tiny hand-made graphs."""

from __future__ import annotations

from typing import Any

from kg.evaluate import evaluate
from kg.graph import build_graph
from kg.types import DocMeta, DocumentFacts


def _gold(regions: list[dict[str, Any]]) -> dict[str, Any]:
    return {"policies_in_scope": [], "documents": {"a.txt": {"regions": regions}}}


def test_evaluate_regions_precision_recall() -> None:
    """One right, one extra, one missed region give P = R = 0.5."""
    g = build_graph([DocumentFacts("a.txt", DocMeta(), (), ("632801", "630100"))])
    gold = _gold([{"name": "格尔木市", "code": "632801"}, {"name": "海东市", "code": "630200"}])
    figures = evaluate(gold, g).figures()
    assert figures["regions_precision"] == 0.5
    assert figures["regions_recall"] == 0.5


def test_evaluate_optional_regions_neither_required_nor_counted() -> None:
    """An optional gold region is not missed when absent and not extra when present."""
    g = build_graph([DocumentFacts("a.txt", DocMeta(), (), ("632801", "330100"))])
    gold = _gold(
        [
            {"name": "格尔木市", "code": "632801"},
            {"name": "杭州市", "code": "330100", "optional": True},
            {"name": "北京市", "code": "110000", "optional": True},
        ]
    )
    figures = evaluate(gold, g).figures()
    assert figures["regions_precision"] == 1.0
    assert figures["regions_recall"] == 1.0
