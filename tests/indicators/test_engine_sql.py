"""The engine's aggregation SQL (indicators/sql/engine/<kind>.sql) on unit tables built by hand.

Each expected figure is worked out in the comments, or by the independent reference's
Kaplan-Meier median (exact fractions, tests/indicators/reference.py).
"""

from __future__ import annotations

import math
from typing import Any

import duckdb
import pandas as pd
import pytest

from indicators.catalogue import DIMENSIONS
from indicators.engine import aggregate
from tests.indicators.reference import km_median

# (cell, durations, events): the worked cases of test_engine_vs_reference's km_median test
KM_CASES = [
    # S: 3/4 at day 1, 1/2 at day 2 -> 2
    ("a", [1, 2, 3, 4], [1, 1, 1, 1], 2.0),
    # S: 4/5 at 1; at 2 one of 4 at risk -> 3/5; at 3 one of 2 -> 3/10 -> 3
    ("b", [1, 2, 2, 3, 5], [1, 0, 1, 1, 0], 3.0),
    # S stays at 2/3: never reaches one half
    ("c", [1, 5, 6], [1, 0, 0], math.nan),
    # 5/6, 4/6, then exactly 3/6 at day 96: a product in logarithms would overshoot it
    ("d", [23, 24, 35, 83, 87, 96, 103, 198, 1080], [0, 0, 0, 1, 1, 1, 1, 0, 0], 96.0),
]


def _table(rows: list[dict[str, Any]]) -> duckdb.DuckDBPyConnection:
    """Return a connection holding the rows as table `units`, every dimension 'x' unless set."""
    frame = pd.DataFrame(
        [{dim: "x" for dim in DIMENSIONS if dim != "programme"} | row for row in rows]
    )
    con = duckdb.connect()
    con.register("frame", frame)
    con.execute("create table units as select * from frame")
    return con


def _by_cell(cells: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    return {(c["cell"], c["category"]): c for c in cells}


def _same(actual: float, expected: float) -> bool:
    if math.isnan(expected):
        return math.isnan(actual)
    return actual == expected


def test_km_median_per_cell_and_overall_steps_exactly_like_the_worked_cases() -> None:
    rows = [
        {"unit_id": f"{cell}{i}", "gender": cell, "duration": float(d), "event": e}
        for cell, durations, events, _ in KM_CASES
        for i, (d, e) in enumerate(zip(durations, events, strict=True))
    ]
    # a unit without a duration counts in n, not in the risk set
    rows.append({"unit_id": "c9", "gender": "c", "duration": math.nan, "event": 0})
    cells = _by_cell(aggregate(_table(rows), "km_median", "units", breakdown="gender"))
    for cell, durations, _events, median in KM_CASES:
        got = cells[(cell, None)]
        assert _same(got["value"], median), cell
        assert got["n"] == len(durations) + (cell == "c")
    everyone = km_median(
        [d for _, ds, _, _ in KM_CASES for d in ds], [e for _, _, es, _ in KM_CASES for e in es]
    )
    assert _same(cells[(None, None)]["value"], everyone)
    assert cells[(None, None)]["n"] == 22
    assert [c["cell"] for c in aggregate(_table(rows), "km_median", "units", "gender")] == [
        None,
        "a",
        "b",
        "c",
        "d",
    ]


def test_distribution_shares_of_weight_with_uncategorised_units_in_the_total_only() -> None:
    rows = [
        {"unit_id": "u1", "category": "a", "value": 1.5},
        {"unit_id": "u1", "category": "a", "value": 0.5},
        {"unit_id": "u2", "category": "b", "value": 1.0},
        {"unit_id": "u3", "category": None, "value": 1.0},
    ]
    # total weight 4: a has 2 (one unit), b 1; the uncategorised unit has no row of its own
    cells = aggregate(_table(rows), "distribution", "units")
    assert [
        (c["category"], c["value"], c["numerator"], c["denominator"], c["n"]) for c in cells
    ] == [
        ("a", 0.5, 2.0, 4.0, 1.0),
        ("b", 0.25, 1.0, 4.0, 1.0),
    ]


def test_median_mean_sum_ratio_and_count_with_a_filter_and_a_breakdown() -> None:
    rows = [
        {
            "unit_id": "u1",
            "gender": "F",
            "municipality": "21015",
            "value": 1.0,
            "numerator": 1,
            "denominator": 1,
        },
        {
            "unit_id": "u2",
            "gender": "F",
            "municipality": "21015",
            "value": 2.0,
            "numerator": 0,
            "denominator": 1,
        },
        {
            "unit_id": "u3",
            "gender": "F",
            "municipality": "21004",
            "value": 4.0,
            "numerator": 1,
            "denominator": 1,
        },
        {
            "unit_id": "u4",
            "gender": "F",
            "municipality": "21004",
            "value": 10.0,
            "numerator": 0,
            "denominator": 0,
        },
        {
            "unit_id": "u5",
            "gender": "M",
            "municipality": "21004",
            "value": 100.0,
            "numerator": 1,
            "denominator": 1,
        },
    ]
    con = _table(rows)

    def run(kind: str) -> dict[Any, dict[str, Any]]:
        return _by_cell(aggregate(con, kind, "units", "municipality", [("gender", ["F"])]))

    # women: values 1, 2, 4, 10 -> median (2 + 4) / 2; 21015: 1, 2; 21004: 4, 10
    median = run("median")
    assert [median[(c, None)]["value"] for c in (None, "21015", "21004")] == [3.0, 1.5, 7.0]
    total = run("sum")
    assert [total[(c, None)]["value"] for c in (None, "21015", "21004")] == [17.0, 3.0, 14.0]
    count = run("count")
    assert [count[(c, None)]["value"] for c in (None, "21015", "21004")] == [4.0, 2.0, 2.0]
    ratio = run("ratio")
    assert [
        (ratio[(c, None)]["numerator"], ratio[(c, None)]["denominator"])
        for c in (None, "21015", "21004")
    ] == [(2.0, 3.0), (1.0, 2.0), (1.0, 1.0)]
    assert ratio[(None, None)]["value"] == 2 / 3
    # 21015: values 1 and 2: mean 1.5, sd sqrt(1/2); t(0.975, 1) = 12.706204736174...
    mean = run("mean_ci")[("21015", None)]
    assert mean["value"] == 1.5 and mean["n"] == 2.0
    half = 12.706204736174698 * math.sqrt(0.5) / math.sqrt(2)
    assert mean["ci_low"] == pytest.approx(1.5 - half) and mean["ci_high"] == pytest.approx(
        1.5 + half
    )


def test_mean_ci_of_three_values_and_figures_of_an_empty_selection() -> None:
    con = _table(
        [
            {
                "unit_id": f"u{v}",
                "value": float(v),
                "numerator": 1,
                "denominator": 2,
                "category": "a",
            }
            for v in (2, 4, 6)
        ]
    )
    # mean 4, sd 2, half-width t(0.975, 2) * 2 / sqrt(3) = 4.3026527 * 1.1547005
    (mean,) = aggregate(con, "mean_ci", "units")
    assert (mean["value"], mean["n"]) == (4.0, 3.0)
    assert mean["ci_low"] == pytest.approx(4 - 4.96827542, abs=1e-6)
    assert mean["ci_high"] == pytest.approx(4 + 4.96827542, abs=1e-6)
    nobody = [("gender", ["F"])]  # every unit's gender is 'x'
    (count,) = aggregate(con, "count", "units", filters=nobody)
    (total,) = aggregate(con, "sum", "units", filters=nobody)
    (ratio,) = aggregate(con, "ratio", "units", filters=nobody)
    assert (count["value"], total["value"], ratio["denominator"]) == (0.0, 0.0, 0.0)
    assert math.isnan(ratio["value"])
    assert aggregate(con, "distribution", "units", filters=nobody) == []


def test_the_programme_is_a_dimension_given_as_a_value() -> None:
    con = _table([{"unit_id": "u1", "value": 1.0}, {"unit_id": "u2", "value": 2.0}])
    cells = aggregate(con, "sum", "units", "programme", [("programme", ["connect"])], "connect")
    assert [(c["cell"], c["value"]) for c in cells] == [(None, 3.0), ("connect", 3.0)]
    other = aggregate(con, "sum", "units", None, [("programme", ["other"])], "connect")
    assert [c["value"] for c in other] == [0.0]


def test_a_dimension_outside_the_catalogue_never_reaches_the_sql() -> None:
    con = _table([{"unit_id": "u1", "value": 1.0}])
    with pytest.raises(ValueError, match="unknown dimension"):
        aggregate(con, "sum", "units", "value; drop table units")
