"""The indicator engine: catalogue SQL over a snapshot -> tidy, disclosure-controlled figures.

Each indicator's SQL lists its units (people, duos, duo-months, bookings ...) for one period
and as-of date; the engine adds the breakdown dimensions, applies filters, aggregates by the
indicator's kind, sets targets and status, applies disclosure control and adds lineage.
Unit lists are cached by (snapshot, indicator, period, as-of), so a change of breakdown or
filter only re-aggregates.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from indicators import catalogue as catalogue_module
from indicators import disclosure, periods
from indicators.catalogue import DIMENSIONS, Indicator
from pipelines import access, settings, warehouse
from pipelines.errors import UserError

ROLES = access.ROLES
CACHE_SIZE = 512

COLUMNS = [
    "id",
    "version",
    "label",
    "unit",
    "kind",
    "period",
    "period_start",
    "period_end",
    "as_of",
    "breakdown",
    "breakdown_value",
    "category",
    "value",
    "numerator",
    "denominator",
    "n",
    "ci_low",
    "ci_high",
    "target",
    "target_deadline",
    "projection",
    "status",
    "direction",
    "suppressed",
    "suppression",
    "disclosure",
    "note",
    "snapshot",
    "snapshot_sha256",
    "catalogue_version",
]


class IndicatorError(UserError):
    """A request the engine cannot answer; the message says what was expected."""


@dataclass(frozen=True)
class Request:
    """What to compute, resolved and validated."""

    indicators: tuple[Indicator, ...]
    period: periods.Period
    as_of: date
    breakdown: str | None
    filters: tuple[tuple[str, tuple[str, ...]], ...]
    role: str
    snapshot: warehouse.Snapshot


_local = threading.local()
_units_cache: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_cache_lock = threading.Lock()


def _country_regions(countries: Iterable[str]) -> pd.DataFrame:
    """Return country_of_birth -> UN region, from the maintained country_converter library."""
    import country_converter as coco

    logging.getLogger("country_converter").setLevel(logging.ERROR)
    countries = sorted({c for c in countries if c})
    if not countries:
        return pd.DataFrame({"country_of_birth": [], "region_of_birth": []}, dtype="string")
    regions = coco.CountryConverter().convert(countries, to="UNregion", not_found=None)
    if isinstance(regions, str):
        regions = [regions]
    # not_found=None hands back the input unchanged: that country could not be placed
    regions = [r if r != c else "unknown" for c, r in zip(countries, regions, strict=True)]
    return pd.DataFrame({"country_of_birth": countries, "region_of_birth": regions})


def _connection(snap: warehouse.Snapshot) -> duckdb.DuckDBPyConnection:
    """Return this thread's read-only connection to the snapshot, with the as-of views."""
    cons: dict[str, duckdb.DuckDBPyConnection] = getattr(_local, "cons", None) or {}
    _local.cons = cons
    con = cons.get(snap.id)
    if con is None:
        con = duckdb.connect(str(snap.path), read_only=True)
        countries = [
            r[0]
            for r in con.execute("select distinct country_of_birth from participants").fetchall()
        ]
        regions = _country_regions(countries)
        con.register("country_regions_df", regions)
        con.execute("create temp table country_regions as select * from country_regions_df")
        con.unregister("country_regions_df")
        catalogue_module.load().sources.create_views(con)
        cons[snap.id] = con
    return con


_holds: dict[tuple[str, str], bool] = {}


def holds_values(snap: warehouse.Snapshot, column: str) -> bool:
    """Return whether a column ('table.column') of the snapshot holds any value at all."""
    key = (snap.id, column)
    if key not in _holds:
        table, name = column.split(".")
        con = _connection(snap)
        exists = con.execute(
            "select count(*) from information_schema.columns "
            "where table_name = ? and column_name = ?",
            [table, name],
        ).fetchone()[0]
        # names checked against the schema above, so they can be put into the statement
        count = con.execute(f"select count({name}) from {table}").fetchone()[0] if exists else 0
        _holds[key] = bool(count)
    return _holds[key]


def units(
    ind: Indicator, snap: warehouse.Snapshot, period: periods.Period, as_of: date
) -> pd.DataFrame:
    """Return the indicator's units for a period and as-of date, with their dimensions."""
    key = (snap.id, ind.id, ind.version, period.start, period.end, as_of)
    with _cache_lock:
        if key in _units_cache:
            _units_cache.move_to_end(key)
            return _units_cache[key]
    frame = run_sql(ind.query(), snap, period, as_of)
    with _cache_lock:
        _units_cache[key] = frame
        while len(_units_cache) > CACHE_SIZE:
            _units_cache.popitem(last=False)
    return frame


def run_sql(
    sql: str, snap: warehouse.Snapshot, period: periods.Period, as_of: date
) -> pd.DataFrame:
    """Return the result of a catalogue or view query for a period and as-of date."""
    con = _connection(snap)
    con.execute("set variable period_start = ?", [period.start])
    con.execute("set variable period_end = ?", [period.end])
    con.execute("set variable as_of = ?", [as_of])
    return con.execute(sql).fetchdf()


def rounding_secret(snap: warehouse.Snapshot) -> bytes:
    """Return the snapshot's secret for disclosure rounding: its recorded key fingerprint.

    Viewers never see the fingerprint, so they cannot replay the rounding draws. Synthetic
    demo data use the public default, so that the demo gives everyone the same figures.
    """
    con = _connection(snap)
    synthetic = con.execute("select bool_and(is_synthetic) from load_batches").fetchone()[0]
    recorded = None if synthetic else warehouse.recorded_fingerprint(con)
    return recorded.encode() if recorded else disclosure.DEFAULT_SECRET


def clear_cache() -> None:
    """Forget cached unit lists and close this thread's connections."""
    with _cache_lock:
        _units_cache.clear()
    for con in (getattr(_local, "cons", None) or {}).values():
        con.close()
    _local.cons = {}


# --- aggregation -------------------------------------------------------------------------


def _t_quantile(df: int) -> float:
    from scipy import stats

    return float(stats.t.ppf(0.975, df))


def km_median(durations: Sequence[float], events: Sequence[int]) -> float:
    """Return the Kaplan-Meier median: the first time the survival estimate is at most 0.5."""
    frame = pd.DataFrame({"t": durations, "e": events}).dropna()
    survival = 1.0
    at_risk = len(frame)
    for t, group in frame.groupby("t", sort=True):
        deaths = int(group["e"].sum())
        if deaths and at_risk:
            survival *= 1 - deaths / at_risk
            if survival <= 0.5:
                return float(t)
        at_risk -= len(group)
    return math.nan


def km_curve(durations: Sequence[float], events: Sequence[int]) -> pd.DataFrame:
    """Return the Kaplan-Meier curve: time, at risk, events, survival (share not yet reached)."""
    frame = pd.DataFrame({"t": durations, "e": events}).dropna()
    rows = [{"time": 0.0, "at_risk": len(frame), "events": 0, "survival": 1.0}]
    survival, at_risk = 1.0, len(frame)
    for t, group in frame.groupby("t", sort=True):
        deaths = int(group["e"].sum())
        if deaths and at_risk:
            survival *= 1 - deaths / at_risk
        rows.append({"time": float(t), "at_risk": at_risk, "events": deaths, "survival": survival})
        at_risk -= len(group)
    return pd.DataFrame(rows)


def _aggregate(ind: Indicator, g: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the figure(s) of one group of units: one row, or one per category."""
    nan = math.nan
    row: dict[str, Any] = dict.fromkeys(
        ("value", "numerator", "denominator", "n", "ci_low", "ci_high"), nan
    )
    if ind.kind == "count":
        row["value"] = row["n"] = float(g["unit_id"].nunique())
    elif ind.kind == "sum":
        row["value"] = float(g["value"].sum()) if len(g) else 0.0
        row["n"] = float(g["unit_id"].nunique())
    elif ind.kind == "ratio":
        num, den = float(g["numerator"].sum()), float(g["denominator"].sum())
        row.update(numerator=num, denominator=den, n=den)
        row["value"] = num / den if den else nan
    elif ind.kind == "median":
        values = g["value"].dropna()
        row["n"] = float(len(values))
        row["value"] = float(values.median()) if len(values) else nan
    elif ind.kind == "mean_ci":
        values = g["value"].dropna().astype(float)
        n = len(values)
        row["n"] = float(n)
        if n:
            mean = float(values.mean())
            row["value"] = mean
            if n > 1:
                half = _t_quantile(n - 1) * float(values.std(ddof=1)) / math.sqrt(n)
                row["ci_low"], row["ci_high"] = mean - half, mean + half
    elif ind.kind == "km_median":
        row["n"] = float(len(g))
        row["value"] = km_median(g["duration"].tolist(), g["event"].tolist()) if len(g) else nan
    elif ind.kind == "distribution":
        weights = g["value"].astype(float) if "value" in g.columns else pd.Series(1.0, g.index)
        total = float(weights.sum())
        out = []
        for category, cg in g.assign(_w=weights).groupby("category", sort=True):
            num = float(cg["_w"].sum())
            out.append(
                {
                    "category": category,
                    "value": num / total if total else nan,
                    "numerator": num,
                    "denominator": total,
                    "n": float(cg["unit_id"].nunique()),
                    "ci_low": nan,
                    "ci_high": nan,
                }
            )
        return out
    return [row]


# --- targets -----------------------------------------------------------------------------


def level_status(value: float, target: float, direction: str) -> str | None:
    """Return on_track, at_risk (within 10%) or off_track for a value against a level target."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if direction == "higher":
        if value >= target:
            return "on_track"
        return "at_risk" if value >= 0.9 * target else "off_track"
    if value <= target:
        return "on_track"
    return "at_risk" if value <= 1.1 * target else "off_track"


def _cumulative_status(
    ind: Indicator, req: Request, target: settings.Target, programme: settings.Programme
) -> tuple[float, str | None]:
    """Return the linear projection to the deadline and the status it gives."""
    start = programme.programme.start_on
    deadline = target.deadline
    upto = min(req.as_of, deadline)
    if upto < start:
        return math.nan, None
    frame = units(ind, req.snapshot, periods.Period("target", start, deadline), upto)
    value = _aggregate(ind, frame)[0]["value"]
    if ind.kind == "count" and ind.personal and not disclosure.unsuppressed(req.role):
        # the value at the deadline, or the pace to it, would give an exact count away
        base = programme.disclosure.rounding_base
        cell = f"{ind.id}|target|{start}|{deadline}|n"
        value = disclosure.rounded(value, base, rounding_secret(req.snapshot), cell)
    if req.as_of >= deadline:
        projection = value
    else:
        elapsed = (upto - start).days + 1
        projection = value * ((deadline - start).days + 1) / elapsed
    return projection, level_status(projection, target.value, ind.direction)


# --- compute -----------------------------------------------------------------------------


def _resolve(
    ids: Sequence[str] | str | None,
    period: str | periods.Period | None,
    breakdown: str | None,
    filters: Mapping[str, Iterable[str] | str] | None,
    as_of: str | date | None,
    snapshot: str | None,
    role: str,
    wh: Path,
) -> Request:
    cat = catalogue_module.load()
    if isinstance(ids, str):
        ids = [i for i in ids.split(",") if i.strip()]
    inds = tuple(cat.get(i.strip()) for i in ids) if ids else tuple(cat.indicators)
    if breakdown is not None and breakdown not in DIMENSIONS:
        raise IndicatorError(
            f"Unknown breakdown '{breakdown}' (expected one of: {', '.join(DIMENSIONS)})."
        )
    clean_filters = []
    for dim, values in (filters or {}).items():
        if dim not in DIMENSIONS:
            raise IndicatorError(
                f"Unknown filter '{dim}' (expected one of: {', '.join(DIMENSIONS)})."
            )
        vals = (values,) if isinstance(values, str) else tuple(values)
        if vals:
            clean_filters.append((dim, tuple(sorted(str(v) for v in vals))))
    if role not in ROLES:
        raise IndicatorError(f"Unknown role '{role}' (expected one of: {', '.join(ROLES)}).")
    snap = warehouse.snapshot(wh, snapshot)
    per = period if isinstance(period, periods.Period) else periods.parse(period)
    when = (
        periods.parse_date(as_of, "as-of date")
        if as_of
        else datetime.fromisoformat(snap.created_at).date()
    )
    if not disclosure.unsuppressed(role):
        per, when = published_period(per, when)
    return Request(inds, per, when, breakdown, tuple(sorted(clean_filters)), role, snap)


def published_period(period: periods.Period, as_of: date) -> tuple[periods.Period, date]:
    """Return the period and as-of date as viewers get them: on the grid, as of a month end.

    Raises IndicatorError for a period off the grid (a free date range); the as-of date moves
    back to the last month end, so that two as-of dates never differ by a few days.
    """
    if not periods.on_published_grid(period, settings.programme()):
        raise IndicatorError(
            f"The period '{period.label}' is a free date range; viewers see figures for the "
            "programme, a year, a quarter or a month (date ranges need the analyst role)."
        )
    return period, periods.last_month_end(as_of)


def compute(
    ids: Sequence[str] | str | None = None,
    period: str | periods.Period | None = None,
    breakdown: str | None = None,
    filters: Mapping[str, Iterable[str] | str] | None = None,
    as_of: str | date | None = None,
    snapshot: str | None = None,
    role: str = "viewer",
    warehouse_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Return a tidy frame of indicator figures (columns: engine.COLUMNS).

    One row per indicator and breakdown value (the overall row has breakdown None), and per
    category for distributions. Disclosure control is applied unless the role may see figures
    unsuppressed (pipelines/access.py: analyst and above).
    """
    wh = settings.warehouse_dir(warehouse_dir)
    req = _resolve(ids, period, breakdown, filters, as_of, snapshot, role, wh)
    programme = settings.programme()
    cat = catalogue_module.load()
    rows: list[dict[str, Any]] = []
    for ind in req.indicators:
        rows += _indicator_rows(ind, req, programme.targets.get(ind.id), programme)
    frame = pd.DataFrame(rows)
    frame["personal"] = frame["id"].map({ind.id: ind.personal for ind in cat.indicators})
    frame = disclosure.apply(
        frame,
        threshold=programme.disclosure.min_count,
        role=req.role,
        base=programme.disclosure.rounding_base,
        secret=rounding_secret(req.snapshot),
    )
    levels = frame["target"].notna() & frame["target_deadline"].isna()
    frame.loc[levels, "status"] = [
        level_status(value, goal, direction)
        for value, goal, direction in frame.loc[
            levels, ["value", "target", "direction"]
        ].itertuples(index=False)
    ]
    # a hidden figure has no status: a colour would hint at the value
    frame.loc[frame["suppressed"], ["status", "projection"]] = [None, math.nan]
    frame["snapshot"] = req.snapshot.id
    frame["snapshot_sha256"] = req.snapshot.content_sha256
    frame["catalogue_version"] = cat.version
    return frame[COLUMNS].reset_index(drop=True)


def _indicator_rows(
    ind: Indicator,
    req: Request,
    target: settings.Target | None,
    programme: settings.Programme,
) -> list[dict[str, Any]]:
    base = {
        "id": ind.id,
        "version": ind.version,
        "label": ind.label.nl,
        "unit": ind.unit,
        "kind": ind.kind,
        "period": req.period.label,
        "period_start": req.period.start,
        "period_end": req.period.end,
        "as_of": req.as_of,
        "direction": ind.direction,
        "target": math.nan,
        "target_deadline": None,
        "projection": math.nan,
        "status": None,
        "note": None,
        "category": None,
    }
    unusable = [dim for dim, _ in req.filters if dim not in ind.breakdowns]
    if req.breakdown is not None and req.breakdown not in ind.breakdowns:
        unusable.append(req.breakdown)
    note = f"not defined by {', '.join(sorted(set(unusable)))}" if unusable else None
    absent = [r for r in ind.requires if not holds_values(req.snapshot, r.column)]
    if absent and note is None:
        note = "no data: " + "; ".join(f"{r.missing.en} ({r.column})" for r in absent)
    if note is not None:
        empty = dict.fromkeys(("value", "numerator", "denominator", "n", "ci_low", "ci_high"))
        return [{**base, **empty, "breakdown": None, "breakdown_value": None, "note": note}]
    frame = units(ind, req.snapshot, req.period, req.as_of)
    frame = frame.assign(programme=programme.programme.id)
    for dim, values in req.filters:
        frame = frame[frame[dim].astype(str).isin(values)]
    groups: list[tuple[str | None, str | None, pd.DataFrame]] = [(None, None, frame)]
    if req.breakdown is not None:
        for value, g in frame.groupby(req.breakdown, sort=True):
            groups.append((req.breakdown, str(value), g))
    rows = []
    for dim, value, g in groups:
        for figures in _aggregate(ind, g):
            rows.append({**base, **figures, "breakdown": dim, "breakdown_value": value})
    if target:
        _set_target(ind, req, target, programme, rows)
    return rows


def _set_target(
    ind: Indicator,
    req: Request,
    target: settings.Target,
    programme: settings.Programme,
    rows: list[dict[str, Any]],
) -> None:
    goal = target.value
    if target.deadline is not None:
        # a target with a deadline is about the whole programme: status on the overall row
        projection, status = (math.nan, None)
        if not req.filters:
            projection, status = _cumulative_status(ind, req, target, programme)
        for row in rows:
            if row["breakdown"] is None:
                row.update(
                    target=goal,
                    target_deadline=target.deadline,
                    projection=projection,
                    status=status,
                )
        return
    for row in rows:  # the status follows once disclosure control has set the published value
        row.update(target=goal)
