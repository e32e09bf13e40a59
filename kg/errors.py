"""Every error the library raises; one base class so the CLI can catch them at its boundary."""

from __future__ import annotations

from collections.abc import Sequence


class KgError(Exception):
    """Base class of all zhengce-kg errors."""


def display_name(name: str) -> str:
    """A name as messages show it: printable, on one line, whatever bytes it was made of.

    Control characters (a newline could forge a log line) become ``\\n``, ``\\x1b`` ...; bytes of a
    file name that were not UTF-8 (kept by Python as surrogates) become ``\\xe9``; a backslash
    stays as it is, so ordinary names, Chinese included, are unchanged.
    """
    if name.isprintable():
        return name
    out = []
    for ch in name:
        code = ord(ch)
        if ch.isprintable():
            out.append(ch)
        elif 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's surrogateescape of a byte that was not UTF-8
            out.append(f"\\x{code - 0xDC00:02x}")
        else:
            out.append(repr(ch)[1:-1] if code < 0x10000 else f"\\U{code:08x}")
    return "".join(out)


class CorpusError(KgError):
    """An input file that cannot be read as text; the message names the file (and position).

    ``unit`` says what ``position`` counts (``byte``, ``character``), where the reason does not:
    ``x.txt:106: binary file, not text (at byte 106)``.
    """

    def __init__(self, path: str, reason: str, position: int | None = None, unit: str | None = None) -> None:
        where = display_name(path) if position is None else f"{display_name(path)}:{position}"
        said = f" (at {unit} {position})" if unit and position is not None else ""
        super().__init__(f"{where}: {reason}{said}")
        self.path = path
        self.reason = reason
        self.position = position
        self.unit = unit

    def __reduce__(self) -> tuple[type[CorpusError], tuple[str, str, int | None, str | None]]:
        # rebuilt from its fields when it crosses from a worker process
        return (type(self), (self.path, self.reason, self.position, self.unit))


class CorpusWarning(CorpusError):
    """An input file that was read and built, but only after removing something (control characters)."""


class ExtractionFailure(KgError):
    """An unexpected exception (a bug, not bad input) while extracting one file.

    ``error`` is the exception's type and message on one line; ``traceback`` is the full
    traceback, formatted where the exception happened (in a worker process with --jobs N).
    """

    def __init__(self, path: str, error: str, traceback: str) -> None:
        super().__init__(f"{display_name(path)}: extraction failed: {error}")
        self.path = path
        self.error = error
        self.traceback = traceback

    def __reduce__(self) -> tuple[type[ExtractionFailure], tuple[str, str, str]]:
        return (ExtractionFailure, (self.path, self.error, self.traceback))


class BuildAborted(KgError):
    """A --strict build met input files it cannot read, read only in part, or failed to extract; nothing was written."""

    def __init__(self, problems: Sequence[CorpusError | ExtractionFailure], log: str = "the build's log") -> None:
        failed = sum(isinstance(p, ExtractionFailure) for p in problems)
        if failed:
            message = (
                f"{failed} input file(s) failed in extraction (--strict); nothing was written"
                f" (without --strict, the rest is built and each traceback kept in {log})"
            )
        else:
            message = f"{len(problems)} input file(s) could not be read cleanly (--strict); nothing was written"
        super().__init__(message)
        self.problems = list(problems)


class EmptyCorpusError(KgError):
    """A corpus without a single text file to build (an empty graph would replace a good export)."""


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
        declared = ", ".join(f"{k} with {v.__name__} data" for k, v in sorted(assigns.items()))
        if label in assigns:
            wrong = f"a mention labelled {label!r} with {data_type} data, not {assigns[label].__name__}"
        else:
            wrong = f"a mention labelled {label!r}, a label it does not declare"
        super().__init__(
            f"Extractor {name!r} returned {wrong} (it declares: {declared}); "
            "fix the extractor or its entry in kg/extract/__init__.py"
        )


class ExportError(KgError):
    """An export could not be written, or a format is unknown."""


class QueryError(KgError):
    """A query that cannot be run: bad syntax, an unknown question, a label that names nothing."""


class QueryTimeout(QueryError):
    """A query ran longer than its timeout and was stopped (its process killed, its memory freed)."""


class QueryCancelled(QueryError):
    """A query was stopped because its caller no longer wants the answer (a client went away)."""


class EvaluationError(KgError):
    """The gold file or the export given to ``kg eval`` cannot be read."""


class ValidationError(KgError):
    """The export given to ``kg validate`` cannot be read."""
