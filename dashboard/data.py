"""The dashboard's one gateway to the warehouse: cached, read-only, keyed by snapshot id."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from pipelines import settings, warehouse
from pipelines.load import table_counts


@dataclass(frozen=True)
class SnapshotInfo:
    """The snapshot the dashboard shows, and whether its data are synthetic."""

    id: str
    created_at: str
    is_synthetic: bool


def current_snapshot() -> SnapshotInfo | None:
    """Return the current snapshot of the configured warehouse, or None when it is empty."""
    wh = settings.warehouse_dir()
    snap = warehouse.current(wh)
    if snap is None:
        return None
    return SnapshotInfo(snap.id, snap.created_at, _is_synthetic(str(wh), snap.id))


@st.cache_data(show_spinner=False)
def _is_synthetic(wh: str, snapshot_id: str) -> bool:
    con = warehouse.connect_read_only(settings.warehouse_dir(wh), snapshot_id)
    try:
        return bool(con.execute("select bool_or(is_synthetic) from load_batches").fetchone()[0])
    finally:
        con.close()


@st.cache_data(show_spinner=False)
def table_overview(wh: str, snapshot_id: str) -> pd.DataFrame:
    """Return one row per table of the snapshot with its row count."""
    con = warehouse.connect_read_only(settings.warehouse_dir(wh), snapshot_id)
    try:
        counts = table_counts(con)
    finally:
        con.close()
    return pd.DataFrame({"table": list(counts), "rows": list(counts.values())})
