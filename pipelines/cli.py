"""Commands of the data layer: generate, load, status, quarantine, users, audit, purge, rekey."""

from __future__ import annotations

import getpass
import json
import sys
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable
from typer.core import TyperGroup
from typer.models import CommandInfo

from pipelines import exports, settings, warehouse
from pipelines.errors import UserError

if TYPE_CHECKING:
    from pipelines.purge import PurgeReport
    from pipelines.rekey import RekeyReport

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


PasswordStdinOption = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
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
    from pipelines.load import ACCOUNTING, ACCOUNTING_NOTE, not_published
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
        raise fail(not_published(exc)) from None
    for warning in result.warnings:
        err.print(f"[yellow]Warning:[/yellow] {warning}", highlight=False)
    for name in result.skipped_files:
        err.print(f"{name}: already loaded (same content); skipped.", highlight=False)
    if result.snapshot_id is None:
        out.print("Nothing new to load; the current snapshot is unchanged.")
        return
    summary = RichTable(title=f"Loaded into snapshot {result.snapshot_id}")
    summary.add_column("table")
    for col in ACCOUNTING:
        summary.add_column(col, justify="right")
    for row in result.accounting().itertuples(index=False):
        summary.add_row(row.table, *(f"{getattr(row, k):,}" for k in ACCOUNTING))
    out.print(summary)
    out.print(ACCOUNTING_NOTE)
    if result.quarantined:
        err.print(
            f"{result.quarantined:,} row(s) quarantined; see `connect-impact quarantine`.",
            highlight=False,
        )
        if strict:
            raise typer.Exit(3)


def _status_data(wh: Path) -> dict:
    leftovers = warehouse.tidy(wh)  # what a dead load left, unless a load is running now
    snaps = warehouse.list_snapshots(wh)
    cur = warehouse.current(wh)
    data: dict = {
        "warehouse": str(wh),
        "current": cur.as_dict() if cur else None,
        "snapshots": [s.as_dict() for s in snaps],
        "batches": [],
        "quarantine": [],
        "tables": {},
        "cleaned_up": leftovers.sentence() if leftovers else "",
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
    if data["cleaned_up"]:
        err.print(data["cleaned_up"], highlight=False, soft_wrap=True)
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
        "rows_unchanged",
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
        exports.write_csv(frame, sys.stdout)
        record_export(wh, "export", f"quarantine rows {table or 'of every table'} (csv)")
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


# --- accounts and the audit log ------------------------------------------------------------

users_app = typer.Typer(
    help="Local accounts of the dashboard: add, list, set-role, remove.", no_args_is_help=True
)


def _mount(sub: typer.Typer, name: str) -> None:
    """Register a sub-app as one command of `app`, so the root's mounting carries it along."""
    # dashboard/cli.py copies `registered_commands` only, so a group added with `add_typer`
    # would be lost; a command whose class builds the sub-app's group travels with the rest

    def build(**attrs: object) -> TyperGroup:
        group = typer.main.get_group(sub)
        group.name = name
        return group

    def unused() -> None:
        """Never called: `build` replaces this command by the sub-app's group."""

    app.registered_commands.append(CommandInfo(name=name, cls=build, callback=unused))


_mount(users_app, "users")


def _operator() -> str:
    """Return who runs the command line, as the audit log records it."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):
        return "cli"


def record_export(warehouse_dir: Path | None, action: str, what: str) -> None:
    """Record in the audit log that the command line let figures or rows leave the warehouse."""
    from pipelines import audit

    wh = settings.warehouse_dir(warehouse_dir)
    snap = warehouse.current(wh)
    audit.append(wh, _operator(), action, what, snapshot=snap.id if snap else None)


def _new_password(from_stdin: bool) -> str:
    """Return a new password read from standard input, or prompted twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = typer.prompt("Password", hide_input=True)
    second = typer.prompt("Password again", hide_input=True)
    if first != second:
        raise UserError("The two passwords differ; nothing was changed.")
    return first


def _day(option: str, text: str) -> date:
    """Return the day an option gives as YYYY-MM-DD, or raise its one sentence."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{option} '{text}' is not a date (expected YYYY-MM-DD).") from None


def _when(at: datetime | None) -> str:
    return f"{at.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if at else ""


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="User name (no spaces).")],
    role: Annotated[str, typer.Option("--role", help="viewer, analyst, steward or admin.")],
    password_stdin: PasswordStdinOption = False,
    warehouse_dir: WarehouseOption = None,
) -> None:
    """Add a local account; the password is prompted twice or read from stdin, never an argument."""
    from pipelines import accounts, audit
    from pipelines.access import check_role

    check_role(role)
    password = _new_password(password_stdin)
    wh = settings.warehouse_dir(warehouse_dir)
    user = accounts.add_user(
        name, role, password, by=_operator(), record=audit.recorder(wh), now=datetime.now(UTC)
    )
    out.print(f"Added '{user.name}' as {user.role}.", highlight=False)


@users_app.command("list")
def users_list(
    fmt: Annotated[ListFormat, typer.Option("--format", help="table or csv.")] = ListFormat.table,
) -> None:
    """List the local accounts: name, role, when created and until when locked."""
    from pipelines import accounts

    rows = [
        (u.name, u.role, _when(u.created_at), _when(u.locked_until))
        for u in accounts.list_users(now=datetime.now(UTC))
    ]
    header = ("name", "role", "created", "locked until")
    if fmt is ListFormat.csv:
        exports.write_rows(sys.stdout, header, rows)
        return
    if not rows:
        out.print("No accounts yet: add one with `connect-impact users add NAME --role admin`.")
        return
    view = RichTable(title=f"Accounts ({len(rows)})")
    for col in header:
        view.add_column(col)
    for row in rows:
        view.add_row(*row)
    out.print(view)


@users_app.command("set-role")
def users_set_role(
    name: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[str, typer.Argument(help="viewer, analyst, steward or admin.")],
    warehouse_dir: WarehouseOption = None,
) -> None:
    """Give an account another role (open sessions get it at once)."""
    from pipelines import accounts, audit

    wh = settings.warehouse_dir(warehouse_dir)
    user = accounts.set_role(
        name, role, by=_operator(), record=audit.recorder(wh), now=datetime.now(UTC)
    )
    out.print(f"'{user.name}' is now {user.role}.", highlight=False)


@users_app.command("set-password")
def users_set_password(
    name: Annotated[str, typer.Argument(help="User name.")],
    password_stdin: PasswordStdinOption = False,
    warehouse_dir: WarehouseOption = None,
) -> None:
    """Give an account a new password: lifts a lockout and ends its open sessions."""
    from pipelines import accounts, audit

    password = _new_password(password_stdin)
    wh = settings.warehouse_dir(warehouse_dir)
    accounts.set_password(
        name, password, by=_operator(), record=audit.recorder(wh), now=datetime.now(UTC)
    )
    out.print(f"New password set for '{name}'; their open sessions have ended.", highlight=False)


@users_app.command("remove")
def users_remove(
    name: Annotated[str, typer.Argument(help="User name.")],
    warehouse_dir: WarehouseOption = None,
) -> None:
    """Remove an account; its open sessions end."""
    from pipelines import accounts, audit

    wh = settings.warehouse_dir(warehouse_dir)
    accounts.remove_user(name, by=_operator(), record=audit.recorder(wh), now=datetime.now(UTC))
    out.print(f"Removed '{name}'.", highlight=False)


@app.command("audit")
def audit_log(
    since: Annotated[
        str | None,
        typer.Option(
            "--since", metavar="YYYY-MM-DD", help="Only events on or after this UTC date."
        ),
    ] = None,
    fmt: Annotated[ListFormat, typer.Option("--format", help="table or csv.")] = ListFormat.table,
    warehouse_dir: WarehouseOption = None,
) -> None:
    """Show the audit log (logins, uploads, exports, user changes, purges), oldest first."""
    from pipelines import audit

    since_on = _day("--since", since) if since is not None else None
    events = audit.read(settings.warehouse_dir(warehouse_dir), since_on)
    if fmt is ListFormat.csv:
        exports.write_rows(sys.stdout, audit.FIELDS, ([e[f] for f in audit.FIELDS] for e in events))
        return
    if not events:
        out.print("No audit events" + (f" since {since_on}." if since_on else "."))
        return
    view = RichTable(title=f"Audit log ({len(events):,} events)")
    for col in audit.FIELDS:
        view.add_column(col, overflow="fold")
    for e in events:
        view.add_row(*(str(e[f]) if e[f] is not None else "" for f in audit.FIELDS))
    out.print(view)


# --- erasure and retention ------------------------------------------------------------------


def _purge_ids(participants: list[str] | None, from_stdin: bool) -> list[str]:
    """Return the raw participant ids given as options and, if asked, one a line on stdin."""
    ids = list(participants or [])
    if from_stdin:
        ids += [line.strip() for line in sys.stdin if line.strip()]
    return ids


def _print_purge(report: PurgeReport) -> None:
    """Print what a purge removed: one table, then where it left the warehouse."""
    from pipelines.purge import COMEBACK_WARNING

    if report.found_nothing:
        out.print(
            "No rows of that participant were found; nothing was changed."
            if report.asked == 1
            else f"No rows of any of those {report.asked:,} participants were found; "
            "nothing was changed."
        )
        return
    title = f"Erased {report.found:,} of {report.asked:,} participant(s)"
    rows = {**report.removed, "quarantine": report.quarantine_removed}
    rows["older snapshots rewritten"] = report.older_rewritten
    out.print(_counts_table(title, "removed from", rows))
    if report.snapshot_id:
        out.print(f"New current snapshot: {report.snapshot_id}.", highlight=False)
    out.print(COMEBACK_WARNING)


@app.command()
def purge(
    participants: Annotated[
        list[str] | None,
        typer.Option(
            "--participant",
            metavar="RAW_ID",
            help="The programme's id of a participant to erase (repeatable).",
        ),
    ] = None,
    participant_stdin: Annotated[
        bool,
        typer.Option(
            "--participant-stdin",
            help="Read the ids to erase from stdin, one a line (keeps them out of the shell "
            "history); needs --yes.",
        ),
    ] = False,
    ended_before: Annotated[
        str | None,
        typer.Option(
            "--ended-before",
            metavar="YYYY-MM-DD",
            help="Retention: erase every participant with no open match and nothing dated on "
            "or after this day.",
        ),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    warehouse_dir: WarehouseOption = None,
) -> None:
    """Erase participants from every snapshot and quarantine (right to erasure, retention).

    Their rows, their matches' contacts and their survey answers leave a new snapshot and every
    older one; the audit log records it by pseudonym. This cannot be undone.
    """
    from pipelines import purge as purging

    by_id = bool(participants) or participant_stdin
    if by_id == (ended_before is not None):
        raise fail("Give either --participant (or --participant-stdin) or --ended-before.")
    if participant_stdin and not yes:
        raise fail("--participant-stdin needs --yes: standard input holds the ids, not an answer.")
    wh = settings.warehouse_dir(warehouse_dir)
    day = _day("--ended-before", ended_before) if ended_before is not None else None
    ids = _purge_ids(participants, participant_stdin) if by_id else []
    if by_id:
        purging.participant_pseudonyms(wh, ids)  # a missing key fails before the question
    if not yes:
        whom = (
            f"{len(ids):,} participant(s)"
            if by_id
            else f"every participant whose time ended before {day}"
        )
        question = f"Erase {whom} from every snapshot of {wh}? This cannot be undone"
        typer.confirm(question, abort=True)
    if day is not None:
        report = purging.purge_ended_before(wh, day, who=_operator())
    else:
        report = purging.purge_participants(wh, ids, who=_operator())
    _print_purge(report)


# --- re-keying ------------------------------------------------------------------------------


def _counts_table(title: str, what: str, counts: dict[str, int]) -> RichTable:
    """Return a two-column table of counts: what, and its number of rows."""
    view = RichTable(title=title)
    view.add_column(what)
    view.add_column("rows", justify="right")
    for name, n in counts.items():
        view.add_row(name, f"{n:,}")
    return view


def _print_rekey(report: RekeyReport, new_key_file: Path | None) -> None:
    """Print what a re-keying changed, then where the new key must live from now on."""
    from pipelines import privacy

    rows = {**report.changed, "quarantine": report.quarantine_changed}
    rows["older snapshots re-keyed"] = report.older_rekeyed
    out.print(_counts_table("Pseudonyms re-keyed", "rows of", rows))
    out.print(
        f"New current snapshot: {report.snapshot_id}. Key fingerprint "
        f"{privacy.shown(report.old_fingerprint)} replaced by "
        f"{privacy.shown(report.new_fingerprint)}.",
        highlight=False,
        soft_wrap=True,
    )
    if report.key_file is not None:
        out.print(
            f"The new key is in {report.key_file}: back it up with the warehouse, then destroy "
            "every copy of the old key"
            + (f" and {new_key_file}." if new_key_file is not None else "."),
            highlight=False,
            soft_wrap=True,
        )
    else:
        out.print(
            f"Set {settings.PSEUDONYM_KEY_ENV} to the new key before the next load (loads under "
            "the old key are refused from now on), then destroy every copy of the old key.",
            highlight=False,
            soft_wrap=True,
        )


@app.command()
def rekey(
    export_paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="EXPORTS...",
            help="The raw export files or folders the warehouse was loaded from: every person "
            "in it must appear in them.",
        ),
    ],
    new_key_file: Annotated[
        Path | None,
        typer.Option(
            "--new-key-file",
            metavar="FILE",
            help="Read the new key from this file (mode 0600, at least 16 characters).",
        ),
    ] = None,
    new_key_stdin: Annotated[
        bool,
        typer.Option(
            "--new-key-stdin", help="Read the new key from the first line of stdin; needs --yes."
        ),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    warehouse_dir: WarehouseOption = None,
) -> None:
    """Move every pseudonym in every snapshot and the quarantine to a new key, in one step.

    Pseudonyms cannot be turned back into ids, so the raw exports are read again to pair each
    person's old pseudonym with the new one; a person found in no export stops the re-keying
    before anything changes. Afterwards the old key links no id to this warehouse.
    """
    from pipelines import rekey as rekeying

    if (new_key_file is not None) == new_key_stdin:
        raise fail("Give either --new-key-file FILE or --new-key-stdin.")
    if new_key_stdin and not yes:
        raise fail("--new-key-stdin needs --yes: standard input holds the key, not an answer.")
    wh = settings.warehouse_dir(warehouse_dir)
    if new_key_file is not None:
        new_key = rekeying.new_key_from_file(new_key_file)
    else:
        new_key = rekeying.new_key_from_text(sys.stdin.readline())
    if not yes:
        typer.confirm(
            f"Re-key every snapshot of {wh} with the new key? Later loads need the new key",
            abort=True,
        )
    report = rekeying.rekey(wh, export_paths, new_key, who=_operator())
    _print_rekey(report, new_key_file)
