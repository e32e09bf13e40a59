"""Regenerate the parts of README.md that the commands themselves say, so they cannot drift.

- The command reference (between ``<!-- cli-reference -->`` and ``<!-- /cli-reference -->``): one
  row per command, its options as the command declares them and the first paragraph of its help;
  ``docs/cli.md`` holds each command's whole ``-h``.
- Every example in a ```` ```console ```` block of the README: each ``$ kg ...`` line is run on the
  committed seed export (``exports/seed/``, seen as ``exports``) at ``COLUMNS=80`` and the output
  below it replaced by what the command prints now.

    python scripts/update_readme.py           # rewrite README.md and docs/cli.md
    python scripts/update_readme.py --check   # exit 1, naming what differs (tests/test_docs.py runs this)
"""

from __future__ import annotations

import os
import re
import shlex
import sys
import tempfile
from pathlib import Path

import click
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
CLI_DOC = ROOT / "docs" / "cli.md"
SEED_EXPORT = ROOT / "exports" / "seed"  # the committed build of corpus/
WIDTH = 80  # the terminal the examples and help texts are rendered for
REFERENCE = re.compile(r"(<!-- cli-reference -->\n)(.*?)(<!-- /cli-reference -->)", re.DOTALL)
CONSOLE = re.compile(r"```console\n(.*?)```", re.DOTALL)


def _commands() -> dict[str, click.Command]:
    from kg.cli import cli

    return dict(sorted(cli.commands.items()))


def _usage(name: str, command: click.Command) -> str:
    pieces = [f"kg {name}"]
    for param in command.params:
        if isinstance(param, click.Argument):
            if isinstance(param.type, click.Choice):
                metavar = "{" + "|".join(map(str, param.type.choices)) + "}"
            else:
                metavar = (param.name or "").upper() + ("..." if param.nargs == -1 else "")
            pieces.append(metavar if param.required else f"[{metavar}]")
        elif isinstance(param, click.Option) and param.name != "help":
            flag = max(param.opts, key=len)
            if param.is_flag:
                flag = "/".join([flag, *param.secondary_opts]) if param.secondary_opts else flag
                pieces.append(f"[{flag}]")
            else:
                names = {"integer range": "N", "float range": "SECONDS", "integer": "N", "text": "TEXT"}
                metavar = param.metavar or names.get(param.type.name, param.type.name.upper())
                if isinstance(param.type, click.Choice):
                    metavar = "|".join(map(str, param.type.choices))
                pieces.append(f"[{flag} {metavar}]")
    return " ".join(pieces).replace("|", "\\|")


def _first_paragraph(command: click.Command) -> str:
    text = (command.help or "").split("\n\n")[0]
    return " ".join(text.split()).replace("|", "\\|")


def reference() -> str:
    """The README's command table."""
    rows = ["| command | what it does |", "|---|---|"]
    for name, command in _commands().items():
        rows.append(f"| `{_usage(name, command)}` | {_first_paragraph(command)} |")
    note = "Each command's whole help (`kg COMMAND -h`) is in [docs/cli.md](docs/cli.md)."
    return "\n".join(rows) + f"\n\n{note}\n"


def cli_doc() -> str:
    """docs/cli.md: every command's -h, as printed at 80 columns."""
    from kg.cli import cli

    parts = [
        "# Command reference",
        "",
        "Generated from the commands' own help by `python scripts/update_readme.py`.",
        "",
    ]
    for name, command in _commands().items():
        with click.Context(cli, info_name="kg", terminal_width=WIDTH, max_content_width=WIDTH) as parent:
            context = click.Context(command, parent=parent, info_name=name, terminal_width=WIDTH)
            parts += [f"## kg {name}", "", "```", command.get_help(context), "```", ""]
    return "\n".join(parts)


def run_example(line: str) -> str:
    """What ``kg ARGS`` prints (stdout and stderr) on the seed export, at 80 columns."""
    from kg.cli import cli

    args = shlex.split(line)[1:]
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="kg-readme-") as tmp:
        # as after the README's first command: ./exports is a build of the seed corpus
        (Path(tmp) / "exports").symlink_to(SEED_EXPORT)
        os.chdir(tmp)
        try:
            result = CliRunner().invoke(cli, args, env={"COLUMNS": str(WIDTH), "NO_COLOR": "1"})
        finally:
            os.chdir(cwd)
    return result.output


def examples(readme: str) -> str:
    """The README with each console example's output replaced by what its command prints now."""

    def block(m: re.Match[str]) -> str:
        out: list[str] = []
        for line in m.group(1).splitlines():
            if line.startswith("$ kg "):
                if out:
                    out.append("")
                out.append(line)
                out.append(run_example(line[2:]).rstrip("\n"))
        return "```console\n" + "\n".join(out) + "\n```"

    return CONSOLE.sub(block, readme)


def updated() -> tuple[str, str]:
    readme = README.read_text(encoding="utf-8")
    if not REFERENCE.search(readme):
        raise SystemExit("README.md has no <!-- cli-reference --> ... <!-- /cli-reference --> block")
    readme = REFERENCE.sub(lambda m: m.group(1) + reference() + m.group(3), readme)
    return examples(readme), cli_doc()


def main(argv: list[str]) -> int:
    readme, doc = updated()
    if "--check" in argv:
        stale = [
            p.name for p, text in ((README, readme), (CLI_DOC, doc)) if not p.is_file() or p.read_text("utf-8") != text
        ]
        if stale:
            print(f"{', '.join(stale)} differ from what the commands say; run: python scripts/update_readme.py")
            return 1
        return 0
    README.write_text(readme, encoding="utf-8")
    CLI_DOC.write_text(doc, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
