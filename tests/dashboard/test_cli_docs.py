"""docs/cli.md is generated from the real command line and must be up to date."""

from __future__ import annotations

import re

import typer

from dashboard import cli_docs
from dashboard.cli import app


def test_cli_reference_is_up_to_date():
    assert cli_docs.CLI_DOC.read_text(encoding="utf-8") == cli_docs.render(), "run `make docs`"


def test_every_command_and_option_is_documented():
    text = cli_docs.CLI_DOC.read_text(encoding="utf-8")
    group = typer.main.get_command(app)
    assert set(group.commands) == {
        "generate",
        "load",
        "status",
        "quarantine",
        "indicators",
        "answer",
        "serve",
    }
    for name, cmd in group.commands.items():
        assert f"## `connect-impact {name}`" in text
        for param in cmd.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--"):
                    assert re.search(rf"`{opt}[` ]", text), f"{name} {opt} is undocumented"
