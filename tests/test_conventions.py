"""Language conventions are data: the code names no province, and the conventions file loads whole."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kg.conventions import alternation, conventions
from kg.gazetteer import gazetteer
from tests.conftest import ROOT


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """The string literals of a module that are not docstrings (comments are not in the AST)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def _place_words() -> set[str]:
    """Names and strong short forms of provinces and prefectures (the words a seed habit would use)."""
    g = gazetteer()
    words = {r.name for r in g.by_code.values() if r.level in ("province", "prefecture")}
    for alias, targets in g.aliases.items():
        if len(alias) >= 2 and any(
            strength == "strong" and g.by_code[code].level in ("province", "prefecture") for code, strength in targets
        ):
            words.add(alias)
    return words | {"全疆", "全川", "全藏", "经办模式"}


def test_conventions_no_province_word_in_code() -> None:
    """No string in kg/**/*.py names a province or prefecture: such words belong in data files."""
    words = _place_words()
    found = [
        f"{path.relative_to(ROOT)}:{line}: {word}"
        for path in sorted((ROOT / "kg").rglob("*.py"))
        for line, value in _code_strings(path)
        for word in words
        if word in value
    ]
    assert found == []


def test_conventions_load_every_section() -> None:
    """Every table of the conventions file loads, non-empty."""
    c = conventions()
    for field in c.__dataclass_fields__:
        assert getattr(c, field), field
    assert c.levels["省"] == "province"
    assert c.province_characters["川"] == "510000"


@pytest.mark.parametrize("words, first", [(["比上年", "比上年同期"], "比上年同期"), (["a.b", "c"], "a\\.b")])
def test_conventions_alternation_longest_first(words: list[str], first: str) -> None:
    """An alternation tries longer words first and escapes regex characters."""
    assert alternation(words).split("|")[0] == first
