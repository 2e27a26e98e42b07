"""`connect-impact bench`: the harness's parts, and the whole bench at scale S with one run.

Nothing here asserts a timing: figures are checked against values worked out another way
(file sizes, sums over the CSV files, the catalogue) and against each other.
"""

from __future__ import annotations

import csv
import json
import math
import os
import sys

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

from dashboard.cli import app
from indicators.bench import drivers, harness, process, report, spec
from pipelines.settings import PROJECT_ROOT

PY = sys.executable


# --- the parts ---------------------------------------------------------------------------


def test_percentile_interpolates_between_the_closest_ranks():
    # sorted 1..5: position (5 - 1) * 0.9 = 3.6, between 4 and 5
    assert drivers.percentile([5.0, 1.0, 4.0, 2.0, 3.0], 0.9) == pytest.approx(4.6)
    assert drivers.percentile([5.0, 1.0, 4.0, 2.0, 3.0], 0.5) == 3.0
    assert drivers.percentile([7.0], 0.9) == 7.0


def test_a_step_s_peak_memory_is_its_own(tmp_path):
    big = process.run_child(
        [PY, "-c", "block = b'x' * (300 * 2**20)"], tmp_path / "big.log", timeout_s=120
    )
    held = b"x" * (300 * 2**20)  # this process is big too while the small step runs
    small = process.run_child([PY, "-c", "pass"], tmp_path / "small.log", timeout_s=120)
    assert big.ok and small.ok and len(held) == 300 * 2**20
    # the 300 MiB block was resident in the big step; the small step counts neither that
    # step's memory nor this process's
    assert big.peak_mib >= 300
    assert small.peak_mib < 100


def test_a_step_past_its_timeout_is_stopped_and_recorded(tmp_path):
    ran = process.run_child(
        [PY, "-c", "import time; time.sleep(600)"], tmp_path / "slow.log", timeout_s=1
    )
    assert (ran.ok, ran.failure) == (False, "timeout after 1 s")


def test_a_failing_step_gives_its_last_line_as_the_reason(tmp_path):
    ran = process.run_child(
        [PY, "-c", "import sys; print('working'); sys.exit('the data is gone')"],
        tmp_path / "fail.log",
    )
    assert (ran.ok, ran.failure) == (False, "exit 1: the data is gone")


def test_the_memory_cap_fails_the_step_not_the_machine(tmp_path):
    ran = process.run_child(
        [PY, "-c", "block = b'x' * (2 * 2**30)"],
        tmp_path / "greedy.log",
        memory_cap_mib=512,
    )
    assert not ran.ok
    assert ran.failure == "exit 1: MemoryError"
    assert ran.peak_mib < 512


def test_the_pandas_reference_missing_is_said_in_one_sentence(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(drivers, "REFERENCE_FILE", tmp_path / "reference.py")
    with pytest.raises(SystemExit) as stop:
        drivers._reference_module()
    assert stop.value.code == drivers.EXIT_MISSING
    assert "run the bench from a source checkout" in capsys.readouterr().err


def test_data_generated_before_for_the_same_scale_and_seed_is_reused(tmp_path):
    folder = tmp_path / "S-7"
    folder.mkdir()
    (folder / "data.json").write_text(json.dumps({"scale": "S", "seed": 7, "csv_bytes": 12}))
    said: list[str] = []
    data = harness.ensure_data(folder, "S", harness.Settings(seed=7, work=tmp_path), said.append)
    assert data == {"scale": "S", "seed": 7, "csv_bytes": 12, "generated": False}
    assert said == []  # nothing was generated


def _run(value: float | None, peak: float | None = 100.0, **result: float) -> dict:
    ok = value is not None
    return {
        "ok": ok,
        "wall_s": value,
        "peak_mib": peak if ok else None,
        "failure": None if ok else "killed by SIGKILL (out of memory?)",
        "load_avg": None,
        "result": result if ok else None,
    }


def _hand_runs() -> dict[str, list[dict]]:
    """Return three runs of every step, worked out by hand; the second load ran out of memory."""
    session = dict(headline_cold_s=2.0, filter_p50_s=0.1, filter_p90_s=0.2, breakdown_s=1.0)
    pandas = dict(headline_cold_s=1.0, filter_p50_s=0.5, filter_p90_s=1.0, breakdown_s=2.0)
    floor = dict(floor_load_s=5.0, floor_query_s=0.1, floor_s=5.1, floor_db_bytes=2**20)
    return {
        "load": [
            _run(30.0, 900.0, snapshot_bytes=150 * 2**20),
            _run(None),
            _run(10.0, 700.0, snapshot_bytes=150 * 2**20),
        ],
        "session": [_run(1.0, 300.0, **session)] * 3,
        "all": [_run(1.0, 400.0, all_cold_s=4.0, all_warm_s=0.5)] * 3,
        "pandas": [_run(1.0, 800.0, **pandas)] * 3,
        "floor": [_run(1.0, 200.0, **floor)] * 3,
    }


def test_figures_take_the_median_of_the_runs_that_worked_and_name_the_failures():
    product, references = harness.figures(_hand_runs())
    load = product["load_s"]
    assert (load["runs"], load["median"], load["min"], load["max"]) == (
        [30.0, None, 10.0],
        20,
        10,
        30,
    )
    assert load["failed"] == "failed in 1 of 3 runs: killed by SIGKILL (out of memory?)"
    assert load["ratio_to_floor"] == 20 / 5.0
    assert product["snapshot_mib"]["median"] == 150
    assert product["filter_p90_s"]["ratio_to_pandas"] == 0.2
    assert product["query_peak_mib"]["median"] == 400  # the larger querying process
    assert product["query_peak_mib"]["ratio_to_pandas"] == 0.5
    assert references["floor_db_mib"]["median"] == 1
    targets = {(t["figure"], t["measure"]): t for t in spec.assess("L", product)}
    assert targets["load_s", "median"]["met"] is True  # 20 s, under 60 s
    assert targets["all_cold_s", "median"]["met"] is True  # 4 s, under 5 s
    assert targets["filter_p90_s", "ratio_to_pandas"]["met"] is True  # exactly 5 times faster
    assert targets["snapshot_mib", "median"]["met"] is False  # 150 MiB is 157 MB
    assert targets["snapshot_mib", "median"]["limit"] == pytest.approx(1e8 / 2**20)


def test_a_figure_that_failed_in_every_run_has_no_value_and_meets_no_target():
    runs = {
        step: [harness._failed("no data: the generator failed (timeout after 9 s)")]
        for step in harness.STEPS
    }
    product, _ = harness.figures(runs)
    assert product["load_peak_mib"]["median"] is None
    assert product["load_peak_mib"]["failed"].endswith("(timeout after 9 s)")
    xl = {t["figure"]: t for t in spec.assess("XL", product)}
    assert xl["load_peak_mib"] == {
        "figure": "load_peak_mib",
        "measure": "median",
        "target": "completes, under 4 GB",
        "limit": pytest.approx(4e9 / 2**20),
        "value": None,
        "met": False,
    }


def test_quantities_are_written_for_reading():
    assert report.quantity(0.0845, "s") == "84 ms"
    assert report.quantity(0.00512, "s") == "5.1 ms"
    assert report.quantity(2.807, "s") == "2.81 s"
    assert report.quantity(421.04, "s") == "421.0 s"
    assert report.quantity(4915.2, "MiB") == "4,915 MiB"
    assert report.quantity(None, "s") == "–"


MACHINE = {"cores": 2, "memory_gib": 23.5, "python": "3.11.7", "duckdb": "2", "pandas": "2"}


def _hand_scale() -> dict:
    """Return a scale's results as the JSON holds them, from the hand-worked runs."""
    product, references = harness.figures(_hand_runs())
    return {
        "date": "2026-11-29",
        "commit": "abc1234",
        "seed": 2021,
        "repeat": 3,
        "timeout_s": 3600.0,
        "memory_cap_gib": None,
        "load_avg": {"median": 1.5, "max": 2.5},
        "data": {"csv_bytes": 30 * 2**20},
        "figures": product,
        "references": references,
        "targets": spec.assess("L", product),
        "checks": {
            "catalogue_indicators": 38,
            "floor": {"rows": {"contacts": 4_124_000}},
            "engine_agrees_with_pandas": True,
        },
    }


def test_the_doc_keeps_everything_outside_the_generated_section(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text(f"# B\n\nintro\n\n{report.BEGIN}\nold table\n{report.END}\n\n## Before\nkept\n")
    report.write_doc(doc, {"machine": MACHINE, "scales": {"L": _hand_scale()}})
    text = doc.read_text()
    assert text.startswith(f"# B\n\nintro\n\n{report.BEGIN}\n")
    assert text.endswith(f"{report.END}\n\n## Before\nkept\n")
    assert "old table" not in text
    lines = text.splitlines()
    assert "Machine: 2 cores, 23.5 GiB memory; Python 3.11.7, DuckDB 2, pandas 2." in lines
    assert (
        "- L: 4,124,000 contacts, 30 MiB of CSV; measured 2026-11-29 on commit abc1234, "
        "3 run(s) per figure, seed 2021, timeout 3600 s per step; load average as steps ended: "
        "median 1.5, max 2.5."
    ) in lines
    assert "| load: peak memory | 800 MiB (700 MiB – 900 MiB) * |" in lines
    assert "| filter interaction p90 (4 headline, 5 filters) | pandas ×0.2, floor ×2 |" in lines
    assert "| L | snapshot size | under 100 MB | 95 MiB | 150 MiB | NOT met |" in lines
    assert (
        "| L | filter interaction p90 (4 headline, 5 filters) | at least 5 times faster than "
        "pandas | ×0.2 pandas | ×0.2 pandas | met |"
    ) in lines
    assert (
        "- L, load (`connect-impact load`, new warehouse): failed in 1 of 3 runs: "
        "killed by SIGKILL (out of memory?)"
    ) in lines


def test_scales_kept_from_an_earlier_run_are_judged_again_by_the_current_targets(tmp_path):
    stale = {**_hand_scale(), "targets": [{"figure": "load_s", "met": False}]}
    out, doc = tmp_path / "bench.json", tmp_path / "benchmarks.md"
    out.write_text(json.dumps({"schema": harness.SCHEMA, "scales": {"L": stale}}))
    harness.run([], harness.Settings(work=tmp_path), out, doc, lambda line: None)
    kept = json.loads(out.read_text())["scales"]["L"]
    assert kept["targets"] == spec.assess("L", kept["figures"])
    assert (
        "| L | load (`connect-impact load`, new warehouse) | under 60 s | 60.0 s | 20.0 s | met |"
        in doc.read_text().splitlines()
    )


# --- the whole bench at scale S, one run ---------------------------------------------------


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory):
    """Run `connect-impact bench --scales S --repeat 1` into a temporary folder."""
    tmp = tmp_path_factory.mktemp("bench")
    doc = tmp / "benchmarks.md"
    doc.write_text((PROJECT_ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8"))
    out = tmp / "bench.json"
    args = ["bench", "--scales", "S", "--repeat", "1", "--out", str(out)]
    args += ["--work", str(tmp / "work"), "--doc", str(doc)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return tmp, json.loads(out.read_text(encoding="utf-8")), doc.read_text(encoding="utf-8")


@pytest.mark.slow
def test_every_figure_is_measured_once_with_its_ratios(bench_run):
    _, results, _ = bench_run
    assert set(results["scales"]) == {"S"}
    s = results["scales"]["S"]
    assert s["repeat"] == 1
    for group, figs in (("figures", spec.FIGURES), ("references", spec.REFERENCE_FIGURES)):
        assert set(s[group]) == {f.name for f in figs}
        for entry in s[group].values():
            assert entry["failed"] is None
            assert len(entry["runs"]) == 1
            assert entry["median"] == entry["min"] == entry["max"] == entry["runs"][0]
    for fig in spec.FIGURES:
        entry = s["figures"][fig.name]
        floor = s["references"][fig.floor]["median"]
        assert entry["ratio_to_floor"] == pytest.approx(entry["median"] / floor)
        if fig.pandas:
            pandas = s["references"][fig.pandas]["median"]
            assert entry["ratio_to_pandas"] == pytest.approx(entry["median"] / pandas)
        else:
            assert entry["ratio_to_pandas"] is None
    session, every = s["runs"]["session"][0], s["runs"]["all"][0]
    assert len(session["result"]["filter_s"]) == len(spec.FILTERS) == 5
    assert s["figures"]["query_peak_mib"]["median"] == max(session["peak_mib"], every["peak_mib"])


@pytest.mark.slow
def test_the_snapshot_size_is_the_file_on_disk(bench_run):
    tmp, results, _ = bench_run
    files = list((tmp / "work" / "S-2021" / "warehouse" / "snapshots").glob("*.duckdb"))
    assert len(files) == 1
    size = results["scales"]["S"]["figures"]["snapshot_mib"]["median"]
    assert size * 2**20 == files[0].stat().st_size


@pytest.mark.slow
def test_all_the_catalogue_s_indicators_are_computed(bench_run):
    _, results, _ = bench_run
    written = yaml.safe_load((PROJECT_ROOT / "indicators" / "catalogue.yaml").read_text())
    count = len(written["indicators"])
    checks = results["scales"]["S"]["checks"]
    assert checks["catalogue_indicators"] == checks["indicators_computed"] == count


@pytest.mark.slow
def test_the_floor_s_grouped_sum_is_the_csv_s(bench_run):
    tmp, results, _ = bench_run
    raw = tmp / "work" / "S-2021" / "raw"
    query = "select sum(hours), count(distinct match_id) from read_csv(?)"
    with duckdb.connect() as con:
        total, matches = con.execute(query, [str(raw / "contacts.csv")]).fetchone()
    floor = results["scales"]["S"]["checks"]["floor"]
    assert floor["hours_total"] == pytest.approx(total)
    assert floor["matches"] == matches
    for path in raw.glob("*.csv"):
        with path.open(newline="", encoding="utf-8") as f:
            assert floor["rows"][path.stem] == sum(1 for _ in csv.reader(f)) - 1


@pytest.mark.slow
def test_the_engine_and_pandas_computed_the_same_headline_figures(bench_run):
    tmp, results, _ = bench_run
    checks = results["scales"]["S"]["checks"]
    engine, pandas = checks["engine"], checks["pandas"]
    assert set(engine["headline"]) == set(spec.HEADLINE)

    def same(a, b):
        return (a is None and b is None) or math.isclose(a, b, rel_tol=1e-9)

    pairs = [(engine["headline"], pandas["headline"])]
    assert len(engine["filtered"]) == len(pandas["filtered"]) == len(spec.FILTERS)
    pairs += [
        (e["values"], p["values"])
        for e, p in zip(engine["filtered"], pandas["filtered"], strict=True)
    ]
    assert all(same(e[k], p[k]) for e, p in pairs for k in spec.HEADLINE)
    assert checks["engine_agrees_with_pandas"] is True
    # duos formed over the programme: every match of the export is dated inside it
    with (tmp / "work" / "S-2021" / "raw" / "matches.csv").open(encoding="utf-8") as f:
        dated = [r["matched_on"] for r in csv.DictReader(f)]
    inside = [d for d in dated if "2021-06-01" <= d <= "2023-12-31"]
    assert engine["headline"]["duos_formed"] == len(inside)


@pytest.mark.slow
def test_targets_are_judged_by_their_limits(bench_run):
    _, results, _ = bench_run
    assessed = results["scales"]["S"]["targets"]
    baselines = spec.BASELINES["S"]
    assert {t["figure"] for t in assessed} == set(baselines)
    for t in assessed:
        assert t["limit"] == pytest.approx(baselines[t["figure"]] * 1.10)
        assert t["value"] == results["scales"]["S"]["figures"][t["figure"]]["median"]
        assert t["met"] == (t["value"] <= t["limit"])


@pytest.mark.slow
def test_the_doc_gets_the_table_and_keeps_the_before_section(bench_run):
    _, results, doc = bench_run
    original = (PROJECT_ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    before = original[original.index("## Before") :]
    assert doc.endswith(before)
    section = doc[doc.index(report.BEGIN) : doc.index(report.END)]
    assert f"Machine: {os.cpu_count()} cores" in section
    snapshot = results["scales"]["S"]["figures"]["snapshot_mib"]["median"]
    assert f"| snapshot size | {report.quantity(snapshot, 'MiB')} |" in section
