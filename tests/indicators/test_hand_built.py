"""Every indicator on a small programme whose figures were worked out by hand (in comments).

Norms: 40 hours, 2 contacts a month, 90 days to match, 3 months early closure, 6 months of
flow-through window. Main case: period 'programme' (2021-06-01..2023-12-31), as of 2022-12-31.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from indicators import catalogue, engine
from tests.conftest import load_export

AS_OF = "2022-12-31"

DATA = {
    "participants": [
        [
            "participant_id",
            "registered_on",
            "intake_on",
            "birth_year",
            "gender",
            "country_of_birth",
            "municipality",
            "dutch_level",
        ],
        ["P1", "2021-06-01", "2021-06-10", "1990", "F", "SY", "21015", "A1"],
        ["P2", "2021-06-05", "2021-06-20", "1985", "M", "AF", "21012", "A0"],
        ["P3", "2021-07-01", "2021-07-05", "1999", "F", "MA", "21015", "A2"],
        ["P4", "2021-08-01", "2021-08-10", "2000", "M", "UA", "21004", "A1"],
        ["P5", "2021-09-01", "2021-09-15", "1970", "X", "SY", "Leuven", ""],
        ["P6", "2022-02-01", "", "", "F", "", "", ""],
        ["P7", "2021-10-01", "2021-10-05", "1980", "F", "ER", "21001", "A0"],
    ],
    "buddies": [
        ["buddy_id", "registered_on", "trained_on"],
        ["B1", "2021-05-01", "2021-05-20"],
        ["B2", "2021-05-02", ""],
        ["B3", "2021-06-01", "2021-09-01"],
        ["B4", "2021-06-01", "2021-06-15"],
    ],
    "organisations": [
        ["organisation_id", "name", "dutch_network", "anchor_since"],
        ["O1", "Bibliotheek", "true", "2021-09-01"],
        ["O2", "Gemeenschapscentrum", "true", "2022-03-01"],
        ["O3", "Sportclub", "true", ""],
        ["O4", "Cultuurcentrum", "true", "2023-05-01"],
    ],
    "matches": [
        ["match_id", "participant_id", "buddy_id", "matched_on", "ended_on", "end_reason"],
        ["K1", "P1", "B1", "2021-07-01", "2021-12-20", "completed"],
        ["K2", "P2", "B2", "2021-07-15", "2021-09-01", "participant_stopped"],
        ["K3", "P3", "B3", "2021-08-01", "2022-02-15", "completed"],
        ["K4", "P4", "B4", "2021-09-01", "", ""],
        ["K5", "P5", "B1", "2021-12-01", "2022-03-10", "moved_away"],
    ],
    "contacts": [
        ["contact_id", "match_id", "contact_on", "hours", "organisation_id"],
        # K1: 10+2+10+10+10 = 42 h; cumulative 10, 12, 22, 32, 42 -> 40 h reached 2021-10-05
        ["C01", "K1", "2021-07-05", "10", "O1"],
        ["C02", "K1", "2021-07-20", "2", ""],
        ["C03", "K1", "2021-08-05", "10", ""],
        ["C04", "K1", "2021-09-05", "10", "O1"],
        ["C05", "K1", "2021-10-05", "10", "O2"],
        # K2: 1.5 + 2 = 3.5 h
        ["C06", "K2", "2021-07-20", "1.5", ""],
        ["C07", "K2", "2021-08-03", "2", ""],
        # K3: 12+12+12+4 = 40 h on 2021-09-20, then 2 more: 42 h
        ["C08", "K3", "2021-08-02", "12", ""],
        ["C09", "K3", "2021-08-16", "12", ""],
        ["C10", "K3", "2021-09-01", "12", ""],
        ["C11", "K3", "2021-09-20", "4", ""],
        ["C12", "K3", "2021-10-10", "2", ""],
        # K4 (still running): 3 + 3 = 6 h
        ["C13", "K4", "2021-09-05", "3", ""],
        ["C14", "K4", "2021-09-19", "3", "O2"],
        # K5: 2+2+2 = 6 h
        ["C15", "K5", "2021-12-05", "2", ""],
        ["C16", "K5", "2022-01-10", "2", ""],
        ["C17", "K5", "2022-01-24", "2", ""],
    ],
    "activities": [
        ["activity_id", "activity_on", "participant_id", "hours", "organisation_id"],
        ["G1", "2021-08-10", "P1", "3", "O2"],
        ["G1", "2021-08-10", "P2", "3", "O2"],
        ["G2", "2022-05-01", "P3", "2", "O3"],
        ["G2", "2022-05-01", "P4", "2", "O3"],
        ["G2", "2022-05-01", "P5", "2", "O3"],
        ["G3", "2023-03-01", "P1", "2", "O3"],  # after the as-of date
    ],
    "referrals": [
        ["participant_id", "referred_on", "kind", "organisation_id", "status"],
        ["P1", "2021-11-01", "leisure", "O1", "started"],  # R1: anchor (O1 since 2021-09-01)
        ["P1", "2022-02-01", "volunteering", "O2", "referred"],  # R2: not a start
        ["P2", "2021-10-01", "course", "", "ongoing_3m"],  # R3: start, no organisation
        ["P3", "2022-06-01", "volunteering", "O2", "started"],  # R4: anchor (O2 since 03-01)
        ["P5", "2022-10-01", "leisure", "O3", "stopped"],  # R5: start, not an anchor
        ["P3", "2022-09-01", "leisure", "O1", "started"],  # R6: anchor, after P3's window
    ],
    "surveys": [
        [
            "respondent_id",
            "respondent_role",
            "wave",
            "answered_on",
            "dj1",
            "dj2",
            "dj3",
            "dj4",
            "dj5",
            "dj6",
            "dutch_confidence",
            "feel_at_home",
            "helpful_for_integration",
        ],
        ["P1", "participant", "intake", "2021-06-10", "1", "1", "1", "0", "1", "0", "2", "3", ""],
        ["P1", "participant", "end", "2021-12-20", "0", "1", "0", "0", "1", "0", "4", "4", "ja"],
        ["P2", "participant", "intake", "2021-06-20", "1", "1", "1", "1", "1", "1", "1", "2", ""],
        ["P2", "participant", "end", "2021-09-05", "1", "1", "1", "1", "0", "1", "1", "2", "nee"],
        ["P3", "participant", "intake", "2021-07-05", "0", "0", "1", "0", "0", "0", "3", "3", ""],
        ["P3", "participant", "end", "2022-02-20", "0", "0", "0", "0", "0", "0", "5", "4", "ja"],
        ["P5", "participant", "intake", "2021-09-15", "1", "1", "", "1", "1", "1", "2", "1", ""],
        ["P5", "participant", "end", "2022-03-15", "0", "0", "0", "0", "0", "0", "3", "3", ""],
    ],
    "finance": [
        ["booked_on", "direction", "source", "category", "amount_eur"],
        ["2021-06-15", "income", "flemish_community_amif", "", "82882"],
        ["2022-01-15", "income", "vgc_own", "", "10000"],
        ["2023-02-01", "income", "vgc_own", "", "5000"],  # after the as-of date
        ["2021-07-31", "expense", "", "staff", "1000.50"],
        ["2021-12-31", "expense", "", "activities", "2000"],
        ["2022-06-30", "expense", "", "training", "1500"],
    ],
}

# The hand-worked overall values for period 'programme', as of 2022-12-31:
# (value, numerator, denominator, n); None = not defined for that kind.
EXPECTED = {
    "registrations": (7, None, None, 7),  # P1..P7
    "intakes": (6, None, None, 6),  # all but P6
    "duos_formed": (5, None, None, 5),
    "active_duos": (5, None, None, 5),
    # intakes whose 90 days have passed: 6; matched within 90 days: P1..P5 (P5: 77 days)
    "match_rate": (5 / 6, 5, 6, 6),
    # days intake -> first match: 21, 25, 27, 22, 77 -> median 25
    "time_to_match_days": (25, None, None, 5),
    # first matches: B1 trained before, B2 never, B3 after (09-01 > 08-01), B4 before
    "buddies_trained_share": (0.5, 2, 4, 4),
    # 42 + 3.5 + 42 + 6 + 6; units (duo, organisation): K1 x3, K2, K3, K4 x2, K5 = 8
    "hours_total": (99.5, None, None, 8),
    # ended duos K1 42, K2 3.5, K3 42, K5 6 -> median of 3.5, 6, 42, 42 = 24
    "hours_per_duo": (24, None, None, 4),
    "share_40h": (0.5, 2, 4, 4),  # K1 and K3 of the four ended duos
    # full active months in the period: K1 Jul-Nov (5; Jul has 2 contacts), K2 Aug (1; 1
    # contact), K3 Aug 2021-Jan 2022 (6; Aug and Sep have 2), K4 Sep 2021-Dec 2022 (16; Sep
    # has 2), K5 Dec-Feb (3; Jan has 2) -> 5 of 31
    "meeting_norm_share": (5 / 31, 5, 31, 31),
    # K2 48 censored, K3 50 event, K1 96 event, K5 99 censored, K4 486 censored:
    # S(50) = 3/4, S(96) = 3/4 * 2/3 = 1/2 -> median 96
    "time_to_40h_days": (96, None, None, 5),
    # newcomers whose last duo ended (none still running): P1 (K1 42 h), P2 (K2 3.5 h),
    # P3 (K3 42 h), P5 (K5 6 h); P4's K4 still runs
    "newcomers_40h_buddy_share": (0.5, 2, 4, 4),
    # with group activities by the as-of date: P1 45, P2 6.5, P3 44, P5 8
    "newcomers_40h_share": (0.5, 2, 4, 4),
    # from the first match, all hours by day: P2 censored 48 (its end), P3 event 50 (09-20),
    # P1 event 96 (10-05: 10, 12, 22, +3 group, 35, 45), P5 censored 99, P4 censored 486:
    # S(50) = 3/4, S(96) = 1/2 -> median 96
    "newcomer_time_to_40h_days": (96, None, None, 5),
    "completion_rate": (0.5, 2, 4, 4),
    "early_closure_rate": (0.25, 1, 4, 4),  # only K2 (ended 09-01, before 10-15)
    # cohort: duos ended with their 6-month window closed: K1, K2, K3, K5 -> P1, P2, P3, P5
    "flow_leisure_6m": (0.25, 1, 4, 4),  # P1 (R1); R5 and R6 fall after the windows
    "flow_volunteering_6m": (0.25, 1, 4, 4),  # P3 (R4); R2 never started
    "flow_any_6m": (0.5, 2, 4, 4),
    "flow_at_anchor_share": (0.6, 3, 5, 5),  # starts R1, R3, R4, R5, R6; anchors R1, R4, R6
    "anchor_places": (2, None, None, 2),  # O1, O2 (O4 only from 2023)
    "new_anchor_places": (2, None, None, 2),
    "organisations_hosting": (3, None, None, 3),  # contacts at O1, O2; activities at O2, O3
    "group_activities": (2, None, None, 2),  # G1, G2 (G3 after the as-of date)
    "group_activity_participants": (5, None, None, 5),
    # loneliness end - intake: P1 2-4, P2 5-6, P3 0-1 (P5's intake lacks an item)
    "loneliness_change": (-4 / 3, None, None, 3),
    "dutch_confidence_change": (1.25, None, None, 4),  # +2, 0, +2, +1
    "feel_at_home_change": (1.0, None, None, 4),  # +1, 0, +1, +2
    "helpful_for_integration_share": (2 / 3, 2, 3, 3),  # P1 ja, P2 nee, P3 ja
    "survey_response_rate": (1.0, 4, 4, 4),
    "funding_total": (92882, None, None, 2),
    "spend_total": (4500.5, None, None, 3),
    "cost_per_duo": (900.1, 4500.5, 5, 5),
    "cost_per_duo_40h": (2250.25, 4500.5, 2, 2),  # K1 and K3 reached 40 hours
}
# 95% intervals: mean ± t(0.975, n-1) * s / sqrt(n)
EXPECTED_CI = {
    # t(0.975, 2) = 4.302653, s = 1/sqrt(3): half-width 4.302653 / 3 = 1.434218
    "loneliness_change": (-4 / 3 - 1.434218, -4 / 3 + 1.434218),
    # t(0.975, 3) = 3.182446, s = sqrt(2.75/3) = 0.957427: half-width 1.523480
    "dutch_confidence_change": (1.25 - 1.523480, 1.25 + 1.523480),
    # s = sqrt(2/3) = 0.816497: half-width 3.182446 * 0.816497 / 2 = 1.299228
    "feel_at_home_change": (1 - 1.299228, 1 + 1.299228),
}


def rows_like(table: str, *rows: dict[str, str]) -> list[list[str]]:
    """Return a table with DATA's header and the given rows (missing cells empty)."""
    header = DATA[table][0]
    return [header, *([row.get(col, "") for col in header] for row in rows)]


@pytest.fixture(scope="module")
def warehouse_dir(tmp_path_factory) -> Path:
    """Return a warehouse loaded with the hand-built programme."""
    root = tmp_path_factory.mktemp("hand_built_indicators")
    return load_export(root, DATA, "hand-built-indicator-key")


def _overall(frame, indicator_id):
    rows = frame[(frame["id"] == indicator_id) & frame["breakdown"].isna()]
    assert len(rows) == 1, indicator_id
    return rows.iloc[0]


def _same(actual, expected):
    if expected is None:
        return isinstance(actual, float) and math.isnan(actual)
    return actual == pytest.approx(expected, rel=1e-9, abs=1e-6)


def test_every_indicator_has_a_hand_worked_value():
    from indicators import catalogue

    expected_ids = set(EXPECTED) | {"end_reasons", "funding_by_source", "dutch_level_up_share"}
    assert expected_ids == set(catalogue.load().ids)


@pytest.mark.parametrize("indicator_id", sorted(EXPECTED))
def test_hand_worked_value(warehouse_dir, indicator_id):
    frame = engine.compute(
        [indicator_id], "programme", as_of=AS_OF, role="analyst", warehouse_dir=warehouse_dir
    )
    row = _overall(frame, indicator_id)
    value, numerator, denominator, n = EXPECTED[indicator_id]
    assert _same(row["value"], value), (row["value"], value)
    assert _same(row["numerator"], numerator)
    assert _same(row["denominator"], denominator)
    assert _same(row["n"], n)
    if indicator_id in EXPECTED_CI:
        low, high = EXPECTED_CI[indicator_id]
        assert row["ci_low"] == pytest.approx(low, abs=1e-5)
        assert row["ci_high"] == pytest.approx(high, abs=1e-5)


def test_distributions(warehouse_dir):
    frame = engine.compute(
        ["end_reasons", "funding_by_source"],
        "programme",
        as_of=AS_OF,
        role="analyst",
        warehouse_dir=warehouse_dir,
    )
    reasons = frame[frame["id"] == "end_reasons"].set_index("category")
    assert reasons["numerator"].to_dict() == {
        "completed": 2,
        "moved_away": 1,
        "participant_stopped": 1,
    }
    assert reasons["value"].to_dict() == {
        "completed": 0.5,
        "moved_away": 0.25,
        "participant_stopped": 0.25,
    }
    funding = frame[frame["id"] == "funding_by_source"].set_index("category")
    assert funding["numerator"].to_dict() == {"flemish_community_amif": 82882, "vgc_own": 10000}
    assert funding.loc["vgc_own", "value"] == pytest.approx(10000 / 92882)


def test_an_earlier_as_of_date_censors_and_keeps_windows_open(warehouse_dir):
    frame = engine.compute(
        [
            "flow_any_6m",
            "survey_response_rate",
            "meeting_norm_share",
            "time_to_40h_days",
            "registrations",
        ],
        "programme",
        as_of="2022-03-12",
        role="analyst",
        warehouse_dir=warehouse_dir,
    )
    # only K2's window (ended 2021-09-01) has closed by 2022-03-12: P2 did not flow through
    assert _overall(frame, "flow_any_6m")[["numerator", "denominator"]].tolist() == [0, 1]
    # P5's end questionnaire (2022-03-15) comes after the as-of date
    assert _overall(frame, "survey_response_rate")[["numerator", "denominator"]].tolist() == [3, 4]
    # K4 now has full months Sep 2021-Feb 2022 (6) instead of 16: 5 of 21
    assert _overall(frame, "meeting_norm_share")[["numerator", "denominator"]].tolist() == [5, 21]
    # K4 censored at 192 days instead of 486: the median stays 96
    assert _overall(frame, "time_to_40h_days")["value"] == 96
    assert _overall(frame, "registrations")["value"] == 7  # P6 registered 2022-02-01


def test_a_shorter_period_and_the_duo_target(warehouse_dir):
    frame = engine.compute(
        ["duos_formed", "share_40h", "newcomers_40h_share", "hours_total"],
        "2021-06-01..2022-01-31",
        as_of=AS_OF,
        role="analyst",
        warehouse_dir=warehouse_dir,
    )
    duos = _overall(frame, "duos_formed")
    assert duos["value"] == 5
    # 150 by 2022-01-31; the deadline has passed with 5 duos: off track
    assert (duos["target"], duos["projection"], duos["status"]) == (150, 5, "off_track")
    assert duos["target_deadline"].isoformat() == "2022-01-31"
    # ended in the period: K1 (42 h) and K2 (3.5 h), the last duos of P1 (45 h with the group
    # activity) and P2 (6.5 h): 50% of the newcomers against a 50% target
    assert _overall(frame, "share_40h")[["numerator", "denominator"]].tolist() == [1, 2]
    assert _overall(frame, "share_40h")["status"] is None  # the target counts newcomers
    newcomers = _overall(frame, "newcomers_40h_share")
    assert newcomers[["numerator", "denominator", "status"]].tolist() == [1, 2, "on_track"]
    assert _overall(frame, "hours_total")["value"] == 99.5


def _breakdown(warehouse_dir, indicator_id, dim, column="value", **kwargs):
    frame = engine.compute(
        [indicator_id],
        "programme",
        breakdown=dim,
        as_of=AS_OF,
        role="analyst",
        warehouse_dir=warehouse_dir,
        **kwargs,
    )
    rows = frame[frame["breakdown"] == dim]
    return dict(zip(rows["breakdown_value"], rows[column], strict=True))


def test_breakdowns(warehouse_dir):
    assert _breakdown(warehouse_dir, "duos_formed", "gender") == {"F": 2, "M": 2, "X": 1}
    assert _breakdown(warehouse_dir, "duos_formed", "municipality") == {
        "21015": 2,
        "21012": 1,
        "21004": 1,
        "outside_brussels": 1,
    }
    assert _breakdown(warehouse_dir, "duos_formed", "region_of_birth") == {
        "Western Asia": 2,
        "Southern Asia": 1,
        "Northern Africa": 1,
        "Eastern Europe": 1,
    }
    # age in the year of registration: 31, 36, 22, 21, 51, unknown, 41
    assert _breakdown(warehouse_dir, "registrations", "age_band") == {
        "26-35": 1,
        "36-45": 2,
        "18-25": 2,
        "46-55": 1,
        "unknown": 1,
    }
    assert _breakdown(warehouse_dir, "hours_total", "match_cohort") == {
        "2021-Q3": 93.5,
        "2021-Q4": 6,
    }
    # O1: C01 + C04; O2: C05 + C14; the rest without an organisation
    assert _breakdown(warehouse_dir, "hours_total", "organisation") == {
        "O1": 20,
        "O2": 13,
        "none": 66.5,
    }
    assert _breakdown(warehouse_dir, "duos_formed", "programme") == {"connect_brussel": 5}


def test_filters_and_undefined_combinations(warehouse_dir):
    frame = engine.compute(
        ["duos_formed", "funding_total"],
        "programme",
        filters={"gender": ["F"]},
        as_of=AS_OF,
        role="analyst",
        warehouse_dir=warehouse_dir,
    )
    assert _overall(frame, "duos_formed")["value"] == 2
    money = _overall(frame, "funding_total")
    assert math.isnan(money["value"]) and money["note"] == "not defined by gender"


def test_viewers_see_small_counts_suppressed(warehouse_dir):
    frame = engine.compute(
        ["duos_formed", "registrations"],
        "programme",
        breakdown="gender",
        as_of=AS_OF,
        warehouse_dir=warehouse_dir,
    )
    assert _overall(frame, "duos_formed")["value"] == 5  # 5 is not below the threshold
    by_gender = frame[(frame["id"] == "duos_formed") & frame["breakdown"].notna()]
    assert by_gender["suppressed"].all() and by_gender["value"].isna().all()
    assert set(frame["disclosure"]) == {"applied (threshold 5, counts rounded to multiples of 5)"}


def test_the_dutch_level_rise_says_no_data_without_levels(warehouse_dir):
    # these questionnaires record no Dutch level (tests/indicators/test_newcomers_40h.py does)
    frame = engine.compute(["dutch_level_up_share"], "programme", warehouse_dir=warehouse_dir)
    row = _overall(frame, "dutch_level_up_share")
    assert row["value"] is None or math.isnan(row["value"])
    assert row["note"].startswith("no data: no questionnaire records the Dutch level")


def test_a_unit_cache_too_small_for_any_list_keeps_none_and_changes_no_figure(
    warehouse_dir, monkeypatch
):
    monkeypatch.setattr(engine, "CACHE_SHARE", 0)
    engine.clear_cache()
    frame = engine.compute(
        sorted(EXPECTED), "programme", as_of=AS_OF, role="analyst", warehouse_dir=warehouse_dir
    )
    for indicator_id, (value, *_) in EXPECTED.items():
        assert _same(_overall(frame, indicator_id)["value"], value), indicator_id
    (db,) = engine._databases.values()
    left = db.con.execute(
        "select count(*) from duckdb_tables() where database_name = 'memory' "
        "and table_name like 'units_%'"
    ).fetchone()
    assert (left, db.size, len(db.entries)) == ((0,), 0, 0)
    engine.clear_cache()


def test_threads_computing_at_once_share_the_cached_units_and_get_the_same_figures(
    warehouse_dir,
):
    from concurrent.futures import ThreadPoolExecutor

    engine.clear_cache()
    ids = sorted(EXPECTED)

    def values(indicator_ids: list[str], breakdown: str | None) -> dict[str, float]:
        out = {}
        for i in indicator_ids:
            by = breakdown if breakdown in catalogue.load().get(i).breakdowns else None
            frame = engine.compute(
                [i], "programme", by, as_of=AS_OF, role="analyst", warehouse_dir=warehouse_dir
            )
            out[i] = _overall(frame, i)["value"]
        return out

    # four threads, each all indicators in its own order, so that they meet on the same lists
    # and as-of tables; two break down by gender (the dimensions join an as-of table too)
    orders = [ids, ids[::-1], ids[1::2] + ids[::2], ids[::2] + ids[1::2]]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(values, orders, [None, "gender", None, "gender"]))
    for got in results:
        for indicator_id, (value, *_) in EXPECTED.items():
            assert _same(got[indicator_id], value), indicator_id
    engine.clear_cache()


def test_the_engine_keeps_to_the_query_memory_it_is_given(warehouse_dir, monkeypatch):
    engine.clear_cache()
    monkeypatch.setenv("CONNECT_QUERY_MEMORY_MIB", "64")
    frame = engine.compute(
        sorted(EXPECTED), "programme", as_of=AS_OF, role="analyst", warehouse_dir=warehouse_dir
    )
    (db,) = engine._databases.values()
    limit = db.con.execute("select current_setting('memory_limit')").fetchone()[0]
    assert limit == "64.0 MiB"
    for indicator_id, (value, *_) in EXPECTED.items():
        assert _same(_overall(frame, indicator_id)["value"], value), indicator_id
    engine.clear_cache()
