"""The generated data sets load with the accounting the generator reports."""

from __future__ import annotations

from pipelines.generate import generate
from pipelines.load import load
from tests.conftest import stored_rows

TABLES = ("participants", "matches", "contacts", "referrals", "finance", "surveys")


def test_dirty_export_quarantines_exactly_the_injected_bad_rows(tmp_path, wh):
    report = generate(tmp_path / "dirty", scale="S", seed=7, dirty=True)
    result = load([tmp_path / "dirty"], wh)
    totals = result.totals()
    assert result.is_synthetic
    for table, bad in report.bad_rows.items():
        expected_duplicates = bad.get("exact_duplicate", 0)
        expected_quarantined = sum(n for kind, n in bad.items() if kind != "exact_duplicate")
        t = totals[table]
        assert t["read"] == report.rows[table], table
        assert t["duplicates"] == expected_duplicates, table
        assert t["quarantined"] == expected_quarantined, table
        assert (
            t["read"]
            == t["inserted"] + t["updated"] + t["unchanged"] + t["quarantined"] + t["duplicates"]
        )
    assert any("naam" in w and "email" in w for w in result.warnings)


def test_dirty_and_clean_exports_of_one_seed_load_the_same_rows(tmp_path, wh):
    generate(tmp_path / "clean", scale="S", seed=7)
    generate(tmp_path / "dirty", scale="S", seed=7, dirty=True)
    load([tmp_path / "clean"], tmp_path / "wh_clean")
    load([tmp_path / "dirty"], wh)
    assert stored_rows(wh, *TABLES) == stored_rows(tmp_path / "wh_clean", *TABLES)
