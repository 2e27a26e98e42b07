"""Figures shaped for tables and maps (indicators/views.py), on the hand-built programme.

The values are worked out by hand from tests/indicators/test_hand_built.py's DATA, period
'programme', as of 2022-12-31.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from indicators import periods, views
from tests.indicators.test_hand_built import AS_OF, warehouse_dir  # noqa: F401 (fixture)

PROGRAMME = periods.parse("programme")
WHEN = date.fromisoformat(AS_OF)


def test_organisations_with_hours_and_flow_through_starts(warehouse_dir):  # noqa: F811
    frame = views.organisation_figures(PROGRAMME, WHEN, "analyst", warehouse_dir)
    # hours: O1 = C01 10 + C04 10, O2 = C05 10 + C14 3; O3 and O4 hosted no contact.
    # starts: R1 and R6 at O1, R4 at O2, R5 at O3 (R2 never started, R3 had no organisation).
    # anchor places on 2022-12-31: O1 since 2021-09-01, O2 since 2022-03-01; O4 only from 2023.
    assert frame[["organisation_id", "hours_total", "flow_starts"]].values.tolist() == [
        ["O1", 20.0, 2.0],
        ["O2", 13.0, 1.0],
        ["O3", 0.0, 1.0],
        ["O4", 0.0, 0.0],
    ]
    assert frame["anchor_since"].tolist()[:2] == [date(2021, 9, 1), date(2022, 3, 1)]
    assert frame["anchor_since"][2:].isna().all()
    assert not frame["hours_suppressed"].any() and not frame["flow_suppressed"].any()


def test_viewers_do_not_see_small_organisation_counts(warehouse_dir):  # noqa: F811
    frame = views.organisation_figures(PROGRAMME, WHEN, "viewer", warehouse_dir).set_index(
        "organisation_id"
    )
    # 1 or 2 starts are people: hidden; the hours are not counts of people but have fewer
    # than 5 units behind them, so they are hidden too
    assert frame.loc[["O1", "O2", "O3"], "flow_suppressed"].all()
    assert frame.loc[["O1", "O2", "O3"], "flow_starts"].isna().all()


def test_every_municipality_gets_a_row_with_its_name(warehouse_dir):  # noqa: F811
    frame = views.municipality_figures(
        "duos_formed", PROGRAMME, WHEN, "analyst", "en", warehouse_dir
    )
    assert len(frame) == 19
    counted = frame[frame["value"] > 0].set_index("nis_code")
    # K1 and K3: Schaerbeek (P1, P3); K2: Molenbeek (P2); K4: Brussels (P4); K5: Leuven
    assert counted["value"].to_dict() == {"21015": 2.0, "21012": 1.0, "21004": 1.0}
    assert counted.loc["21015", "name"] == "Schaarbeek / Schaerbeek"
    dutch = views.municipality_figures(
        "duos_formed", PROGRAMME, WHEN, "analyst", "nl", warehouse_dir
    )
    assert dutch.set_index("nis_code").loc["21015", "name"] == "Schaarbeek"
    assert frame["value"].sum() == 4  # the fifth duo is outside Brussels


def test_flow_by_cohort_leaves_open_cohorts_empty(warehouse_dir):  # noqa: F811
    frame = views.flow_by_cohort(PROGRAMME, WHEN, "analyst", warehouse_dir)
    # 2021-Q3 holds K4, still running on the as-of date: its window is open, no final rate.
    # 2021-Q4 holds K5 (ended 2022-03-10, window closed 2022-09-10): P5's leisure start on
    # 2022-10-01 falls after it, so 0 of 1 flowed through.
    assert sorted(set(frame["cohort"])) == ["2021-Q3", "2021-Q4"]
    q3 = frame[frame["cohort"] == "2021-Q3"]
    assert q3["is_open"].all() and q3["value"].isna().all()
    q4 = frame[frame["cohort"] == "2021-Q4"].set_index("id")
    assert not q4["is_open"].any()
    assert q4.loc["flow_any_6m", ["value", "numerator", "denominator"]].tolist() == [0, 0, 1]


def test_overall_picks_the_overall_row():
    frame = pd.DataFrame(
        {"id": ["a", "a", "b"], "breakdown": ["gender", None, None], "value": [1, 2, 3]}
    )
    assert views.overall(frame, "a")["value"] == 2


def test_viewers_get_the_views_counts_rounded_to_fives_and_analysts_exact(demo_warehouse):
    when = date(2023, 12, 31)
    exact = views.trajectory_funnel(PROGRAMME, when, "analyst", demo_warehouse).set_index("stage")
    shown = views.trajectory_funnel(PROGRAMME, when, "viewer", demo_warehouse).set_index("stage")
    assert (exact["n"] % 5 != 0).any(), "the demo data should hold counts that need rounding"
    published = shown["n"].dropna()
    assert (published % 5 == 0).all()
    assert ((published - exact.loc[published.index, "n"]).abs() < 5).all()
    # the shares follow the published counts, not the exact ones
    pd.testing.assert_series_equal(
        shown["share_of_first"], shown["n"] / shown["n"].iloc[0], check_names=False
    )
    again = views.trajectory_funnel(PROGRAMME, when, "viewer", demo_warehouse).set_index("stage")
    assert again["n"].equals(shown["n"])  # the same figure every time
    outcomes = views.flow_outcomes(PROGRAMME, when, "viewer", demo_warehouse)
    for column in ("duos", "flowed"):
        assert (outcomes[column].dropna() % 5 == 0).all()
    kept = outcomes.dropna(subset=["share"])
    assert (kept["share"] == kept["flowed"] / kept["duos"]).all()
