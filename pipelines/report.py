"""What the warehouse says about its own loads: batches, files, quarantine, expectations."""

from __future__ import annotations

import re

import duckdb
import pandas as pd


def batches(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return one row per load batch, oldest first."""
    return con.execute("select * from load_batches order by started_at").fetchdf()


def files(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return one row per file and table loaded, with its row accounting."""
    return con.execute(
        "select load_files.*, load_batches.started_at from load_files "
        "join load_batches using (batch_id) order by started_at, file_name, sheet"
    ).fetchdf()


def quarantine_counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return the number of quarantined rows per batch and table."""
    return con.execute(
        "select batch_id, table_name, count(*) as n from quarantine group by all order by all"
    ).fetchdf()


_VALUES = (
    (re.compile(r"'[^']*'"), "'…'"),  # quoted values
    (re.compile(r"\(\d{4}-\d{2}-\d{2}\)"), "(…)"),  # dates in date-order reasons
    (re.compile(r"^(\w+) -?[\d.]+(?: |$)"), r"\1 … "),  # a number right after the column
)


def reason_kind(sentence: str) -> str:
    """Return a quarantine reason with its values blanked out, so reasons can be counted."""
    for pattern, blank in _VALUES:
        sentence = pattern.sub(blank, sentence)
    return sentence.strip()


def quarantine_reasons(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return quarantined rows counted per table and kind of reason, most frequent first."""
    rows = con.execute("select table_name, reasons from quarantine").fetchdf()
    reasons = rows.assign(reason=rows["reasons"].str.split("; ")).explode("reason")
    reasons["reason"] = reasons["reason"].map(reason_kind)
    counts = reasons.groupby(["table_name", "reason"]).size().rename("n").reset_index()
    return counts.sort_values(["table_name", "n"], ascending=[True, False], ignore_index=True)


def quarantine_rows(
    con: duckdb.DuckDBPyConnection, table: str | None = None, batch: str | None = None
) -> pd.DataFrame:
    """Return the quarantined rows with file, row number, reasons and values."""
    return con.execute(
        "select batch_id, table_name, source, source_row, reasons, row_values "
        "from quarantine where ($table is null or table_name = $table) "
        "and ($batch is null or batch_id = $batch) "
        "order by batch_id, table_name, source, source_row",
        {"table": table, "batch": batch},
    ).fetchdf()


def expectation_results(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return the Great Expectations results of the latest batch, per table and expectation."""
    return con.execute(
        "select table_name, expectation, column_name, bool_and(success) as success, "
        "sum(unexpected_count) as unexpected_count from load_expectations "
        "where batch_id = (select max(batch_id) from load_expectations) "
        "group by all order by table_name, expectation, column_name"
    ).fetchdf()
