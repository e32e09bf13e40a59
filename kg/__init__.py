"""zhengce-kg: a knowledge-graph builder for Chinese government text.

The Python API (kg/api.py), imported on first use so that ``import kg`` stays cheap and does nothing:

>>> import kg
>>> g = kg.open("exports")                          # doctest: +SKIP
>>> print(g.ask("regions-running", "免申即享"))      # doctest: +SKIP
>>> kg.build("corpus", "exports", jobs=2)           # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Graph", "Region", "Rows", "__version__", "build", "open"]

if TYPE_CHECKING:
    from kg.api import Graph, Region, Rows, build, open


def __getattr__(name: str) -> Any:
    if name in ("Graph", "Region", "Rows", "build", "open"):
        from kg import api

        return getattr(api, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
