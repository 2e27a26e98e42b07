"""The `indicators` command: compute figures from the catalogue and print or export them."""

from __future__ import annotations

import json
import math
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table as RichTable

from indicators import formatting
from pipelines.cli import WarehouseOption, fail
from pipelines.errors import UserError

app = typer.Typer(no_args_is_help=True)
out = Console(width=160 if not sys.stdout.isatty() else None)


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


class Language(StrEnum):
    nl = "nl"
    en = "en"


def parse_filters(items: list[str] | None) -> dict[str, list[str]]:
    """Return {dimension: values} from options like 'gender=F' or 'municipality=21004,21015'."""
    filters: dict[str, list[str]] = {}
    for item in items or []:
        if "=" not in item:
            raise UserError(f"The filter '{item}' is not of the form DIMENSION=VALUE[,VALUE...].")
        dim, values = item.split("=", 1)
        filters.setdefault(dim.strip(), []).extend(v.strip() for v in values.split(",") if v)
    return filters


def _plain(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):
        return _plain(value.item())
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the frame as JSON-ready records (fractions stay fractions, missing is null)."""
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    """Write the figures and a sheet stating their lineage and disclosure control."""
    about = pd.DataFrame(
        {
            "item": ["snapshot", "snapshot_sha256", "catalogue_version", "disclosure", "note"],
            "value": [
                frame["snapshot"].iloc[0] if len(frame) else "",
                frame["snapshot_sha256"].iloc[0] if len(frame) else "",
                frame["catalogue_version"].iloc[0] if len(frame) else "",
                frame["disclosure"].iloc[0] if len(frame) else "",
                "Percentages are fractions (0.5 = 50%). Suppressed cells are empty.",
            ],
        }
    )
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name="indicators", index=False)
        about.to_excel(writer, sheet_name="about", index=False)


@app.command("indicators")
def indicators_command(
    ids: Annotated[
        str | None, typer.Option("--ids", help="Comma-separated indicator ids (default: all).")
    ] = None,
    period: Annotated[
        str,
        typer.Option(help="programme, 2022, 2022-Q1, 2022-03 or 2021-06-01..2022-01-31."),
    ] = "programme",
    by: Annotated[str | None, typer.Option("--by", help="Break down by this dimension.")] = None,
    filters: Annotated[
        list[str] | None,
        typer.Option("--filter", help="DIMENSION=VALUE[,VALUE]; repeat for more dimensions."),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Ignore events after this date (YYYY-MM-DD).")
    ] = None,
    warehouse_dir: WarehouseOption = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = (
        OutputFormat.table
    ),
    output: Annotated[
        Path | None, typer.Option("--output", help="Write to this file (required for xlsx).")
    ] = None,
    role: Annotated[
        str, typer.Option(help="viewer (small counts hidden) or analyst (unsuppressed).")
    ] = "viewer",
    lang: Annotated[Language, typer.Option("--lang", help="Language of labels.")] = Language.nl,
) -> None:
    """Compute indicators for a period, with targets, disclosure control and lineage."""
    from indicators import engine  # imported here: other commands need not load the engine

    frame = engine.compute(
        ids=ids,
        period=period,
        breakdown=by,
        filters=parse_filters(filters),
        as_of=as_of,
        role=role,
        warehouse_dir=warehouse_dir,
    )
    if fmt is OutputFormat.xlsx:
        if output is None:
            raise fail("--format xlsx needs --output FILE.")
        write_xlsx(frame, output)
        out.print(f"Wrote {len(frame)} rows to {output}")
        return
    if fmt is OutputFormat.json:
        text = json.dumps(records(frame), indent=2, ensure_ascii=False) + "\n"
    elif fmt is OutputFormat.csv:
        text = frame.to_csv(index=False)
    else:
        _print_table(frame, lang.value)
        return
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def _print_table(frame: pd.DataFrame, lang: str) -> None:
    from indicators import catalogue

    cat = catalogue.load()
    first = frame.iloc[0] if len(frame) else None
    title = "Indicators" if lang == "en" else "Indicatoren"
    if first is not None:
        title += f" {first['period']} (as of {first['as_of']}; snapshot {first['snapshot']})"
    table = RichTable(title=title)
    for col in ("indicator", "breakdown", "value", "n", "target", "status"):
        table.add_column(col, justify="right" if col in ("value", "n", "target") else "left")
    for row in frame.itertuples():
        ind = cat.get(row.id)
        label = ind.label.get(lang) + (f" · {row.category}" if row.category else "")
        where = f"{row.breakdown}={row.breakdown_value}" if row.breakdown else ""
        shown = formatting.value(row.value, row.unit, lang, row.suppressed)
        n = formatting.value(row.n, "count", lang, row.suppressed)
        target = "" if pd.isna(row.target) else formatting.value(row.target, row.unit, lang)
        table.add_row(label, where, shown, n, target, row.status or (row.note or ""))
    out.print(table)
    if first is not None:
        out.print(f"Disclosure control: {first['disclosure']}.")
