"""The dashboard's one gateway to the figures: cached by snapshot id, read-only, no SQL here.

Pages call these functions only. Every cached function takes the snapshot id, so a new load
(a new snapshot) is never served stale figures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

import pandas as pd
import streamlit as st

from indicators import catalogue as catalogue_module
from indicators import engine, periods, views
from pipelines import report, settings, warehouse
from pipelines.load import table_counts


@dataclass(frozen=True)
class SnapshotInfo:
    """The snapshot the dashboard shows, and whether its data are synthetic."""

    id: str
    created_at: str
    is_synthetic: bool

    @property
    def loaded_on(self) -> date:
        """Return the day the snapshot was loaded (the default as-of date)."""
        return datetime.fromisoformat(self.created_at).date()


def current_snapshot() -> SnapshotInfo | None:
    """Return the current snapshot of the configured warehouse, or None when it is empty."""
    snap = warehouse.current(settings.warehouse_dir())
    if snap is None:
        return None
    return SnapshotInfo(snap.id, snap.created_at, _is_synthetic(snap.id))


def _read(snapshot_id: str, fn, *args):
    con = warehouse.connect_read_only(settings.warehouse_dir(), snapshot_id)
    try:
        return fn(con, *args)
    finally:
        con.close()


@st.cache_data(show_spinner=False)
def _is_synthetic(snapshot_id: str) -> bool:
    batches = _read(snapshot_id, report.batches)
    return bool(batches["is_synthetic"].any()) if len(batches) else False


@st.cache_data(show_spinner=False)
def table_overview(snapshot_id: str) -> pd.DataFrame:
    """Return one row per table of the snapshot with its row count."""
    counts = _read(snapshot_id, table_counts)
    return pd.DataFrame({"table": list(counts), "rows": list(counts.values())})


@cache
def catalogue() -> catalogue_module.Catalogue:
    """Return the indicator catalogue."""
    return catalogue_module.load()


def threshold() -> int:
    """Return the disclosure threshold of the programme."""
    return int(settings.programme().get("disclosure", {}).get("min_count", 5))


@st.cache_data(show_spinner=False, max_entries=512)
def figures(
    ids: tuple[str, ...],
    period: str,
    as_of: date,
    role: str,
    snapshot_id: str,
    breakdown: str | None = None,
    filters: tuple[tuple[str, tuple[str, ...]], ...] = (),
) -> pd.DataFrame:
    """Return the engine's figures (disclosure control applied by the engine)."""
    return engine.compute(
        list(ids),
        period,
        breakdown=breakdown,
        filters=dict(filters),
        as_of=as_of,
        role=role,
        snapshot=snapshot_id,
    )


def overall(frame: pd.DataFrame, indicator_id: str) -> pd.Series:
    """Return the overall row of one indicator from a figures frame."""
    rows = frame[(frame["id"] == indicator_id) & frame["breakdown"].isna()]
    return rows.iloc[0]


@st.cache_data(show_spinner=False, max_entries=128)
def trend(
    ids: tuple[str, ...], period_labels: tuple[str, ...], as_of: date, role: str, snapshot_id: str
) -> pd.DataFrame:
    """Return the overall figures of the indicators for each period."""
    return views.trend(
        ids, [periods.parse(p) for p in period_labels], as_of, role, snapshot_id=snapshot_id
    )


@st.cache_data(show_spinner=False, max_entries=64)
def cumulative(indicator_id: str, end: date, as_of: date, role: str, snapshot_id: str):
    """Return the indicator counted from the programme start to each month end."""
    start = periods.parse("programme").start
    months = views.month_ends(start, end)
    return views.cumulative(indicator_id, start, months, as_of, role, snapshot_id=snapshot_id)


@st.cache_data(show_spinner=False, max_entries=64)
def survival(indicator_id: str, period: str, as_of: date, role: str, snapshot_id: str):
    """Return a Kaplan-Meier curve (time, at_risk, events, survival)."""
    return views.survival(indicator_id, periods.parse(period), as_of, role, snapshot_id=snapshot_id)


@st.cache_data(show_spinner=False, max_entries=64)
def flows(period: str, as_of: date, role: str, snapshot_id: str) -> pd.DataFrame:
    """Return ended duos by outcome and kind of flow-through."""
    return views.flows(periods.parse(period), as_of, role, snapshot_id=snapshot_id)


@st.cache_data(show_spinner=False, max_entries=64)
def contacts_per_month(period: str, as_of: date, role: str, snapshot_id: str) -> pd.DataFrame:
    """Return full active duo-months by number of contacts."""
    return views.contacts_per_month(periods.parse(period), as_of, role, snapshot_id=snapshot_id)


@st.cache_data(show_spinner=False)
def load_history(snapshot_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the load batches and the per-file accounting."""
    return _read(snapshot_id, report.batches), _read(snapshot_id, report.files)


@st.cache_data(show_spinner=False)
def quarantine_reasons(snapshot_id: str) -> pd.DataFrame:
    """Return quarantined rows counted per table and kind of reason (no values)."""
    return _read(snapshot_id, report.quarantine_reasons)


@st.cache_data(show_spinner=False)
def quarantine_rows(snapshot_id: str, table: str | None) -> pd.DataFrame:
    """Return the quarantined rows with their values (only for roles allowed to see them)."""
    return _read(snapshot_id, report.quarantine_rows, table)


@st.cache_data(show_spinner=False)
def expectation_results(snapshot_id: str) -> pd.DataFrame:
    """Return the Great Expectations results of the latest load."""
    return _read(snapshot_id, report.expectation_results)


@cache
def municipalities() -> pd.DataFrame:
    """Return the 19 municipalities (nis_code, name_nl, name_fr, population_2020)."""
    return pd.read_csv(settings.REFERENCE_DIR / "brussels_municipalities.csv", dtype=str)


@cache
def boundaries() -> dict:
    """Return the municipal boundaries (GeoJSON, CC0; see data/reference/SOURCES.md)."""
    path = settings.REFERENCE_DIR / "brussels_municipalities.geojson"
    return json.loads(path.read_text(encoding="utf-8"))
