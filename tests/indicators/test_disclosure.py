"""Disclosure control: small counts are hidden and no hidden count can be worked back out."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators import disclosure

NUMBERS = ("value", "numerator", "denominator", "n", "ci_low", "ci_high")


def result(
    id_: str,
    kind: str,
    *,
    value: float = np.nan,
    numerator: float = np.nan,
    denominator: float = np.nan,
    n: float = np.nan,
    ci: tuple[float, float] = (np.nan, np.nan),
    breakdown: str | None = None,
    breakdown_value: str | None = None,
    category: str | None = None,
    personal: bool = True,
) -> dict:
    """Return one result row as the engine emits it, with a pass-through label column."""
    return {
        "id": id_,
        "period": "2024",
        "breakdown": breakdown,
        "breakdown_value": breakdown_value,
        "category": category,
        "label": f"{id_}/{breakdown_value}/{category}",
        "kind": kind,
        "personal": personal,
        "value": float(value),
        "numerator": float(numerator),
        "denominator": float(denominator),
        "n": float(n),
        "ci_low": float(ci[0]),
        "ci_high": float(ci[1]),
    }


def count(id_: str, value: float, where: tuple[str, str] | None = None) -> dict:
    """Return a count row; `where` is (breakdown, breakdown_value), None for the overall row."""
    breakdown, breakdown_value = where or (None, None)
    return result(
        id_, "count", value=value, n=value, breakdown=breakdown, breakdown_value=breakdown_value
    )


def ratio(id_: str, numerator: float, denominator: float, where: tuple | None = None) -> dict:
    """Return a ratio row: value is numerator over denominator, n the denominator."""
    breakdown, breakdown_value = where or (None, None)
    return result(
        id_,
        "ratio",
        value=numerator / denominator if denominator else np.nan,
        numerator=numerator,
        denominator=denominator,
        n=denominator,
        breakdown=breakdown,
        breakdown_value=breakdown_value,
    )


def share(id_: str, category: str, numerator: float, total: float, where=None) -> dict:
    """Return a distribution row: the count in one category out of all categories."""
    breakdown, breakdown_value = where or (None, None)
    return result(
        id_,
        "distribution",
        value=numerator / total if total else np.nan,
        numerator=numerator,
        denominator=total,
        n=numerator,
        breakdown=breakdown,
        breakdown_value=breakdown_value,
        category=category,
    )


def distribution(id_: str, categories: list[str], table: dict[str | None, list[int]]) -> list:
    """Return the rows of a distribution by municipality; key None holds the overall counts."""
    rows = []
    for municipality, counts in table.items():
        where = None if municipality is None else ("municipality", municipality)
        rows += [
            share(id_, c, k, sum(counts), where) for c, k in zip(categories, counts, strict=True)
        ]
    return rows


def reasons(out: pd.DataFrame) -> dict[str, str | None]:
    """Return the suppression reason by row label."""
    return dict(zip(out["label"], out["suppression"], strict=True))


# --- worked examples -----------------------------------------------------------------------


def test_lone_small_cell_is_paired_with_its_smallest_sibling():
    frame = pd.DataFrame(
        [
            count("duos", 22),
            count("duos", 12, ("municipality", "Anderlecht")),
            count("duos", 3, ("municipality", "Brussel")),
            count("duos", 7, ("municipality", "Elsene")),
        ]
    )
    out = disclosure.apply(frame)
    # 3 is small; 22 - 12 - 7 would give it back, so the smaller sibling 7 goes too:
    # 22 - 12 = 10 is then shared by two hidden cells.
    assert out["suppression"].tolist() == [None, None, "primary", "secondary"]
    assert out["suppressed"].tolist() == [False, False, True, True]
    assert out["value"].tolist()[:2] == [22.0, 12.0]
    assert out.loc[2:, list(NUMBERS)].isna().all().all()
    assert out["disclosure"].unique().tolist() == ["applied (threshold 5)"]


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (3, 50, "primary"),  # 3 people reached the goal
        (48, 50, "primary"),  # 48 of 50 reveals the 2 who did not
        (0, 50, None),  # nobody is not a person
        (5, 50, None),
        (45, 50, None),
        (0, 3, "primary"),  # 3 people in all
    ],
)
def test_ratio_hides_small_numerator_denominator_or_complement(numerator, denominator, expected):
    out = disclosure.apply(pd.DataFrame([ratio("goal_reached", numerator, denominator)]))
    assert out["suppression"].tolist() == [expected]
    assert math.isnan(out["value"].iloc[0]) == (expected is not None)


def test_statistics_hide_by_their_number_of_units():
    frame = pd.DataFrame(
        [
            result("age_mean", "mean_ci", value=31.5, n=4, ci=(22.0, 41.0)),
            result("age_mean_big", "mean_ci", value=33.0, n=5, ci=(25.0, 41.0)),
            result("duration", "km_median", value=180.0, n=2),
            result("hours", "sum", value=17.5, n=1),
        ]
    )
    out = disclosure.apply(frame)
    assert out["suppression"].tolist() == ["primary", None, "primary", "primary"]
    assert out.loc[0, list(NUMBERS)].isna().all()
    assert out.loc[1, ["value", "n", "ci_low", "ci_high"]].tolist() == [33.0, 5.0, 25.0, 41.0]


def test_money_is_never_suppressed():
    frame = pd.DataFrame([result("cost_per_duo", "sum", value=1250.0, n=2, personal=False)])
    out = disclosure.apply(frame)
    assert out["suppressed"].tolist() == [False]
    assert out["value"].tolist() == [1250.0]


def test_zero_is_published_and_a_small_total_hides_its_nonzero_children():
    frame = pd.DataFrame(
        [
            count("stopped", 3),
            count("stopped", 3, ("municipality", "Jette")),
            count("stopped", 0, ("municipality", "Evere")),
        ]
    )
    out = disclosure.apply(frame)
    assert out["suppression"].tolist() == ["primary", "primary", None]
    assert out["value"].iloc[2] == 0.0


def test_hidden_ratio_total_hides_every_child_that_counts_somebody():
    frame = pd.DataFrame(
        [
            ratio("goal", 48, 50),  # complement 2
            ratio("goal", 30, 30, ("gender", "F")),  # safe on its own...
            ratio("goal", 18, 20, ("gender", "M")),  # complement 2
            ratio("goal", 0, 0, ("gender", "X")),
        ]
    )
    out = disclosure.apply(frame)
    # ...but published next to 18/20 it would let another breakdown of 48/50 undo the total.
    assert out["suppression"].tolist() == ["primary", "secondary", "primary", None]


def test_two_way_distribution_is_iterated_to_a_fixed_point():
    categories = ["completed", "moved", "stopped"]
    table = {
        None: [52, 22, 33],
        "A": [20, 3, 12],
        "B": [7, 9, 15],
        "C": [25, 10, 6],
    }
    out = disclosure.apply(pd.DataFrame(distribution("end_reason", categories, table)))
    # Worked by hand, groups visited as: each category across municipalities, each municipality
    # across categories, then municipality totals.
    # Pass 1: moved column: A/moved (3) lone -> B/moved (9). Row A -> A/stopped (12).
    #         Row B -> B/completed (7).
    # Pass 2: completed column: B/completed lone -> A/completed (20). Stopped column: A/stopped
    #         lone -> C/stopped (6). Row C -> C/moved (10). Now all of A is hidden, so the total
    #         of A (35) is hidden and would be 107 - 31 - 41: hide the smaller of B (31), C (41),
    #         which adds B/stopped (15).
    # Pass 3: every line has 0 or at least 2 hidden cells.
    hidden_secondary = {
        "end_reason/A/completed",
        "end_reason/A/stopped",
        "end_reason/B/completed",
        "end_reason/B/moved",
        "end_reason/B/stopped",
        "end_reason/C/moved",
        "end_reason/C/stopped",
    }
    expected = {label: None for label in out["label"]}
    expected["end_reason/A/moved"] = "primary"
    expected |= dict.fromkeys(hidden_secondary, "secondary")
    assert reasons(out) == expected


def test_small_municipality_total_cannot_be_recovered_from_the_others():
    categories = ["completed", "moved", "stopped"]
    table = {None: [52, 39, 55], "A": [2, 1, 0], "B": [10, 30, 25], "C": [40, 8, 30]}
    out = disclosure.apply(pd.DataFrame(distribution("end_reason", categories, table)))
    # A has 3 people in all: every row of A carries denominator 3, so all are primary.
    # Columns: A/completed -> B/completed (10), A/moved -> C/moved (8), A/stopped (0, but hidden)
    # -> B/stopped (25); row C: C/moved lone -> C/stopped (30). A's total would still be
    # 146 - 65 - 78 = 3, so the smaller other municipality (B, 65) is hidden entirely.
    expected = {label: None for label in out["label"]}
    expected |= {f"end_reason/A/{c}": "primary" for c in categories}
    expected |= {f"end_reason/B/{c}": "secondary" for c in categories}
    expected |= {"end_reason/C/moved": "secondary", "end_reason/C/stopped": "secondary"}
    assert reasons(out) == expected


def test_audit_closes_a_path_the_line_by_line_rule_leaves_open():
    categories = ["c0", "c1", "c2", "c3"]
    table = {None: [8, 4, 11, 103], "A": [7, 4, 0, 50], "B": [1, 0, 10, 19], "C": [0, 0, 1, 34]}
    frame = pd.DataFrame(distribution("end_reason", categories, table))
    out = disclosure.apply(frame, threshold=6)
    # Primary: total/c1 (4), A/c1 (4), B/c0 (1), C/c2 (1), C/c3 (34 of 35: complement 1).
    # Line by line: c0 -> A/c0 (7), c2 -> B/c2 (10), c3 -> B/c3 (19), overall -> total/c0 (8).
    # Every line now has 0 or 2+ hidden cells, yet B/c0 is solvable: columns c2 and c3 give
    # B/c2 + B/c3 + C/c2 + C/c3 = (11 - 0) + (103 - 50) = 64, row C gives C/c2 + C/c3 = 35,
    # so B/c0 = 30 - 0 - (64 - 35) = 1. The audit hides B's total (30, its last published row
    # is the zero in c1); B's total would then be 126 - 61 - 35, so C is hidden entirely too.
    primary = {"end_reason/None/c1", "end_reason/A/c1", "end_reason/B/c0"}
    primary |= {"end_reason/C/c2", "end_reason/C/c3"}
    published = {"end_reason/None/c2", "end_reason/None/c3", "end_reason/A/c2", "end_reason/A/c3"}
    expected = {
        label: "primary" if label in primary else None if label in published else "secondary"
        for label in out["label"]
    }
    assert reasons(out) == expected
    assert {v: pair for v, pair in attack(frame, out).items() if pair[1] != 0} == {}


def test_mean_is_protected_like_a_sum_but_a_median_is_not():
    # n * mean adds up: the overall mean and n give back a lone hidden group's mean.
    frame = pd.DataFrame(
        [
            result("age_mean", "mean_ci", value=30.0, n=53),
            result("age_mean", "mean_ci", value=40.0, n=3, breakdown="gender", breakdown_value="F"),
            result(
                "age_mean", "mean_ci", value=29.0, n=20, breakdown="gender", breakdown_value="M"
            ),
            result(
                "age_mean", "mean_ci", value=29.0, n=30, breakdown="gender", breakdown_value="X"
            ),
            result("age_median", "median", value=30.0, n=53),
            result(
                "age_median", "median", value=40.0, n=3, breakdown="gender", breakdown_value="F"
            ),
            result(
                "age_median", "median", value=29.0, n=50, breakdown="gender", breakdown_value="M"
            ),
        ]
    )
    out = disclosure.apply(frame)
    assert out["suppression"].tolist() == [
        None,
        "primary",
        "secondary",
        None,
        None,
        "primary",
        None,
    ]


def test_lone_child_of_a_published_total_hides_the_total():
    # Only one region is reported; nothing else can share the difference, so the total goes.
    frame = pd.DataFrame([count("duos", 40), count("duos", 3, ("region", "Brussel"))])
    out = disclosure.apply(frame)
    assert out["suppression"].tolist() == ["secondary", "primary"]


def test_analyst_sees_everything_and_the_frame_says_so():
    frame = pd.DataFrame([count("duos", 22), count("duos", 3, ("municipality", "Brussel"))])
    out = disclosure.apply(frame, role="analyst")
    assert out["suppressed"].tolist() == [False, False]
    assert out["suppression"].tolist() == [None, None]
    assert out["value"].tolist() == [22.0, 3.0]
    assert out["disclosure"].unique().tolist() == ["not applied (analyst role)"]


def test_unknown_role_is_treated_as_a_viewer():
    frame = pd.DataFrame([count("duos", 3)])
    viewer = disclosure.apply(frame, threshold=4, role="viewer")
    pd.testing.assert_frame_equal(disclosure.apply(frame, threshold=4, role="Analyst"), viewer)
    assert viewer["disclosure"].tolist() == ["applied (threshold 4)"]


def test_input_is_not_modified_and_other_columns_pass_through():
    frame = pd.DataFrame(
        [count("duos", 22), count("duos", 3, ("municipality", "Brussel"))], index=[10, 20]
    )
    before = frame.copy()
    out = disclosure.apply(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert out.index.tolist() == [10, 20]
    assert out.columns.tolist() == [*frame.columns, "suppressed", "suppression", "disclosure"]
    assert out["label"].tolist() == frame["label"].tolist()


def test_existing_suppression_columns_are_overwritten_in_place():
    frame = pd.DataFrame([count("duos", 3)]).assign(suppressed=False, suppression=None)
    out = disclosure.apply(frame)
    assert out.columns.tolist() == [*frame.columns, "disclosure"]
    assert out["suppression"].tolist() == ["primary"]


def test_suppressed_label():
    assert disclosure.SUPPRESSED_LABEL(5) == "<5"
    assert disclosure.SUPPRESSED_LABEL(10) == "<10"


@pytest.mark.parametrize(
    ("frame", "threshold", "message"),
    [
        (pd.DataFrame([count("duos", 3)]), 0, "at least 1"),
        (pd.DataFrame([count("duos", 3)]).drop(columns="personal"), 5, "personal"),
        (pd.DataFrame([result("duos", "mode", value=3)]), 5, "Unknown indicator kind mode"),
        (pd.DataFrame([count("duos", 3), count("duos", 4)]), 5, "more than one row"),
    ],
)
def test_unusable_input_is_refused_in_one_sentence(frame, threshold, message):
    with pytest.raises(disclosure.DisclosureError, match=message):
        disclosure.apply(frame, threshold=threshold)


# --- properties over random consistent tables ----------------------------------------------

COUNTS = st.one_of(st.just(0), st.integers(1, 12), st.integers(13, 60))


@st.composite
def tables(draw) -> tuple[pd.DataFrame, int]:
    """Return a consistent result frame (one indicator, 1-2 breakdowns) and a threshold."""
    kind = draw(st.sampled_from(["count", "ratio", "distribution"]))
    threshold = draw(st.integers(2, 10))
    breakdowns = [f"b{i}" for i in range(draw(st.integers(1, 2)))]
    sizes = [draw(st.integers(1, 5)) for _ in breakdowns]
    categories = [f"c{i}" for i in range(draw(st.integers(2, 4)))]
    if kind != "distribution":
        categories = [None]
    # People are drawn per joint cell (every breakdown value and category), so every overall
    # figure is exactly the sum of the breakdown figures, in every breakdown.
    joint = {}
    for cell in itertools.product(*(range(size) for size in sizes), range(len(categories))):
        units = draw(COUNTS)
        joint[cell] = (draw(st.integers(0, units)) if kind == "ratio" else units, units)

    def total(axis: int | None, level: int | None, category: int | None) -> tuple[int, int]:
        chosen = [
            pair
            for cell, pair in joint.items()
            if (axis is None or cell[axis] == level) and (category is None or cell[-1] == category)
        ]
        return sum(p[0] for p in chosen), sum(p[1] for p in chosen)

    places = [(None, None, None)] + [
        (axis, level, f"{breakdowns[axis]}={level}")
        for axis in range(len(breakdowns))
        for level in range(sizes[axis])
    ]
    rows = []
    for axis, level, value_label in places:
        where = None if axis is None else (breakdowns[axis], value_label)
        if kind == "count":
            rows.append(count("x", total(axis, level, None)[1], where))
        elif kind == "ratio":
            rows.append(ratio("x", *total(axis, level, None), where))
        else:
            all_units = total(axis, level, None)[1]
            for index, category in enumerate(categories):
                rows.append(share("x", category, total(axis, level, index)[1], all_units, where))
    order = draw(st.permutations(range(len(rows))))
    return pd.DataFrame([rows[i] for i in order]), threshold


def count_cells(row: pd.Series) -> list[float]:
    """Return the counts a row publishes: value for counts; numerator, denominator, complement."""
    if row["kind"] == "count":
        return [row["value"]]
    return [row["numerator"], row["denominator"], row["denominator"] - row["numerator"]]


def size(row: pd.Series) -> float:
    """Return the number of units in a row."""
    return row["value"] if row["kind"] == "count" else row["n"]


def groups(frame: pd.DataFrame) -> list[tuple[list[int], int]]:
    """Return (member row positions, parent row position) for every breakdown of a total."""
    is_overall = frame["breakdown"].isna().to_numpy()
    categories = frame["category"].fillna("").to_numpy()
    children = np.flatnonzero(~is_overall)
    keys = [frame["breakdown"].to_numpy()[children], categories[children]]
    found = []
    for (_, category), members in pd.Series(children).groupby(keys).indices.items():
        parent = np.flatnonzero(is_overall & (categories == category))[0]
        found.append((children[members].tolist(), int(parent)))
    return found


def attacker_solves(known: dict, equations: list[dict], hidden: set) -> dict:
    """Return the hidden variables an attacker can pin down, with the values found.

    Uses exact elimination over the additive equations (sum of coefficient * variable = 0) plus
    the fact that counts are never negative: unknowns of one sign adding up to 0 are all 0.
    """
    known = dict(known)
    while True:
        reduced = []
        for equation in equations:
            rest = -sum(c * known[v] for v, c in equation.items() if v in known)
            unknown = {v: c for v, c in equation.items() if v not in known}
            if unknown:
                reduced.append((unknown, Fraction(rest)))
        pinned = {}
        for unknown, rest in reduced:
            signs = {c > 0 for c in unknown.values()}
            if rest == 0 and len(signs) == 1:
                pinned |= dict.fromkeys(unknown, Fraction(0))
        names = sorted({v for unknown, _ in reduced for v in unknown})
        matrix = [[Fraction(u.get(v, 0)) for v in names] + [rest] for u, rest in reduced]
        pivot_row = 0
        for column in range(len(names)):
            pivot = next((r for r in range(pivot_row, len(matrix)) if matrix[r][column]), None)
            if pivot is None:
                continue
            matrix[pivot_row], matrix[pivot] = matrix[pivot], matrix[pivot_row]
            lead = matrix[pivot_row][column]
            matrix[pivot_row] = [x / lead for x in matrix[pivot_row]]
            for r in range(len(matrix)):
                if r != pivot_row and matrix[r][column]:
                    factor = matrix[r][column]
                    matrix[r] = [
                        x - factor * y for x, y in zip(matrix[r], matrix[pivot_row], strict=True)
                    ]
            pivot_row += 1
        for line in matrix:
            nonzero = [i for i, x in enumerate(line[:-1]) if x]
            if len(nonzero) == 1:
                pinned[names[nonzero[0]]] = line[-1]
        if not pinned:
            return {v: x for v, x in known.items() if v in hidden}
        known |= pinned


def attack(frame: pd.DataFrame, out: pd.DataFrame) -> dict:
    """Return every hidden count the published frame pins down, mapped to (found, true) values."""
    kind = frame["kind"].iloc[0]
    measures = {"count": ["value"], "ratio": ["numerator", "denominator"]}.get(kind, ["numerator"])
    variables, truth, equations = {}, {}, []

    def variable(name: tuple, true_value: float, published: bool) -> None:
        truth[name] = true_value
        if published:
            variables[name] = Fraction(true_value)

    for position in range(len(frame)):
        for measure in measures:
            variable(
                (measure, position),
                frame[measure].iloc[position],
                not out["suppressed"].iloc[position],
            )
    for members, parent in groups(frame):
        for measure in measures:
            equations.append({(measure, m): 1 for m in members} | {(measure, parent): -1})
    if kind == "distribution":
        # Every row of a breakdown value carries its total as denominator.
        place = frame["breakdown"].fillna("") + "=" + frame["breakdown_value"].fillna("")
        for label, positions in frame.groupby(place).indices.items():
            published = not out["suppressed"].iloc[positions].all()
            variable(("total", label), frame["denominator"].iloc[positions[0]], published)
            equations.append({("numerator", p): 1 for p in positions} | {("total", label): -1})
        for _, labels in place[frame["breakdown"].notna()].groupby(frame["breakdown"]):
            totals = {("total", label): 1 for label in set(labels)}
            equations.append(totals | {("total", "="): -1})
    hidden = set(truth) - set(variables)
    return {v: (x, truth[v]) for v, x in attacker_solves(variables, equations, hidden).items()}


@settings(max_examples=80, deadline=None)
@given(tables())
def test_published_counts_are_never_small(case):
    frame, threshold = case
    out = disclosure.apply(frame, threshold=threshold)
    for _, row in out[~out["suppressed"]].iterrows():
        assert not any(0 < x < threshold for x in count_cells(row)), row.to_dict()
    # Every row that was small to begin with is marked primary, and only those.
    small = frame.apply(lambda row: any(0 < x < threshold for x in count_cells(row)), axis=1)
    assert (out["suppression"] == "primary").tolist() == small.tolist()


@settings(max_examples=150, deadline=None)
@given(tables())
def test_no_hidden_count_can_be_recomputed(case):
    frame, threshold = case
    out = disclosure.apply(frame, threshold=threshold)
    hidden = out["suppressed"].to_numpy()
    for members, parent in groups(frame):
        suppressed = [m for m in members if hidden[m]]
        if hidden[parent]:
            # Otherwise another breakdown of the same total would give the total back.
            assert all(hidden[m] or size(frame.iloc[m]) == 0 for m in members)
            continue
        # The attacker: total minus published siblings is the sum of the hidden members,
        # which must never be a single cell.
        measure = "value" if frame["kind"].iloc[0] == "count" else "numerator"
        residual = frame[measure].iloc[parent] - sum(
            out[measure].iloc[m] for m in members if not hidden[m]
        )
        assert residual == sum(frame[measure].iloc[m] for m in suppressed)
        assert len(suppressed) != 1
    if frame["kind"].iloc[0] == "distribution":
        place = frame["breakdown"].fillna("") + "=" + frame["breakdown_value"].fillna("")
        for positions in frame.groupby(place).indices.values():
            # The denominator of a published category is the total; one hidden would follow.
            assert hidden[positions].sum() != 1 or len(positions) == 1
    # The full attacker: exact elimination over every additive relation in the table.
    leaks = {v: pair for v, pair in attack(frame, out).items() if pair[1] != 0}
    assert not leaks


@settings(max_examples=50, deadline=None)
@given(tables())
def test_suppression_only_hides_and_ignores_row_order(case):
    frame, threshold = case
    out = disclosure.apply(frame, threshold=threshold)
    published = ~out["suppressed"].to_numpy()
    pd.testing.assert_frame_equal(out.loc[published, frame.columns], frame.loc[published])
    assert out.loc[~published, list(NUMBERS)].isna().all().all()
    shuffled = disclosure.apply(frame.iloc[::-1], threshold=threshold)
    assert shuffled.set_index("label")["suppression"].to_dict() == reasons(out)


# --- rounding for viewers --------------------------------------------------------------------


def test_rounding_gives_a_neighbouring_multiple_and_the_same_answer_every_time():
    for value in range(0, 60):
        for cell in ("a", "b", "c"):
            got = disclosure.rounded(float(value), 5, b"secret", cell)
            assert got % 5 == 0 and abs(got - value) < 5
            assert got == disclosure.rounded(float(value), 5, b"secret", cell)
    assert disclosure.rounded(35.0, 5, b"secret", "a") == 35.0  # a multiple stays as it is
    assert disclosure.rounded(7.0, 1, b"secret", "a") == 7.0  # base 1: exact counts


def test_rounding_is_unbiased_over_many_cells():
    # 7 = 5 + 2 is rounded up with probability 2/5: over 4000 cells close to 40% go up
    ups = sum(disclosure.rounded(7.0, 5, b"secret", f"cell {i}") == 10.0 for i in range(4000))
    assert 0.37 < ups / 4000 < 0.43
    # another secret gives other draws (the viewer cannot replay them)
    mine = [disclosure.rounded(7.0, 5, b"secret", f"cell {i}") for i in range(200)]
    theirs = [disclosure.rounded(7.0, 5, b"other", f"cell {i}") for i in range(200)]
    assert mine != theirs


def test_viewers_get_rounded_counts_and_ratios_from_rounded_parts():
    frame = pd.DataFrame(
        [
            count("c", 23),
            ratio("r", 13, 52),
            *distribution("d", ["x", "y"], {None: [12, 31]}),
            result("money", "sum", value=1234.0, n=7, personal=False),
        ]
    )
    out = disclosure.apply(frame, threshold=5, role="viewer", base=5, secret=b"s")
    rows = {(r.id, r.category): r for r in out.itertuples()}
    c = rows[("c", None)]
    assert c.value == c.n and c.value in (20.0, 25.0)
    r = rows[("r", None)]
    assert r.numerator in (10.0, 15.0) and r.denominator in (50.0, 55.0)
    assert r.value == r.numerator / r.denominator and r.n == r.denominator
    x, y = rows[("d", "x")], rows[("d", "y")]
    assert x.denominator == y.denominator and x.denominator in (40.0, 45.0)
    assert x.value == x.numerator / x.denominator
    money = rows[("money", None)]  # counts no people: exact
    assert (money.value, money.n) == (1234.0, 7.0)
    assert out["disclosure"].iloc[0] == "applied (threshold 5, counts rounded to multiples of 5)"
    analyst = disclosure.apply(frame, threshold=5, role="analyst", base=5, secret=b"s")
    assert analyst.set_index(["id", "category"])["value"].to_dict() == pytest.approx(
        frame.set_index(["id", "category"])["value"].to_dict(), nan_ok=True
    )
