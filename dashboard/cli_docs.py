"""docs/cli.md, generated from the real command line by Typer's own documentation writer."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.cli import get_docs_for_click

from dashboard.cli import app
from pipelines.api import PROJECT_ROOT, write_if_changed

CLI_DOC = PROJECT_ROOT / "docs" / "cli.md"
TITLE = "Command line reference"
NOTE = (
    "Generated from the code by `make docs` (Typer's `utils docs`); a test fails when it is stale."
)


def render() -> str:
    """Return the Markdown reference of every command and option."""
    command = typer.main.get_command(app)
    with typer.Context(command) as ctx:
        text = get_docs_for_click(obj=command, ctx=ctx, name="connect-impact", title=TITLE)
    head, _, rest = text.strip().partition("\n")
    return f"{head}\n\n{NOTE}\n{rest}\n"


def write(path: Path = CLI_DOC) -> bool:
    """Write docs/cli.md; return whether it changed."""
    return write_if_changed(path, render())


if __name__ == "__main__":
    print("docs/cli.md updated" if write() else "docs/cli.md already up to date")
