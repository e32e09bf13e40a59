"""Reference data files shipped in ``kg/data``: never written; the modules that read one cache what they make of it."""

from __future__ import annotations

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
