"""The bench itself: data per scale, every step in fresh processes, medians, ratios, targets.

For each scale it generates the synthetic data once (kept under the work folder, keyed by
scale and seed, and reused), then repeats: a load into a new warehouse, the overview session
and all indicators with the engine, the same session with the pandas reference, and the floor.
A step that fails, runs out of memory or time is recorded as failed with its reason; the bench
goes on with the next.
"""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from indicators.bench import spec
from indicators.bench.process import ChildRun, run_child
from pipelines import settings as project_settings
from pipelines import warehouse

PROJECT_ROOT = project_settings.PROJECT_ROOT
DEFAULT_WORK = PROJECT_ROOT / "data" / "bench"
DEFAULT_DOC = PROJECT_ROOT / "docs" / "benchmarks.md"
SCHEMA = 1
BENCH_KEY = "benchmark-key-not-secret"  # a pseudonym key for synthetic data only
# the product's own command line, as a user runs it (a child process, not an import)
CLI = (sys.executable, "-m", "dashboard.cli")
DRIVERS = (sys.executable, "-m", "indicators.bench.drivers")
STEPS = ("load", "session", "all", "pandas", "floor")

Echo = Callable[[str], None]


@dataclass(frozen=True)
class Settings:
    """How to run the bench: seed, runs per figure, work folder, and each step's fences."""

    seed: int = 2021
    repeat: int = 3
    work: Path = DEFAULT_WORK
    timeout_s: float = 3600.0
    memory_cap_gib: float | None = None

    @property
    def memory_cap_mib(self) -> float | None:
        """Return the memory cap of each step in MiB, None for none."""
        return self.memory_cap_gib * 1024 if self.memory_cap_gib else None


def machine() -> dict[str, Any]:
    """Return the machine and software the figures were measured on."""
    import duckdb
    import pandas as pd

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(memory / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "duckdb": duckdb.__version__,
        "pandas": pd.__version__,
    }


def commit() -> str | None:
    """Return the checkout's short commit id ('+dirty' with uncommitted changes), or None."""
    try:
        head = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{head}+dirty" if dirty else head


def child_env(work: Path) -> dict[str, str]:
    """Return the environment of every step: this checkout's code, a fixed key, logs in work."""
    env = dict(os.environ)
    env[project_settings.PSEUDONYM_KEY_ENV] = BENCH_KEY
    env[project_settings.LOG_DIR_ENV] = str(work / "logs")
    env["GX_ANALYTICS_ENABLED"] = "False"
    env.pop(project_settings.WAREHOUSE_ENV, None)
    # the children run the same code as this process, whatever is installed
    paths = [str(PROJECT_ROOT), *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def _run(ran: ChildRun, result: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return a step's run as JSON-ready data."""
    return {
        "ok": ran.ok,
        "wall_s": ran.wall_s,
        "peak_mib": ran.peak_mib,
        "failure": ran.failure,
        "load_avg": ran.load_avg,
        "result": result,
    }


def _failed(reason: str) -> dict[str, Any]:
    """Return the run of a step that could not be attempted."""
    return {
        "ok": False,
        "wall_s": None,
        "peak_mib": None,
        "failure": reason,
        "load_avg": None,
        "result": None,
    }


def _step(args: Sequence[str], log: Path, opts: Settings) -> ChildRun:
    return run_child(
        args,
        log,
        env=child_env(opts.work),
        timeout_s=opts.timeout_s,
        memory_cap_mib=opts.memory_cap_mib,
    )


def _driver(kind: str, extra: Sequence[str], folder: Path, run: int, opts: Settings) -> dict:
    """Run one driver in a fresh process; return its run with the result it wrote."""
    result_file = folder / "results" / f"{kind}-{run}.json"
    result_file.parent.mkdir(parents=True, exist_ok=True)
    result_file.unlink(missing_ok=True)
    args = [*DRIVERS, kind, *extra, "--result", str(result_file)]
    ran = _step(args, folder / "logs" / f"{kind}-{run}.log", opts)
    if not ran.ok:
        return _run(ran)
    try:
        return _run(ran, json.loads(result_file.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        failed = ChildRun(False, ran.wall_s, ran.peak_mib, f"no result: {exc}", ran.load_avg)
        return _run(failed)


def ensure_data(folder: Path, scale: str, opts: Settings, echo: Echo) -> dict[str, Any]:
    """Return the data of a scale and seed: reused when generated before, else generated now."""
    marker, raw = folder / "data.json", folder / "raw"
    if marker.exists():
        known = json.loads(marker.read_text(encoding="utf-8"))
        if known.get("scale") == scale and known.get("seed") == opts.seed:
            return {**known, "generated": False}
    echo(f"{scale}: generating the data (seed {opts.seed}) in {raw}")
    args = [*CLI, "generate", "--out", str(raw), "--scale", scale, "--seed", str(opts.seed)]
    ran = _step(args, folder / "logs" / "generate.log", opts)
    if not ran.ok:
        return {"scale": scale, "seed": opts.seed, "generated": True, **_run(ran)}
    data = {
        "scale": scale,
        "seed": opts.seed,
        "generate_s": ran.wall_s,
        "generate_peak_mib": ran.peak_mib,
        "csv_bytes": sum(p.stat().st_size for p in raw.glob("*.csv")),
    }
    marker.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return {**data, "generated": True}


def load_once(folder: Path, run: int, opts: Settings) -> dict[str, Any]:
    """Load the scale's data into a new warehouse with `connect-impact load`; keep it if it works.

    The new warehouse replaces the kept one only when the load succeeds, so a later failure
    leaves the queries a snapshot to run on.
    """
    fresh, kept = folder / "warehouse-new", folder / "warehouse"
    shutil.rmtree(fresh, ignore_errors=True)
    args = [*CLI, "load", str(folder / "raw"), "--warehouse", str(fresh)]
    ran = _step(args, folder / "logs" / f"load-{run}.log", opts)
    snap = warehouse.current(fresh) if ran.ok else None
    if snap is None:
        shutil.rmtree(fresh, ignore_errors=True)
        if ran.ok:
            reason = "the load published no snapshot"
            ran = ChildRun(False, ran.wall_s, ran.peak_mib, reason, ran.load_avg)
        return _run(ran)
    shutil.rmtree(kept, ignore_errors=True)
    fresh.rename(kept)
    snap = warehouse.current(kept)
    return _run(ran, {"snapshot": snap.path.name, "snapshot_bytes": snap.path.stat().st_size})


def measure_scale(scale: str, opts: Settings, echo: Echo) -> dict[str, Any]:
    """Return the runs of every step at one scale, opts.repeat times each."""
    folder = opts.work / f"{scale}-{opts.seed}"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(folder / "warehouse", ignore_errors=True)  # never query an older run's load
    data = ensure_data(folder, scale, opts, echo)
    runs: dict[str, list[dict[str, Any]]] = {step: [] for step in STEPS}
    if data.get("ok") is False:
        reason = f"no data: the generator failed ({data['failure']})"
        return {"data": data, "runs": {s: [_failed(reason)] * opts.repeat for s in STEPS}}
    for i in range(1, opts.repeat + 1):
        runs["load"].append(load_once(folder, i, opts))
        echo(f"{scale}: load {i}/{opts.repeat}: {_said(runs['load'][-1])}")
    wh = folder / "warehouse"
    loaded = warehouse.current(wh) is not None if wh.exists() else False
    floor_db = folder / "floor.duckdb"
    for i in range(1, opts.repeat + 1):
        for kind in ("session", "all", "pandas"):
            if loaded:
                runs[kind].append(_driver(kind, ["--warehouse", str(wh)], folder, i, opts))
            else:
                runs[kind].append(_failed("no snapshot: every load failed"))
            echo(f"{scale}: {kind} {i}/{opts.repeat}: {_said(runs[kind][-1])}")
        extra = ["--raw", str(folder / "raw"), "--db", str(floor_db)]
        runs["floor"].append(_driver("floor", extra, folder, i, opts))
        echo(f"{scale}: floor {i}/{opts.repeat}: {_said(runs['floor'][-1])}")
    floor_db.unlink(missing_ok=True)
    return {"data": data, "runs": runs}


def _said(run: Mapping[str, Any]) -> str:
    """Return a run in a few words for the progress lines."""
    if not run["ok"]:
        return f"failed: {run['failure']}"
    return f"{run['wall_s']:.1f} s, peak {run['peak_mib']:,.0f} MiB"


# --- from runs to figures ---------------------------------------------------------------


def _from_result(key: str, scale: float = 1.0) -> Callable[[Mapping[str, Any]], float]:
    return lambda run: run["result"][key] / scale


def _peak(run: Mapping[str, Any]) -> float:
    return run["peak_mib"]


# each figure: the step that measures it and how to read it from one of that step's runs
SOURCES: dict[str, tuple[str, Callable[[Mapping[str, Any]], float]]] = {
    "load_s": ("load", lambda run: run["wall_s"]),
    "load_peak_mib": ("load", _peak),
    "snapshot_mib": ("load", _from_result("snapshot_bytes", spec.MIB)),
    "headline_cold_s": ("session", _from_result("headline_cold_s")),
    "filter_p50_s": ("session", _from_result("filter_p50_s")),
    "filter_p90_s": ("session", _from_result("filter_p90_s")),
    "breakdown_s": ("session", _from_result("breakdown_s")),
    "all_cold_s": ("all", _from_result("all_cold_s")),
    "all_warm_s": ("all", _from_result("all_warm_s")),
    "pandas_headline_cold_s": ("pandas", _from_result("headline_cold_s")),
    "pandas_filter_p50_s": ("pandas", _from_result("filter_p50_s")),
    "pandas_filter_p90_s": ("pandas", _from_result("filter_p90_s")),
    "pandas_breakdown_s": ("pandas", _from_result("breakdown_s")),
    "pandas_peak_mib": ("pandas", _peak),
    "floor_load_s": ("floor", _from_result("floor_load_s")),
    "floor_query_s": ("floor", _from_result("floor_query_s")),
    "floor_s": ("floor", _from_result("floor_s")),
    "floor_peak_mib": ("floor", _peak),
    "floor_db_mib": ("floor", _from_result("floor_db_bytes", spec.MIB)),
}


def _values(runs: Mapping[str, list[Mapping[str, Any]]], name: str) -> list[dict[str, Any]]:
    """Return one figure's value in each run ({"value": ..., "failure": ...})."""
    if name == "query_peak_mib":
        # the querying processes: the overview session's and the all-indicators one
        pairs = zip(runs["session"], runs["all"], strict=True)
        return [
            {"value": max(a["peak_mib"], b["peak_mib"]), "failure": None}
            if a["ok"] and b["ok"]
            else {"value": None, "failure": a["failure"] or b["failure"]}
            for a, b in pairs
        ]
    step, read = SOURCES[name]
    return [
        {"value": read(run), "failure": None}
        if run["ok"]
        else {"value": None, "failure": run["failure"]}
        for run in runs[step]
    ]


def summarise(values: list[dict[str, Any]], unit: str) -> dict[str, Any]:
    """Return a figure's runs with their median, min and max (over the runs that worked)."""
    good = [v["value"] for v in values if v["value"] is not None]
    failures = [v["failure"] for v in values if v["value"] is None]
    failed = None
    if failures:
        failed = f"failed in {len(failures)} of {len(values)} runs: {failures[0]}"
    return {
        "unit": unit,
        "runs": [v["value"] for v in values],
        "median": statistics.median(good) if good else None,
        "min": min(good) if good else None,
        "max": max(good) if good else None,
        "failed": failed,
    }


def ratio(value: float | None, reference: float | None) -> float | None:
    """Return value / reference, None when either is missing or the reference is zero."""
    if value is None or reference is None or reference == 0:
        return None
    return value / reference


def figures(runs: Mapping[str, list[Mapping[str, Any]]]) -> tuple[dict, dict]:
    """Return the product's figures (with their ratios) and the references' figures."""
    references = {f.name: summarise(_values(runs, f.name), f.unit) for f in spec.REFERENCE_FIGURES}
    product = {}
    for fig in spec.FIGURES:
        entry = summarise(_values(runs, fig.name), fig.unit)
        pandas = references[fig.pandas]["median"] if fig.pandas else None
        floor = references[fig.floor]["median"] if fig.floor else None
        entry["ratio_to_pandas"] = ratio(entry["median"], pandas)
        entry["ratio_to_floor"] = ratio(entry["median"], floor)
        product[fig.name] = entry
    return product, references


def _first_result(runs: list[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    return next((run["result"] for run in runs if run["ok"]), None)


def _same(a: Any, b: Any) -> bool:
    """Return whether two figures agree (both missing, or equal up to rounding)."""
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def checks(runs: Mapping[str, list[Mapping[str, Any]]]) -> dict[str, Any]:
    """Return what the runs computed, to check against values worked out independently."""
    from indicators import catalogue

    session, pandas = _first_result(runs["session"]), _first_result(runs["pandas"])
    every, floor = _first_result(runs["all"]), _first_result(runs["floor"])
    agree = None
    if session and pandas:
        pairs = [(session["headline"], pandas["headline"])] + [
            (e["values"], p["values"])
            for e, p in zip(session["filtered"], pandas["filtered"], strict=True)
        ]
        agree = all(set(e) == set(p) and all(_same(e[k], p[k]) for k in e) for e, p in pairs)
    return {
        "catalogue_indicators": len(catalogue.load().indicators),
        "indicators_computed": every["indicators"] if every else None,
        "engine": {k: session[k] for k in ("headline", "filtered")} if session else None,
        "pandas": {k: pandas[k] for k in ("headline", "filtered")} if pandas else None,
        "engine_agrees_with_pandas": agree,
        "floor": {k: floor[k] for k in ("rows", "matches", "hours_total")} if floor else None,
    }


def busy(runs: Mapping[str, list[Mapping[str, Any]]]) -> dict[str, float] | None:
    """Return the median and max of the load averages the steps ended with, None if none."""
    seen = [r["load_avg"] for step in runs.values() for r in step if r.get("load_avg") is not None]
    if not seen:
        return None
    return {"median": statistics.median(seen), "max": max(seen)}


def scale_result(scale: str, measured: Mapping[str, Any], opts: Settings) -> dict[str, Any]:
    """Return everything the JSON holds about one scale."""
    product, references = figures(measured["runs"])
    return {
        "load_avg": busy(measured["runs"]),
        "date": date.today().isoformat(),
        "commit": commit(),
        "machine": machine(),
        "seed": opts.seed,
        "repeat": opts.repeat,
        "timeout_s": opts.timeout_s,
        "memory_cap_gib": opts.memory_cap_gib,
        "data": measured["data"],
        "figures": product,
        "references": references,
        "targets": spec.assess(scale, product),
        "checks": checks(measured["runs"]),
        "runs": measured["runs"],
    }


def read_results(path: Path) -> dict[str, Any]:
    """Return the results file's content, or an empty one when absent or of another shape."""
    try:
        known = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return known if isinstance(known, dict) and known.get("schema") == SCHEMA else {}


def run(
    scales: Sequence[str], opts: Settings, out: Path, doc: Path | None, echo: Echo
) -> dict[str, Any]:
    """Measure the scales, merge them into the results file and write the doc; return results.

    Scales measured before and not measured now are kept, so `--scales XL` adds its row.
    """
    from indicators.bench import report

    results = read_results(out)
    results.update(
        schema=SCHEMA,
        machine=machine(),
        headline=list(spec.HEADLINE),
        filters=[{"municipality": m, "period": p} for m, p in spec.FILTERS],
        breakdown=spec.BREAKDOWN,
        role=spec.ROLE,
    )
    measured_scales = results.setdefault("scales", {})
    for scale in scales:
        measured = measure_scale(scale, opts, echo)
        measured_scales[scale] = scale_result(scale, measured, opts)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=1, allow_nan=False) + "\n", encoding="utf-8")
        echo(f"{scale}: done; results in {out}")
    # targets are the current table applied to the stored medians: scales kept from an
    # earlier run are judged again, so the file and the doc always agree with spec.py
    for scale, stored in measured_scales.items():
        stored["targets"] = spec.assess(scale, stored["figures"])
    out.write_text(json.dumps(results, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    if doc is not None:
        report.write_doc(doc, results)
        echo(f"wrote {doc}")
    return results
