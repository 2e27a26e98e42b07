"""`make bench`: time generation, loading and indicator queries at scale M (docs/benchmarks.md).

Measured and written down, never enforced: a slow run prints slow numbers, it does not fail.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from pipelines.settings import PROJECT_ROOT

BENCH_DOC = PROJECT_ROOT / "docs" / "benchmarks.md"
CLI = [sys.executable, "-m", "dashboard.cli"]


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a CLI command; return its wall time in seconds and the children's peak RSS in MiB."""
    start = time.perf_counter()
    subprocess.run(CLI + args, check=True, env=env, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, peak_kib / 1024


def _timed(fn, repeat: int = 5) -> float:
    """Return the median wall time of fn in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    """Run the benchmark and write docs/benchmarks.md."""
    work = Path(tempfile.mkdtemp(prefix="connect-bench-"))
    env = dict(
        os.environ, CONNECT_PSEUDONYM_KEY="benchmark-key-not-secret", GX_ANALYTICS_ENABLED="False"
    )
    raw, wh = work / "raw", work / "warehouse"
    rows = []
    t, peak = _run(["generate", "--out", str(raw), "--scale", "M", "--seed", "2021"], env)
    rows.append(("generate --scale M", f"{t:.1f} s", f"{peak:.0f} MiB"))
    print(rows[-1], flush=True)
    t, peak = _run(["load", str(raw), "--warehouse", str(wh)], env)
    rows.append(("load (M, first load)", f"{t:.1f} s", f"{peak:.0f} MiB"))
    print(rows[-1], flush=True)
    t, _ = _run(["load", str(raw), "--warehouse", str(wh)], env)
    rows.append(("load again (same files: skipped)", f"{t:.1f} s", ""))
    print(rows[-1], flush=True)

    os.environ["CONNECT_PSEUDONYM_KEY"] = env["CONNECT_PSEUDONYM_KEY"]
    from indicators import engine

    start = time.perf_counter()
    engine.compute(period="programme", warehouse_dir=wh)
    cold = (time.perf_counter() - start) * 1000
    rows.append(("all 34 indicators, cold (connection, views, unit queries)", f"{cold:.0f} ms", ""))
    warm = _timed(lambda: engine.compute(period="programme", warehouse_dir=wh))
    rows.append(("all 34 indicators, cached units", f"{warm:.0f} ms", ""))
    ids = ["duos_formed", "share_40h", "flow_any_6m", "hours_total"]
    flip = iter(["F", "M", "X"] * 10)
    filt = _timed(
        lambda: engine.compute(ids, "programme", filters={"gender": [next(flip)]}, warehouse_dir=wh)
    )
    rows.append(("filter change (4 headline indicators, gender)", f"{filt:.0f} ms", ""))
    by = _timed(
        lambda: engine.compute(ids, "programme", breakdown="municipality", warehouse_dir=wh)
    )
    rows.append(("breakdown by municipality (4 indicators)", f"{by:.0f} ms", ""))
    new_period = _timed(lambda: engine.compute(ids, "2022-Q3", warehouse_dir=wh), repeat=1)
    rows.append(("new period, uncached (4 indicators)", f"{new_period:.0f} ms", ""))
    for r in rows[3:]:
        print(r, flush=True)

    size = sum(p.stat().st_size for p in (wh / "snapshots").glob("*.duckdb")) / 2**20
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (tests/bench/run_bench.py): scale M of the synthetic generator",
        "(about 100 times the demo programme). Measured, never enforced by a test.",
        "",
        f"- Date: {date.today().isoformat()}; machine: {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}",
        f"- Snapshot size after the load: {size:.0f} MiB",
        "",
        "| step | time | peak memory |",
        "|---|---|---|",
        *[f"| {a} | {b} | {c} |" for a, b, c in rows],
        "",
    ]
    BENCH_DOC.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {BENCH_DOC}")


if __name__ == "__main__":
    main()
