"""docs/cli.md, generated from the real command line so the reference cannot drift."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any

import typer

from dashboard.cli import app
from pipelines.docs import write_if_changed
from pipelines.settings import PROJECT_ROOT

CLI_DOC = PROJECT_ROOT / "docs" / "cli.md"


def _param_line(param: Any) -> str:
    if param.param_type_name == "argument":
        return f"- `{param.name.upper()}...`{' (required)' if param.required else ''}"
    names = ", ".join(f"`{n}`" for n in param.opts)
    text = f"- {names}: {param.help or ''}"
    default = param.default
    if isinstance(default, Enum):
        text += " One of: " + ", ".join(f"`{c.value}`" for c in type(default)) + "."
        default = default.value
    if default not in (None, False) and not param.is_flag:
        text += f" Default: `{default}`."
    return text.rstrip()


def render() -> str:
    """Return the Markdown reference of every command and option."""
    group = typer.main.get_command(app)
    lines = [
        "# Command line reference",
        "",
        "Generated from the code by `make docs`; a test fails when it is out of date.",
        "",
    ]
    for name, cmd in group.commands.items():
        lines += [f"## `connect-impact {name}`", "", (cmd.help or "").strip(), ""]
        lines += [_param_line(p) for p in cmd.params if p.name != "help"] + [""]
    return "\n".join(lines).rstrip() + "\n"


def write(path: Path = CLI_DOC) -> bool:
    """Write docs/cli.md; return whether it changed."""
    return write_if_changed(path, render())


if __name__ == "__main__":
    print("docs/cli.md updated" if write() else "docs/cli.md already up to date")
