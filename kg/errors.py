"""Every error the library raises; one base class so the CLI can catch them at its boundary."""

from __future__ import annotations


class KgError(Exception):
    """Base class of all zhengce-kg errors."""


class CorpusError(KgError):
    """An input file that cannot be read as text; the message names the file (and position)."""

    def __init__(self, path: str, reason: str, position: int | None = None) -> None:
        where = path if position is None else f"{path}:{position}"
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.reason = reason
        self.position = position

    def __reduce__(self) -> tuple[type[CorpusError], tuple[str, str, int | None]]:
        # rebuilt from its fields when it crosses from a worker process
        return (CorpusError, (self.path, self.reason, self.position))


class CorpusWarning(CorpusError):
    """An input file that was read and built, but only after removing something (control characters)."""

    def __reduce__(self) -> tuple[type[CorpusWarning], tuple[str, str, int | None]]:
        return (CorpusWarning, (self.path, self.reason, self.position))


class BuildAborted(KgError):
    """A --strict build met input files it cannot read, or read only in part; nothing was written."""

    def __init__(self, problems: list[CorpusError]) -> None:
        super().__init__(f"{len(problems)} input file(s) could not be read cleanly (--strict); nothing was written")
        self.problems = problems


class MetadataError(KgError):
    """The corpus metadata file is malformed."""


class ReferenceDataError(KgError):
    """A reference data file shipped with the package is missing or malformed."""


class UnknownExtractorError(KgError):
    """A pipeline names an extractor that is not registered."""

    def __init__(self, name: str, available: list[str]) -> None:
        super().__init__(f"No extractor {name!r}. Available names: {', '.join(available)}")


class ExtractorContractError(KgError):
    """An extractor returned a mention its registration does not declare."""

    def __init__(self, name: str, label: str, data_type: str, assigns: dict[str, type]) -> None:
        declared = ", ".join(f"{k} ({v.__name__})" for k, v in sorted(assigns.items()))
        super().__init__(
            f"Extractor {name!r} returned a {label!r} mention with {data_type} data; it declares: {declared}. "
            "Fix the extractor or its entry in kg/extract/__init__.py"
        )


class ExportError(KgError):
    """An export could not be written, or a format is unknown."""


class EvaluationError(KgError):
    """The gold file or the export given to ``kg eval`` cannot be read."""
