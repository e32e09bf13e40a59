"""The ``kg`` command: a thin click shell over the library (commands parse, call, report)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click
from click.decorators import FC

from kg.errors import KgError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
EXIT_SKIPPED = 3  # the build finished, but some input files were skipped


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="zhengce-kg")
def cli() -> None:
    """Build and check a knowledge graph of Chinese government text."""


def _export_argument(default: str = "exports/zhengce.ttl") -> Callable[[FC], FC]:
    return click.argument("export", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=default)


@cli.command()
@click.argument("corpus", type=click.Path(file_okay=False, path_type=Path), default="corpus")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default="exports",
    show_default=True,
    help="Folder the export files are written to.",
)
@click.option("--strict", is_flag=True, help="Fail (write nothing) if any input file cannot be read.")
def build(corpus: Path, out_dir: Path, strict: bool) -> None:
    """Build the graph of CORPUS (default: corpus) into zhengce.ttl and zhengce.nt.

    Files that cannot be read are reported, one line each, and skipped; the exit status
    is then 3. Outputs are written atomically: a failed build leaves the previous export.
    """
    from kg.pipeline import build as run_build
    from kg.pipeline import extract_corpus

    try:
        if strict:
            _facts, problems = extract_corpus(corpus)
            if problems:
                for p in problems:
                    click.echo(f"error: {p}", err=True)
                raise click.ClickException(f"{len(problems)} input file(s) could not be read (--strict)")
        report = run_build(corpus, out_dir)
    except KgError as e:
        raise click.ClickException(str(e)) from e
    for p in report.problems:
        click.echo(f"skipped: {p}", err=True)
    written = ", ".join(str(p) for p in report.outputs)
    click.echo(f"{report.documents} documents, {report.triples} triples -> {written}")
    if report.problems:
        sys.exit(EXIT_SKIPPED)


@cli.command(name="eval")
@click.option(
    "--gold",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="Gold facts (JSON, as tests/gold/seed-gold.json).",
)
@_export_argument()
@click.option("-v", "--verbose", is_flag=True, help="Also list every miss and extra.")
def eval_command(gold: Path, export: Path, verbose: bool) -> None:
    """Score EXPORT (default: exports/zhengce.ttl) against a gold file."""
    from kg.evaluate import evaluate, format_report, load_export, load_gold

    try:
        result = evaluate(load_gold(gold), load_export(export))
    except KgError as e:
        raise click.ClickException(str(e)) from e
    click.echo(format_report(result, verbose))


@cli.command()
@_export_argument()
def validate(export: Path) -> None:
    """Check EXPORT (default: exports/zhengce.ttl) against the SHACL shapes; exit 1 on violations."""
    from kg.evaluate import load_export
    from kg.validate import validate as run_validate

    try:
        violations = run_validate(load_export(export))
    except KgError as e:
        raise click.ClickException(str(e)) from e
    for v in violations:
        click.echo(str(v))
    if violations:
        raise click.ClickException(f"{len(violations)} SHACL violation(s) in {export}")
    click.echo(f"{export}: conforms to the shapes")
