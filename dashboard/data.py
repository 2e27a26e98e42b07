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


def quarters(period: periods.Period) -> tuple[str, ...]:
    """Return the labels of the programme's quarters that overlap the period, in order."""
    return tuple(
        p.label
        for p in periods.presets(settings.programme())
        if "-Q" in p.label and p.end >= period.start and p.start <= period.end
    )


def granted_funding() -> pd.DataFrame:
    """Return the grants as decided in programme.yaml (source, amount_eur, note)."""
    granted = settings.programme().get("funding", {}).get("granted", [])
    return pd.DataFrame(granted, columns=["source", "amount_eur", "note"])


@st.cache_data(show_spinner=False, max_entries=64)
def spend_by_category(period: str, as_of: date, snapshot_id: str) -> pd.DataFrame:
    """Return the period's expenses by category (money is not personal: nothing hidden)."""
    return views.spend_by_category(periods.parse(period), as_of, snapshot_id=snapshot_id)


@st.cache_data(show_spinner=False)
def organisations(snapshot_id: str) -> pd.DataFrame:
    """Return the organisations (organisation_id, name, municipality, anchor_since)."""
    return _read(snapshot_id, report.organisations)


@st.cache_data(show_spinner=False, max_entries=64)
def organisation_figures(period: str, as_of: date, role: str, snapshot_id: str) -> pd.DataFrame:
    """Return per organisation its hours of contact and flow-through starts, busiest first.

    Columns: organisation_id, name, anchor_since (empty when not yet an anchor place on the
    as-of date), hours_total, hours_suppressed, flow_starts, flow_suppressed. An organisation
    without rows in the engine's breakdown had no contacts or starts (0); a hidden figure is NaN.
    """
    frame = figures(
        ("hours_total", "flow_at_anchor_share"), period, as_of, role, snapshot_id, "organisation"
    )
    rows = frame[frame["breakdown"].notna()].set_index("breakdown_value")
    hours = rows[rows["id"] == "hours_total"]
    starts = rows[rows["id"] == "flow_at_anchor_share"]
    out = organisations(snapshot_id)[["organisation_id", "name", "anchor_since"]].copy()
    anchor_since = pd.to_datetime(out["anchor_since"])
    out["anchor_since"] = anchor_since.where(anchor_since <= pd.Timestamp(as_of)).dt.date
    ids = out["organisation_id"]
    out["hours_suppressed"] = ids.map(hours["suppressed"]).eq(True)
    out["hours_total"] = ids.map(hours["value"]).where(ids.isin(hours.index), 0.0)
    out["flow_suppressed"] = ids.map(starts["suppressed"]).eq(True)
    out["flow_starts"] = ids.map(starts["denominator"]).where(ids.isin(starts.index), 0.0)
    return out.sort_values(
        ["hours_total", "organisation_id"], ascending=[False, True], na_position="last"
    ).reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=64)
def municipality_figures(
    indicator_id: str, period: str, as_of: date, role: str, snapshot_id: str, lang: str
) -> pd.DataFrame:
    """Return a count indicator for each of the 19 municipalities (hidden figures are NaN).

    Columns nis_code, name, value, suppressed; a municipality without rows counted nobody (0).
    """
    frame = figures((indicator_id,), period, as_of, role, snapshot_id, "municipality")
    rows = frame[frame["breakdown"] == "municipality"].set_index("breakdown_value")
    places = municipalities()
    bilingual = places["name_nl"] + " / " + places["name_fr"]
    same = places["name_nl"] == places["name_fr"]
    names = places["name_nl"] if lang == "nl" else places["name_nl"].where(same, bilingual)
    nis = places["nis_code"]
    suppressed = nis.map(rows["suppressed"]).eq(True)
    value = nis.map(rows["value"]).where(nis.isin(rows.index), 0.0)
    return pd.DataFrame(
        {"nis_code": nis, "name": names, "value": value.astype(float), "suppressed": suppressed}
    )


@st.cache_data(show_spinner=False, max_entries=64)
def trajectory_funnel(period: str, as_of: date, role: str, snapshot_id: str) -> pd.DataFrame:
    """Return the newcomers registered in the period by how far they got (stage, n)."""
    return views.trajectory_funnel(periods.parse(period), as_of, role, snapshot_id=snapshot_id)


@st.cache_data(show_spinner=False, max_entries=64)
def flow_outcomes(period: str, as_of: date, role: str, snapshot_id: str) -> pd.DataFrame:
    """Return ended duos by outcome with the share that started any flow-through."""
    return views.flow_outcomes(periods.parse(period), as_of, role, snapshot_id=snapshot_id)


@st.cache_data(show_spinner=False, max_entries=64)
def flow_cohorts_open(period: str, as_of: date, snapshot_id: str) -> pd.DataFrame:
    """Return the match cohorts of the period's ended duos and whether their window is open."""
    return views.flow_cohorts_open(periods.parse(period), as_of, snapshot_id=snapshot_id)


def norms() -> dict[str, float]:
    """Return the programme's norms (participation_hours, contacts_per_month, ...)."""
    return {k: float(v) for k, v in settings.programme().get("norms", {}).items()}


def targets() -> dict[str, dict]:
    """Return the programme's targets by indicator id (value, deadline, source)."""
    return settings.programme().get("targets", {})


FLOW_RATES = ("flow_leisure_6m", "flow_volunteering_6m", "flow_any_6m")


def flow_by_cohort(period: str, as_of: date, role: str, snapshot_id: str) -> pd.DataFrame:
    """Return the 6-month flow-through rates per match cohort, open cohorts marked.

    One row per cohort and rate (columns cohort, id, value, numerator, denominator,
    suppressed, is_open). A cohort whose window is still open has no final rate: its figures
    are left empty rather than shown as a provisional or zero rate.
    """
    frame = figures(FLOW_RATES, period, as_of, role, snapshot_id, "match_cohort")
    rows = frame[frame["breakdown"] == "match_cohort"]
    is_open = flow_cohorts_open(period, as_of, snapshot_id).set_index("match_cohort")["is_open"]
    cohorts = sorted((set(rows["breakdown_value"]) | set(is_open.index)) - {"not matched"})
    grid = pd.MultiIndex.from_product([cohorts, FLOW_RATES], names=["cohort", "id"])
    out = (
        rows.rename(columns={"breakdown_value": "cohort"})
        .set_index(["cohort", "id"])[["value", "numerator", "denominator", "suppressed"]]
        .reindex(grid)
        .reset_index()
    )
    out["is_open"] = out["cohort"].map(is_open).eq(True)
    out["suppressed"] = out["suppressed"].eq(True) & ~out["is_open"]
    out.loc[out["is_open"], ["value", "numerator", "denominator"]] = float("nan")
    return out
