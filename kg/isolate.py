"""Run a read of the build in a child process that can be stopped: at a deadline, or when nobody waits.

Oxigraph cannot interrupt a query, and a thread cannot be killed: a query that runs for minutes
would hold a core and its memory for as long as it runs, whether or not anyone still waits for
the answer. ``kg serve`` therefore runs each request's reads in a child process (forked from a
``forkserver`` that has imported the libraries once, so a child starts in milliseconds) and kills
it when the deadline passes or the client goes away. The child opens the store itself, so each
request reads the generation that is current when it starts.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.connection
import traceback
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from kg.errors import KgError

T = TypeVar("T")
PRELOAD = ["kg.pages", "kg.query", "kg.flow", "pyoxigraph"]
_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(PRELOAD)


class Timeout(KgError):
    """The work did not finish before its deadline and was stopped."""


class Abandoned(KgError):
    """The client went away; the work was stopped."""


class ChildFailed(KgError):
    """The child died, or failed with an error of another kind (its message is this one's)."""


def _child(conn: multiprocessing.connection.Connection, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        result = function(*args)
    except KgError as e:
        try:
            conn.send(("error", e))  # re-raised as itself in the parent
        except Exception:  # an error that does not pickle: its message
            conn.send(("error", ChildFailed(str(e))))
    except BaseException as e:  # a bug: the parent gets one line, the log gets the traceback
        traceback.print_exc()
        conn.send(("error", ChildFailed(f"internal error ({type(e).__name__}: {e})")))
    else:
        conn.send(("ok", result))
    conn.close()


async def run_isolated(
    function: Callable[..., T],
    args: tuple[Any, ...],
    *,
    timeout: float,
    abandoned: Callable[[], Awaitable[bool]],
    poll: float = 0.2,
) -> T:
    """``function(*args)`` in a child process; Timeout after ``timeout`` s, Abandoned once ``abandoned()``."""
    receive, send = _context.Pipe(duplex=False)
    process = _context.Process(target=_child, args=(send, function, args), daemon=True)
    process.start()
    send.close()
    loop = asyncio.get_running_loop()
    ready = asyncio.Event()
    loop.add_reader(receive.fileno(), ready.set)
    deadline = loop.time() + timeout
    try:
        while not ready.is_set():
            left = deadline - loop.time()
            if left <= 0:
                raise Timeout(f"stopped after {timeout:g} s (kg serve --timeout)")
            try:
                await asyncio.wait_for(ready.wait(), min(poll, left))
            except TimeoutError:
                if await abandoned():
                    raise Abandoned("the client went away") from None
        loop.remove_reader(receive.fileno())
        try:
            status, value = receive.recv()
        except EOFError:
            raise ChildFailed(f"the worker died (exit code {process.exitcode})") from None
        if status == "error":
            raise value
        return value  # type: ignore[no-any-return]
    finally:
        loop.remove_reader(receive.fileno())
        receive.close()
        if process.is_alive():
            process.kill()
        await loop.run_in_executor(None, process.join)
