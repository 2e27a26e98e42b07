"""Tests of the simulated programme (S, clean): sizes, references, dates and rates.

Expected values are worked out here from the contract, programme.yaml and the files themselves
(read with the csv module and openpyxl), never from the generator's own helpers.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from decimal import Decimal

from pipelines.contract import TABLES_BY_NAME
from tests.pipelines.generate.files import (
    AMIF_GRANT,
    PROGRAMME_END,
    PROGRAMME_START,
    iso,
    six_months_later,
)


def test_s_sizes_are_in_the_documented_ranges(clean) -> None:
    _, report, data = clean
    rows = report.rows
    assert 360 <= rows["participants"] <= 440
    assert 180 <= rows["buddies"] <= 280
    assert 230 <= rows["matches"] <= 320
    assert 3_500 <= rows["contacts"] <= 5_500
    assert 45 <= rows["organisations"] <= 55
    groups = {r["activity_id"] for r in data["activities"]}
    assert 30 <= len(groups) <= 50
    per_group = Counter(r["activity_id"] for r in data["activities"])
    assert min(per_group.values()) >= 5 and max(per_group.values()) <= 25
    anchors = [r for r in data["organisations"] if r["anchor_since"]]
    assert 12 <= len(anchors) <= 20


def test_every_reference_points_at_an_existing_row(clean) -> None:
    _, _, data = clean
    participants = {r["participant_id"] for r in data["participants"]}
    buddies = {r["buddy_id"] for r in data["buddies"]}
    matches = {r["match_id"] for r in data["matches"]}
    organisations = {r["organisation_id"] for r in data["organisations"]}
    assert len(participants) == len(data["participants"])
    assert len(matches) == len(data["matches"])
    assert len({r["contact_id"] for r in data["contacts"]}) == len(data["contacts"])
    assert all(r["match_id"] in matches for r in data["contacts"])
    assert all(r["participant_id"] in participants for r in data["matches"])
    assert all(r["buddy_id"] in buddies for r in data["matches"])
    for table in ("activities", "referrals"):
        assert all(r["participant_id"] in participants for r in data[table])
    for table in ("contacts", "activities", "referrals"):
        assert {r["organisation_id"] for r in data[table]} - {""} <= organisations
    assert re.fullmatch(r"D\d{5}", data["participants"][0]["participant_id"])
    assert re.fullmatch(r"C\d{6}", data["contacts"][0]["contact_id"])


def test_matches_have_consistent_dates_and_end_reasons(clean) -> None:
    _, _, data = clean
    reasons = set(TABLES_BY_NAME["matches"].column("end_reason").values)
    for m in data["matches"]:
        matched = iso(m["matched_on"])
        assert PROGRAMME_START <= matched <= PROGRAMME_END
        assert iso(m["planned_end_on"]) == six_months_later(matched)
        # a duo still running at the export has neither an end date nor a reason
        assert bool(m["ended_on"]) == bool(m["end_reason"])
        if m["ended_on"]:
            assert matched <= iso(m["ended_on"]) <= PROGRAMME_END
            assert m["end_reason"] in reasons
    ended = [m for m in data["matches"] if m["ended_on"]]
    completed = sum(m["end_reason"] == "completed" for m in ended) / len(ended)
    assert 0.5 <= completed <= 0.7


def test_contacts_fall_within_their_duo_and_last_up_to_twelve_hours(clean) -> None:
    _, _, data = clean
    span = {
        m["match_id"]: (iso(m["matched_on"]), iso(m["ended_on"] or PROGRAMME_END.isoformat()))
        for m in data["matches"]
    }
    activities = set(TABLES_BY_NAME["contacts"].column("activity").values) | {""}
    for c in data["contacts"]:
        start, stop = span[c["match_id"]]
        assert start <= iso(c["contact_on"]) <= stop
        assert 0 < float(c["hours"]) <= 12
        assert float(c["hours"]) * 4 == int(float(c["hours"]) * 4)  # quarter hours
        assert c["activity"] in activities
    at_org = sum(bool(c["organisation_id"]) for c in data["contacts"]) / len(data["contacts"])
    assert 0.3 <= at_org <= 0.5


def test_share_of_ended_duos_reaching_forty_hours(clean) -> None:
    _, _, data = clean
    hours: Counter[str] = Counter()
    for c in data["contacts"]:
        hours[c["match_id"]] += float(c["hours"])
    ended = [m["match_id"] for m in data["matches"] if m["ended_on"]]
    share = sum(hours[m] >= 40 for m in ended) / len(ended)
    assert 0.40 <= share <= 0.55
    early = [
        m["match_id"]
        for m in data["matches"]
        if m["ended_on"] and m["end_reason"] != "completed"
        if (iso(m["ended_on"]) - iso(m["matched_on"])).days < 91
    ]
    assert all(hours[m] < 40 for m in early)  # stopping within three months never reaches 40 h


def test_duos_formed_by_the_target_deadline_land_near_the_target(clean) -> None:
    _, _, data = clean
    by_deadline = sum(iso(m["matched_on"]) <= date(2022, 1, 31) for m in data["matches"])
    assert 130 <= by_deadline <= 155  # target: 150 duos by 31 January 2022


def test_participants_intake_and_matching_rates(clean) -> None:
    _, _, data = clean
    people = data["participants"]
    with_intake = [p for p in people if p["intake_on"]]
    assert 0.80 <= len(with_intake) / len(people) <= 0.92
    for p in with_intake:
        assert 3 <= (iso(p["intake_on"]) - iso(p["registered_on"])).days <= 30
    matched = {m["participant_id"] for m in data["matches"]}
    assert 0.68 <= len(matched) / len(with_intake) <= 0.82
    for p in people:
        assert 18 <= iso(p["registered_on"]).year - int(p["birth_year"] or 1990) <= 65
    outside = sum(p["municipality"] == "outside_brussels" for p in people) / len(people)
    assert outside < 0.08


def test_flow_through_reaches_a_third_to_half_of_matched_newcomers(clean) -> None:
    _, _, data = clean
    matched = {m["participant_id"] for m in data["matches"]}
    flowing = {r["participant_id"] for r in data["referrals"]}
    assert 0.35 <= len(flowing & matched) / len(matched) <= 0.50
    assert flowing - matched  # a few newcomers flow through without a buddy
    anchors = {o["organisation_id"] for o in data["organisations"] if o["anchor_since"]}
    at_anchor = sum(r["organisation_id"] in anchors for r in data["referrals"])
    assert at_anchor / len(data["referrals"]) >= 0.2
    for r in data["referrals"]:
        assert iso(r["referred_on"]) <= iso(r["status_on"]) <= PROGRAMME_END


def test_loneliness_falls_between_intake_and_end(clean) -> None:
    _, _, data = clean

    def mean_score(wave: str) -> float:
        rows = [s for s in data["surveys"] if s["wave"] == wave]
        rows = [s for s in rows if s["respondent_role"] == "participant"]
        return sum(sum(int(s[f"dj{i}"] or 0) for i in range(1, 7)) for s in rows) / len(rows)

    assert 2.6 <= mean_score("intake") <= 3.4
    assert 2.0 <= mean_score("end") <= 2.7
    end = [
        s for s in data["surveys"] if s["wave"] == "end" and s["respondent_role"] == "participant"
    ]
    helpful = sum(s["helpful_for_integration"] == "true" for s in end) / len(end)
    assert 0.65 <= helpful <= 0.85


def test_grant_tranches_add_up_to_the_amif_grant(clean) -> None:
    _, _, data = clean
    tranches = [r for r in data["finance"] if r["source"] == "flemish_community_amif"]
    assert len(tranches) >= 2
    assert sum(Decimal(r["amount_eur"]) for r in tranches) == AMIF_GRANT
    staff = sum(Decimal(r["amount_eur"]) for r in data["finance"] if r["category"] == "staff")
    others = [
        sum(Decimal(r["amount_eur"]) for r in data["finance"] if r["category"] == c)
        for c in ("activities", "training", "communication", "overhead", "other")
    ]
    assert staff > max(others)
    for r in data["finance"]:
        assert PROGRAMME_START <= iso(r["booked_on"]) <= PROGRAMME_END
        assert Decimal(r["amount_eur"]) > 0
