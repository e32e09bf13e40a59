"""kg serve: one small read-only web app over a build (Starlette + Jinja2 templates, run by uvicorn).

- ``/id/...``: a page for every region, policy, agency, indicator and document at the path of its
  IRI, and Turtle, JSON-LD, N-Triples or RDF/XML for the same URL by content negotiation;
- ``/ask`` and ``/ask/NAME?policy=...&format=json|csv|tsv``: the canned questions;
- ``/sparql`` (and ``/query``): the SPARQL 1.1 Protocol endpoint (GET and POST, read-only, the
  project's prefixes predeclared) and its query page;
- ``/search?q=``: regions, policies, agencies and indicators by any of their names;
- ``/map/POLICY``: where a policy runs, on a map of China (needs the ``maps`` extra).

Hardened as a service on someone's laptop: every read of the store runs in a child process that
is killed at the deadline (``--timeout``) or when the client goes away (kg/isolate.py); request
bodies and answers are bounded; ``SERVICE`` (federated query, which would make this machine send
requests anywhere) is refused unless ``--allow-service``; updates are refused; ``--cors`` opens
reads only; bound to loopback, only loopback ``Host`` names are answered (no DNS rebinding). Each
request opens the generation that is current when it starts, so a rebuild is served at once.

Starlette rather than Flask or Django: ASGI lets the server notice a client that went away while
a query runs (Flask's WSGI cannot), and it is a small library with the few parts needed here
(routing, TrustedHostMiddleware, CORSMiddleware, Jinja2 templates) and no build step.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from kg.errors import KgError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
LOOPBACK_NAMES = ["127.0.0.1", "localhost", "[::1]", "::1"]


class ServeError(KgError):
    """The server cannot be started, or a request cannot be answered."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What ``kg serve`` was started with (see its --help)."""

    export_dir: Path
    corpus_dir: Path | None = None
    host: str = "127.0.0.1"
    port: int = 7878
    cors: bool = False
    timeout: float = 30.0
    allow_service: bool = False
    max_body_bytes: int = 1 << 20
    max_result_bytes: int = 64 << 20
    max_concurrent: int = 4  # reads at once (each a process); more wait their turn

    @property
    def loopback(self) -> bool:
        return self.host in LOOPBACK_HOSTS or self.host.startswith("127.")


# --- checking user SPARQL -------------------------------------------------------------------------


def check_user_query(text: str, *, allow_service: bool) -> None:
    """Refuse updates, SERVICE unless allowed, and unknown prefixes: the checks of ``kg query`` (kg/sparql.py)."""
    from kg.query import query_prefixes
    from kg.sparql import check_query

    if len(text) > 1_000_000:
        raise ServeError("the query is longer than 1 MB")
    try:
        check_query(text, query_prefixes(), allow_service=allow_service)
    except KgError as e:
        raise ServeError(str(e)) from None


# --- content negotiation ---------------------------------------------------------------------------


def negotiate(accept: str, offers: list[str]) -> str | None:
    """The offer the ``Accept`` header prefers (quality, then specificity, then the offers' order)."""
    if not accept.strip():
        return offers[0]
    ranges = []
    for i, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        ranges.append((media.lower(), q, i))
    best: tuple[float, int, int] | None = None
    chosen = None
    for rank, offer in enumerate(offers):
        kind = offer.split("/")[0]
        for media, q, _i in ranges:
            specific = 2 if media == offer else 1 if media == f"{kind}/*" else 0 if media == "*/*" else -1
            if specific < 0 or q <= 0:
                continue
            key = (q, specific, -rank)
            if best is None or key > best:
                best, chosen = key, offer
    return chosen


# --- hardening middleware ---------------------------------------------------------------------------


class BodyLimit:
    """Refuse a request body longer than ``limit`` bytes (413) without reading more of it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.limit:
            await _plain(send, 413, f"request body larger than {self.limit} bytes")
            return
        received = 0

        async def bounded() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise ServeError(f"request body larger than {self.limit} bytes")
            return message

        await self.app(scope, bounded, send)


class ReadOnlyCORS:
    """``--cors`` for reads only: cross-origin headers on GET/HEAD and on SPARQL queries, never on updates."""

    def __init__(self, app: ASGIApp) -> None:
        from starlette.middleware.cors import CORSMiddleware

        self.app = app
        self.cors = CORSMiddleware(
            app, allow_origins=["*"], allow_methods=["GET", "HEAD", "POST"], allow_headers=["Accept", "Content-Type"]
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _is_read(scope):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _is_read(scope: Scope) -> bool:
    method, path = scope["method"], scope["path"]
    if method in ("GET", "HEAD"):
        return True
    headers = dict(scope.get("headers") or [])
    if method == "OPTIONS":  # a preflight: allowed for reads of the query endpoint only
        wanted = headers.get(b"access-control-request-method", b"").decode("latin-1").upper()
        return wanted in ("GET", "HEAD") or (wanted == "POST" and path in ("/sparql", "/query"))
    content = headers.get(b"content-type", b"").decode("latin-1")
    return method == "POST" and path in ("/sparql", "/query") and "sparql-update" not in content


async def _plain(send: Send, status: int, text: str) -> None:
    body = (text + "\n").encode("utf-8")
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# --- the app -----------------------------------------------------------------------------------------

HTML = "text/html"
RDF_TYPES = ["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]
RESULT_TYPES = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]
FORMAT_NAMES = {
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "html": HTML,
}


def create_app(settings: Settings) -> ASGIApp:
    """The ASGI app of ``kg serve``, wrapped in its hardening middleware."""
    from jinja2 import Environment, PackageLoader, select_autoescape
    from starlette.applications import Starlette
    from starlette.middleware.trustedhost import TrustedHostMiddleware
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
    from starlette.routing import Route

    from kg import pages
    from kg.isolate import Abandoned, Timeout, run_isolated
    from kg.query import questions

    templates = Environment(loader=PackageLoader("kg", "templates"), autoescape=select_autoescape(), trim_blocks=True)
    templates.globals["local_path"] = pages.local_path
    templates.globals["short"] = pages.short
    slots = asyncio.Semaphore(settings.max_concurrent)

    def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("generation", _generation(settings.export_dir))
        return HTMLResponse(templates.get_template(name).render(**context), status_code=status)

    def error(request: Request, status: int, message: str) -> Response:
        fmt = request.query_params.get("format", "")
        wants = negotiate(request.headers.get("accept", ""), [HTML, "text/plain", "application/json"])
        if fmt in ("json", "csv", "tsv", "ttl", "jsonld", "nt"):
            wants = "application/json" if fmt == "json" else "text/plain"
        if wants == HTML:
            return page("error.html", status, title=f"{status}", message=message)
        if wants == "application/json":
            return JSONResponse({"error": message}, status_code=status)
        return PlainTextResponse(message + "\n", status_code=status)

    async def read(request: Request, function: Callable[..., Any], *args: Any) -> Any:
        """``function(export_dir, *args)`` in a child process, under the deadline and the client's attention."""
        async with slots:
            return await run_isolated(
                function,
                (settings.export_dir, *args),
                timeout=settings.timeout,
                abandoned=request.is_disconnected,
            )

    async def guarded(request: Request, work: Callable[[], Awaitable[Response]]) -> Response:
        try:
            return await work()
        except Timeout as e:
            return error(request, 503, f"the query took too long and was stopped: {e}")
        except Abandoned:
            return PlainTextResponse("", status_code=499)
        except pages.ResultTooLarge as e:
            return error(request, 413, str(e))
        except KgError as e:  # ChildFailed, QueryError, PageError ...
            return error(request, 400, str(e))

    async def home(request: Request) -> Response:
        return page("home.html", title="zhengce-kg", questions=questions().values())

    async def resource(request: Request) -> Response:
        iri = pages.iri_of_path(request.url.path)
        forced = FORMAT_NAMES.get(request.query_params.get("format", ""))
        media = forced or negotiate(request.headers.get("accept", ""), [HTML, *RDF_TYPES]) or HTML

        async def work() -> Response:
            if media in RDF_TYPES:
                data = await read(request, pages.description, iri, media)
                if data is None:
                    return error(request, 404, f"nothing is known of <{iri}> in this build")
                return Response(data, media_type=media, headers={"Vary": "Accept"})
            found: pages.Resource | None = await read(request, pages.resource, iri)
            if found is None:
                return error(request, 404, f"nothing is known of <{iri}> in this build")
            passages: tuple[pages.Passage, ...] = ()
            if found.source_file is not None:
                start, end = _int(request.query_params.get("start")), _int(request.query_params.get("end"))
                original = pages.document_text(settings.corpus_dir, found.source_file)
                passages = pages.passages(original, start, end) if original is not None else ()
            alternates = {name: f"{request.url.path}?format={name}" for name in ("ttl", "jsonld", "nt")}
            response = page("resource.html", title=found.label, r=found, passages=passages, alternates=alternates)
            response.headers["Vary"] = "Accept"
            return response

        return await guarded(request, work)

    async def ask_index(request: Request) -> Response:
        return page("ask_index.html", title="Questions", questions=questions().values())

    async def ask(request: Request) -> Response:
        from kg.results import render

        name = request.path_params["name"]
        if name not in questions():
            return error(request, 404, f"no question {name!r}; the questions are: {', '.join(questions())}")
        q = questions()[name]
        params = dict(request.query_params)
        fmt = params.pop("format", "")
        arguments = tuple(params.get(kind, "") for kind in q.arguments)
        options = {k: params[k] for k in q.options if params.get(k)}
        if fmt not in ("", "html", "json", "csv", "tsv"):
            return error(request, 400, f"no format {fmt!r}; choose html, json, csv or tsv")
        if not all(arguments):
            if fmt in ("json", "csv", "tsv"):
                return error(request, 400, f"give {', '.join(q.arguments)} (e.g. /ask/{name}?{q.arguments[0]}=...)")
            return page("ask.html", title=name, q=q, params=params, result=None, links={})

        async def work() -> Response:
            result = await read(request, pages.ask_question, name, arguments, options)
            if fmt in ("json", "csv", "tsv"):
                media = {
                    "json": "application/sparql-results+json",
                    "csv": "text/csv",
                    "tsv": "text/tab-separated-values",
                }
                return Response(render(result, fmt), media_type=f"{media[fmt]}; charset=utf-8")
            links = {f: f"/ask/{name}?{urlencode({**params, 'format': f})}" for f in ("json", "csv", "tsv")}
            return page("ask.html", title=name, q=q, params=params, result=_table(result), links=links)

        return await guarded(request, work)

    async def sparql(request: Request) -> Response:
        if request.method == "POST":
            content_type = request.headers.get("content-type", "").split(";")[0].strip()
            body = await request.body()
            if content_type == "application/sparql-update":
                return error(request, 403, "updates are refused: kg serve is read-only")
            if content_type == "application/sparql-query":
                text = body.decode("utf-8", errors="replace")
            else:
                form = dict(parse_qsl(body.decode("utf-8", errors="replace")))
                if "update" in form:
                    return error(request, 403, "updates are refused: kg serve is read-only")
                text = form.get("query", "")
        else:
            text = request.query_params.get("query", "")
        accept = request.headers.get("accept", "")
        forced = FORMAT_NAMES.get(request.query_params.get("format", ""))
        wants_html = forced == HTML or (forced is None and negotiate(accept, [*RESULT_TYPES, HTML]) == HTML)
        if not text.strip():
            if wants_html:
                return page("sparql.html", title="SPARQL", query=_EXAMPLE_QUERY, result=None)
            return error(request, 400, "give a query (the SPARQL 1.1 Protocol: ?query=... or a POST)")

        async def work() -> Response:
            try:
                check_user_query(text, allow_service=settings.allow_service)
            except ServeError as e:
                status = 403 if "refused" in str(e) else 400
                if wants_html:
                    return page("sparql.html", status, title="SPARQL", query=text, result=None, message=str(e))
                return error(request, status, str(e))
            if wants_html:
                media_types: tuple[str, ...] = ("application/sparql-results+json", "text/turtle")
            else:
                media_types = (forced,) if forced else tuple(_ordered(accept, [*RESULT_TYPES, *RDF_TYPES]))
            media, data = await read(request, pages.run_sparql, text, media_types, settings.max_result_bytes)
            if not wants_html:
                return Response(data, media_type=media)
            result = _sparql_table(media, data)
            return page("sparql.html", title="SPARQL", query=text, result=result, message=None)

        return await guarded(request, work)

    async def update(request: Request) -> Response:
        return error(request, 403, "updates are refused: kg serve is read-only")

    async def search(request: Request) -> Response:
        text = request.query_params.get("q", "")[:200]

        async def work() -> Response:
            hits: tuple[pages.Hit, ...] = await read(request, pages.search, text) if text.strip() else ()
            if request.query_params.get("format") == "json":
                return JSONResponse([{"iri": h.link.iri, "label": h.link.label, "kind": h.kind} for h in hits])
            if len(hits) == 1 or (hits and hits[0].name == text and (len(hits) < 2 or hits[1].name != text)):
                return RedirectResponse(hits[0].link.href, status_code=303)
            return page("search.html", title=f"Search: {text}", q=text, hits=hits)

        return await guarded(request, work)

    async def map_page(request: Request) -> Response:
        policy = request.path_params.get("policy") or request.query_params.get("policy", "")
        if not policy:
            return error(request, 400, "give a policy: /map/免申即享")

        async def work() -> Response:
            from kg.maps import map_page as make_map

            html_page = await read(request, make_map, policy)
            return HTMLResponse(html_page)

        return await guarded(request, work)

    routes = [
        Route("/", home),
        Route("/id/{path:path}", resource, methods=["GET", "HEAD"]),
        Route("/ask", ask_index),
        Route("/ask/{name}", ask, methods=["GET", "HEAD"]),
        Route("/sparql", sparql, methods=["GET", "HEAD", "POST"]),
        Route("/query", sparql, methods=["GET", "HEAD", "POST"]),
        Route("/update", update, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
        Route("/search", search),
        Route("/map", map_page),
        Route("/map/{policy}", map_page),
    ]

    async def failed(request: Request, exc: Exception) -> Response:
        return error(request, 400, str(exc))

    app: ASGIApp = Starlette(routes=routes, exception_handlers={ServeError: failed})
    if settings.cors:
        app = ReadOnlyCORS(app)
    app = BodyLimit(app, settings.max_body_bytes)
    if settings.loopback:
        app = TrustedHostMiddleware(app, allowed_hosts=LOOPBACK_NAMES)
    return app


_EXAMPLE_QUERY = """# The project's prefixes (zc:, region:, policy:, rdfs:, skos: ...) are predeclared.
SELECT ?region ?status WHERE {
  ?a zc:policy policy:mianshen-jixiang ; zc:region/rdfs:label ?region ; zc:status/rdfs:label ?status .
  FILTER(lang(?status) = "en")
} ORDER BY ?region"""


def _generation(export_dir: Path) -> str:
    """Which build is being served (its generation's name, kg/store.py): shown on every page."""
    from kg.store import current_generation

    return current_generation(export_dir) or ""


def _int(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() else None


def _ordered(accept: str, offers: list[str]) -> list[str]:
    """``offers`` in the order the Accept header prefers them (the first is the best)."""
    out, left = [], list(offers)
    while left:
        best = negotiate(accept, left)
        if best is None:
            break
        out.append(best)
        left.remove(best)
    return out or offers


@dataclass(frozen=True, slots=True)
class Table:
    """A result as the pages show it: column names, and cells as (text, link or None)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[tuple[str, str | None], ...], ...]
    boolean: bool | None = None
    text: str | None = None  # a graph's Turtle


def _cell(kind: str, value: str) -> tuple[str, str | None]:
    from kg.flow import flowed
    from kg.pages import local_path, short

    if kind == "uri":
        return short(value), local_path(value)
    return flowed(value), None


def _table(result: Any) -> Table:
    if result.boolean is not None:
        return Table((), (), result.boolean)
    rows = tuple(tuple(_cell(t.kind, t.value) if t else ("", None) for t in row) for row in result.rows)
    return Table(result.variables, rows)


def _sparql_table(media: str, data: bytes, limit: int = 2000) -> Table:
    if media != "application/sparql-results+json":
        return Table((), (), None, data.decode("utf-8", errors="replace"))
    doc = json.loads(data)
    if "boolean" in doc:
        return Table((), (), bool(doc["boolean"]))
    columns = tuple(doc["head"]["vars"])
    rows = tuple(
        tuple(_cell(b[c]["type"], b[c]["value"]) if c in b else ("", None) for c in columns)
        for b in doc["results"]["bindings"][:limit]
    )
    return Table(columns, rows)


def serve(settings: Settings) -> None:
    """Run the app until interrupted."""
    import uvicorn

    from kg.store import no_store_message, reading, store_path

    if store_path(settings.export_dir) is None:
        with reading(settings.export_dir) as generation:
            if generation is not None:  # a build without a store (--no-store): say how to load its shards
                raise ServeError(no_store_message(generation))
        raise ServeError(f"{settings.export_dir}: no store (zhengce.oxigraph); run kg build first")
    if settings.corpus_dir is not None and not settings.corpus_dir.is_dir():
        raise ServeError(f"{settings.corpus_dir}: no such corpus folder (--corpus)")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        server_header=False,
        timeout_graceful_shutdown=2,
    )
