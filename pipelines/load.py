"""The load: read -> pseudonymise -> validate (GX) -> upsert -> build marts -> publish a snapshot.

Every row read ends in exactly one place: inserted, updated, unchanged, quarantined (with
its reasons) or skipped as an exact duplicate of an earlier row of the same file. The
accounting per file and table is returned, stored in the snapshot and printed by the CLI.

No table is held whole in Python: a large CSV file is read by DuckDB (readers.stage_csv), every
file's rows are parsed, pseudonymised and checked by its GX suite in batches of BATCH_ROWS and
staged in DuckDB, and the checks across a file's rows (a key's uniqueness, references) run there
in SQL made from the contract (expectations.set_checks).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from pipelines import expectations, marts, privacy, readers, settings, values, warehouse
from pipelines.coltypes import COLUMN_TYPES
from pipelines.contract import LOAD_ORDER, TABLES, Column, Table
from pipelines.errors import UserError

log = logging.getLogger(__name__)
SQL_DIR = Path(__file__).resolve().parent / "sql"
GENERATION_REPORT = "_generation.json"
BATCH_ROWS = 200_000  # rows parsed and checked at a time: bounds the memory of a load
STREAMED = "streamed_csv"  # the temp table a streamed CSV file is read into
# which of a file's identical rows a row is (1 for the first), for tables whose rows repeat
OCCURRENCE = "_occurrence"
STAGED_ROWS = readers.STAGED_ROWS
LOAD_MEMORY_LIMIT = "768MB"  # DuckDB spills to disk beyond it; Python holds one batch at a time
QUARANTINE_COLUMNS = (
    "batch_id",
    "table_name",
    "source",
    "source_row",
    "reasons",
    "row_values",
    "quarantined_at",
)
# the checks of date order within a row come after the set checks in a row's reasons
PAIR_CHECKS = frozenset({"expect_column_pair_values_a_to_be_greater_than_b"})

# Lineage of every stored row; the leading underscore keeps them apart from contract columns
# (finance has a `source` of its own). A row's content hash (row_hash_sql) is not stored: it is
# computed from the row when needed, and an md5 per row was the larger part of a snapshot. The
# batch id and file name repeat on every row but cost next to nothing: DuckDB stores a column's
# repeated value once per segment.
# `_row_key` is null where it equals the table's single key column (row_key_read_sql): a
# second copy of every contact id was a tenth of a snapshot.
LINEAGE_COLUMNS = (
    "_row_key varchar",
    "_batch_id varchar not null",
    "_source varchar not null",
    "_source_row integer not null",
)
DROPPED_LINEAGE = ("_row_hash",)  # stored by snapshots made before it was computed instead


# what the accounting counts per table, in the order the CLI and the dashboard show it
ACCOUNTING: tuple[str, ...] = (
    "read",
    "inserted",
    "updated",
    "unchanged",
    "quarantined",
    "duplicates",
)
ACCOUNTING_NOTE = (
    "rows read = inserted + updated + unchanged + quarantined + duplicates skipped, per table."
)


Progress = Callable[[str, int, int], None]  # (what is happening, steps or rows done, in all)


class LoadError(UserError):
    """A file cannot be loaded at all; the message names it and what was expected."""


def not_published(exc: UserError) -> str:
    """Return the sentence said when a load is refused: the reason, then that nothing changed."""
    return f"{exc} Nothing was published."


@dataclass
class Account:
    """Where the rows of one file's table went."""

    table: str
    source: str
    file_name: str
    sheet: str | None
    file_sha256: str
    rows_read: int = 0
    duplicates: int = 0
    quarantined: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    dropped_identifiers: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)

    @property
    def loaded(self) -> int:
        """Return the rows that reached the table (inserted, updated or unchanged)."""
        return self.inserted + self.updated + self.unchanged

    @property
    def balanced(self) -> bool:
        """Return whether rows read = loaded + quarantined + duplicates."""
        return self.rows_read == self.loaded + self.quarantined + self.duplicates


@dataclass
class LoadResult:
    """What a load did: its batch, the snapshot it published (if any) and the accounting."""

    batch_id: str
    snapshot_id: str | None
    accounts: list[Account]
    skipped_files: list[str]
    warnings: list[str]
    is_synthetic: bool

    @property
    def quarantined(self) -> int:
        """Return the number of rows quarantined in this load."""
        return sum(a.quarantined for a in self.accounts)

    @property
    def rows_read(self) -> int:
        """Return the number of rows read in this load."""
        return sum(a.rows_read for a in self.accounts)

    def totals(self) -> dict[str, dict[str, int]]:
        """Return the accounting summed per table."""
        out: dict[str, dict[str, int]] = {}
        for a in self.accounts:
            t = out.setdefault(a.table, dict.fromkeys(ACCOUNTING, 0))
            t["read"] += a.rows_read
            t["inserted"] += a.inserted
            t["updated"] += a.updated
            t["unchanged"] += a.unchanged
            t["quarantined"] += a.quarantined
            t["duplicates"] += a.duplicates
        return out

    def accounting(self) -> pd.DataFrame:
        """Return one row per table in load order: table and the ACCOUNTING counts (ints)."""
        rows = [{"table": table, **counts} for table, counts in self.totals().items()]
        frame = pd.DataFrame(rows, columns=["table", *ACCOUNTING])
        return frame.astype(dict.fromkeys(ACCOUNTING, "int64"))


def _sql(name: str, **identifiers: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text().format(**identifiers)


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the contract tables and the manifest tables where they do not exist yet."""
    for table in TABLES:
        cols = [f"{c.name} {COLUMN_TYPES[c.type].sql_type}" for c in table.columns]
        con.execute(
            f"create table if not exists {table.name} ({', '.join(cols + list(LINEAGE_COLUMNS))})"
        )
        for column in cols:  # a column the contract gained since an older snapshot was made
            con.execute(f"alter table {table.name} add column if not exists {column}")
        for column in DROPPED_LINEAGE:
            con.execute(f"alter table {table.name} drop column if exists {column}")
        # snapshots made before stored every row key: theirs stay valid, new ones may be null
        con.execute(f"alter table {table.name} alter column _row_key drop not null")
    con.execute(_sql("meta_tables"))


def _cast(col: Column) -> str:
    return f"cast({col.name} as {COLUMN_TYPES[col.type].sql_type}) as {col.name}"


def row_key_sql(table: Table, present: set[str] | None = None) -> str:
    """Return the SQL of a row's `_row_key`: its key columns, else its content hash."""
    content = row_hash_sql(table, present)
    if table.repeats:
        # the first of identical rows keeps the plain content key (as before repeats counted)
        content = f"{content} || case when {OCCURRENCE} > 1 then '#' || {OCCURRENCE} else '' end"
    if not table.key:
        return content
    parts = ", ".join(f"coalesce(cast({k} as varchar), '')" for k in table.key)
    key = f"concat_ws('|', {parts})" if len(table.key) > 1 else f"cast({table.key[0]} as varchar)"
    # contacts without a contact_id are keyed on their content, so a reload finds them again
    return f"coalesce({key}, 'h:' || {content})"


def row_key_read_sql(table: Table, alias: str = "") -> str:
    """Return the SQL of a stored row's key: its `_row_key`, else its single key column.

    Every reader of a stored `_row_key` reads it through this expression; a snapshot made
    before it was left null where it equals the key reads the same.
    """
    prefix = f"{alias}." if alias else ""
    if len(table.key) != 1:
        return f"{prefix}_row_key"
    return f"coalesce({prefix}_row_key, cast({prefix}{table.key[0]} as varchar))"


def row_key_stored_sql(table: Table, row_key: str, alias: str = "") -> str:
    """Return the SQL of the `_row_key` stored for a row whose full key is `row_key`.

    It is null where it equals the row's single key column (row_key_read_sql gives it back).
    """
    if len(table.key) != 1:
        return row_key
    prefix = f"{alias}." if alias else ""
    return f"nullif({row_key}, cast({prefix}{table.key[0]} as varchar))"


def row_hash_sql(table: Table, present: set[str] | None = None) -> str:
    """Return the SQL of a row's content hash, the md5 of its contract columns' values.

    A column not in `present` (an older snapshot's table may lack a later contract column)
    counts as empty.
    """
    empty = "'\u2205'"
    # a table whose rows repeat is keyed by its key column when given, so that column is no
    # part of its content: the hashes (and keys) of rows stored before it existed stay the same
    content = [c for c in table.columns if not (table.repeats and c.name in table.key)]
    parts = ", ".join(
        f"coalesce(cast({c.name} as varchar), {empty})"
        if present is None or c.name in present
        else empty
        for c in content
    )
    return f"md5(concat_ws('|', {parts}))"


def _column_defs(table: Table) -> str:
    return ", ".join(f"{c.name} {COLUMN_TYPES[c.type].sql_type}" for c in table.columns)


def _sentences(by_position: dict[int, list[str]], n: int) -> np.ndarray:
    """Return per row its sentences joined by '; ', None where it has none (most rows)."""
    out = np.full(n, None, dtype=object)
    for pos, sentences in by_position.items():
        out[pos] = "; ".join(sentences)
    return out


class _FrameRows:
    """The rows of a table read whole (Excel, small CSV): exact duplicates found by pandas."""

    def __init__(self, frame: pd.DataFrame, repeats: bool = False) -> None:
        frame = frame.reset_index(drop=True)
        content = [c for c in frame.columns if not c.startswith("_")]
        if repeats and content:
            # identical rows are records of their own: number them instead of skipping them
            occurrence = frame.groupby(content, sort=False, dropna=False).cumcount() + 1
            frame[OCCURRENCE] = occurrence.to_numpy(dtype="int64")
            self.duplicates, self.frame = 0, frame
            return
        duplicate = (
            frame.duplicated(subset=content, keep="first")
            if content
            else pd.Series(False, index=frame.index)
        )
        self.duplicates = int(duplicate.sum())
        self.frame = frame[~duplicate].reset_index(drop=True)

    def batches(self) -> Iterator[pd.DataFrame]:
        """Yield the rows that are not duplicates in batches of BATCH_ROWS, at least one."""
        for start in range(0, max(len(self.frame), 1), BATCH_ROWS):
            yield self.frame.iloc[start : start + BATCH_ROWS].reset_index(drop=True)

    def raw_rows(self, lines: list[int]) -> pd.DataFrame:
        """Return the raw values of the rows on these lines, indexed by line."""
        return self.frame.set_index(readers.SOURCE_ROW).loc[lines]


class _StreamedRows:
    """The rows of a CSV file streamed into DuckDB: exact duplicates found in SQL."""

    def __init__(self, con: duckdb.DuckDBPyConnection, columns: list[str]) -> None:
        self.con = con
        self.columns = ", ".join(columns)
        con.execute(
            _sql("streamed_duplicates", columns=self.columns, streamed=STREAMED, rows=STAGED_ROWS)
        )
        self.duplicates = con.execute("select count(*) from streamed_duplicates").fetchone()[0]
        self.records = con.execute(f"select count(*) from {STREAMED}").fetchone()[0]

    def _select(self, where: str, params: list[Any]) -> pd.DataFrame:
        return self.con.execute(
            f"select {self.columns}, {readers.STAGED_LINE} as {readers.SOURCE_ROW} "
            f"from {STREAMED} where {STAGED_ROWS} and {where} order by rowid",
            params,
        ).fetchdf()

    def batches(self) -> Iterator[pd.DataFrame]:
        """Yield the rows that are not duplicates in batches of at most BATCH_ROWS, at least one."""
        for start in range(1, max(self.records, 2), BATCH_ROWS):
            yield self._select(
                "rowid >= ? and rowid < ? and rowid not in (select r from streamed_duplicates)",
                [start, start + BATCH_ROWS],
            )

    def raw_rows(self, lines: list[int]) -> pd.DataFrame:
        """Return the raw values of the rows on these lines, indexed by line."""
        frame = self._select(f"{readers.STAGED_LINE} in (select unnest(?))", [lines])
        return frame.set_index(readers.SOURCE_ROW)


_Rows = _FrameRows | _StreamedRows


def _unsplit(frame: pd.DataFrame, width: int) -> dict[int, str]:
    """Return position -> other separator of the raw rows read as one cell (pipelines/values)."""
    content = [c for c in frame.columns if not str(c).startswith("_")]
    if not content or width < 2:
        return {}
    # a cheap first pass (empty or missing); unsplit_separator then looks closely
    filled = sum((frame[c].notna() & (frame[c] != "")).to_numpy(dtype=int) for c in content)
    found = {}
    for pos in np.flatnonzero(filled == 1):
        separator = values.unsplit_separator(frame.iloc[pos][content].tolist(), width)
        if separator is not None:
            found[int(pos)] = separator
    return found


def _flags(value: Any) -> list[int]:
    return [] if value is None or not hasattr(value, "__len__") else sorted(int(n) for n in value)


def _is_synthetic(paths: list[Path]) -> bool:
    for path in paths:
        folder = path if path.is_dir() else path.parent
        report = folder / GENERATION_REPORT
        if report.exists():
            try:
                if json.loads(report.read_text()).get("synthetic"):
                    return True
            except (OSError, ValueError):
                continue
    return False


def _json_value(value: Any) -> Any:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, datetime | date | pd.Timestamp):
        return value.isoformat()[:10] if not getattr(value, "hour", 0) else value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value if isinstance(value, int | float | bool) else str(value)


class Loader:
    """One load batch writing into one new snapshot."""

    def __init__(
        self,
        writer: warehouse.SnapshotWriter,
        key: bytes,
        today: date,
    ) -> None:
        self.con = writer.connection
        self.key = key
        self.today = today
        self.batch_id = writer.id
        self.scratch = writer.tmp_path.with_name(writer.tmp_path.name + ".stream.csv")
        self.now = datetime.now(UTC).replace(tzinfo=None)
        self.con.execute(f"set memory_limit = '{LOAD_MEMORY_LIMIT}'")

    def load_table(
        self, raw: readers.RawTable, sha: str, progress: Progress | None = None
    ) -> Account:
        """Validate and upsert one file's table in bounded batches; return its accounting."""
        table = raw.table
        if raw.plan is not None and not readers.stage_csv(raw, self.con, STREAMED, self.scratch):
            # the streaming path cannot read this file as the whole-file reader would
            whole = readers.read_file(raw.path)[0]
            raw.frame, raw.unknown_columns = whole.frame, whole.unknown_columns
            raw.plan = None
        rows: _Rows = (
            _StreamedRows(self.con, list(raw.plan.columns.values()))
            if raw.plan is not None
            else _FrameRows(raw.frame, table.repeats)
        )
        account = Account(
            table=table.name,
            source=raw.source,
            file_name=raw.path.name,
            sheet=raw.sheet,
            file_sha256=sha,
            rows_read=raw.rows_read if raw.frame is None else len(raw.frame),
            dropped_identifiers=list(raw.dropped_identifiers),
            unknown_columns=list(raw.unknown_columns),
        )
        account.duplicates = rows.duplicates
        # the file's width, to recognise a row read as one cell (pipelines/values.py)
        width = (
            raw.plan.width
            if raw.plan is not None
            else sum(not c.startswith("_") for c in raw.frame.columns)
            + len(raw.dropped_identifiers)
            + len(raw.unknown_columns)
        )
        self.con.execute(_sql("staged_all_create", columns=_column_defs(table)))
        results: list[dict[str, Any]] = []
        unreadable = 0
        unsplit: set[int] = set()  # the lines of the rows read as one cell
        done = 0
        for batch in rows.batches():
            unreadable += self._check_batch(table, batch, results, width, unsplit)
            done += len(batch)
            if progress is not None:
                progress(table.name, done, account.rows_read - account.duplicates)
        sql_results = self._check_sets(table)
        pairs = [r for r in results if r["expectation"] in PAIR_CHECKS]
        results = [r for r in results if r["expectation"] not in PAIR_CHECKS]
        self._store_expectations(table, raw.source, [*results, *sql_results, *pairs], unreadable)
        account.quarantined = self._quarantine(table, raw.source, rows, unsplit)
        account.inserted, account.updated, account.unchanged = self._upsert(table, raw.source)
        for temp in ("staged_all", "staged_bad", "staged_flags", STREAMED, "streamed_duplicates"):
            self.con.execute(f"drop table if exists {temp}")
        return account

    def _check_batch(
        self,
        table: Table,
        batch: pd.DataFrame,
        results: list[dict[str, Any]],
        width: int,
        unsplit: set[int],
    ) -> int:
        """Parse, pseudonymise and check one batch, stage its rows; return rows unreadable.

        The lines of rows read as one cell (the file has `width` columns) join `unsplit`.
        """
        typed, row_errors, failed_cells = values.parse_frame(batch, table)
        typed = privacy.pseudonymise(typed, table, self.key)
        checked = expectations.validate(typed, table, today=self.today, across_rows=False)
        before: dict[int, list[str]] = {pos: list(errs) for pos, errs in row_errors.items()}
        unreadable = len(before)
        after: dict[int, list[str]] = {}
        for pos, findings in checked.reasons.items():
            for finding in findings:
                # "is required but empty" after a value that could not be read says nothing new
                unread = (pos, finding.column) in failed_cells
                if unread and finding.expectation == "expect_column_values_to_not_be_null":
                    continue
                # the set checks (in SQL) come between the column checks and the date order
                side = after if finding.expectation in PAIR_CHECKS else before
                side.setdefault(pos, []).append(finding.sentence)
        for pos, separator in _unsplit(batch, width).items():
            # a row read as one cell: one reason, quoting none of its values (ids and names)
            before[pos] = [values.unsplit_sentence(separator, width)]
            after.pop(pos, None)
            unsplit.add(int(batch.at[pos, readers.SOURCE_ROW]))
        if not results:
            results.extend(dict(r) for r in checked.results)
        else:
            for total, r in zip(results, checked.results, strict=True):
                total["success"] = total["success"] and r["success"]
                total["unexpected_count"] += r["unexpected_count"]
        staged = typed[list(table.column_names)].reset_index(drop=True)
        staged["_source_row"] = batch["_source_row"].to_numpy(dtype="int64")
        staged[OCCURRENCE] = (
            batch[OCCURRENCE].to_numpy(dtype="int64") if OCCURRENCE in batch.columns else 1
        )
        staged["_before"] = _sentences(before, len(staged))
        staged["_after"] = _sentences(after, len(staged))
        casts = ", ".join(_cast(c) for c in table.columns)
        self.con.register("batch_df", staged)
        self.con.execute(
            f"insert into staged_all select {casts}, cast(_source_row as integer), "
            f"cast({OCCURRENCE} as integer), cast(_before as varchar), cast(_after as varchar) "
            "from batch_df"
        )
        self.con.unregister("batch_df")
        return unreadable

    def _check_sets(self, table: Table) -> list[dict[str, Any]]:
        """Run the set checks over the staged rows into staged_flags; return their results."""
        self.con.execute(
            "create or replace temp table staged_flags (_source_row integer, n integer)"
        )
        results = []
        for n, check in enumerate(expectations.set_checks(table)):
            failing = expectations.set_check_sql(check, "staged_all")
            self.con.execute(f"insert into staged_flags select _source_row, {n} from ({failing})")
            count = self.con.execute(
                "select count(*) from staged_flags where n = ?", [n]
            ).fetchone()[0]
            results.append(
                {
                    "expectation": check.expectation,
                    "column": check.column,
                    "success": count == 0,
                    "unexpected_count": int(count),
                }
            )
        return results

    def _quarantine(self, table: Table, source: str, rows: _Rows, unsplit: set[int]) -> int:
        """Write every staged row that failed a check to quarantine; return how many.

        A row read as one cell (its line in `unsplit`) is stored without its values.
        """
        self.con.execute(_sql("staged_bad"))
        bad = self.con.execute(
            "select s.*, b.flags from staged_all as s join staged_bad as b using (_source_row) "
            "order by s._source_row"
        ).fetchdf()
        if bad.empty:
            return 0
        checks = expectations.set_checks(table)
        person_cols = {c.name for c in table.columns if c.pseudonymise}
        raw = rows.raw_rows(bad["_source_row"].tolist())
        records = []
        for row in bad.to_dict("records"):
            line = int(row["_source_row"])
            if line in unsplit:  # stored without its values: they hold ids, names, e-mails
                records.append(
                    (self.batch_id, table.name, source, line, row["_before"], "{}", self.now)
                )
                continue
            reasons = [row["_before"]] if isinstance(row["_before"], str) else []
            for n in _flags(row["flags"]):
                check = checks[n]
                shown = {c: row[c] for c in check.columns}
                reasons.append(expectations.set_check_sentence(check, shown, table))
            if isinstance(row["_after"], str):
                reasons.append(row["_after"])
            values_shown = {}
            for col in table.column_names:
                # ids of people are shown as their pseudonym; other values as they were read
                if col in person_cols:
                    values_shown[col] = _json_value(row[col])
                elif col in raw.columns:
                    values_shown[col] = values.stored(_json_value(raw.at[line, col]))
            records.append(
                (
                    self.batch_id,
                    table.name,
                    source,
                    line,
                    "; ".join(reasons),
                    json.dumps(values_shown, ensure_ascii=False),
                    self.now,
                )
            )
        # one insert of a frame: executemany runs one statement per row, slow for thousands
        frame = pd.DataFrame(records, columns=QUARANTINE_COLUMNS)
        self.con.register("quarantined_df", frame)
        self.con.execute(_sql("quarantine_insert"))
        self.con.unregister("quarantined_df")
        return len(records)

    def _store_expectations(
        self, table: Table, source: str, results: list[dict], unreadable: int
    ) -> None:
        rows = [
            (
                self.batch_id,
                table.name,
                source,
                r["expectation"],
                r["column"],
                r["success"],
                r["unexpected_count"],
            )
            for r in results
        ]
        # values that could not be read at all are reported beside the GX results
        rows.append(
            (
                self.batch_id,
                table.name,
                source,
                "values_can_be_read",
                None,
                not unreadable,
                unreadable,
            )
        )
        self.con.executemany("insert into load_expectations values (?, ?, ?, ?, ?, ?, ?)", rows)

    def _upsert(self, table: Table, source: str) -> tuple[int, int, int]:
        row_hash = row_hash_sql(table)
        self.con.execute(_sql("staged_good", row_key=row_key_sql(table)), [self.batch_id, source])
        stored = row_key_read_sql(table)
        self.con.execute(
            _sql("upsert_stored_hashes", table=table.name, row_hash=row_hash, row_key=stored)
        )
        self.con.execute(_sql("upsert_staged_hashes", row_hash=row_hash))
        inserted, updated, unchanged = self.con.execute(_sql("upsert_classify")).fetchone()
        self.con.execute(_sql("upsert_delete_changed", table=table.name, row_key=stored))
        self.con.execute(
            _sql(
                "upsert_insert",
                table=table.name,
                row_key=row_key_read_sql(table, "t"),
                stored_key=row_key_stored_sql(table, "s._row_key", "s"),
            )
        )
        for temp in ("staged", "stored_hashes", "staged_hashes"):
            self.con.execute(f"drop table {temp}")
        return int(inserted or 0), int(updated or 0), int(unchanged or 0)

    def record(self, result: LoadResult, started_at: datetime, n_files: int) -> None:
        """Write the batch and its files into the manifest tables."""
        for a in result.accounts:
            self.con.execute(
                "insert into load_files values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    self.batch_id,
                    a.file_name,
                    a.sheet,
                    a.file_sha256,
                    a.table,
                    a.rows_read,
                    a.inserted,
                    a.updated,
                    a.unchanged,
                    a.quarantined,
                    a.duplicates,
                    a.dropped_identifiers,
                    a.unknown_columns,
                ],
            )
        accounts = result.accounts
        self.con.execute(
            "insert into load_batches values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                self.batch_id,
                started_at,
                datetime.now(UTC).replace(tzinfo=None),
                self.batch_id,
                "loaded_with_quarantine" if result.quarantined else "loaded",
                result.is_synthetic,
                n_files,
                sum(a.rows_read for a in accounts),
                sum(a.inserted for a in accounts),
                sum(a.updated for a in accounts),
                sum(a.unchanged for a in accounts),
                sum(a.quarantined for a in accounts),
                sum(a.duplicates for a in accounts),
            ],
        )


def loaded_hashes(wh: Path) -> dict[str, str]:
    """Return sha256 -> batch id of every file the current snapshot has loaded."""
    snap = warehouse.current(wh)
    if snap is None:
        return {}
    con = duckdb.connect(str(snap.path), read_only=True)
    try:
        rows = con.execute("select distinct file_sha256, batch_id from load_files").fetchall()
    finally:
        con.close()
    return {sha: batch for sha, batch in rows}


def _write_programme_settings(con: duckdb.DuckDBPyConnection) -> None:
    norms = settings.programme().norms.model_dump()
    con.execute("delete from programme_settings")
    con.executemany(
        "insert into programme_settings values (?, ?)",
        [(k, float(v)) for k, v in sorted(norms.items())],
    )


def _file_warnings(raw_tables: list[readers.RawTable]) -> list[str]:
    warnings = []
    for raw in raw_tables:
        warnings += raw.notes
        if raw.dropped_identifiers:
            warnings.append(
                f"{raw.source}: dropped personal identifier column(s) "
                + ", ".join(raw.dropped_identifiers)
                + "; they are never loaded."
            )
        if raw.unknown_columns:
            warnings.append(
                f"{raw.source}: ignored column(s) not in the data contract: "
                + ", ".join(raw.unknown_columns)
                + "."
            )
    return warnings


def load(
    paths: list[Path],
    wh: Path,
    today: date | None = None,
    progress: Progress | None = None,
) -> LoadResult:
    """Load files or folders into a new published snapshot and return the accounting.

    Raises a UserError (nothing published) when a file cannot be read or recognised.
    """
    today = today or date.today()
    started_at = datetime.now(UTC).replace(tzinfo=None)
    steps_done = 0

    def step(message: str) -> None:
        nonlocal steps_done
        if progress is not None:
            progress(message, steps_done, steps_total)
        steps_done += 1

    files = readers.discover(paths)  # a ReadError is the person's to fix, as it stands
    if not files:
        raise LoadError(
            "No data files found in "
            + ", ".join(str(p) for p in paths)
            + " (expected .csv, .txt, .xlsx or .xlsm files)."
        )
    warnings: list[str] = []
    done = loaded_hashes(wh)
    todo: list[tuple[Path, str]] = []
    skipped: list[str] = []
    for path in files:
        sha = warehouse.file_sha256(path)
        if sha in done:
            skipped.append(path.name)
        else:
            todo.append((path, sha))
    raw_tables: list[tuple[readers.RawTable, str]] = []
    steps_total = len(todo) * 2 + 2  # read and check each file, build marts, publish
    for path, sha in todo:
        step(f"reading {path.name}")
        raw_tables.extend((raw, sha) for raw in readers.read_file(path, stream=True))
    steps_total = len(todo) + len(raw_tables) + 2  # a workbook holds several tables
    empty = [raw.source for raw, _ in raw_tables if raw.frame is not None and raw.frame.empty]
    if empty and len(empty) == len(raw_tables):
        raise LoadError(
            f"{', '.join(empty)}: {'holds' if len(empty) == 1 else 'hold'} a header but no rows "
            "(expected data rows below the header)."
        )
    warnings += [f"{source}: holds a header but no rows." for source in empty]
    is_synthetic = _is_synthetic(paths)
    if not raw_tables:
        leftovers = warehouse.tidy(wh)  # nothing to write, but a dead load's files still go
        if leftovers and leftovers.names:
            warnings.append(leftovers.sentence())
        return LoadResult("", None, [], skipped, warnings, is_synthetic)

    with warehouse.write_lock(wh) as leftovers:
        if leftovers.names:
            warnings.append(leftovers.sentence())
        # under the lock: a re-keying cannot slip in between reading the key and writing
        key = privacy.verified_key(wh, create=True)
        writer = warehouse.SnapshotWriter(wh)
        try:
            loader = Loader(writer, key, today)
            create_schema(loader.con)
            privacy.record_fingerprint(loader.con, key)
            _write_programme_settings(loader.con)
            order = {name: i for i, name in enumerate(LOAD_ORDER)}
            accounts = []
            for raw, sha in sorted(raw_tables, key=lambda item: order[item[0].table.name]):
                step(f"checking {raw.source} ({raw.table.name})")

                def rows_done(table: str, done: int, total: int, source: str = raw.source) -> None:
                    if progress is not None:
                        progress(f"checking {source} ({table}): rows", done, total)

                accounts.append(loader.load_table(raw, sha, rows_done))
            # a streamed file's headerless columns are known once it is read
            warnings[:0] = _file_warnings([raw for raw, _ in raw_tables])
            step("building marts")
            marts.build(loader.con)
            result = LoadResult(writer.id, writer.id, accounts, skipped, warnings, is_synthetic)
            loader.record(result, started_at, len(todo))
            step("publishing snapshot")
            writer.publish(batch_id=writer.id)
        except BaseException:
            writer.abandon()
            raise
        warehouse.prune(wh, settings.programme().warehouse.keep_snapshots)
    return result


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Return the row count of every contract table and mart in a snapshot."""
    names = [t.name for t in TABLES] + list(marts.MODELS)
    existing = {
        r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
    }
    return {
        n: con.execute(f"select count(*) from {n}").fetchone()[0] for n in names if n in existing
    }
