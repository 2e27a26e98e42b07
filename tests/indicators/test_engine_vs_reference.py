"""The engine's figures equal those of an independent pandas implementation (reference.py).

Both run on synthetic warehouses built by the project's own pipeline (scales S and M), for
several periods and as-of dates, for every indicator and every breakdown it allows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from indicators import catalogue
from indicators.engine import clear_cache, compute
from pipelines.generate import generate
from pipelines.load import load
from tests.indicators.reference import (
    KINDS,
    Reference,
    Tables,
    add_months,
    km_median,
    parse_period,
    programme_id,
    read_tables,
)

PSEUDONYM_KEY = "engine-vs-reference-pseudonym-key-2021"
SEED = 2021
# (period, as_of); None is the engine's default as-of date, read back from its output
CASES = [
    ("programme", None),
    ("2021-06-01..2022-01-31", None),
    ("2022", None),
    ("2023-Q2", None),
    ("programme", "2022-09-30"),
    ("2022", "2022-06-15"),
]
FIGURES = ("value", "numerator", "denominator", "n", "ci_low", "ci_high")
CATALOGUE = catalogue.load()
COMBOS = [(ind.id, b) for ind in CATALOGUE.indicators for b in (None, *ind.breakdowns)]
FILTER = {"gender": ["F"]}
FILTER_COMBOS = [
    (ind.id, b)
    for ind in CATALOGUE.indicators
    if "gender" in ind.breakdowns
    for b in (None, "age_band", "match_cohort")
]


@dataclass
class Warehouse:
    """A loaded synthetic warehouse with its base tables and the current case's cached runs.

    Tests run case by case, so only one (period, as_of) is kept: M's units are large.
    """

    path: Path
    tables: Tables
    case: tuple[str, str | None] | None = None
    engine_runs: dict[tuple[Any, ...], pd.DataFrame] = field(default_factory=dict)
    references: dict[tuple[str, str | None], Reference] = field(default_factory=dict)

    def _use_case(self, period: str, as_of: str | None) -> None:
        """Forget the cached runs (ours and the engine's) of any other (period, as_of)."""
        if self.case != (period, as_of):
            self.case = (period, as_of)
            self.engine_runs.clear()
            self.references.clear()
            clear_cache()

    def engine(
        self,
        period: str,
        as_of: str | None,
        breakdown: str | None,
        filters: dict[str, list[str]] | None = None,
    ) -> pd.DataFrame:
        """Return the engine's figures for every indicator (one compute call, cached)."""
        self._use_case(period, as_of)
        key = (period, as_of, breakdown, tuple((k, tuple(v)) for k, v in (filters or {}).items()))
        if key not in self.engine_runs:
            self.engine_runs[key] = compute(
                period=period,
                breakdown=breakdown,
                filters=filters,
                as_of=as_of,
                role="analyst",
                warehouse_dir=self.path,
            )
        return self.engine_runs[key]

    def reference(self, period: str, as_of: str | None) -> Reference:
        """Return the reference for a period, as of the date the engine used (cached)."""
        self._use_case(period, as_of)
        if (period, as_of) not in self.references:
            used = self.engine(period, as_of, None)["as_of"].iloc[0]
            start, end = parse_period(period)
            self.references[(period, as_of)] = Reference(
                self.tables, start, end, pd.Timestamp(str(used)), programme_id()
            )
        return self.references[(period, as_of)]


class Builder:
    """Generates and loads each scale's warehouse once per session."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        """Remember where to build."""
        self.factory = factory
        self.built: dict[str, Warehouse] = {}

    def get(self, scale: str) -> Warehouse:
        """Return the warehouse of a scale, building it on first use."""
        if scale not in self.built:
            root = self.factory.mktemp(f"reference-{scale}")
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv("CONNECT_PSEUDONYM_KEY", PSEUDONYM_KEY)
                report = generate(root / "raw", scale=scale, seed=SEED)
                load([root / "raw"], root / "warehouse", today=date.fromisoformat(report.export_on))
            self.built[scale] = Warehouse(root / "warehouse", read_tables(root / "warehouse"))
        return self.built[scale]


@pytest.fixture(scope="session")
def builder(tmp_path_factory: pytest.TempPathFactory) -> Builder:
    """Return the session's warehouse builder."""
    return Builder(tmp_path_factory)


@pytest.fixture(scope="session", params=["S", pytest.param("M", marks=pytest.mark.slow)])
def warehouse(request: pytest.FixtureRequest, builder: Builder) -> Warehouse:
    """Return the synthetic warehouse of scale S, then M."""
    return builder.get(request.param)


def _missing(x: Any) -> bool:
    """Return whether a figure is missing (None or NaN)."""
    return x is None or (isinstance(x, float) and math.isnan(x))


def _same(actual: Any, expected: Any, exact: bool) -> bool:
    """Return whether two figures agree: both missing, equal, or within 1e-9."""
    if _missing(actual) or _missing(expected):
        return _missing(actual) and _missing(expected)
    if exact:
        return float(actual) == float(expected)
    return float(actual) == pytest.approx(float(expected), rel=1e-9, abs=1e-9)


def _rows(frame: pd.DataFrame) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Return the figure rows keyed by (breakdown, breakdown value, category)."""
    out = {}
    for row in frame.to_dict("records"):
        key = tuple(
            None if _missing(row[c]) else str(row[c])
            for c in ("breakdown", "breakdown_value", "category")
        )
        out[key] = row
    return out


def assert_same_figures(engine: pd.DataFrame, reference: pd.DataFrame, kind: str) -> None:
    """Assert the same rows and, per row, the same value, numerator, denominator, n and CI."""
    got, expected = _rows(engine), _rows(reference)
    assert sorted(got, key=str) == sorted(expected, key=str)
    mismatches = [
        f"{key} {col}: engine {got[key][col]!r}, reference {row[col]!r}"
        for key, row in expected.items()
        for col in FIGURES
        if not _same(got[key][col], row[col], exact=(kind == "km_median" and col == "value"))
    ]
    assert not mismatches, "\n".join(mismatches)


def _case_id(case: tuple[str, str | None]) -> str:
    """Return the test id of a (period, as_of) case."""
    return f"{case[0]}@{case[1] or 'default'}"


def _combo_id(combo: tuple[str, str | None]) -> str:
    """Return the test id of an (indicator, breakdown) pair."""
    return f"{combo[0]}-{combo[1] or 'overall'}"


@pytest.mark.parametrize("combo", COMBOS, ids=_combo_id)
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_engine_equals_reference(
    warehouse: Warehouse, combo: tuple[str, str | None], case: tuple[str, str | None]
) -> None:
    indicator, breakdown = combo
    period, as_of = case
    engine = warehouse.engine(period, as_of, breakdown)
    reference = warehouse.reference(period, as_of).figures(indicator, breakdown)
    assert_same_figures(engine.loc[engine["id"] == indicator], reference, KINDS[indicator])


@pytest.mark.parametrize("combo", FILTER_COMBOS, ids=_combo_id)
def test_engine_equals_reference_with_a_filter(
    builder: Builder, combo: tuple[str, str | None]
) -> None:
    indicator, breakdown = combo
    wh = builder.get("S")
    engine = wh.engine("programme", None, breakdown, FILTER)
    reference = wh.reference("programme", None).figures(indicator, breakdown, FILTER)
    assert_same_figures(engine.loc[engine["id"] == indicator], reference, KINDS[indicator])


@pytest.mark.parametrize(
    ("durations", "events", "median"),
    [
        # S: 3/4 at day 1, 1/2 at day 2 -> 2
        ([1, 2, 3, 4], [1, 1, 1, 1], 2.0),
        # S: 4/5 at 1; at 2 one of 4 at risk -> 3/5; at 3 one of 2 -> 3/10 -> 3
        ([1, 2, 2, 3, 5], [1, 0, 1, 1, 0], 3.0),
        # S stays at 2/3: never reaches one half
        ([1, 5, 6], [1, 0, 0], math.nan),
        # from scale S: 5/6, 4/6, then exactly 3/6 at day 96 (lifelines' own median says 103)
        ([23, 24, 35, 83, 87, 96, 103, 198, 1080], [0, 0, 0, 1, 1, 1, 1, 0, 0], 96.0),
    ],
)
def test_km_median_is_the_first_time_survival_is_at_most_one_half(
    durations: list[int], events: list[int], median: float
) -> None:
    assert _same(km_median(durations, events), median, exact=True)


def test_add_months_clamps_to_the_last_day_of_the_month() -> None:
    dates = pd.Series(pd.to_datetime(["2021-11-30", "2023-11-30", "2024-08-31", "2022-01-15"]))
    assert add_months(dates, 3).dt.strftime("%Y-%m-%d").tolist() == [
        "2022-02-28",
        "2024-02-29",
        "2024-11-30",
        "2022-04-15",
    ]
