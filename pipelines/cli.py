"""Commands of the data layer: generate, load, status, quarantine (mounted by the root CLI)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from pipelines import settings, warehouse
from pipelines.errors import UserError

app = typer.Typer(no_args_is_help=True)
# a pipe or CI log is not a terminal: give tables room instead of 80 columns
out = Console(width=None if sys.stdout.isatty() else 120)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 120)

WarehouseOption = Annotated[
    Path | None,
    typer.Option(
        "--warehouse",
        help="Warehouse folder (default: $CONNECT_WAREHOUSE, else data/warehouse).",
        show_default=False,
    ),
]


class Scale(StrEnum):
    S = "S"
    M = "M"
    L = "L"
    XL = "XL"


class FileFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


class ListFormat(StrEnum):
    table = "table"
    csv = "csv"


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one sentence to stderr and return the Exit to raise."""
    err.print(f"[red]Error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


@app.command()
def generate(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the export files to.")],
    scale: Annotated[
        Scale, typer.Option(help="S: one programme; M/L/XL: 100x/1,000x/10,000x.")
    ] = Scale.S,
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same files.")
    ] = 2021,
    fmt: Annotated[
        FileFormat, typer.Option("--format", help="csv files or one xlsx workbook.")
    ] = FileFormat.csv,
    dirty: Annotated[
        bool, typer.Option("--dirty", help="Add the mess of real exports and bad rows.")
    ] = False,
) -> None:
    """Write a synthetic programme data set (every contract table) for demos and tests."""
    from pipelines.generate import generate as run_generate

    with err.status(f"Generating synthetic data at scale {scale.value}") as status:
        report = run_generate(
            out_dir,
            scale=scale.value,
            seed=seed,
            fmt=fmt.value,
            dirty=dirty,
            progress=lambda table, n: status.update(f"{table}: {n:,} rows"),
        )
    summary = RichTable(
        title=f"Synthetic data written to {out_dir} (scale {scale.value}, seed {seed})"
    )
    summary.add_column("table")
    summary.add_column("rows", justify="right")
    summary.add_column("bad rows injected", justify="right")
    for table, n in report.rows.items():
        summary.add_row(table, f"{n:,}", f"{sum(report.bad_rows.get(table, {}).values()):,}")
    out.print(summary)


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="Export files or folders to load.")],
    warehouse_dir: WarehouseOption = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 3 when any row was quarantined.")
    ] = False,
) -> None:
    """Load exports into a new warehouse snapshot; rows that fail a check are quarantined."""
    from pipelines.load import load as run_load

    wh = settings.warehouse_dir(warehouse_dir)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns, console=err, transient=True) as bar:
            task = bar.add_task("loading", total=None)

            def show(message: str, done: int, total: int) -> None:
                bar.update(task, description=message, completed=done, total=total)

            result = run_load(paths, wh, progress=show)
    except UserError as exc:
        raise fail(f"{exc} Nothing was published.") from None
    for warning in result.warnings:
        err.print(f"[yellow]Warning:[/yellow] {warning}", highlight=False)
    for name in result.skipped_files:
        err.print(f"{name}: already loaded (same content); skipped.", highlight=False)
    if result.snapshot_id is None:
        out.print("Nothing new to load; the current snapshot is unchanged.")
        return
    summary = RichTable(title=f"Loaded into snapshot {result.snapshot_id}")
    for col in ("table", "read", "inserted", "updated", "unchanged", "quarantined", "duplicates"):
        summary.add_column(col, justify="left" if col == "table" else "right")
    for table, t in result.totals().items():
        summary.add_row(
            table,
            *(
                f"{t[k]:,}"
                for k in ("read", "inserted", "updated", "unchanged", "quarantined", "duplicates")
            ),
        )
    out.print(summary)
    out.print(
        "rows read = inserted + updated + unchanged + quarantined + duplicates skipped, per table."
    )
    if result.quarantined:
        err.print(
            f"{result.quarantined:,} row(s) quarantined; see `connect-impact quarantine`.",
            highlight=False,
        )
        if strict:
            raise typer.Exit(3)


def _status_data(wh: Path) -> dict:
    snaps = warehouse.list_snapshots(wh)
    cur = warehouse.current(wh)
    data: dict = {
        "warehouse": str(wh),
        "current": cur.as_dict() if cur else None,
        "snapshots": [s.as_dict() for s in snaps],
        "batches": [],
        "quarantine": [],
        "tables": {},
    }
    if cur is None:
        return data
    from pipelines import report
    from pipelines.load import table_counts

    con = warehouse.connect_read_only(wh)
    try:
        data["batches"] = json.loads(
            report.batches(con).to_json(orient="records", date_format="iso")
        )
        data["quarantine"] = json.loads(report.quarantine_counts(con).to_json(orient="records"))
        data["tables"] = table_counts(con)
    finally:
        con.close()
    return data


@app.command()
def status(
    warehouse_dir: WarehouseOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """List the snapshots, load batches and quarantine counts of the warehouse."""
    wh = settings.warehouse_dir(warehouse_dir)
    data = _status_data(wh)
    if as_json:
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    if data["current"] is None:
        out.print(f"The warehouse {wh} holds no data yet: run `connect-impact load PATH` first.")
        return
    out.print(f"Warehouse {wh}; current snapshot [bold]{data['current']['id']}[/bold]")
    snaps = RichTable(title="Snapshots")
    for col in ("id", "created_at", "parent", "content_sha256"):
        snaps.add_column(col)
    for s in data["snapshots"]:
        snaps.add_row(s["id"], s["created_at"], s["parent"] or "", s["content_sha256"][:16])
    out.print(snaps)
    batches = RichTable(title="Load batches")
    cols = (
        "batch_id",
        "outcome",
        "n_files",
        "rows_read",
        "rows_inserted",
        "rows_updated",
        "rows_quarantined",
        "rows_duplicate",
    )
    for col in cols:
        batches.add_column(col.replace("rows_", ""))
    for b in data["batches"]:
        batches.add_row(*(f"{b[c]:,}" if isinstance(b[c], int) else str(b[c]) for c in cols))
    out.print(batches)
    q = RichTable(title="Quarantined rows")
    for col in ("batch_id", "table_name", "n"):
        q.add_column(col)
    for r in data["quarantine"]:
        q.add_row(r["batch_id"], r["table_name"], f"{r['n']:,}")
    out.print(q if data["quarantine"] else "No rows quarantined.")


@app.command()
def quarantine(
    warehouse_dir: WarehouseOption = None,
    table: Annotated[str | None, typer.Option("--table", help="Only this table.")] = None,
    batch: Annotated[str | None, typer.Option("--batch", help="Only this load batch.")] = None,
    fmt: Annotated[ListFormat, typer.Option("--format", help="table or csv.")] = ListFormat.table,
) -> None:
    """Show the quarantined rows: file, row number, reasons and the offending values."""
    from pipelines import report
    from pipelines.contract import TABLES_BY_NAME

    if table is not None and table not in TABLES_BY_NAME:
        raise fail(f"Unknown table '{table}' (expected one of: {', '.join(TABLES_BY_NAME)}).")
    wh = settings.warehouse_dir(warehouse_dir)
    con = warehouse.connect_read_only(wh)
    try:
        frame = report.quarantine_rows(con, table, batch)
    finally:
        con.close()
    if fmt is ListFormat.csv:
        frame.to_csv(sys.stdout, index=False)
        return
    if frame.empty:
        out.print("No quarantined rows.")
        return
    view = RichTable(title=f"Quarantined rows ({len(frame):,})", show_lines=True)
    for col in ("table_name", "source", "source_row", "reasons", "row_values"):
        view.add_column(col.replace("_name", ""), overflow="fold")
    for row in frame.itertuples():
        view.add_row(row.table_name, row.source, str(row.source_row), row.reasons, row.row_values)
    out.print(view)
