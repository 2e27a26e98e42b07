"""The console script's root: mounts the data layer's commands and adds `serve`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from indicators.cli import app as indicators_app
from pipelines import settings
from pipelines.cli import WarehouseOption
from pipelines.cli import app as pipelines_app

app = typer.Typer(
    name="connect-impact",
    help="Impact measurement for buddy programmes (CoNnect Brussel).",
    no_args_is_help=True,
    add_completion=False,
)
# each layer owns its commands; the root only mounts them
for sub in (pipelines_app, indicators_app):
    app.registered_commands.extend(sub.registered_commands)

APP_FILE = Path(__file__).resolve().parent / "app.py"


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8501,
    warehouse_dir: WarehouseOption = None,
    address: Annotated[str, typer.Option(help="Address to listen on.")] = "localhost",
) -> None:
    """Start the dashboard on the current snapshot of the warehouse."""
    env = dict(os.environ)
    env[settings.WAREHOUSE_ENV] = str(settings.warehouse_dir(warehouse_dir))
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
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    typer.echo(f"Dashboard on http://{address}:{port} (Ctrl+C to stop)")
    # replace this process with Streamlit, so that a stop signal reaches the server itself
    os.execve(sys.executable, cmd, env)


if __name__ == "__main__":
    app()
