"""The indicator engine: catalogue SQL over a snapshot -> tidy, disclosure-controlled figures.

Each indicator's SQL lists its units (people, duos, duo-months, bookings ...) for one period
and as-of date. Unit lists are kept as tables in an in-memory DuckDB per snapshot (by
indicator, period and as-of, bounded by a share of the query memory, CACHE_SHARE), so a
change of breakdown or filter only re-aggregates. When a request breaks down or filters by a
dimension, the engine adds the breakdown dimensions to the cached units (with_dimensions.sql,
by the ids the units keep); DuckDB applies the filters and aggregates by the indicator's kind
(indicators/sql/engine/<kind>.sql, the overall cell and the breakdown's cells in one query).
Only those cells come to Python, which sets targets and status, applies disclosure control
and adds lineage.
"""

from __future__ import annotations

import logging
import math
import os
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from indicators import catalogue as catalogue_module
from indicators import disclosure, periods
from indicators.catalogue import DIMENSIONS, Indicator
from indicators.lineage import Sources
from pipelines import access, settings, warehouse
from pipelines.errors import UserError

ROLES = access.ROLES

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


ENGINE_SQL_DIR = Path(__file__).resolve().parent / "sql" / "engine"
# the unit lists kept in DuckDB (not in Python) between requests, by estimated size: at most
# this share of the query memory (settings.query_memory_mib), the rest for the as-of tables,
# the snapshot's pages read and the queries' working memory
CACHE_SHARE = 1 / 3
# a rough size of one value of a cached unit list, for the cache's bound
_BYTES_PER_VALUE = 16
# the requests whose aggregated figures are kept
CELLS_CACHE = 4096
# the columns of a unit list that the aggregations read: the rest is not kept in the cache.
# The breakdown dimensions are not kept: the ids they are looked up by are, and the dimensions
# are added (with_dimensions.sql) only when a request breaks down or filters by one, so a
# cached list is small and quick to make
KEPT_COLUMNS = (
    "unit_id",
    "value",
    "numerator",
    "denominator",
    "duration",
    "event",
    "category",
    "participant_id",
    "match_id",
    "organisation_id",
)
# shared views that depend on the as-of date alone and that several indicators select from:
# made into tables once per as-of date (in that date's copy of the views, first on the
# search path while unit lists are made) rather than worked out for every indicator and period;
# each when the first indicator that selects from it is asked for on that date
AS_OF_TABLES = ("participant_dims", "asof_match_facts", "newcomer_hours", "asof_match_flows")
# the as-of dates whose tables are kept (least recently used dropped first)
AS_OF_DATES = 4


@dataclass
class _Entry:
    """One cached unit list: its table in the shared in-memory database and who reads it."""

    table: str
    size: int
    readers: int = 0


@dataclass
class _Database:
    """One snapshot attached read-only to an in-memory DuckDB shared by every thread.

    The shared views and the cached unit lists live in the in-memory database, so that every
    thread's cursor sees them; each thread queries through its own cursor.
    """

    con: duckdb.DuckDBPyConnection
    search_path: str
    cache_bytes: int
    entries: OrderedDict[tuple, _Entry] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    size: int = 0
    tables_made: int = 0
    as_ofs: OrderedDict[date, _AsOf] = field(default_factory=OrderedDict)
    as_of_lock: threading.Condition = field(default_factory=threading.Condition)


@dataclass
class _AsOf:
    """The schema holding one as-of date's copy of the shared views, and its readers."""

    schema: str
    readers: int = 0
    # cursors waiting for the readers to finish, to make some of its views tables
    waiting: int = 0
    # which of AS_OF_TABLES are tables in it so far (the others are still views)
    tables: set[str] = field(default_factory=set)


_local = threading.local()
_databases: dict[Path, _Database] = {}
_databases_lock = threading.Lock()
# the figures of the requests answered lately (a few rows each), by request
_cells_cache: OrderedDict[tuple, list[dict[str, Any]]] = OrderedDict()
_cells_lock = threading.Lock()


@cache
def _engine_sql(name: str) -> str:
    """Return the text of one of the engine's SQL files (indicators/sql/engine/<name>.sql)."""
    return (ENGINE_SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


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


def _database(snap: warehouse.Snapshot) -> _Database:
    """Return the snapshot's shared in-memory database, attaching the snapshot the first time."""
    with _databases_lock:
        db = _databases.get(snap.path)
        if db is not None:
            return db
        con = duckdb.connect()
        # bounded memory (the snapshot's pages read, the as-of tables and cached unit lists, a
        # query's working memory): beyond it DuckDB spills to files of its own, removed on close
        limit = settings.query_memory_mib(snap.path.stat().st_size)
        con.execute(f"set memory_limit = '{limit}MiB'")
        spill = Path(tempfile.gettempdir()) / f"connect-impact-{os.getpid()}-{id(con):x}"
        con.execute("set temp_directory = ?", [str(spill)])
        # nothing in the in-memory database outlives the process: the automatic checkpoint
        # DuckDB makes after every 16 MB of changes (new unit lists) only costs time, about
        # 0.1 s at scale L, in the middle of some user's click
        con.execute("set checkpoint_threshold = '1TB'")
        # the path is the warehouse's own, not user input; ATTACH takes no parameters
        path = str(snap.path).replace("'", "''")
        con.execute(f"attach '{path}' as snap (read_only)")
        search_path = "memory.main,snap.main"
        con.execute("set search_path = ?", [search_path])
        countries = [
            r[0]
            for r in con.execute("select distinct country_of_birth from participants").fetchall()
        ]
        regions = _country_regions(countries)
        con.register("country_regions_df", regions)
        con.execute("create table country_regions as select * from country_regions_df")
        con.unregister("country_regions_df")
        # in the shared database, not temporary: every thread's cursor reads them
        sources = catalogue_module.load().sources
        _check_as_of_tables(sources)
        sources.create_views(con, "memory.main")
        db = _Database(con, search_path, int(limit * 2**20 * CACHE_SHARE))
        _databases[snap.path] = db
        return db


def _connection(snap: warehouse.Snapshot) -> duckdb.DuckDBPyConnection:
    """Return this thread's cursor on the snapshot's shared database (views, cached units)."""
    db = _database(snap)
    cursors: dict[Path, tuple[_Database, duckdb.DuckDBPyConnection]] = (
        getattr(_local, "cursors", None) or {}
    )
    _local.cursors = cursors
    held = cursors.get(snap.path)
    if held is None or held[0] is not db:
        cursor = db.con.cursor()
        cursor.execute("set search_path = ?", [db.search_path])
        held = cursors[snap.path] = (db, cursor)
    return held[1]


_holds: dict[tuple[Path, str], bool] = {}


def holds_values(snap: warehouse.Snapshot, column: str) -> bool:
    """Return whether a column ('table.column') of the snapshot holds any value at all."""
    key = (snap.path, column)
    if key not in _holds:
        table, name = column.split(".")
        con = _connection(snap)
        exists = con.execute(
            "select count(*) from information_schema.columns "
            "where table_catalog = 'snap' and table_name = ? and column_name = ?",
            [table, name],
        ).fetchone()[0]
        # names checked against the schema above, so they can be put into the statement
        count = con.execute(f"select count({name}) from {table}").fetchone()[0] if exists else 0
        _holds[key] = bool(count)
    return _holds[key]


def _set_variables(con: duckdb.DuckDBPyConnection, period: periods.Period, as_of: date) -> None:
    """Set the period and as-of date that the catalogue SQL and the views read."""
    con.execute("set variable period_start = ?", [period.start])
    con.execute("set variable period_end = ?", [period.end])
    con.execute("set variable as_of = ?", [as_of])


def _evict(db: _Database, con: duckdb.DuckDBPyConnection) -> None:
    """Drop the least recently used unit lists no one reads until the cache fits its bound."""
    for key in list(db.entries):
        if db.size <= db.cache_bytes:
            break
        entry = db.entries[key]
        if entry.readers == 0:
            del db.entries[key]
            db.size -= entry.size
            con.execute(f"drop table if exists {entry.table}")


def _check_as_of_tables(sources: Sources) -> None:
    """Raise if one of AS_OF_TABLES, or a view below it, reads the period (not the as-of date)."""
    for view in AS_OF_TABLES:
        name = f"views/{view}"
        for below in [name, *sources.dependencies(sources.texts[name])]:
            if "getvariable('period_" in sources.texts[below]:
                raise RuntimeError(f"{view} depends on the period through {below}")


@contextmanager
def _as_of_views(
    db: _Database, con: duckdb.DuckDBPyConnection, as_of: date, needs: Collection[str]
) -> Iterator[None]:
    """Put the as-of date's own copy of the shared views first on the cursor's search path.

    In it those of AS_OF_TABLES that the query needs (its dependencies, 'views/x') are tables,
    each made when first needed on that date; the cursor's as-of variable must be set. A view
    is made a table only while no other cursor reads the date's copy.
    """
    sources = catalogue_module.load().sources
    path = db.search_path
    with db.as_of_lock:
        state = db.as_ofs.get(as_of)
        if state is None:
            state = _AsOf(f"as_of_{as_of:%Y%m%d}")
            con.execute(f"create schema if not exists memory.{state.schema}")
            con.execute("set search_path = ?", [f"memory.{state.schema},{path}"])
            try:
                sources.create_views(con, f"memory.{state.schema}")
            except BaseException:
                con.execute(f"drop schema memory.{state.schema} cascade")
                raise
            db.as_ofs[as_of] = state
        db.as_ofs.move_to_end(as_of)
        missing = [v for v in AS_OF_TABLES if f"views/{v}" in needs and v not in state.tables]
        if missing:
            state.waiting += 1
            db.as_of_lock.wait_for(lambda: state.readers == 0)
            state.waiting -= 1
            con.execute("set search_path = ?", [f"memory.{state.schema},{path}"])
            for name in sources.order:
                view = name.split("/")[1]
                if view in missing and view not in state.tables:
                    sources.make_table(con, f"memory.{state.schema}", view)
                    state.tables.add(view)
        state.readers += 1
    try:
        con.execute("set search_path = ?", [f"memory.{state.schema},{path}"])
        yield
    finally:
        con.execute("set search_path = ?", [path])
        with db.as_of_lock:
            state.readers -= 1
            for day in list(db.as_ofs)[: max(len(db.as_ofs) - AS_OF_DATES, 0)]:
                if db.as_ofs[day].readers == db.as_ofs[day].waiting == 0:
                    con.execute(f"drop schema memory.{db.as_ofs.pop(day).schema} cascade")
            db.as_of_lock.notify_all()


@contextmanager
def _unit_table(
    ind: Indicator, snap: warehouse.Snapshot, period: periods.Period, as_of: date
) -> Iterator[str]:
    """Yield the name of the table holding the indicator's units (made once, then cached).

    The table stays while it is read; afterwards the least recently used tables are dropped
    once the cache exceeds its bound (CACHE_SHARE of the query memory).
    """
    db = _database(snap)
    con = _connection(snap)
    key = (ind.id, ind.version, period.start, period.end, as_of)
    with db.lock:
        entry = db.entries.get(key)
        if entry is not None:
            db.entries.move_to_end(key)
            entry.readers += 1
        else:
            db.tables_made += 1
            table = f"units_{db.tables_made}"
    if entry is None:
        _set_variables(con, period, as_of)
        query = ind.sql_text()
        needs = catalogue_module.load().sources.dependencies(query)
        with _as_of_views(db, con, as_of, needs):
            described = con.execute(f"describe {query}").fetchall()
            kept = ", ".join(c[0] for c in described if c[0] in KEPT_COLUMNS)
            con.execute(f"create table memory.main.{table} as select {kept} from ({query})")
        rows, columns = con.execute(
            "select estimated_size, column_count from duckdb_tables() "
            "where database_name = 'memory' and table_name = ?",
            [table],
        ).fetchone()
        with db.lock:
            entry = db.entries.get(key)
            if entry is not None:
                # another thread made the same list meanwhile: read theirs
                con.execute(f"drop table {table}")
                db.entries.move_to_end(key)
                entry.readers += 1
            else:
                entry = _Entry(table, max(rows, 1) * columns * _BYTES_PER_VALUE, readers=1)
                db.entries[key] = entry
                db.size += entry.size
    try:
        yield entry.table
    finally:
        with db.lock:
            entry.readers -= 1
            _evict(db, con)


def run_sql(
    sql: str, snap: warehouse.Snapshot, period: periods.Period, as_of: date
) -> pd.DataFrame:
    """Return the result of a catalogue or view query for a period and as-of date."""
    con = _connection(snap)
    _set_variables(con, period, as_of)
    return con.execute(sql).fetchdf()


def rounding_secret(snap: warehouse.Snapshot) -> bytes:
    """Return the snapshot's secret for disclosure rounding: its recorded key fingerprint.

    Viewers never see the fingerprint, so they cannot replay the rounding draws. Synthetic
    demo data use the public default, so that the demo gives everyone the same figures.
    """
    if snap.path not in _secrets:
        con = _connection(snap)
        synthetic = con.execute("select bool_and(is_synthetic) from load_batches").fetchone()[0]
        recorded = None if synthetic else warehouse.recorded_fingerprint(con)
        _secrets[snap.path] = recorded.encode() if recorded else disclosure.DEFAULT_SECRET
    return _secrets[snap.path]


_secrets: dict[Path, bytes] = {}


def clear_cache() -> None:
    """Forget cached figures and unit lists and close every snapshot's shared database."""
    with _cells_lock:
        _cells_cache.clear()
    with _databases_lock:
        for db in _databases.values():
            db.con.close()
        _databases.clear()
    _holds.clear()
    _secrets.clear()
    _local.cursors = {}


# --- aggregation -------------------------------------------------------------------------


def _t_quantile(df: int) -> float:
    """Return the 97.5 % quantile of Student's t with df degrees of freedom."""
    # scipy.special's inverse of the distribution function: the same value as
    # scipy.stats.t.ppf, without importing scipy.stats (half a second in a new process)
    from scipy import special

    return float(special.stdtrit(df, 0.975))


def _fill(template: str, names: Mapping[str, str]) -> str:
    """Return the SQL template with each {name} and {sets+column} replaced."""

    def one(match: re.Match[str]) -> str:
        name, extra = match.group(1), match.group(2)
        if name != "sets":
            return names[name]
        sets = [[], ["cell"]] if names["cell"] == "cell" else [[]]
        return ", ".join("(" + ", ".join(s + ([extra] if extra else [])) + ")" for s in sets)

    code = re.sub(r"--[^\n]*", "", template)  # the comments name the braces too
    return re.sub(r"\{(\w+)(?:\+(\w+))?\}", one, code)


def aggregate(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    table: str,
    breakdown: str | None = None,
    filters: Sequence[tuple[str, Sequence[str]]] = (),
    programme: str = "",
) -> list[dict[str, Any]]:
    """Return one indicator's figures per cell (overall first, then by breakdown value).

    Each is a dict of cell (None overall), category, value, numerator, denominator, n, ci_low
    and ci_high; a distribution gives one per category. The aggregation runs in DuckDB over
    the unit table; only the cells come back.
    """
    columns = {c[0] for c in con.execute(f"select * from {table} limit 0").description}
    for dim in [breakdown, *(d for d, _ in filters)]:
        if dim is not None and dim not in DIMENSIONS:
            raise ValueError(f"unknown dimension {dim!r}")
    params: dict[str, Any] = {"programme": programme}
    conditions = []
    for i, (dim, values) in enumerate(filters):
        conditions.append(f"list_contains($filter_{i}, {dim}::varchar)")
        params[f"filter_{i}"] = [str(v) for v in values]
    cells = _fill(
        _engine_sql("cells"),
        {
            "units": table,
            "breakdown": f"{breakdown}::varchar" if breakdown else "null::varchar",
            "weight": "value::double" if "value" in columns else "1::double",
            "filters": " and ".join(conditions) or "true",
        },
    )
    sql = _fill(
        _engine_sql(kind), {"cells": cells, "cell": "cell" if breakdown else "null::varchar"}
    )
    frame = con.execute(sql, params).fetchdf()
    nan = math.nan
    out = []
    for rec in frame.to_dict("records"):
        row = {
            "cell": rec["cell"],
            "category": rec.get("category"),
            **{
                k: nan if rec.get(k) is None or pd.isna(rec.get(k)) else float(rec[k])
                for k in ("value", "numerator", "denominator", "n")
            },
            "ci_low": nan,
            "ci_high": nan,
        }
        if kind == "mean_ci" and row["n"] > 1:
            half = _t_quantile(int(row["n"]) - 1) * float(rec["sd"]) / math.sqrt(row["n"])
            row["ci_low"], row["ci_high"] = row["value"] - half, row["value"] + half
        out.append(row)
    # the overall cell first, then cells and categories in order (Python's, not a collation's)
    out.sort(key=lambda r: (r["cell"] is not None, r["cell"] or "", r["category"] or ""))
    return out


def _figures(
    ind: Indicator,
    snap: warehouse.Snapshot,
    period: periods.Period,
    as_of: date,
    breakdown: str | None = None,
    filters: Sequence[tuple[str, Sequence[str]]] = (),
    programme: str = "",
) -> list[dict[str, Any]]:
    """Return the indicator's figures per cell, aggregated over its cached units."""
    frozen = tuple((dim, tuple(values)) for dim, values in filters)
    key = (snap.path, ind.id, ind.version, period.start, period.end, as_of, breakdown, frozen)
    key += (programme,)
    with _cells_lock:
        cells = _cells_cache.get(key)
        if cells is not None:
            _cells_cache.move_to_end(key)
    if cells is None:
        con = _connection(snap)
        with _unit_table(ind, snap, period, as_of) as table:
            if {breakdown, *(dim for dim, _ in filters)} <= {None, "programme"}:
                cells = aggregate(con, ind.kind, table, breakdown, filters, programme)
            else:
                # the units with their breakdown dimensions, as the indicator's query has them
                sources = catalogue_module.load().sources
                dims = sources.dimensions_sql
                units = f"(\nwith units as (select * from {table})\n{dims}\n)"
                db = _database(snap)
                with _as_of_views(db, con, as_of, sources.dependencies(dims)):
                    cells = aggregate(con, ind.kind, units, breakdown, filters, programme)
        with _cells_lock:
            _cells_cache[key] = cells
            while len(_cells_cache) > CELLS_CACHE:
                _cells_cache.popitem(last=False)
    return [dict(cell) for cell in cells]  # copies: callers add to them


def km_times(
    ind: Indicator, snap: warehouse.Snapshot, period: periods.Period, as_of: date
) -> pd.DataFrame:
    """Return a time-to-event indicator's event times: time, events, removed (from the risk set)."""
    con = _connection(snap)
    with _unit_table(ind, snap, period, as_of) as table:
        columns = {c[0] for c in con.execute(f"select * from {table} limit 0").description}
        if not {"duration", "event"} <= columns:
            raise ValueError(f"{ind.id} is not a time-to-event indicator.")
        return con.execute(_fill(_engine_sql("km_times"), {"units": table})).fetchdf()


def km_curve(times: pd.DataFrame) -> pd.DataFrame:
    """Return the Kaplan-Meier curve: time, at risk, events, survival (share not yet reached).

    times holds one row per distinct time, in order: time, events, removed (see km_times).
    """
    at_risk = int(times["removed"].sum())
    rows = [{"time": 0.0, "at_risk": at_risk, "events": 0, "survival": 1.0}]
    survival = 1.0
    for t, deaths, removed in times[["time", "events", "removed"]].itertuples(index=False):
        deaths = int(deaths)
        if deaths and at_risk:
            survival *= 1 - deaths / at_risk
        rows.append({"time": float(t), "at_risk": at_risk, "events": deaths, "survival": survival})
        at_risk -= int(removed)
    return pd.DataFrame(rows)


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
    cells = _figures(ind, req.snapshot, periods.Period("target", start, deadline), upto)
    value = cells[0]["value"]
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
    cells = _figures(
        ind,
        req.snapshot,
        req.period,
        req.as_of,
        req.breakdown,
        req.filters,
        programme.programme.id,
    )
    rows = []
    for figures in cells:
        value = figures.pop("cell")
        dim = None if value is None else req.breakdown
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
