"""The 40 hours per newcomer (over all their duos, and with group activities) and the rise in
Dutch level, on a small programme worked out by hand. Norm: 40 hours.

- N1: duo A1 2021-07-01..2021-08-15 with 2 + 2 = 4 h, then duo A2 2021-09-01..2022-02-28 with
  4 x 10 h (2021-09-05, 10-05, 11-05, 12-01): 44 h with buddies, 40 reached on 2021-12-01.
- N2: duo A3 2021-07-15..2022-01-31 with 3 x 10 h (08-01, 09-01, 10-01) and group activities
  of 5 h on 2021-10-15 and 2021-11-15: 30 h with the buddy, 40 h in all on 2021-11-15.
- N3: duo A4 2021-08-01..2022-01-15 with 12 + 12 + 12 + 3.5 = 39.5 h: never 40.
- N4: duo A5 from 2021-09-01, still running, 2 x 10 h: not in the 40-hour shares.
- N5: group activities only (45 h), never matched: in none of the figures.

Dutch level (CEFR): N1 A1 at intake (questionnaire), B1 at the end (2022-03-01): up. N2 A2 at
registration, A2 at the end (2022-02-05) and B1 at follow-up (2022-08-01): up, by the follow-up.
N3 A0 at intake, A0 at the end (2022-01-20): not up. N4 has no later level.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from indicators import engine
from tests.conftest import load_export

DATA = {
    "participants": [
        ["participant_id", "registered_on", "intake_on", "gender", "dutch_level"],
        ["N1", "2021-06-01", "2021-06-10", "F", "A1"],
        ["N2", "2021-06-02", "2021-06-12", "M", "A2"],
        ["N3", "2021-06-03", "2021-06-14", "F", "A0"],
        ["N4", "2021-06-04", "2021-06-16", "M", "A1"],
        ["N5", "2021-06-05", "2021-06-18", "X", "A2"],
    ],
    "buddies": [
        ["buddy_id", "registered_on", "trained_on"],
        ["B1", "2021-05-01", "2021-05-20"],
        ["B2", "2021-05-01", "2021-05-20"],
    ],
    "matches": [
        ["match_id", "participant_id", "buddy_id", "matched_on", "ended_on", "end_reason"],
        ["A1", "N1", "B1", "2021-07-01", "2021-08-15", "mismatch"],
        ["A2", "N1", "B2", "2021-09-01", "2022-02-28", "completed"],
        ["A3", "N2", "B1", "2021-07-15", "2022-01-31", "completed"],
        ["A4", "N3", "B2", "2021-08-01", "2022-01-15", "completed"],
        ["A5", "N4", "B1", "2021-09-01", "", ""],
    ],
    "contacts": [
        ["contact_id", "match_id", "contact_on", "hours"],
        ["C01", "A1", "2021-07-05", "2"],
        ["C02", "A1", "2021-08-01", "2"],
        ["C03", "A2", "2021-09-05", "10"],
        ["C04", "A2", "2021-10-05", "10"],
        ["C05", "A2", "2021-11-05", "10"],
        ["C06", "A2", "2021-12-01", "10"],
        ["C07", "A3", "2021-08-01", "10"],
        ["C08", "A3", "2021-09-01", "10"],
        ["C09", "A3", "2021-10-01", "10"],
        ["C10", "A4", "2021-08-05", "12"],
        ["C11", "A4", "2021-09-05", "12"],
        ["C12", "A4", "2021-10-05", "12"],
        ["C13", "A4", "2021-11-05", "3,5"],
        ["C14", "A5", "2021-09-10", "10"],
        ["C15", "A5", "2021-10-10", "10"],
    ],
    "activities": [
        ["activity_id", "activity_on", "participant_id", "hours"],
        ["G1", "2021-10-15", "N2", "5"],
        ["G2", "2021-11-15", "N2", "5"],
        ["G3", "2021-10-15", "N5", "12"],
        ["G4", "2021-11-15", "N5", "11"],
        ["G5", "2021-12-15", "N5", "11"],
        ["G6", "2022-01-15", "N5", "11"],
    ],
    "surveys": [
        ["respondent_id", "respondent_role", "wave", "answered_on", "dutch_level"],
        ["N1", "participant", "intake", "2021-06-10", "A1"],
        ["N1", "participant", "end", "2022-03-01", "B1"],
        ["N2", "participant", "end", "2022-02-05", "A2"],
        ["N2", "participant", "follow_up", "2022-08-01", "B1"],
        ["N3", "participant", "intake", "2021-06-14", "A0"],
        ["N3", "participant", "end", "2022-01-20", "A0"],
        ["N4", "participant", "intake", "2021-06-16", "A1"],
    ],
}
IDS = [
    "newcomers_40h_buddy_share",
    "newcomers_40h_share",
    "newcomer_time_to_40h_days",
    "dutch_level_up_share",
]


@pytest.fixture(scope="module")
def warehouse_dir(tmp_path_factory) -> Path:
    """Return a warehouse loaded with the hand-built newcomers."""
    return load_export(tmp_path_factory.mktemp("newcomers_40h"), DATA, "newcomers-40h-key")


def _figures(wh: Path, period: str, as_of: str) -> dict[str, tuple]:
    frame = engine.compute(IDS, period, as_of=as_of, role="analyst", warehouse_dir=wh)
    rows = frame[frame["breakdown"].isna()].set_index("id")
    return {i: tuple(rows.loc[i, ["value", "numerator", "denominator", "n"]].tolist()) for i in IDS}


def _same(actual: tuple, expected: tuple) -> None:
    for got, want in zip(actual, expected, strict=True):
        if want is None:
            continue
        if isinstance(want, float) and math.isnan(want):
            assert math.isnan(got)
        else:
            assert got == pytest.approx(want)


def test_the_whole_programme_as_of_the_end_of_2022(warehouse_dir):
    figures = _figures(warehouse_dir, "programme", "2022-12-31")
    # last duos ended in the period: N1 (2022-02-28), N2 (2022-01-31), N3 (2022-01-15)
    _same(figures["newcomers_40h_buddy_share"], (1 / 3, 1, 3, 3))  # N1 44 h; N2 30; N3 39.5
    _same(figures["newcomers_40h_share"], (2 / 3, 2, 3, 3))  # N2 reaches 40 with groups
    # from the first match: N2 event at 123 days (07-15 -> 11-15), N1 event at 153 (07-01 ->
    # 12-01), N3 censored at 167 (its last end), N4 censored at 486 (the as-of date):
    # S(123) = 3/4, S(153) = 3/4 * 2/3 = 1/2 -> median 153
    _same(figures["newcomer_time_to_40h_days"], (153, None, None, 4))
    _same(figures["dutch_level_up_share"], (2 / 3, 2, 3, 3))  # N1, N2 (follow-up) of N1-N3


def test_a_shorter_period(warehouse_dir):
    figures = _figures(warehouse_dir, "2022-01", "2022-12-31")
    # last duos ended in January 2022: N2 and N3; the end or follow-up answers of January:
    # N3's end (N2's later level is its follow-up of August)
    _same(figures["newcomers_40h_buddy_share"], (0, 0, 2, 2))
    _same(figures["newcomers_40h_share"], (0.5, 1, 2, 2))
    _same(figures["newcomer_time_to_40h_days"], (math.nan, None, None, 0))  # no first match
    _same(figures["dutch_level_up_share"], (0, 0, 1, 1))


def test_an_earlier_as_of_date(warehouse_dir):
    figures = _figures(warehouse_dir, "programme", "2022-01-31")
    # on 2022-01-31 N1's duo A2 still runs: N1 leaves the 40-hour shares; N2 and N3 stay
    _same(figures["newcomers_40h_buddy_share"], (0, 0, 2, 2))
    _same(figures["newcomers_40h_share"], (0.5, 1, 2, 2))
    # N2 event 123, N4 censored at 152 (the as-of date), N1 event 153, N3 censored 167:
    # S(123) = 3/4, S(153) = 3/4 * 1/2 = 3/8 -> median 153
    _same(figures["newcomer_time_to_40h_days"], (153, None, None, 4))
    # only N3's end answer (2022-01-20) is known by then: A0 -> A0
    _same(figures["dutch_level_up_share"], (0, 0, 1, 1))


def test_the_level_rise_says_no_data_when_no_questionnaire_records_it(tmp_path):
    # the export has no dutch_level column
    without = {**DATA, "surveys": [row[:4] for row in DATA["surveys"]]}
    wh = load_export(tmp_path, without, "newcomers-40h-no-level-key")
    frame = engine.compute(["dutch_level_up_share"], "programme", role="analyst", warehouse_dir=wh)
    row = frame[frame["breakdown"].isna()].iloc[0]
    assert pd.isna(row["value"]) and not row["suppressed"]
    assert row["note"] == "no data: no questionnaire records the Dutch level (surveys.dutch_level)"
