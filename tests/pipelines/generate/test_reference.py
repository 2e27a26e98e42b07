"""Tests of the generator's reference lists: real NIS codes and shares that make sense."""

from __future__ import annotations

import csv

import pytest

from pipelines.contract import TABLES_BY_NAME
from pipelines.generate import reference
from pipelines.settings import REFERENCE_DIR


def brussels_nis_codes() -> set[str]:
    with open(REFERENCE_DIR / "brussels_municipalities.csv", encoding="utf-8", newline="") as fh:
        return {row["nis_code"] for row in csv.DictReader(fh)}


def test_the_19_municipalities_are_weighted_and_organisations_lie_in_them() -> None:
    nis = brussels_nis_codes()
    assert len(nis) == 19
    assert set(reference.PARTICIPANT_WEIGHTS) == nis
    assert set(reference.BUDDY_WEIGHTS) == nis
    assert {org[2] for org in reference.CATALOGUE_ORGS} - {""} <= nis


@pytest.mark.parametrize(
    ("profiles", "table", "column"),
    [
        (reference.END_REASON_SHARES, "matches", "end_reason"),
        (reference.ACTIVITY_PROFILES, "contacts", "activity"),
        (reference.REFERRAL_PROFILES, "referrals", "kind"),
    ],
)
def test_drawn_categories_are_the_contract_values_and_shares_add_up_to_one(
    profiles: tuple, table: str, column: str
) -> None:
    assert [p[0] for p in profiles] == list(TABLES_BY_NAME[table].column(column).values)
    assert sum(p[1] for p in profiles) == pytest.approx(1.0)
