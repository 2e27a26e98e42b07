"""The bench's child processes: each measures one thing in a fresh process, writes JSON, exits.

Run as `python -m indicators.bench.drivers KIND ... --result FILE`, where KIND is
- session: what a dashboard user does (the overview's 4 headline indicators cold, the filter
  interaction, the breakdown by municipality), with the engine;
- all: every catalogue indicator cold, then warm, with the engine;
- pandas: the session again with the independent pandas reference (tests/indicators/reference.py,
  present in a source checkout only);
- floor: DuckDB reading the same CSV files into tables and one grouped sum of hours by match.
Timings are taken inside the child, after its imports; the parent measures its peak memory.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from indicators.bench import spec
from pipelines.settings import PROJECT_ROOT

REFERENCE_FILE = PROJECT_ROOT / "tests" / "indicators" / "reference.py"
MISSING_REFERENCE = (
    f"The pandas reference ({REFERENCE_FILE.relative_to(PROJECT_ROOT)}) is missing: it lives in "
    "the tests of a source checkout, so run the bench from a source checkout to measure pandas."
)
EXIT_MISSING = 3


def percentile(values: list[float], q: float) -> float:
    """Return the q-quantile (0..1) of values, interpolating linearly between closest ranks."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Return fn's wall time in seconds and its result."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _number(value: Any) -> float | None:
    """Return a figure as a plain float, None when it is missing."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _overall(frame: Any) -> dict[str, float | None]:
    """Return {indicator id: value} of the overall rows of a figures frame."""
    rows = frame[frame["breakdown"].isna()]
    return {str(i): _number(v) for i, v in zip(rows["id"], rows["value"], strict=True)}


def _session(figures: Callable[..., Any], prepare: Callable[[], Any] | None = None) -> dict:
    """Return a session's timings, with the figures it computed (to compare the two ways).

    figures(period, **options) computes the headline indicators; prepare, when given, runs
    first and counts as part of the cold start (the pandas reference reads its tables).
    """
    start = time.perf_counter()
    if prepare is not None:
        prepare()
    headline = _overall(figures("programme"))
    cold_s = time.perf_counter() - start
    filter_s, filtered = [], []
    for municipality, period in spec.FILTERS:
        took, frame = _timed(lambda m=municipality, p=period: figures(p, municipality=[m]))
        filter_s.append(took)
        filtered.append({"municipality": municipality, "period": period, "values": _overall(frame)})
    by_s, by = _timed(lambda: figures("programme", breakdown=spec.BREAKDOWN))
    return {
        "headline_cold_s": cold_s,
        "filter_s": filter_s,
        "filter_p50_s": percentile(filter_s, 0.5),
        "filter_p90_s": percentile(filter_s, 0.9),
        "breakdown_s": by_s,
        "breakdown_rows": int((by["breakdown"] == spec.BREAKDOWN).sum()),
        "headline": headline,
        "filtered": filtered,
    }


def engine_session(wh: Path) -> dict[str, Any]:
    """Return the timings of the overview session with the engine, in this fresh process."""
    from indicators import engine

    def figures(period: str, municipality: list[str] | None = None, **kw: Any) -> Any:
        filters = {"municipality": municipality} if municipality else None
        return engine.compute(
            list(spec.HEADLINE), period, filters=filters, role=spec.ROLE, warehouse_dir=wh, **kw
        )

    return _session(figures)


def engine_all(wh: Path) -> dict[str, Any]:
    """Return the timings of every catalogue indicator, cold then warm, with the engine."""
    from indicators import engine

    def everything() -> Any:
        return engine.compute(None, "programme", role=spec.ROLE, warehouse_dir=wh)

    cold, frame = _timed(everything)
    warm, _ = _timed(everything)
    return {"all_cold_s": cold, "all_warm_s": warm, "indicators": int(frame["id"].nunique())}


def _reference_module() -> Any:
    """Return tests/indicators/reference.py as a module; exit with one sentence when absent."""
    if not REFERENCE_FILE.exists():
        print(MISSING_REFERENCE, file=sys.stderr)
        raise SystemExit(EXIT_MISSING)
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    try:
        from tests.indicators import reference
    except ImportError as exc:
        print(
            f"The pandas reference cannot be imported ({exc}): it needs the dev dependencies "
            "(pip install -e '.[dev]').",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_MISSING) from None
    return reference


def pandas_session(wh: Path) -> dict[str, Any]:
    """Return the timings of the overview session with the pandas reference."""
    import pandas as pd

    from pipelines import warehouse

    ref = _reference_module()
    as_of = pd.Timestamp(warehouse.snapshot(wh).created_at[:10])  # the engine's default as-of
    programme = ref.programme_id()
    tables: list[Any] = []
    references: dict[str, Any] = {}

    def figures(period: str, municipality: list[str] | None = None, **kw: Any) -> pd.DataFrame:
        # like the engine's unit cache: a period's units are worked out once per process
        if period not in references:
            start, end = ref.parse_period(period)
            references[period] = ref.Reference(tables[0], start, end, as_of, programme)
        filters = {"municipality": municipality} if municipality else None
        return pd.concat(
            [references[period].figures(i, filters=filters, **kw) for i in spec.HEADLINE]
        )

    return _session(figures, prepare=lambda: tables.append(ref.read_tables(wh)))


def floor(raw: Path, db: Path) -> dict[str, Any]:
    """Return the floor's timings: DuckDB reads every CSV file into a table, one grouped sum."""
    import duckdb
    import numpy  # noqa: F401  (imported here, so that fetchnumpy's first call is not timed)

    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    rows = {}
    start = time.perf_counter()
    for path in sorted(raw.glob("*.csv")):
        con.read_csv(str(path), header=True).create(path.stem)
    load_s = time.perf_counter() - start
    for path in sorted(raw.glob("*.csv")):
        rows[path.stem] = con.execute(f'select count(*) from "{path.stem}"').fetchone()[0]
    query = "select match_id, sum(hours) as hours from contacts group by match_id"
    query_s, grouped = _timed(lambda: con.execute(query).fetchnumpy())
    con.close()
    return {
        "floor_load_s": load_s,
        "floor_query_s": query_s,
        "floor_s": load_s + query_s,
        "floor_db_bytes": db.stat().st_size,
        "rows": rows,
        "matches": len(grouped["match_id"]),
        "hours_total": float(grouped["hours"].sum()),
    }


def main(argv: list[str] | None = None) -> None:
    """Run one driver and write its result as JSON to --result."""
    parser = argparse.ArgumentParser(prog="python -m indicators.bench.drivers")
    parser.add_argument("kind", choices=("session", "all", "pandas", "floor"))
    parser.add_argument("--warehouse", type=Path)
    parser.add_argument("--raw", type=Path)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--result", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.kind == "floor":
        result = floor(args.raw, args.db)
    else:
        run = {"session": engine_session, "all": engine_all, "pandas": pandas_session}[args.kind]
        result = run(args.warehouse)
    args.result.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
