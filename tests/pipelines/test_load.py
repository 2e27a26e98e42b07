"""The load pipeline end to end on the hand-built export: accounting, quarantine, upserts,
pseudonyms, marts and atomic publishing."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from pipelines import marts, warehouse
from pipelines.contract import TABLES_BY_NAME
from pipelines.errors import UserError
from pipelines.load import load, row_hash_sql, row_key_read_sql
from pipelines.privacy import pseudonym
from tests.conftest import HAND_BUILT, TEST_KEY, stored_rows, write_csv

KEY = TEST_KEY.encode()
TODAY = dt.date(2024, 6, 30)


def _rows(wh, sql, params=None):
    con = warehouse.connect_read_only(wh)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _table(wh, table):
    """Return a table's rows (contract columns only), sorted."""
    return stored_rows(wh, table)[table]


def test_hand_built_export_loads_completely_with_balanced_accounting(hand_built, wh):
    result = load([hand_built], wh, today=TODAY)
    totals = result.totals()
    expected_rows = {t: len(rows) - 1 for t, rows in HAND_BUILT.items()}
    assert {t: v["read"] for t, v in totals.items()} == expected_rows
    assert {t: v["inserted"] for t, v in totals.items()} == expected_rows
    assert all(v["quarantined"] == 0 and v["duplicates"] == 0 for v in totals.values())
    assert all(a.balanced for a in result.accounts)
    assert warehouse.current(wh).id == result.snapshot_id
    stored = _rows(wh, "select table_name, sum(rows_inserted) from load_files group by 1")
    assert dict(stored) == expected_rows


def test_marts_hold_the_hand_worked_values(hand_built, wh):
    load([hand_built], wh, today=TODAY)
    k1, k2 = pseudonym(KEY, "participant", "D1"), pseudonym(KEY, "participant", "D2")
    facts = _rows(
        wh,
        "select match_id, participant_id, n_contacts, hours_total, first_contact_on, "
        "last_contact_on, reached_40h_on, duration_days, municipality_nis, match_cohort "
        "from match_facts order by match_id",
    )
    assert facts == [
        (
            "K1",
            k1,
            4,
            40.0,
            dt.date(2021, 7, 5),
            dt.date(2021, 10, 5),
            dt.date(2021, 10, 5),
            172,
            "21015",
            "2021-Q3",
        ),
        ("K2", k2, 2, 3.5, dt.date(2021, 7, 20), dt.date(2021, 8, 3), None, 48, "21012", "2021-Q3"),
    ]
    flow = _rows(
        wh,
        "select participant_id, n_matches, n_referrals, n_flow_starts, n_flow_starts_at_anchor, "
        "first_leisure_on, first_volunteering_on, first_course_on from participant_flow "
        "order by registered_on",
    )
    assert flow == [
        (k1, 1, 2, 1, 1, dt.date(2021, 11, 1), None, None),
        (k2, 1, 1, 1, 0, None, None, dt.date(2021, 10, 1)),
        (pseudonym(KEY, "participant", "D3"), 0, 0, 0, 0, None, None, None),
    ]
    assert _rows(wh, "select sum(amount_eur) from finance where direction = 'income'") == [(82882,)]


def test_mart_accounting_identities_declared_in_models_yaml_hold(hand_built, wh):
    load([hand_built], wh, today=TODAY)
    assert [m["name"] for m in marts.describe()] == list(marts.MODELS)
    (hours_facts, hours_contacts) = _rows(
        wh, "select (select sum(hours_total) from match_facts), (select sum(hours) from contacts)"
    )[0]
    assert hours_facts == hours_contacts == 43.5
    assert _rows(wh, "select count(*), count(distinct match_id) from match_facts") == [(2, 2)]
    assert _rows(
        wh, "select sum(n_referrals), (select count(*) from referrals) from participant_flow"
    ) == [(3, 3)]


def test_people_are_pseudonymised_and_no_raw_id_or_identifier_reaches_the_warehouse(hand_built, wh):
    rows = copy.deepcopy(HAND_BUILT["participants"])
    rows[0] += ["naam", "email", "rijksregisternummer"]
    rows[1] += ["Amina Haddad", "amina@example.org", "90.01.01-123.45"]
    rows[2] += ["Omar Karimi", "omar@example.org", "85.02.02-234.56"]
    rows[3] += ["Sara Benali", "sara@example.org", "99.03.03-345.67"]
    write_csv(hand_built / "participants.csv", rows)
    result = load([hand_built], wh, today=TODAY)
    assert any("naam" in w and "email" in w for w in result.warnings)
    con = duckdb.connect(str(warehouse.current(wh).path), read_only=True)
    try:
        text_columns = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where data_type in ('VARCHAR', 'JSON') or data_type like '%[]'"
        ).fetchall()
        dumped = []
        for table, column in text_columns:
            dumped += [str(v[0]) for v in con.execute(f'select "{column}" from {table}').fetchall()]
    finally:
        con.close()
    for raw_id in ("D1", "D2", "D3", "B1", "B2"):
        assert raw_id not in dumped
    for identifier in ("Amina", "Haddad", "amina@example.org", "90.01.01-123.45"):
        assert not any(identifier in v for v in dumped), identifier
    assert pseudonym(KEY, "participant", "D1") in dumped


def test_pseudonyms_are_stable_across_loads(hand_built, wh, tmp_path):
    only_people = tmp_path / "first"
    for table in ("participants", "buddies", "organisations"):
        write_csv(only_people / f"{table}.csv", HAND_BUILT[table])
    load([only_people], wh, today=TODAY)
    load([hand_built], wh, today=TODAY)  # matches of the second load must find the people
    assert _rows(wh, "select count(*) from quarantine") == [(0,)]
    assert _rows(
        wh, "select count(*) from match_facts where participant_registered_on is not null"
    ) == [(2,)]


def test_loading_the_same_files_twice_changes_nothing(hand_built, wh):
    first = load([hand_built], wh, today=TODAY)
    before = _table(wh, "contacts")
    second = load([hand_built], wh, today=TODAY)
    assert second.snapshot_id is None
    assert sorted(second.skipped_files) == sorted(f"{t}.csv" for t in HAND_BUILT)
    assert warehouse.current(wh).id == first.snapshot_id
    assert _table(wh, "contacts") == before


def test_cumulative_re_export_updates_changed_rows_and_adds_new_ones(hand_built, wh, tmp_path):
    load([hand_built], wh, today=TODAY)
    rows = copy.deepcopy(HAND_BUILT["participants"])
    rows[3][2] = "2021-07-10"  # D3 now had an intake
    rows.append(["D4", "2021-08-01", "", "2000", "F", "UA", "21001", "A0", "true", ""])
    later = write_csv(tmp_path / "later" / "deelnemers_2021-08.csv", rows)
    result = load([later], wh, today=TODAY)
    assert result.totals()["participants"] == {
        "read": 4,
        "inserted": 1,
        "updated": 1,
        "unchanged": 2,
        "quarantined": 0,
        "duplicates": 0,
    }
    d3 = pseudonym(KEY, "participant", "D3")
    assert _rows(wh, "select intake_on from participants where participant_id = ?", [d3]) == [
        (dt.date(2021, 7, 10),)
    ]
    assert _rows(wh, "select count(*) from participants") == [(4,)]


BAD_CONTACTS = [
    # row 2 is fine; every other row is wrong for exactly one reason
    ["contact_id", "match_id", "contact_on", "hours", "activity", "organisation_id"],
    ["C1", "K1", "2021-07-05", "10", "conversation", "O1"],  # row 2: loads
    ["C7", "K1", "2021-07-06", "-2", "conversation", ""],  # row 3: negative hours
    ["C8", "K1", "2021-07-07", "14", "conversation", ""],  # row 4: too many hours
    ["C9", "K9", "2021-07-08", "1", "conversation", ""],  # row 5: unknown match
    ["C10", "K1", "31/02/2022", "1", "conversation", ""],  # row 6: impossible date
    ["C11", "", "2021-07-09", "1", "conversation", ""],  # row 7: missing match id
    ["C12", "K1", "2021-07-10", "1x5", "conversation", ""],  # row 8: unreadable hours
    ["C13", "K1", "2021-07-11", "1", "knitting", ""],  # row 9: activity not allowed
    ["C14", "K1", "2021-07-12", "1", "sport", "O9"],  # row 10: unknown organisation
    ["C1", "K1", "2021-07-05", "10", "conversation", "O1"],  # row 11: exact duplicate of row 2
    ["C15", "K1", "1999-12-31", "1", "sport", ""],  # row 12: before 2000
    ["C16", "K1", "2021-07-13", "1", "sport", ""],  # row 13: same key as row 14, other values
    ["C16", "K1", "2021-07-14", "2", "sport", ""],  # row 14
]
EXPECTED_REASONS = {
    3: "hours -2 is out of range (expected above 0 to 12)",
    4: "hours 14 is out of range (expected above 0 to 12)",
    5: "match_id 'K9' does not match any row of matches",
    6: "contact_on: '31/02/2022' is not a date",
    7: "match_id is required but empty",
    8: "hours: '1x5' is not a duration",
    9: "activity: 'knitting' is not an allowed value",
    10: "organisation_id 'O9' does not match any row of organisations",
    12: "contact_on 1999-12-31 is out of range (expected from 2000-01-01 to 2024-06-30)",
    13: "the key (contact_id) = (C16) appears more than once in this file with different values",
    14: "the key (contact_id) = (C16) appears more than once in this file with different values",
}


def test_each_class_of_bad_row_is_quarantined_with_its_reason(hand_built, wh):
    write_csv(hand_built / "contacts.csv", BAD_CONTACTS)
    result = load([hand_built], wh, today=TODAY)
    contacts = result.totals()["contacts"]
    assert contacts == {
        "read": 13,
        "inserted": 1,
        "updated": 0,
        "unchanged": 0,
        "quarantined": 11,
        "duplicates": 1,
    }
    stored = _rows(
        wh,
        "select source_row, reasons, row_values from quarantine where table_name = 'contacts' "
        "order by source_row",
    )
    assert [r[0] for r in stored] == sorted(EXPECTED_REASONS)
    for source_row, reasons, _values in stored:
        assert EXPECTED_REASONS[source_row] in reasons, (source_row, reasons)
        assert "; " not in reasons, reasons  # each row is wrong for one reason only
    assert json.loads(stored[0][2])["hours"] == "-2"  # the value as it was read


def test_strict_and_unreadable_files_give_exit_codes_and_one_sentence(hand_built, wh, tmp_path):
    from typer.testing import CliRunner

    from dashboard.cli import app

    runner = CliRunner()
    write_csv(hand_built / "contacts.csv", BAD_CONTACTS)
    res = runner.invoke(app, ["load", str(hand_built), "--warehouse", str(wh), "--strict"])
    assert res.exit_code == 3, res.output
    assert "11 row(s) quarantined" in res.output
    published = warehouse.current(wh).id

    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "koppelingen.xlsx").write_bytes(b"not a workbook at all")
    res = runner.invoke(app, ["load", str(tmp_path / "junk"), "--warehouse", str(wh)])
    assert res.exit_code == 2
    assert "koppelingen.xlsx" in res.output and "Nothing was published." in res.output
    assert "Traceback" not in res.output
    assert warehouse.current(wh).id == published

    write_csv(tmp_path / "odd" / "notes.csv", [["what", "ever"], ["a", "b"]])
    res = runner.invoke(app, ["load", str(tmp_path / "odd"), "--warehouse", str(wh)])
    assert res.exit_code == 2 and "notes.csv" in res.output
    with pytest.raises(UserError, match="notes.csv"):
        load([tmp_path / "odd"], wh, today=TODAY)


def test_an_exception_mid_load_leaves_the_previous_snapshot_current(hand_built, wh, monkeypatch):
    first = load([hand_built], wh, today=TODAY)
    before = _table(wh, "participants")
    rows = copy.deepcopy(HAND_BUILT["participants"])
    rows.append(["D4", "2021-08-01", "", "2000", "F", "UA", "21001", "A0", "true", ""])
    write_csv(hand_built / "participants.csv", rows)

    def boom(_con):
        raise RuntimeError("power cut (injected)")

    monkeypatch.setattr(marts, "build", boom)
    with pytest.raises(RuntimeError, match="injected"):
        load([hand_built], wh, today=TODAY)
    assert warehouse.current(wh).id == first.snapshot_id
    assert _table(wh, "participants") == before
    assert [p.name for p in (wh / "snapshots").iterdir() if p.name.startswith(".")] == []


def test_a_reader_keeps_reading_while_a_load_publishes(hand_built, wh, tmp_path):
    load([hand_built], wh, today=TODAY)
    reader = warehouse.connect_read_only(wh)
    rows = copy.deepcopy(HAND_BUILT["participants"])
    rows.append(["D4", "2021-08-01", "", "2000", "F", "UA", "21001", "A0", "true", ""])
    write_csv(tmp_path / "later" / "participants.csv", rows)
    load([tmp_path / "later"], wh, today=TODAY)
    assert reader.execute("select count(*) from participants").fetchone() == (3,)
    reader.close()
    assert _rows(wh, "select count(*) from participants") == [(4,)]


def test_a_huge_quarantined_value_is_stored_as_a_prefix_with_its_hash(hand_built, wh):
    import hashlib

    from typer.testing import CliRunner

    from dashboard.cli import app
    from pipelines.values import STORED_CHARS

    huge = "7" * 5_000_000 + "x"  # far longer than any value may be: the row is quarantined
    rows = [HAND_BUILT["contacts"][0], ["C99", "K1", "2021-07-05", huge, "conversation", ""]]
    write_csv(hand_built / "contacts.csv", rows)
    result = load([hand_built], wh)
    assert result.quarantined == 1
    con = warehouse.connect_read_only(wh)
    reasons, values = con.execute("select reasons, row_values from quarantine").fetchone()
    con.close()
    stored = json.loads(values)["hours"]
    digest = hashlib.sha256(huge.encode()).hexdigest()
    assert stored == "7" * STORED_CHARS + f"... (5,000,001 characters, SHA-256 {digest})"
    assert reasons == "hours: the value is 5,000,001 characters long (expected at most 10,000)"
    res = CliRunner().invoke(app, ["quarantine", "--warehouse", str(wh)])
    assert res.exit_code == 0 and len(res.output) < 20_000


def test_a_stray_windows_byte_in_a_utf8_file_quarantines_its_row_and_spares_the_rest(
    hand_built, wh
):
    # the reproduction of issue 12: UTF-8 with accents and one stray Windows-1252 byte
    rows = copy.deepcopy(HAND_BUILT["participants"])
    rows[1][-1] = "Sécurité sociale"
    rows[2][-1] = "Maison de quartier"
    write_csv(hand_built / "participants.csv", rows)
    first = load([hand_built], wh)
    assert first.quarantined == 0
    text = (hand_built / "participants.csv").read_text(encoding="utf-8")
    data = text.replace("Maison de quartier", "Maison de quartier \x00").encode("utf-8")
    (hand_built / "participants.csv").write_bytes(data.replace(b"\x00", "é".encode("cp1252")))
    second = load([hand_built], wh)
    participants = next(a for a in second.accounts if a.table == "participants")
    assert (participants.quarantined, participants.updated) == (1, 0)
    con = warehouse.connect_read_only(wh)
    reasons = con.execute(
        "select reasons from quarantine where table_name = 'participants'"
    ).fetchall()
    referred = sorted(r[0] for r in con.execute("select referred_by from participants").fetchall())
    con.close()
    assert reasons == [
        (
            "referred_by: holds bytes that are not valid UTF-8 (the file mixes two encodings; "
            "save it again as UTF-8)",
        )
    ]
    # the stored values are the good ones, accents intact
    assert referred == ["Maison de quartier", "Sécurité sociale", "eigen initiatief"]


def _reload_one_participant_changed(wh: Path, tmp_path: Path) -> None:
    """Load the hand-built participants again with one date changed; check its accounting."""
    rows = copy.deepcopy(HAND_BUILT["participants"])
    rows[3][2] = "2021-07-10"
    later = write_csv(tmp_path / "later" / "deelnemers_2021-08.csv", rows)
    result = load([later], wh, today=TODAY)
    # one row changed, the two others found unchanged
    assert result.totals()["participants"] == {
        "read": 3,
        "inserted": 0,
        "updated": 1,
        "unchanged": 2,
        "quarantined": 0,
        "duplicates": 0,
    }


def test_a_snapshot_that_stores_row_hashes_updates_alike_and_sheds_them(hand_built, wh, tmp_path):
    # snapshots made before the content hash was computed instead stored it in `_row_hash`
    load([hand_built], wh, today=TODAY)
    con = duckdb.connect(str(warehouse.current(wh).path))
    table = TABLES_BY_NAME["participants"]
    con.execute("alter table participants add column _row_hash varchar")
    con.execute(f"update participants set _row_hash = {row_hash_sql(table)}")
    con.close()
    _reload_one_participant_changed(wh, tmp_path)
    columns = _rows(
        wh, "select column_name from information_schema.columns where table_name = 'participants'"
    )
    assert ("_row_hash",) not in columns
    assert ("_row_key",) in columns


def test_a_header_only_file_publishes_nothing_and_says_so(hand_built, wh):
    only = hand_built.parent / "only_header"
    write_csv(only / "participants.csv", HAND_BUILT["participants"][:1])
    with pytest.raises(UserError) as caught:
        load([only], wh)
    assert str(caught.value) == (
        "participants.csv: holds a header but no rows (expected data rows below the header)."
    )
    assert warehouse.current(wh) is None
    # beside files with rows, it is a warning
    write_csv(hand_built / "contacts.csv", HAND_BUILT["contacts"][:1])
    result = load([hand_built], wh)
    assert "contacts.csv: holds a header but no rows." in result.warnings


def test_a_date_in_the_year_1_is_written_with_four_digits(hand_built, wh):
    rows = copy.deepcopy(HAND_BUILT["participants"])
    rows[1][1] = "0001-01-01"
    write_csv(hand_built / "participants.csv", rows)
    load([hand_built], wh, today=TODAY)
    (reasons,) = _rows(wh, "select reasons from quarantine where table_name = 'participants'")
    assert reasons[0].startswith("registered_on 0001-01-01 is out of range (expected from ")


def test_an_amount_too_large_to_store_is_quarantined_in_one_sentence(hand_built, wh):
    rows = copy.deepcopy(HAND_BUILT["finance"])
    rows[1][4] = "99999999999999"  # the reproduction of issue 12: it was a failed cast
    write_csv(hand_built / "finance.csv", rows)
    load([hand_built], wh, today=TODAY)
    assert _rows(wh, "select reasons from quarantine") == [
        ("amount_eur: '99999999999999' is too large (expected less than 1,000,000,000,000)",)
    ]


FINANCE_PAIR = [
    ["booked_on", "direction", "source", "category", "amount_eur", "description"],
    ["2021-07-31", "expense", "", "activities", "25.00", "museum tickets"],
    ["2021-07-31", "expense", "", "activities", "25.00", "museum tickets"],  # a second booking
    ["2021-08-02", "expense", "", "staff", "100.00", "August"],
]


def test_two_identical_bookings_are_two_rows_and_a_cumulative_re_export_matches_them(
    hand_built, wh, tmp_path
):
    # issue 12: real exports hold pairs of bookings with the same date, amount and category
    write_csv(hand_built / "finance.csv", FINANCE_PAIR)
    first = load([hand_built], wh, today=TODAY)
    assert first.totals()["finance"] == {
        "read": 3,
        "inserted": 3,
        "updated": 0,
        "unchanged": 0,
        "quarantined": 0,
        "duplicates": 0,
    }
    # next month's export: the same bookings and one more
    later = tmp_path / "later"
    write_csv(
        later / "finance.csv",
        [*FINANCE_PAIR, ["2021-09-01", "expense", "", "staff", "100.00", "September"]],
    )
    second = load([later], wh, today=TODAY)
    assert second.totals()["finance"] == {
        "read": 4,
        "inserted": 1,
        "updated": 0,
        "unchanged": 3,
        "quarantined": 0,
        "duplicates": 0,
    }
    assert _rows(wh, "select count(*), sum(amount_eur) from finance") == [(4, 250)]


def test_bookings_with_an_id_are_keyed_by_it(hand_built, wh, tmp_path):
    header, *rows = FINANCE_PAIR
    with_ids = [[*header, "boekingsnummer"]] + [[*r, f"B{i}"] for i, r in enumerate(rows)]
    write_csv(hand_built / "finance.csv", with_ids)
    load([hand_built], wh, today=TODAY)
    # the same bookings again, one amount corrected: an update, not a new booking
    with_ids[3][4] = "110.00"
    later = tmp_path / "later"
    write_csv(later / "finance.csv", with_ids)
    result = load([later], wh, today=TODAY)
    assert result.totals()["finance"]["updated"] == 1
    assert result.totals()["finance"]["inserted"] == 0
    assert _rows(wh, "select booking_id, amount_eur from finance order by booking_id") == [
        ("B0", 25),
        ("B1", 25),
        ("B2", 110),
    ]


def test_a_snapshot_from_before_booking_ids_matches_its_bookings_again(hand_built, wh, tmp_path):
    write_csv(hand_built / "finance.csv", FINANCE_PAIR[:2] + FINANCE_PAIR[3:])
    load([hand_built], wh, today=TODAY)
    con = duckdb.connect(str(warehouse.current(wh).path))
    con.execute("alter table finance drop column booking_id")  # as snapshots were made before
    con.close()
    later = tmp_path / "later"
    write_csv(later / "finance.csv", FINANCE_PAIR)
    result = load([later], wh, today=TODAY)
    # the stored bookings are found again; only the second of the identical pair is new
    assert result.totals()["finance"]["unchanged"] == 2
    assert result.totals()["finance"]["inserted"] == 1


def test_row_keys_equal_to_the_key_are_not_stored_and_old_snapshots_reload_alike(
    hand_built, wh, tmp_path
):
    load([hand_built], wh, today=TODAY)
    # a participant's row key is its participant_id: stored as null, read back through the key
    stored = _rows(wh, "select count(*), count(_row_key) from participants")
    assert stored == [(3, 0)]
    # snapshots made before stored every row key (not null); their keys stay valid
    con = duckdb.connect(str(warehouse.current(wh).path))
    con.execute("update participants set _row_key = participant_id")
    con.execute("alter table participants alter column _row_key set not null")
    con.close()
    _reload_one_participant_changed(wh, tmp_path)
    # the updated row stores no key of its own; the two unchanged keep their old stored keys
    assert _rows(wh, "select count(*), count(_row_key) from participants") == [(3, 2)]


def test_sql_outside_the_load_reads_row_keys_through_the_generated_expression():
    # the mart and the view are plain SQL files: they spell out row_key_read_sql's expression
    views = marts.MARTS_DIR.parent.parent / "indicators" / "sql" / "views"
    contacts = row_key_read_sql(TABLES_BY_NAME["contacts"])
    assert contacts == "coalesce(_row_key, cast(contact_id as varchar))"
    assert contacts in marts.model_sql("match_facts")
    finance = row_key_read_sql(TABLES_BY_NAME["finance"])
    assert finance in (views / "period_bookings.sql").read_text()
    # a compound key is stored whole
    assert row_key_read_sql(TABLES_BY_NAME["surveys"]) == "_row_key"
