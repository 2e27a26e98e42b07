"""docs/cli.md is generated from the real command line and must be up to date."""

from __future__ import annotations

import re
from typing import Any

import typer

from dashboard import cli_docs
from dashboard.cli import app


def test_cli_reference_is_up_to_date():
    assert cli_docs.CLI_DOC.read_text(encoding="utf-8") == cli_docs.render(), "run `make docs`"


def _commands(group: Any, prefix: str = "") -> dict[str, Any]:
    """Return every command under the group by its full name ('users add'), groups included."""
    found = {}
    for name, cmd in group.commands.items():
        found[f"{prefix}{name}"] = cmd
        if hasattr(cmd, "commands"):  # a group (Typer's click may not be the click package)
            found |= _commands(cmd, f"{prefix}{name} ")
    return found


def test_every_command_and_option_is_documented():
    text = cli_docs.CLI_DOC.read_text(encoding="utf-8")
    commands = _commands(typer.main.get_command(app))
    assert set(commands) == {
        "generate",
        "load",
        "status",
        "quarantine",
        "users",
        "users add",
        "users list",
        "users set-role",
        "users set-password",
        "users remove",
        "audit",
        "purge",
        "rekey",
        "indicators",
        "answer",
        "bench",
        "serve",
    }
    for name, cmd in commands.items():
        assert re.search(rf"^##+ `connect-impact {name}`$", text, re.M), f"{name} is undocumented"
        for param in cmd.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--"):
                    assert re.search(rf"`{opt}[` ]", text), f"{name} {opt} is undocumented"
