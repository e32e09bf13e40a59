"""The read-only SPARQL endpoint: Oxigraph's own server (``oxigraph serve-read-only``) on the build's store.

The ``oxigraph`` package on PyPI ships the server binary; it speaks the SPARQL 1.1 Protocol
(GET and POST, content negotiation for JSON, XML, CSV, TSV results) and in read-only mode
answers updates with an error, so the build cannot be changed through the endpoint.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from kg.errors import KgError
from kg.store import store_path


class ServeError(KgError):
    """The endpoint cannot be started."""


def server_binary() -> str:
    """The ``oxigraph`` command: beside this Python (a venv's bin/) or on PATH."""
    here = Path(sys.executable).parent / "oxigraph"
    if here.is_file():
        return str(here)
    found = shutil.which("oxigraph")
    if found is None:
        raise ServeError("the oxigraph server is not installed (pip install oxigraph)")
    return found


def serve_command(
    export_dir: Path, host: str = "127.0.0.1", port: int = 7878, *, cors: bool = False, store: Path | None = None
) -> list[str]:
    """The command line that serves ``export_dir``'s store (or ``store``, a held generation's) read-only."""
    path = store or store_path(export_dir)
    if path is None:
        raise ServeError(f"{export_dir}: no store (zhengce.oxigraph); run kg build first")
    command = [server_binary(), "serve-read-only", "--location", str(path), "--bind", f"{host}:{port}"]
    return [*command, "--cors"] if cors else command
