"""Reference data files shipped in ``kg/data``: never written; the modules that read one cache what they make of it.

The agency files that both extraction (kg/extract/agencies.py) and resolution (kg/resolve.py) read are parsed
here, once.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from kg.errors import ReferenceDataError


def data_text(name: str) -> str:
    """The text of a file in ``kg/data``."""
    try:
        return resources.files("kg").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReferenceDataError(f"kg/data/{name} is missing; reinstall the package") from None


def data_lines(name: str) -> list[str]:
    """Non-empty, non-comment lines of a data file."""
    return [ln.strip() for ln in data_text(name).splitlines() if ln.strip() and not ln.startswith("#")]


@cache
def agency_bodies() -> dict[str, tuple[str, str]]:
    """``agency_bodies.tsv``: each whole body (委, 人大 ...) -> (its kind, its full name's pattern, {r} the region)."""
    out = {}
    for line in data_lines("agency_bodies.tsv"):
        body, kind, pattern = line.split("\t")[:3]
        out[body] = (kind, pattern)
    return out


@cache
def national_agencies() -> dict[str, tuple[str, ...]]:
    """``national_agencies.tsv``: each listed national body -> its aliases."""
    out: dict[str, tuple[str, ...]] = {}
    for line in data_lines("national_agencies.tsv"):
        name, _, aliases = line.partition("\t")
        out[name] = tuple(a for a in aliases.split(",") if a)
    return out
