"""Chart data beyond single figures (survival curves, flows, monthly contacts, trends),
computed from the same units and views as the catalogue, with the same disclosure control."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pandas as pd

from indicators import catalogue, engine, periods
from pipelines import settings, warehouse

VIEWS_DIR = catalogue.SQL_DIR / "views"


def _threshold() -> int:
    return int(settings.programme().get("disclosure", {}).get("min_count", 5))


def _hide_small(frame: pd.DataFrame, column: str, role: str) -> pd.DataFrame:
    """Return the frame with counts from 1 to threshold-1 hidden (not for analysts)."""
    out = frame.copy()
    small = (out[column] > 0) & (out[column] < _threshold())
    out["suppressed"] = small if role != "analyst" else False
    if role != "analyst":
        out.loc[small, column] = math.nan
    return out


def _snapshot(wh: Path | str | None, snapshot_id: str | None) -> warehouse.Snapshot:
    return warehouse.snapshot(settings.warehouse_dir(wh), snapshot_id)


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
    units = engine.units(ind, snap, period, as_of)
    if "duration" not in units.columns:
        raise ValueError(f"{indicator_id} is not a time-to-event indicator.")
    curve = engine.km_curve(units["duration"].tolist(), units["event"].tolist())
    if role != "analyst":
        curve = curve[curve["at_risk"] >= _threshold()]
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
    return _hide_small(counts, "n", role)


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
    return _hide_small(frame, "duo_months", role)


def trend(
    ids: Sequence[str],
    period_list: Sequence[periods.Period],
    as_of: date,
    role: str = "viewer",
    warehouse_dir: Path | str | None = None,
    snapshot_id: str | None = None,
) -> pd.DataFrame:
    """Return the overall figures of the indicators for each period, in order."""
    frames = [
        engine.compute(
            list(ids),
            p,
            as_of=as_of,
            role=role,
            warehouse_dir=warehouse_dir,
            snapshot=snapshot_id,
        )
        for p in period_list
    ]
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
        frame = engine.compute(
            [indicator_id],
            period,
            as_of=min(as_of, month_end),
            role=role,
            warehouse_dir=warehouse_dir,
            snapshot=snapshot_id,
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
    frame = _hide_small(pd.DataFrame({"stage": list(FUNNEL_STAGES), "n": counts}), "n", role)
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
    if role == "analyst":
        return counts.assign(suppressed=False)
    low = _threshold()
    did_not = counts["duos"] - counts["flowed"]
    few_duos = (counts["duos"] > 0) & (counts["duos"] < low)
    hidden = few_duos
    for column in (counts["flowed"], did_not):
        hidden = hidden | ((column > 0) & (column < low))
    counts.loc[hidden, ["flowed", "share"]] = math.nan
    counts.loc[few_duos, "duos"] = math.nan
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
