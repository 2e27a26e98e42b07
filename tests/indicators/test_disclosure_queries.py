"""Disclosure across queries: no hidden count of 1 to 4 can be worked out from a viewer's tables.

A viewer may ask for any breakdown with any single filter value, and for any period and as-of
date the viewer's grid allows. The audit does what an attacker would: it writes every published
figure as a constraint on the finest cells (the atoms, which the test knows from an analyst's
exact figures), then asks an integer program for the least and the greatest value each hidden
cell can take. A count is pinned down when both are equal. The same audit on exact figures
(rounding turned off) finds pinned cells, so it can fail.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from indicators import engine, periods
from pipelines import settings

AS_OF = "2023-12-31"
INDICATOR = "registrations"
THRESHOLD = 5


def _exact_rounding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make viewers' figures exact again (rounding base 1), to show the audit can fail."""
    real = settings.programme()
    exact = real.model_copy(
        update={"disclosure": real.disclosure.model_copy(update={"rounding_base": 1})}
    )
    monkeypatch.setattr(settings, "programme", lambda *args, **kwargs: exact)


def _cells(wh, role: str, period: str, breakdown: str, filters: dict | None = None) -> dict:
    """Return {breakdown value (None overall): value or None when hidden} of one query."""
    frame = engine.compute(
        [INDICATOR],
        period,
        breakdown=breakdown,
        filters=filters,
        as_of=AS_OF,
        role=role,
        warehouse_dir=wh,
    )
    out = {}
    for row in frame.itertuples(index=False):
        key = row.breakdown_value if isinstance(row.breakdown, str) else None
        out[key] = None if row.suppressed else float(row.value)
    return out


class Audit:
    """Published figures as constraints on atoms, and the range each cell can take."""

    def __init__(self, atoms: list, base: int) -> None:
        self.atoms = atoms
        self.index = {atom: i for i, atom in enumerate(atoms)}
        self.base = base
        self.rows: list[np.ndarray] = []
        self.low: list[float] = []
        self.high: list[float] = []
        self.hidden: list[np.ndarray] = []

    def vector(self, members: Callable[[object], bool]) -> np.ndarray:
        """Return the 0/1 row of the atoms a cell adds up."""
        return np.array([1.0 if members(a) else 0.0 for a in self.atoms])

    def publish(self, members: Callable[[object], bool], value: float | None) -> None:
        """Add what a viewer learns from one cell: its rounded value, or that it is hidden."""
        row = self.vector(members)
        if not row.any():
            return
        if value is None:
            self.hidden.append(row)
            return
        slack = self.base - 1
        self.rows.append(row)
        if value == 0:  # zero is published as it is
            self.low.append(0.0)
            self.high.append(0.0)
        else:  # 1..threshold-1 are always hidden, so a published count is at least the threshold
            self.low.append(max(value - slack, THRESHOLD))
            self.high.append(value + slack)

    def span(self, row: np.ndarray) -> tuple[float, float]:
        """Return the least and greatest value the cell `row` can take given what is published."""
        constraint = LinearConstraint(np.array(self.rows), self.low, self.high)
        bounds = Bounds(0, np.inf)
        integral = np.ones(len(self.atoms))
        found = []
        for sign in (1, -1):
            result = milp(sign * row, constraints=constraint, integrality=integral, bounds=bounds)
            assert result.status == 0, result.message
            found.append(sign * result.fun)
        return found[0], found[1]


def _pinned(audit: Audit, truth: dict) -> list[tuple]:
    """Return the hidden cells with a true count of 1..4 whose range is that single value."""
    pinned = []
    for row in audit.hidden:
        true = sum(truth[a] for a, member in zip(audit.atoms, row, strict=True) if member)
        if not 0 < true < THRESHOLD:
            continue
        low, high = audit.span(row)
        assert low - 1e-6 <= true <= high + 1e-6  # the constraints hold for the truth
        if math.isclose(low, high):
            pinned.append((tuple(a for a, m in zip(audit.atoms, row, strict=True) if m), true))
    return pinned


def _filter_audit(wh, base: int) -> tuple[Audit, dict]:
    """Audit municipality x gender: by each, unfiltered and with every value of the other."""
    truth_rows = {}
    municipalities = [k for k in _cells(wh, "analyst", "programme", "municipality") if k]
    for m in municipalities:
        for g, v in _cells(wh, "analyst", "programme", "gender", {"municipality": m}).items():
            if g is not None:
                truth_rows[(m, g)] = v
    genders = sorted({g for _, g in truth_rows})
    atoms = sorted(truth_rows)
    audit = Audit(atoms, base)
    queries = [("municipality", None, None), ("gender", None, None)]
    queries += [("municipality", "gender", g) for g in genders]
    queries += [("gender", "municipality", m) for m in municipalities]
    for by, dim, value in queries:
        filters = {dim: value} if dim else None
        for cell, shown in _cells(wh, "viewer", "programme", by, filters).items():
            position = 0 if by == "municipality" else 1

            def members(atom, cell=cell, position=position, dim=dim, value=value):
                if dim and atom[1 - position] != value:
                    return False
                return cell is None or atom[position] == cell

            audit.publish(members, shown)
    return audit, truth_rows


def test_no_hidden_count_follows_from_filtered_tables(demo_warehouse):
    audit, truth = _filter_audit(demo_warehouse, settings.programme().disclosure.rounding_base)
    assert audit.hidden, "the data should hold small cells for this audit to mean anything"
    assert _pinned(audit, truth) == []


def test_the_filter_audit_finds_counts_when_figures_are_exact(demo_warehouse, monkeypatch):
    _exact_rounding(monkeypatch)
    audit, truth = _filter_audit(demo_warehouse, 1)
    assert _pinned(audit, truth), "exact figures give hidden cells away by subtraction"


def _month_labels(year: int) -> list[str]:
    return [f"{year}-{m:02d}" for m in range(1, 13)]


LUMP = "before 2022"


def _period_audit(wh, base: int) -> tuple[Audit, dict]:
    """Audit gender x month of 2022: every month, quarter, the year and the cumulative line."""
    start = periods.parse("programme").start
    truth = {}
    for label in [*_month_labels(2022), f"{start.isoformat()}..2021-12-31"]:
        for g, v in _cells(wh, "analyst", label, "gender").items():
            if g is not None:
                truth[(label if label[:4] == "2022" else LUMP, g)] = v
    atoms = sorted(truth)
    audit = Audit(atoms, base)
    spans = {}
    for label in [*_month_labels(2022), *(f"2022-Q{q}" for q in range(1, 5)), "2022"]:
        spans[label] = (periods.parse(label).start, periods.parse(label).end, False)
    # the cumulative line from the programme's start: the months before 2022 are one lump
    for month_end in (periods.parse(label).end for label in _month_labels(2022)):
        spans[f"{start.isoformat()}..{month_end.isoformat()}"] = (date(2022, 1, 1), month_end, True)
    for label, (first, last, with_lump) in spans.items():
        for cell, shown in _cells(wh, "viewer", label, "gender").items():

            def members(atom, cell=cell, first=first, last=last, with_lump=with_lump):
                if cell not in (None, atom[1]):
                    return False
                if atom[0] == LUMP:
                    return with_lump
                month = periods.parse(atom[0])
                return first <= month.start and month.end <= last

            audit.publish(members, shown)
    return audit, truth


def test_no_hidden_count_follows_from_adjacent_periods(demo_warehouse):
    audit, truth = _period_audit(demo_warehouse, settings.programme().disclosure.rounding_base)
    assert audit.hidden
    assert _pinned(audit, truth) == []


def test_the_period_audit_finds_counts_when_figures_are_exact(demo_warehouse, monkeypatch):
    _exact_rounding(monkeypatch)
    audit, truth = _period_audit(demo_warehouse, 1)
    assert _pinned(audit, truth), "exact figures give hidden cells away by subtraction"


def test_viewers_get_no_free_date_range_and_a_month_end_as_of(demo_warehouse):
    with pytest.raises(engine.IndicatorError, match="free date range"):
        engine.compute(
            [INDICATOR], "2022-01-01..2022-01-03", role="viewer", warehouse_dir=demo_warehouse
        )
    frame = engine.compute(
        [INDICATOR], "2022", as_of="2023-03-17", role="viewer", warehouse_dir=demo_warehouse
    )
    assert set(frame["as_of"]) == {date(2023, 2, 28)}
    exact = engine.compute(
        [INDICATOR], "2022", as_of="2023-03-17", role="analyst", warehouse_dir=demo_warehouse
    )
    assert set(exact["as_of"]) == {date(2023, 3, 17)}
