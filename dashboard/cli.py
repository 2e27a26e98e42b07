"""The console script's root: mounts the data layer's commands and adds `serve`."""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup
from typer.exceptions import Abort, Exit, TyperException

from indicators.cli import app as indicators_app
from pipelines import api
from pipelines.cli import WarehouseOption, err
from pipelines.cli import app as pipelines_app


class GuardedGroup(TyperGroup):
    """The root command: a user error ends in its one sentence, a bug in an apology."""

    def invoke(self, ctx: typer.Context) -> object:
        """Run the command; turn errors into one sentence on stderr and an exit code."""
        try:
            return super().invoke(ctx)
        except (Exit, Abort, TyperException):
            raise
        except api.UserError as exc:
            err.print(f"[red]Error:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except Exception as exc:
            api.configure_logging()
            err.print(api.apology(api.report_bug(exc)), highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    name="connect-impact",
    help="Impact measurement for buddy programmes (CoNnect Brussel).",
    no_args_is_help=True,
    add_completion=False,
    cls=GuardedGroup,
)
# each layer owns its commands; the root only mounts them
for sub in (pipelines_app, indicators_app):
    app.registered_commands.extend(sub.registered_commands)

APP_FILE = Path(__file__).resolve().parent / "app.py"
CONFIG_FILE = api.PROJECT_ROOT / ".streamlit" / "config.toml"


def config_flags(path: Path = CONFIG_FILE) -> list[str]:
    """Return the options of the dashboard's config.toml as Streamlit command-line flags.

    Streamlit reads .streamlit/config.toml only from the working directory; passing the
    options keeps them wherever `serve` is started from.
    """
    flags: list[str] = []
    for section, options in tomllib.loads(path.read_text(encoding="utf-8")).items():
        for name, value in options.items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            flags += [f"--{section}.{name}", text]
    return flags


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8501,
    warehouse_dir: WarehouseOption = None,
    address: Annotated[str, typer.Option(help="Address to listen on.")] = "localhost",
) -> None:
    """Start the dashboard on the current snapshot of the warehouse."""
    env = dict(os.environ)
    env[api.WAREHOUSE_ENV] = str(api.warehouse_dir(warehouse_dir))
    env[api.SERVE_ADDRESS_ENV] = address  # demo mode opens without login on this machine only
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_FILE),
        "--server.port",
        str(port),
        "--server.address",
        address,
        *config_flags(),
    ]
    # single sign-on settings ([auth]): the project's .streamlit/secrets.toml, then the secrets
    # folder's secrets.toml, which wins; never the home folder's or the working directory's
    for secrets_file in api.streamlit_secrets_files():
        cmd += ["--secrets.files", str(secrets_file)]
    typer.echo(f"Dashboard on http://{address}:{port} (Ctrl+C to stop)")
    # replace this process with Streamlit, so that a stop signal reaches the server itself
    os.execve(sys.executable, cmd, env)


if __name__ == "__main__":
    app()
