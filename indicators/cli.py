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
from pipelines import exports
from pipelines.cli import WarehouseOption, fail, record_export
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
    path.write_bytes(exports.xlsx_bytes({"indicators": frame, "about": about}))


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
        str,
        typer.Option(
            help="viewer (small counts hidden); analyst, steward or admin (unsuppressed)."
        ),
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
    frame = with_names(frame, lang.value)
    if fmt is OutputFormat.xlsx and output is None:
        raise fail("--format xlsx needs --output FILE.")
    if fmt is not OutputFormat.table:
        what = f"indicators {ids or 'all'}, {period}, by {by or 'nothing'}, as {role} ({fmt.value})"
        record_export(warehouse_dir, "export", what)
    if fmt is OutputFormat.xlsx:
        write_xlsx(frame, output)
        out.print(f"Wrote {len(frame)} rows to {output}")
        return
    if fmt is OutputFormat.json:
        text = json.dumps(records(frame), indent=2, ensure_ascii=False) + "\n"
    elif fmt is OutputFormat.csv:
        text = exports.csv_text(frame)
    else:
        _print_table(frame, lang.value)
        return
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def with_names(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the figures with `breakdown_name` beside `breakdown_value`: a municipality's name
    in the language (its NIS code stays in `breakdown_value`), any other value as it is."""
    from indicators import views

    names = views.municipality_names(lang)
    named = [
        names.get(value, value) if breakdown == "municipality" else value
        for breakdown, value in zip(frame["breakdown"], frame["breakdown_value"], strict=True)
    ]
    at = frame.columns.get_loc("breakdown_value") + 1
    out = frame.copy()
    out.insert(at, "breakdown_name", pd.Series(named, index=frame.index, dtype=object))
    return out


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
        where = f"{row.breakdown}={row.breakdown_name}" if row.breakdown else ""
        shown = formatting.value(row.value, row.unit, lang, row.suppressed)
        n = formatting.value(row.n, "count", lang, row.suppressed)
        target = "" if pd.isna(row.target) else formatting.value(row.target, row.unit, lang)
        table.add_row(label, where, shown, n, target, row.status or (row.note or ""))
    out.print(table)
    if first is not None:
        out.print(f"Disclosure control: {first['disclosure']}.")


@app.command("answer")
def answer_command(
    out_file: Annotated[
        Path, typer.Option("--out", help="The document to write: FILE.docx or FILE.md.")
    ],
    questions: Annotated[
        list[str] | None,
        typer.Option("--question", help="A question template id; repeat for more."),
    ] = None,
    from_text: Annotated[
        Path | None,
        typer.Option(
            "--from-text", help="A text file with the question as received; split and matched."
        ),
    ] = None,
    period: Annotated[
        str, typer.Option(help="programme, 2022, 2022-Q1, 2022-03 or 2021-06-01..2022-01-31.")
    ] = "programme",
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The peildatum: ignore events after it.")
    ] = None,
    lang: Annotated[Language, typer.Option("--lang", help="Language of the answer.")] = (
        Language.nl
    ),
    warehouse_dir: WarehouseOption = None,
    number: Annotated[str, typer.Option(help="The question's number.")] = "",
    asked_by: Annotated[str, typer.Option("--asked-by", help="Who asked the question.")] = "",
    addressed_to: Annotated[
        str, typer.Option("--addressed-to", help="The college member it is addressed to.")
    ] = "",
    submitted_on: Annotated[
        str, typer.Option("--submitted-on", help="The date the question was submitted.")
    ] = "",
    subject: Annotated[str, typer.Option(help="The question's subject.")] = "",
) -> None:
    """Draft the answer to a council question, with figures, charts and sources."""
    from indicators import answers
    from indicators.answers import export

    suffix = out_file.suffix.lower()
    if suffix not in (".docx", ".md"):
        raise UserError(f"--out {out_file.name}: expected a .docx or .md file name.")
    pairs: list[tuple[str, str]] = []
    if from_text is not None:
        try:
            text = from_text.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise UserError(f"{from_text}: cannot be read (expected a UTF-8 text file).") from None
        for found in answers.match_all(text, lang.value):
            if found.template_id is None:
                raise UserError(
                    f"No template matches the sub-question '{found.question}'; name one with "
                    "--question."
                )
            pairs.append((found.question, found.template_id))
    for template_id in questions or []:
        pairs.append((answers.get(template_id).question.get(lang.value), template_id))
    if not pairs:
        raise UserError("Nothing to answer: give --question ID or --from-text FILE.")
    header = answers.Header(number, submitted_on, asked_by, addressed_to, subject)
    draft = answers.draft(pairs, period, as_of, lang.value, header, warehouse_dir)
    figures = export.charts(draft, warehouse_dir)
    if suffix == ".docx":
        out_file.write_bytes(export.to_docx(draft, export.render_png(figures)))
    else:
        image_dir = f"{out_file.stem}_files"
        folder = out_file.parent / image_dir
        folder.mkdir(parents=True, exist_ok=True)
        for key, png in export.render_png(figures).items():
            (folder / f"{key}.png").write_bytes(png)
        out_file.write_text(export.to_markdown(draft, image_dir), encoding="utf-8")
    record_export(
        warehouse_dir, "answer_document", f"{', '.join(t for _, t in pairs)} ({suffix[1:]})"
    )
    out.print(f"Wrote the draft answer ({len(draft.parts)} part(s)) to {out_file}", soft_wrap=True)


@app.command("bench")
def bench_command(
    scales: Annotated[
        str, typer.Option("--scales", help="Comma-separated scales to measure: S, M, L, XL.")
    ] = "S,M,L",
    repeat: Annotated[
        int, typer.Option(min=1, help="Runs per figure (the median, min and max are kept).")
    ] = 3,
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Results JSON; scales measured before and not now are kept "
            "(default: WORK/bench.json).",
            show_default=False,
        ),
    ] = None,
    work: Annotated[
        Path | None,
        typer.Option(
            "--work",
            help="Folder for the generated data (reused, by scale and seed) and the warehouses "
            "(default: data/bench).",
            show_default=False,
        ),
    ] = None,
    doc: Annotated[
        Path | None,
        typer.Option(
            "--doc",
            help="Markdown file whose results section is rewritten (default: docs/benchmarks.md).",
            show_default=False,
        ),
    ] = None,
    no_doc: Annotated[
        bool, typer.Option("--no-doc", help="Write the JSON only, no Markdown.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic data.")] = 2021,
    timeout: Annotated[
        float, typer.Option(min=1, help="Seconds a step may take before it is stopped.")
    ] = 3600.0,
    memory_cap: Annotated[
        float | None,
        typer.Option(
            "--memory-cap",
            help="GiB of address space each step may use (default: no cap); "
            "an allocation beyond it fails the step, not the machine.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Measure load, indicators and references at each scale (make bench); write JSON and docs."""
    from indicators.bench import harness
    from pipelines.cli import Scale

    known = [s.value for s in Scale]
    chosen = [s.strip() for s in scales.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in known]
    if unknown or not chosen:
        raise UserError(
            f"--scales {scales}: expected a comma-separated list of {', '.join(known)}."
        )
    opts = harness.Settings(
        seed=seed,
        repeat=repeat,
        work=(work or harness.DEFAULT_WORK).resolve(),
        timeout_s=timeout,
        memory_cap_gib=memory_cap,
    )
    out_path = out_file or opts.work / "bench.json"
    doc_path = None if no_doc else (doc or harness.DEFAULT_DOC)

    def echo(line: str) -> None:
        out.print(line, soft_wrap=True, highlight=False)

    results = harness.run(list(dict.fromkeys(chosen)), opts, out_path, doc_path, echo)
    for scale in chosen:
        missed = [t for t in results["scales"][scale]["targets"] if not t["met"]]
        met = len(results["scales"][scale]["targets"]) - len(missed)
        echo(
            f"{scale}: {met} of {met + len(missed)} targets met"
            + (f"; not met: {', '.join(t['figure'] for t in missed)}" if missed else "")
        )
