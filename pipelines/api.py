"""The declared part of `pipelines` that the dashboard may use (tests/test_layers.py).

Reading: the settings, the current snapshot and what the warehouse says about its own loads.
Loading: `load`, the command line's own load into the configured warehouse, with what a load
reports (`LoadResult`, `ACCOUNTING_NOTE`, `not_published`), the files it reads
(`DATA_SUFFIXES`) and `WarehouseBusy` (another load holds the lock).
Access: `access` (roles and capabilities), `accounts` (local accounts, login, sessions, the
single sign-on allow-list) and `audit` (the audit log), as modules: `api.accounts.authenticate`.
Everything else in `pipelines` is the data layer's own business.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd

from pipelines import access, accounts, audit, exports, report, warehouse
from pipelines import load as load_module
from pipelines.docs import write_if_changed
from pipelines.errors import UserError, apology, report_bug
from pipelines.load import ACCOUNTING_NOTE, LoadResult, Progress, not_published, table_counts
from pipelines.readers import CSV_SUFFIXES, EXCEL_SUFFIXES
from pipelines.settings import (
    PROJECT_ROOT,
    SERVE_ADDRESS_ENV,
    WAREHOUSE_ENV,
    Programme,
    configure_logging,
    programme,
    streamlit_secrets_files,
    warehouse_dir,
)
from pipelines.warehouse import Snapshot, WarehouseBusy

__all__ = [
    "ACCOUNTING_NOTE",
    "DATA_SUFFIXES",
    "PROJECT_ROOT",
    "SERVE_ADDRESS_ENV",
    "WAREHOUSE_ENV",
    "LoadResult",
    "Programme",
    "Progress",
    "Snapshot",
    "UserError",
    "WarehouseBusy",
    "access",
    "accounts",
    "apology",
    "audit",
    "batches",
    "configure_logging",
    "current_snapshot",
    "expectation_results",
    "exports",
    "files",
    "is_synthetic",
    "load",
    "not_published",
    "programme",
    "quarantine_reasons",
    "quarantine_rows",
    "report_bug",
    "streamlit_secrets_files",
    "tables",
    "warehouse_dir",
    "write_if_changed",
]

Result = TypeVar("Result")
DATA_SUFFIXES: tuple[str, ...] = CSV_SUFFIXES + EXCEL_SUFFIXES  # the files a load reads


def current_snapshot(wh: Path | str | None = None) -> Snapshot | None:
    """Return the current snapshot of the warehouse, or None when it holds no data yet."""
    return warehouse.current(warehouse_dir(wh))


def load(paths: list[Path], progress: Progress | None = None) -> LoadResult:
    """Return the accounting of loading files into a new snapshot of the configured warehouse.

    The command line's own load: a UserError (WarehouseBusy when another load is writing)
    means nothing was published.
    """
    return load_module.load(paths, warehouse_dir(), progress=progress)


def _read(snapshot_id: str, fn: Callable[[duckdb.DuckDBPyConnection], Result]) -> Result:
    con = warehouse.connect_read_only(warehouse_dir(), snapshot_id)
    try:
        return fn(con)
    finally:
        con.close()


def is_synthetic(snapshot_id: str) -> bool:
    """Return whether the snapshot holds synthetic data only (every load generated demo data)."""
    loads = _read(snapshot_id, report.batches)
    return bool(loads["is_synthetic"].all()) if len(loads) else False


def tables(snapshot_id: str) -> pd.DataFrame:
    """Return one row per table of the snapshot with its row count (columns table, rows)."""
    counts = _read(snapshot_id, table_counts)
    return pd.DataFrame({"table": list(counts), "rows": list(counts.values())})


def batches(snapshot_id: str) -> pd.DataFrame:
    """Return one row per load batch, oldest first."""
    return _read(snapshot_id, report.batches)


def files(snapshot_id: str) -> pd.DataFrame:
    """Return one row per file and table loaded, with its row accounting."""
    return _read(snapshot_id, report.files)


def quarantine_reasons(snapshot_id: str) -> pd.DataFrame:
    """Return quarantined rows counted per table and kind of reason (no values)."""
    return _read(snapshot_id, report.quarantine_reasons)


def quarantine_rows(snapshot_id: str, table: str | None = None) -> pd.DataFrame:
    """Return the quarantined rows with file, row number, reasons and values."""
    return _read(snapshot_id, lambda con: report.quarantine_rows(con, table))


def expectation_results(snapshot_id: str) -> pd.DataFrame:
    """Return the Great Expectations results of the latest batch, per table and expectation."""
    return _read(snapshot_id, report.expectation_results)
