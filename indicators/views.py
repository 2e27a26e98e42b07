"""Chart data beyond single figures (survival curves, flows, monthly contacts, trends),
computed from the same units and views as the catalogue, with the same disclosure control."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd

from indicators import catalogue, disclosure, engine, periods
from pipelines import settings, warehouse

VIEWS_DIR = catalogue.SQL_DIR / "views"
MUNICIPALITIES_FILE = "brussels_municipalities.csv"
BOUNDARIES_FILE = "brussels_municipalities.geojson"


def _hide_small(
    frame: pd.DataFrame, column: str, role: str, snap: warehouse.Snapshot, view: str
) -> pd.DataFrame:
    """Return the frame with counts from 1 to threshold-1 hidden, the rest rounded (viewers).

    Analysts see exact counts; for anyone else the published counts are rounded as the
    engine's are (indicators/disclosure.py), keyed by the view, the row's labels and column.
    """
    out = frame.copy()
    small = (out[column] > 0) & (out[column] < disclosure.threshold())
    shown = disclosure.unsuppressed(role)
    out["suppressed"] = False if shown else small
    if not shown:
        out.loc[small, column] = math.nan
        _round(out, [column], snap, view)
    return out


def _round(out: pd.DataFrame, columns: Sequence[str], snap: warehouse.Snapshot, view: str) -> None:
    """Round, in place, the published counts in columns for viewers (see disclosure.rounded)."""
    base, secret = disclosure.rounding_base(), engine.rounding_secret(snap)
    labels = out.drop(columns=[*columns, "suppressed"], errors="ignore").astype(str)
    for column in columns:
        out[column] = [
            disclosure.rounded(value, base, secret, f"{view}|{'|'.join(label)}|{column}")
            if pd.notna(value)
            else value
            for value, label in zip(out[column], labels.itertuples(index=False), strict=True)
        ]


def _snapshot(wh: Path | str | None, snapshot_id: str | None) -> warehouse.Snapshot:
    return warehouse.snapshot(settings.warehouse_dir(wh), snapshot_id)


def _figures(
    ids: Sequence[str],
    period: periods.Period,
    as_of: date,
    role: str,
    warehouse_dir: Path | str | None,
    snapshot_id: str | None,
    breakdown: str | None = None,
) -> pd.DataFrame:
    """Return the engine's figures for the indicators (the views' one way to the engine)."""
    return engine.compute(
        list(ids),
        period,
        breakdown=breakdown,
        as_of=as_of,
        role=role,
        warehouse_dir=warehouse_dir,
        snapshot=snapshot_id,
    )


def _view(
    name: str,
    period: periods.Period,
    as_of: date,
    wh: Path | str | None,
    snapshot_id: str | None,
) -> pd.DataFrame:
    """Return the rows of one view query (indicators/sql/views/<name>.sql)."""
    sql = (VIEWS_DIR / f"{name}.sql").read_text(encoding="utf-8")
    return engine.run_sql(sql, _snapshot(wh, snapshot_id), period, as_of)


def survival(
    indicator_id: str,
    period: periods.Period,
    as_of: date,
    role: str = "viewer",
    warehouse_dir: Path | str | None = None,
    snapshot_id: str | None = None,
) -> pd.DataFrame:
    """Return the Kaplan-Meier curve of a time-to-event indicator (time_to_40h_days).

    For viewers the curve stops where fewer than the threshold are still at risk, since its
    last steps would show single people.
    """
    ind = catalogue.load().get(indicator_id)
    snap = _snapshot(warehouse_dir, snapshot_id)
    curve = engine.km_curve(engine.km_times(ind, snap, period, as_of))
    if not disclosure.unsuppressed(role):
        curve = curve[curve["at_risk"] >= disclosure.threshold()]
    return curve.reset_index(drop=True)


def flows(
    period: periods.Period,
    as_of: date,
    role: str = "viewer",
    warehouse_dir: Path | str | None = None,
    snapshot_id: str | None = None,
) -> pd.DataFrame:
    """Return duos by outcome and kind of flow-through started (columns outcome, kind, n)."""
    rows = _view("flows", period, as_of, warehouse_dir, snapshot_id)
    counts = (
        rows.groupby(["outcome", "kind"], sort=True)["match_id"]
        .nunique()
        .rename("n")
        .reset_index()
        .astype({"n": float})
    )
    return _hide_small(counts, "n", role, _snapshot(warehouse_dir, snapshot_id), "flows")


def contacts_per_month(
    period: periods.Period,
    as_of: date,
    role: str = "viewer",
    warehouse_dir: Path | str | None = None,
    snapshot_id: str | None = None,
) -> pd.DataFrame:
    """Return full active duo-months by number of contacts (0, 1, 2, 3, 4+) that month."""
    rows = _view("duo_month_contacts", period, as_of, warehouse_dir, snapshot_id)
    labels = ["0", "1", "2", "3", "4+"]
    bucket = rows["n_contacts"].clip(upper=4).astype(int).map(dict(enumerate(labels)))
    counts = bucket.value_counts().reindex(labels, fill_value=0)
    frame = pd.DataFrame({"contacts": labels, "duo_months": counts.to_numpy(dtype=float)})
    snap = _snapshot(warehouse_dir, snapshot_id)
    return _hide_small(frame, "duo_months", role, snap, "contacts_per_month")


def trend(
    ids: Sequence[str],
    period_list: Sequence[periods.Period],
    as_of: date,
    role: str = "viewer",
    warehouse_dir: Path | str | None = None,
    snapshot_id: str | None = None,
) -> pd.DataFrame:
    """Return the overall figures of the indicators for each period, in order."""
    frames = [_figures(ids, p, as_of, role, warehouse_dir, snapshot_id) for p in period_list]
    out = pd.concat(frames, ignore_index=True)
    return out[out["breakdown"].isna()].reset_index(drop=True)


def cumulative(
    indicator_id: str,
    start: date,
    months: Sequence[date],
    as_of: date,
    role: str = "viewer",
    warehouse_dir: Path | str | None = None,
    snapshot_id: str | None = None,
) -> pd.DataFrame:
    """Return the indicator counted from start to the end of each month (columns date, value)."""
    rows = []
    for month_end in months:
        period = periods.Period(f"{start.isoformat()}..{month_end.isoformat()}", start, month_end)
        frame = _figures(
            [indicator_id], period, min(as_of, month_end), role, warehouse_dir, snapshot_id
        )
        overall = frame[frame["breakdown"].isna()].iloc[0]
        rows.append(
            {"date": month_end, "value": overall["value"], "suppressed": overall["suppressed"]}
        )
    return pd.DataFrame(rows)


def month_ends(start: date, end: date) -> list[date]:
    """Return the last day of every month from start's month to end's month."""
    return [d.date() for d in pd.date_range(start, end, freq="ME")] + (
        [end] if pd.Timestamp(end).is_month_end is False else []
    )


def spend_by_category(
    period: periods.Period,
    as_of: date,
    warehouse_dir: Path | str | None = None,
    snapshot_id: str | None = None,
) -> pd.DataFrame:
    """Return the period's expenses by category (columns category, amount_eur, bookings).

    Money is not personal data, so no disclosure control applies.
    """
    rows = _view("spend_by_category", period, as_of, warehouse_dir, snapshot_id)
    return rows.astype({"bookings": int})


FUNNEL_STAGES = ("registered", "had_intake", "matched", "reached_40h", "completed_40h")


def trajectory_funnel(
    period: periods.Period,
    as_of: date,
    role: str = "viewer",
    warehouse_dir: Path | str | None = None,
    snapshot_id: str | None = None,
) -> pd.DataFrame:
    """Return the newcomers registered in the period by how far they got.

    Columns stage, n, share_of_first, share_of_previous, suppressed. The stages nest
    (registered, had_intake, matched, reached_40h, completed_40h), each counted by the as-of
    date; a share is missing when a count it needs is hidden, since it would give that away.
    """
    rows = _view("trajectory_funnel", period, as_of, warehouse_dir, snapshot_id)
    counts = [float(len(rows))] + [float(rows[s].sum()) for s in FUNNEL_STAGES[1:]]
    frame = pd.DataFrame({"stage": list(FUNNEL_STAGES), "n": counts})
    frame = _hide_small(frame, "n", role, _snapshot(warehouse_dir, snapshot_id), "funnel")
    # a zero base gives no share (NaN), not a division error
    bases = frame["n"].where(frame["n"] > 0)
    frame["share_of_first"] = frame["n"] / bases.iloc[0]
    frame["share_of_previous"] = frame["n"] / bases.shift(1)
    return frame[["stage", "n", "share_of_first", "share_of_previous", "suppressed"]]


def flow_outcomes(
    period: periods.Period,
    as_of: date,
    role: str = "viewer",
    warehouse_dir: Path | str | None = None,
    snapshot_id: str | None = None,
) -> pd.DataFrame:
    """Return ended duos by outcome with how many started any flow-through (outcome 'all' too).

    Columns outcome, duos, flowed, share. For viewers the share and flowed count are hidden
    when the duos, those who flowed through or those who did not are fewer than the threshold,
    since the flows' 'none' cells would otherwise give the hidden count away.
    """
    rows = _view("flows", period, as_of, warehouse_dir, snapshot_id)
    duos = (
        rows.assign(flowed=rows["kind"] != "none")
        .groupby("match_id")
        .agg(outcome=("outcome", "first"), flowed=("flowed", "any"))
    )
    counts = (
        pd.concat([duos.assign(outcome="all"), duos])
        .groupby("outcome", sort=False)
        .agg(duos=("flowed", "size"), flowed=("flowed", "sum"))
        .reset_index()
        .astype({"duos": float, "flowed": float})
    )
    counts["share"] = counts["flowed"] / counts["duos"]
    if disclosure.unsuppressed(role):
        return counts.assign(suppressed=False)
    low = disclosure.threshold()
    did_not = counts["duos"] - counts["flowed"]
    few_duos = (counts["duos"] > 0) & (counts["duos"] < low)
    hidden = few_duos
    for column in (counts["flowed"], did_not):
        hidden = hidden | ((column > 0) & (column < low))
    counts.loc[hidden, ["flowed", "share"]] = math.nan
    counts.loc[few_duos, "duos"] = math.nan
    _round(counts, ["duos", "flowed"], _snapshot(warehouse_dir, snapshot_id), "flow_outcomes")
    counts["share"] = counts["flowed"] / counts["duos"]
    return counts.assign(suppressed=hidden)


def flow_cohorts_open(
    period: periods.Period,
    as_of: date,
    warehouse_dir: Path | str | None = None,
    snapshot_id: str | None = None,
) -> pd.DataFrame:
    """Return the match cohorts of the period's ended duos and whether their windows are open.

    Columns match_cohort, is_open: a cohort is open while one of its duos that ended (or may
    still end) in the period is within its flow-through window on the as-of date.
    """
    frame = _view("flow_cohorts_open", period, as_of, warehouse_dir, snapshot_id)
    return frame.sort_values("match_cohort").reset_index(drop=True)


# --- figures shaped for tables and maps ----------------------------------------------------


def overall(frame: pd.DataFrame, indicator_id: str) -> pd.Series:
    """Return the overall row (no breakdown, first category) of one indicator in a figures frame."""
    rows = frame[(frame["id"] == indicator_id) & frame["breakdown"].isna()]
    if rows.empty:
        raise KeyError(f"{indicator_id} is not in this figures frame")
    return rows.iloc[0]


@cache
def municipalities() -> pd.DataFrame:
    """Return the 19 municipalities (nis_code, name_nl, name_fr, postcodes, population_2020)."""
    return pd.read_csv(settings.REFERENCE_DIR / MUNICIPALITIES_FILE, dtype=str)


@cache
def boundaries() -> dict:
    """Return the municipal boundaries (GeoJSON, CC0; see data/reference/SOURCES.md)."""
    path = settings.REFERENCE_DIR / BOUNDARIES_FILE
    return json.loads(path.read_text(encoding="utf-8"))


def municipality_names(lang: str) -> pd.Series:
    """Return the name people read for each NIS code: Dutch in nl, French in fr, and both
    (Dutch / French, one name when they are the same) in any other language."""
    places = municipalities()
    same = places["name_nl"] == places["name_fr"]
    bilingual = places["name_nl"] + " / " + places["name_fr"]
    names = {"nl": places["name_nl"], "fr": places["name_fr"]}.get(
        lang, places["name_nl"].where(same, bilingual)
    )
    return pd.Series(names.to_numpy(), index=places["nis_code"].to_numpy(), name="name")


def quarters(period: periods.Period) -> tuple[str, ...]:
    """Return the labels of the programme's quarters that overlap the period, in order."""
    return tuple(
        p.label
        for p in periods.presets(settings.programme())
        if "-Q" in p.label and p.end >= period.start and p.start <= period.end
    )


def granted_funding() -> pd.DataFrame:
    """Return the grants as decided in programme.yaml (source, amount_eur, note)."""
    granted = [g.model_dump() for g in settings.programme().funding.granted]
    return pd.DataFrame(granted, columns=["source", "amount_eur", "note"])


def organisation_figures(
    period: periods.Period,
    as_of: date,
    role: str = "viewer",
    warehouse_dir: Path | str | None = None,
    snapshot_id: str | None = None,
) -> pd.DataFrame:
    """Return per organisation its hours of contact and flow-through starts, busiest first.

    Columns: organisation_id, name, anchor_since (empty when not yet an anchor place on the
    as-of date), hours_total, hours_suppressed, flow_starts, flow_suppressed. An organisation
    without rows in the engine's breakdown had no contacts or starts (0); a hidden figure is NaN.
    """
    ids = ["hours_total", "flow_at_anchor_share"]
    frame = _figures(ids, period, as_of, role, warehouse_dir, snapshot_id, "organisation")
    rows = frame[frame["breakdown"].notna()].set_index("breakdown_value")
    hours = rows[rows["id"] == "hours_total"]
    starts = rows[rows["id"] == "flow_at_anchor_share"]
    sql = "select organisation_id, name, anchor_since from organisations order by organisation_id"
    out = engine.run_sql(sql, _snapshot(warehouse_dir, snapshot_id), period, as_of)
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


def municipality_figures(
    indicator_id: str,
    period: periods.Period,
    as_of: date,
    role: str = "viewer",
    lang: str = "nl",
    warehouse_dir: Path | str | None = None,
    snapshot_id: str | None = None,
) -> pd.DataFrame:
    """Return a count indicator for each of the 19 municipalities (hidden figures are NaN).

    Columns nis_code, name, value, suppressed; a municipality without rows counted nobody (0).
    """
    frame = _figures(
        [indicator_id], period, as_of, role, warehouse_dir, snapshot_id, "municipality"
    )
    rows = frame[frame["breakdown"] == "municipality"].set_index("breakdown_value")
    names = municipality_names(lang)
    nis = pd.Series(names.index, name="nis_code")
    suppressed = nis.map(rows["suppressed"]).eq(True)
    value = nis.map(rows["value"]).where(nis.isin(rows.index), 0.0)
    return pd.DataFrame(
        {
            "nis_code": nis,
            "name": names.to_numpy(),
            "value": value.astype(float),
            "suppressed": suppressed,
        }
    )


FLOW_RATES = ("flow_leisure_6m", "flow_volunteering_6m", "flow_any_6m")


def flow_by_cohort(
    period: periods.Period,
    as_of: date,
    role: str = "viewer",
    warehouse_dir: Path | str | None = None,
    snapshot_id: str | None = None,
) -> pd.DataFrame:
    """Return the 6-month flow-through rates per match cohort, open cohorts marked.

    One row per cohort and rate (columns cohort, id, value, numerator, denominator,
    suppressed, is_open). A cohort whose window is still open has no final rate: its figures
    are left empty rather than shown as a provisional or zero rate.
    """
    frame = _figures(FLOW_RATES, period, as_of, role, warehouse_dir, snapshot_id, "match_cohort")
    rows = frame[frame["breakdown"] == "match_cohort"]
    cohorts_open = flow_cohorts_open(period, as_of, warehouse_dir, snapshot_id)
    is_open = cohorts_open.set_index("match_cohort")["is_open"]
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
