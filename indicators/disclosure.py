"""Disclosure control: hide indicator results that could point to a person.

The engine calls `apply` on its tidy result frame (one row per id, period, breakdown,
breakdown_value, category). For every role except analyst:

- primary suppression hides a row whose counts include 1..threshold-1 people;
- secondary suppression hides further rows so that no hidden count can be recomputed from a
  published total and the published siblings that add up to it, iterated to a fixed point;
- an exact audit then solves the table's additive equations the way an attacker would and hides
  more until no hidden nonzero count is pinned down by what is published;
- every published count of people is then randomly rounded to a multiple of the rounding base
  (5), the method national statistical offices use for tables people can query freely.

Suppression works within one table. Rounding closes what suppression cannot: a hidden count
worked out by subtracting tables of different queries (other filters, adjacent periods or
as-of dates). A count v = base * q + r is rounded up with probability r / base, so figures
stay unbiased; the draw is keyed by a secret of the snapshot, the cell and its true value, so
asking again, by any route, returns the same figure and averaging repeated answers learns
nothing. docs/methodology.md explains the method to readers.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipelines import access, settings

KINDS = frozenset({"count", "sum", "ratio", "median", "mean_ci", "km_median", "distribution"})
# Kinds whose counts add up from breakdown rows to the overall row. mean_ci is included because
# n and n * mean are both sums: a hidden mean is recoverable from the overall and its siblings.
ADDITIVE_KINDS = frozenset({"count", "ratio", "distribution", "sum", "mean_ci"})
KEY_COLUMNS = ("id", "period", "breakdown", "breakdown_value", "category")
STATISTIC_COLUMNS = ("value", "numerator", "denominator", "n", "ci_low", "ci_high")
REQUIRED_COLUMNS = (*KEY_COLUMNS, "kind", "personal", *STATISTIC_COLUMNS)

# the counts of people each kind publishes, rounded for viewers; a ratio's value is recomputed
# from its rounded numerator and denominator
ROUNDED_COLUMNS = {
    "count": ("value", "n"),
    "ratio": ("numerator", "denominator"),
    "distribution": ("numerator", "denominator", "n"),
    "sum": ("n",),
    "median": ("n",),
    "mean_ci": ("n",),
    "km_median": ("n",),
}
# a count's value and n are the same number: one draw rounds both alike
_SAME_COUNT = {"value": "n"}
# used only where no snapshot secret is given (tests of this module on hand-made frames)
DEFAULT_SECRET = b"connect-impact disclosure rounding"

_NA_KEY = (0, "")
# Singular values below this (relative) are zero; entries are 0/±1 on a few hundred unknowns.
_RANK_TOLERANCE = 1e-9


class DisclosureError(ValueError):
    """The result frame cannot be protected as given; the message names what is wrong."""


def unsuppressed(role: str | None) -> bool:
    """Return whether the role sees figures without disclosure control (analyst and above)."""
    return access.allowed(role, "unsuppressed")


def threshold() -> int:
    """Return the programme's disclosure threshold (data/programme.yaml: disclosure.min_count)."""
    return settings.programme().disclosure.min_count


def SUPPRESSED_LABEL(threshold: int) -> str:
    """Return the label shown to people in place of a suppressed figure, e.g. "<5"."""
    return f"<{threshold}"


def rounding_base() -> int:
    """Return the programme's rounding base for viewers (data/programme.yaml: 1 means none)."""
    return settings.programme().disclosure.rounding_base


def rounded(value: float, base: int, secret: bytes, cell: str) -> float:
    """Return value randomly rounded to a multiple of base, the same every time for the cell."""
    if base <= 1 or not math.isfinite(value):
        return value
    low = math.floor(value / base) * base
    rest = value - low
    if rest == 0:
        return float(low)
    digest = hmac.new(secret, f"{cell}|{value!r}".encode(), hashlib.sha256).digest()
    draw = int.from_bytes(digest[:8], "big") / 2**64
    return float(low + base) if draw < rest / base else float(low)


def apply(
    frame: pd.DataFrame,
    threshold: int = 5,
    role: str = "viewer",
    base: int = 1,
    secret: bytes = DEFAULT_SECRET,
) -> pd.DataFrame:
    """Return a copy of `frame` with small counts hidden, the rest rounded to base for viewers.

    The suppression columns are added; `base` 1 leaves published counts exact.
    """
    _validate(frame, threshold)
    out = frame.copy()
    if unsuppressed(role):
        hidden = np.zeros(len(out), dtype=bool)
        reasons = np.full(len(out), None, dtype=object)
        disclosure = f"not applied ({role} role)"
    else:
        # Any other role, known or not, is a viewer: the safe default.
        primary = _primary(out, threshold)
        hidden = primary.copy()
        for table in _tables(out):
            _protect(table, hidden)
        reasons = np.where(primary, "primary", np.where(hidden, "secondary", None)).astype(object)
        disclosure = f"applied (threshold {threshold})"
        for column in STATISTIC_COLUMNS:
            out[column] = out[column].mask(hidden)
        if base > 1:
            _round(out, base, secret)
            disclosure = f"applied (threshold {threshold}, counts rounded to multiples of {base})"
    out["suppressed"] = hidden
    out["suppression"] = reasons
    out["disclosure"] = disclosure
    return out


def _round(out: pd.DataFrame, base: int, secret: bytes) -> None:
    """Round, in place, the published counts of people in personal rows to multiples of base."""
    personal = _personal(out)
    # a period by its days, not its label: 'programme' and its dates are one cell
    dated = {"period_start", "period_end"} <= set(out.columns)
    cell_columns = ["id", *(("period_start", "period_end") if dated else ("period",))]
    for i, (row, is_personal) in enumerate(zip(out.itertuples(index=False), personal, strict=True)):
        kind = str(row.kind)
        if not is_personal or kind not in ROUNDED_COLUMNS:
            continue
        where = "|".join(str(getattr(row, c)) for c in cell_columns)
        where += f"|{row.breakdown}|{row.breakdown_value}"
        for column in ROUNDED_COLUMNS[kind]:
            value = getattr(row, column)
            if value is None or pd.isna(value):
                continue
            # a denominator is the same for every category of a distribution
            category = "" if column == "denominator" else f"|{row.category}"
            cell = f"{where}{category}|{_SAME_COUNT.get(column, column)}"
            out.iat[i, out.columns.get_loc(column)] = rounded(float(value), base, secret, cell)
        if kind in ("ratio", "distribution"):
            numerator = out.iat[i, out.columns.get_loc("numerator")]
            denominator = out.iat[i, out.columns.get_loc("denominator")]
            if pd.notna(numerator) and pd.notna(denominator):
                value = numerator / denominator if denominator else math.nan
                out.iat[i, out.columns.get_loc("value")] = value
            if kind == "ratio":  # a ratio's n is its denominator
                out.iat[i, out.columns.get_loc("n")] = denominator


def _validate(frame: pd.DataFrame, threshold: int) -> None:
    """Raise DisclosureError when the frame or threshold cannot be protected reliably."""
    if isinstance(threshold, bool) or not isinstance(threshold, int | np.integer) or threshold < 1:
        raise DisclosureError(
            f"Disclosure threshold must be a whole number of at least 1, got {threshold!r}."
        )
    missing = [column for column in REQUIRED_COLUMNS if column not in frame.columns]
    if missing:
        raise DisclosureError(f"Disclosure control needs the result columns {', '.join(missing)}.")
    unknown = sorted(set(frame["kind"].astype(str)) - KINDS)
    if unknown:
        expected = ", ".join(sorted(KINDS))
        raise DisclosureError(f"Unknown indicator kind {', '.join(unknown)}; expected {expected}.")
    keys = _keys(frame)
    if len(set(keys)) != len(keys):
        raise DisclosureError(
            "Result frame has more than one row for the same id, period, breakdown, "
            "breakdown_value and category."
        )


def _primary(frame: pd.DataFrame, threshold: int) -> np.ndarray:
    """Return, per row, whether a count in it lies in 1..threshold-1 (zero is publishable)."""
    kind = frame["kind"].astype(str).to_numpy()
    value, numerator, denominator, n = (
        _numbers(frame, column) for column in ("value", "numerator", "denominator", "n")
    )

    def small(counts: np.ndarray) -> np.ndarray:
        return (counts > 0) & (counts < threshold)  # NaN compares False: unknown is not small

    with np.errstate(invalid="ignore"):
        # The complement matters too: 48 of 50 reached a goal reveals that 2 did not.
        proportion = small(numerator) | small(denominator) | small(denominator - numerator)
        hit = np.where(
            kind == "count",
            small(value),
            np.where(np.isin(kind, ("ratio", "distribution")), proportion, small(n)),
        )
    return _personal(frame) & hit


def _personal(frame: pd.DataFrame) -> np.ndarray:
    """Return, per row, whether it counts people; a missing flag counts as personal (safe)."""
    return (
        frame["personal"]
        .astype(object)
        .where(frame["personal"].notna(), True)
        .astype(bool)
        .to_numpy()
    )


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Return a column as floats with NaN for missing values."""
    return pd.to_numeric(frame[column]).to_numpy(dtype=float, na_value=np.nan)


def _norm(value: object) -> tuple[int, str]:
    """Return a sortable key for a label, with missing labels first."""
    return _NA_KEY if pd.isna(value) else (1, str(value))


def _keys(frame: pd.DataFrame) -> list[tuple[tuple[int, str], ...]]:
    """Return the result key of every row; the overall row ignores breakdown_value."""
    keys = []
    for id_, period, breakdown, value, category in zip(
        *(frame[column].tolist() for column in KEY_COLUMNS), strict=True
    ):
        breakdown_key = _norm(breakdown)
        value_key = _NA_KEY if breakdown_key == _NA_KEY else _norm(value)
        keys.append((_norm(id_), _norm(period), breakdown_key, value_key, _norm(category)))
    return keys


@dataclass(frozen=True)
class _Group:
    """Cells that add up to a parent cell; parent None means a total outside the frame."""

    members: tuple[int, ...]
    parent: int | None
    # True when the parent is an overall row: hiding it must not be undone by its children.
    parent_is_total_row: bool


@dataclass
class _Table:
    """The cells and additive constraints of one indicator, period and kind.

    A cell is a count an attacker may try to solve for: one row, or (for distributions) the total
    of one breakdown value, which every row of that value carries as its denominator and which is
    hidden only when all those rows are hidden.
    """

    rows: list[tuple[int, ...]] = field(default_factory=list)
    sizes: list[float] = field(default_factory=list)
    order: list[tuple] = field(default_factory=list)
    groups: list[_Group] = field(default_factory=list)
    row_cells: int = 0

    def add_cell(self, rows: tuple[int, ...], size: float, order: tuple) -> int:
        """Return the id of a new cell."""
        self.rows.append(rows)
        self.sizes.append(size)
        self.order.append(order)
        return len(self.rows) - 1

    def is_hidden(self, cell: int, hidden: np.ndarray) -> bool:
        """Return whether every row of a cell is hidden."""
        return all(hidden[row] for row in self.rows[cell])

    def is_zero(self, cell: int) -> bool:
        """Return whether a cell counts nobody (unknown sizes count as nonzero)."""
        return self.sizes[cell] == 0

    def rank(self, cell: int) -> tuple:
        """Return the sort key that picks the smallest cell, ties by breakdown_value, category."""
        size = self.sizes[cell]
        return (np.inf if np.isnan(size) else size, self.order[cell])


def _tables(frame: pd.DataFrame) -> list[_Table]:
    """Return the additive tables of the personal rows whose counts add up, in a fixed order."""
    kind = frame["kind"].astype(str).to_numpy()
    eligible = _personal(frame) & np.isin(kind, tuple(ADDITIVE_KINDS))
    value, n, denominator = (_numbers(frame, column) for column in ("value", "n", "denominator"))
    # The size of a row is its number of units: value for counts, n for the rest.
    size = np.where(kind == "count", value, n)
    keys = _keys(frame)
    positions: dict[tuple, list[int]] = {}
    for position in np.flatnonzero(eligible):
        positions.setdefault((*keys[position][:2], kind[position]), []).append(int(position))
    return [
        _table(sorted(positions[table], key=keys.__getitem__), keys, size, denominator, table[2])
        for table in sorted(positions)
    ]


def _table(
    positions: list[int],
    keys: list[tuple[tuple[int, str], ...]],
    size: np.ndarray,
    denominator: np.ndarray,
    kind: str,
) -> _Table:
    """Return the cells and groups of one table from its row positions (sorted by key)."""
    table = _Table()
    overall: dict[tuple, int] = {}
    by_breakdown: dict[tuple, list[int]] = {}
    by_value: dict[tuple, list[int]] = {}
    for position in positions:
        _, _, breakdown, value, category = keys[position]
        cell = table.add_cell((position,), float(size[position]), (value, category))
        if breakdown == _NA_KEY:
            overall[category] = cell
        else:
            # Group key includes the category: for distributions each category adds up on its own.
            by_breakdown.setdefault((breakdown, category), []).append(cell)
        by_value.setdefault((breakdown, value), []).append(cell)
    table.row_cells = len(table.rows)
    for (_, category), members in by_breakdown.items():
        table.groups.append(_Group(tuple(members), overall.get(category), True))
    if kind == "distribution":
        _add_category_groups(table, by_value, denominator)
    return table


def _add_category_groups(
    table: _Table, by_value: dict[tuple, list[int]], denominator: np.ndarray
) -> None:
    """Add distribution constraints: categories add up to denominators, denominators to theirs."""
    totals: dict[tuple, int] = {}
    for (breakdown, value), members in by_value.items():
        rows = tuple(table.rows[member][0] for member in members)
        known = [denominator[row] for row in rows if not np.isnan(denominator[row])]
        total = table.add_cell(rows, known[0] if known else np.nan, (value, _NA_KEY))
        totals[(breakdown, value)] = total
        table.groups.append(_Group(tuple(members), total, False))
    grand_total = totals.get((_NA_KEY, _NA_KEY))
    by_breakdown: dict[tuple, list[int]] = {}
    for (breakdown, _), total in totals.items():
        if breakdown != _NA_KEY:
            by_breakdown.setdefault(breakdown, []).append(total)
    for members in by_breakdown.values():
        table.groups.append(_Group(tuple(members), grand_total, False))


def _protect(table: _Table, hidden: np.ndarray) -> None:
    """Hide cells of one table until groups are safe and the exact audit finds nothing to solve."""
    while True:
        _settle_groups(table, hidden)
        cover = _audit(table, hidden)
        if cover is None:
            return
        _hide(table, [cover], hidden)


def _hide(table: _Table, cells: Iterable[int], hidden: np.ndarray) -> None:
    """Hide every row of the given cells."""
    for cell in cells:
        hidden[list(table.rows[cell])] = True


def _settle_groups(table: _Table, hidden: np.ndarray) -> None:
    """Apply the group rules to a fixed point: one direction can leave a lone cell in another."""
    changed = True
    while changed:
        changed = False
        for group in table.groups:
            cells = _required_hides(table, group, hidden)
            if cells:
                _hide(table, cells, hidden)
                changed = True


def _required_hides(table: _Table, group: _Group, hidden: np.ndarray) -> list[int]:
    """Return the cells a group needs hidden so none of its hidden members can be recomputed."""
    open_members = [member for member in group.members if not table.is_hidden(member, hidden)]
    if group.parent is not None and table.is_hidden(group.parent, hidden):
        if not group.parent_is_total_row:
            return []
        # Another breakdown of the same total may be fully published and give the total back,
        # so every child that counts somebody must be hidden too.
        return [member for member in open_members if not table.is_zero(member)]
    if len(group.members) - len(open_members) != 1:
        return []
    cover = _cover(table, group, open_members)
    return [] if cover is None else [cover]


def _cover(table: _Table, group: _Group, open_members: list[int]) -> int | None:
    """Return the cell to hide next to a lone hidden member of a group with a published total."""
    nonzero = [member for member in open_members if not table.is_zero(member)]
    if nonzero:
        return min(nonzero, key=table.rank)
    # Only zeros (or nothing) left beside it: the total equals the hidden member, so hide the total.
    if group.parent is not None:
        return group.parent
    # The total lives outside the frame; a hidden zero at least leaves two candidates.
    return min(open_members, key=table.rank) if open_members else None


def _audit(table: _Table, hidden: np.ndarray) -> int | None:
    """Return a published cell to hide because a hidden nonzero count is solvable, or None."""
    unknown = [cell for cell in range(len(table.rows)) if table.is_hidden(cell, hidden)]
    if all(table.is_zero(cell) for cell in unknown):
        return None
    column = {cell: index for index, cell in enumerate(unknown)}
    equations = []
    for group in table.groups:
        coefficients = [(member, 1.0) for member in group.members]
        if group.parent is not None:
            coefficients.append((group.parent, -1.0))
        equation = np.zeros(len(unknown))
        for cell, coefficient in coefficients:
            if cell in column:
                equation[column[cell]] = coefficient
        if equation.any():
            equations.append(equation)
    if not equations:
        return None
    solved = _solvable(np.array(equations))
    for cell in sorted(unknown, key=table.rank):
        if not solved[column[cell]] or table.is_zero(cell):
            continue
        candidates = {
            other
            for group in table.groups
            if cell in group.members or cell == group.parent
            for other in (*group.members, *([group.parent] if group.parent is not None else []))
            if not table.is_hidden(other, hidden)
        }
        if candidates:
            # Prefer a cell that counts somebody (a hidden zero is easily guessed), then one row
            # over the total of a whole breakdown value.
            return min(
                candidates,
                key=lambda other: (
                    table.is_zero(other),
                    other >= table.row_cells,
                    table.rank(other),
                    other,
                ),
            )
    return None


def _solvable(equations: np.ndarray) -> np.ndarray:
    """Return, per unknown, whether the equations fix its value whatever the other unknowns are."""
    # An unknown is fixed exactly when every solution of the homogeneous system is zero there,
    # i.e. when its column of the null-space basis is zero.
    _, singular, vt = np.linalg.svd(equations)
    rank = int((singular > _RANK_TOLERANCE * max(singular.max(initial=0.0), 1.0)).sum())
    return ~(np.abs(vt[rank:]) > _RANK_TOLERANCE).any(axis=0)
