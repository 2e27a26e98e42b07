"""Erasure and retention: a purged participant leaves every snapshot and quarantine, and the
figures of what remains equal those of an export that never held them.

The warehouse: the hand-built programme of tests/indicators/test_hand_built.py, loaded, then
a second export with one changed row and six bad rows, five of them tied to P1 (a contact of
P1's match K1, a group activity and a survey answer of P1, a match K9 of P1 and a contact of
K9, which is quarantined only because K9 is). Then P1 is erased.
"""

from __future__ import annotations

import copy
import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from dashboard.cli import app
from indicators import engine
from indicators.catalogue import DIMENSIONS
from pipelines import audit, privacy, purge, warehouse
from pipelines import cli as pipelines_cli
from pipelines.contract import TABLES
from pipelines.load import load
from tests.conftest import TEST_KEY, load_export, stored_rows, write_csv
from tests.indicators.test_hand_built import AS_OF, DATA, rows_like

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STAMP = "2026-03-02T09:00:00+00:00"
WHO = "cli:tester"
runner = CliRunner()


P2_CHANGED = {
    **dict(zip(DATA["participants"][0], DATA["participants"][2], strict=True)),
    "dutch_level": "A1",  # was A0
}
SECOND_EXPORT = {
    "participants": rows_like("participants", P2_CHANGED),
    "matches": rows_like(
        "matches",
        # quarantined: an end reason that is not one of the contract's
        {
            "match_id": "K9",
            "participant_id": "P1",
            "buddy_id": "B2",
            "matched_on": "2022-03-01",
            "ended_on": "2022-04-01",
            "end_reason": "bogus",
        },
    ),
    "contacts": [
        DATA["contacts"][0],
        ["C18", "K4", "2021-10-03", "2", ""],  # loaded: K4 is P4's
        ["C19", "K1", "2021-11-05", "99", ""],  # quarantined: 99 hours; K1 is P1's
        ["C20", "K9", "2022-03-05", "2", ""],  # quarantined: K9 was
        ["C21", "K4", "2021-10-10", "0", ""],  # quarantined: 0 hours; P4's, stays
    ],
    "activities": rows_like(
        "activities",
        {"activity_id": "G4", "activity_on": "2022-06-01", "participant_id": "P1", "hours": "lots"},
    ),
    "surveys": rows_like(
        "surveys",
        {
            "respondent_id": "P1",
            "respondent_role": "participant",
            "wave": "follow_up",
            "answered_on": "2022-06-20",
            "dj1": "7",
        },
    ),
}
# P1's rows in the tables after both loads: participant P1; match K1; contacts C01-C05;
# group activities G1 and G3; referrals R1 and R2; surveys intake and end
P1_ROWS = {
    "participants": 1,
    "matches": 1,
    "contacts": 5,
    "activities": 2,
    "referrals": 2,
    "surveys": 2,
}


def _pseudonym(raw_id: str) -> str:
    return privacy.pseudonym(TEST_KEY.encode(), "participant", raw_id)


def _final_export_without_p1() -> dict[str, list[list[str]]]:
    """Return the state both exports leave, minus P1's rows, worked out on the CSV rows."""
    tables = copy.deepcopy(DATA)
    tables["participants"][2] = SECOND_EXPORT["participants"][1]
    tables["contacts"].append(SECOND_EXPORT["contacts"][1])  # C18, the one good new row
    p1_matches = {row[0] for row in tables["matches"][1:] if row[1] == "P1"}
    assert p1_matches == {"K1"}
    for table, person in (
        ("participants", "participant_id"),
        ("matches", "participant_id"),
        ("activities", "participant_id"),
        ("referrals", "participant_id"),
        ("surveys", "respondent_id"),
    ):
        col = DATA[table][0].index(person)
        tables[table] = [tables[table][0], *(r for r in tables[table][1:] if r[col] != "P1")]
    tables["contacts"] = [
        tables["contacts"][0],
        *(r for r in tables["contacts"][1:] if r[1] not in p1_matches),
    ]
    return tables


def _counts(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [t.name for t in TABLES] + ["quarantine"]
        return {n: con.execute(f"select count(*) from {n}").fetchone()[0] for n in names}
    finally:
        con.close()


def _traces(path: Path, needle: str, ids: tuple[str, ...]) -> list[str]:
    """Return 'table.column' of every text or JSON value holding needle, or equal to an id."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        columns = con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = 'main' and data_type in ('VARCHAR', 'JSON', 'VARCHAR[]')"
        ).fetchall()
        found = []
        for table, column, _ in columns:
            text = f"cast({column} as varchar)"
            # a value holding the pseudonym, an id itself, or an id inside a JSON document
            conditions = [f"contains({text}, ?)"]
            params = [needle]
            for i in ids:
                conditions += [f"{text} = ?", f"contains({text}, ?)"]
                params += [i, f'"{i}"']
            n = con.execute(
                f"select count(*) from {table} where {' or '.join(conditions)}", params
            ).fetchone()[0]
            if n:
                found.append(f"{table}.{column}")
        return found
    finally:
        con.close()


@pytest.fixture(scope="module")
def erased(tmp_path_factory):
    """Return the warehouse after erasing P1, its report, and what it held before."""
    root = tmp_path_factory.mktemp("purge")
    wh = root / "wh"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CONNECT_PSEUDONYM_KEY", TEST_KEY)
        for name, tables in (("export1", DATA), ("export2", SECOND_EXPORT)):
            for table, rows in tables.items():
                write_csv(root / name / f"{table}.csv", rows)
            result = load([root / name], wh)
        assert result.quarantined == 6
        before = {s.id: _counts(s.path) for s in warehouse.list_snapshots(wh)}
        bytes_before = {
            s.id: _pseudonym("P1").encode() in s.path.read_bytes()
            for s in warehouse.list_snapshots(wh)
        }
        report = purge.purge_participants(wh, ["P1"], who=WHO, now=T0)
    engine.clear_cache()
    return wh, report, before, bytes_before


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """Return a warehouse loaded from the same exports with P1's rows taken out beforehand."""
    return load_export(tmp_path_factory.mktemp("reference"), _final_export_without_p1(), TEST_KEY)


def test_the_report_counts_their_rows_as_worked_out_by_hand(erased):
    wh, report, before, _ = erased
    first, second = sorted(before)
    assert report == purge.PurgeReport(
        asked=1,
        found=1,
        removed=P1_ROWS,
        # C19 (K1), C20 (K9), K9, G4 and the follow-up answer; C21 (P4's K4) stays
        quarantine_removed=5,
        older_rewritten=2,  # the first load's snapshot, and the second's (current until now)
        snapshot_id=warehouse.current(wh).id,
    )
    assert [s.id for s in warehouse.list_snapshots(wh)] == [first, second, report.snapshot_id]


def test_no_row_of_theirs_is_left_in_any_snapshot_or_quarantine(erased):
    wh, _, _, bytes_before = erased
    p1 = _pseudonym("P1")
    assert bytes_before == dict.fromkeys(bytes_before, True)  # so the byte check below can see
    for snap in warehouse.list_snapshots(wh):
        assert _traces(snap.path, p1, ("K1", "K9")) == [], snap.id
        # deleted rows leave no bytes behind in the file either
        assert p1.encode() not in snap.path.read_bytes(), snap.id
    # the check itself finds a participant who stays: P2, and P2's match K2
    assert "participants.participant_id" in _traces(
        warehouse.current(wh).path, _pseudonym("P2"), ()
    )
    assert "matches.match_id" in _traces(warehouse.current(wh).path, "no such value", ("K2",))


def test_older_snapshots_lose_exactly_their_rows_and_keep_a_true_hash(erased):
    wh, _, before, _ = erased
    first, second = sorted(before)
    assert before[first]["quarantine"] == 0 and before[second]["quarantine"] == 6
    for snap_id, quarantined in ((first, 0), (second, 5)):
        snap = warehouse.snapshot(wh, snap_id)
        lost = {t: before[snap_id][t] - n for t, n in _counts(snap.path).items()}
        assert lost == {**dict.fromkeys(lost, 0), **P1_ROWS, "quarantine": quarantined}
    for snap in warehouse.list_snapshots(wh):
        meta = json.loads(snap.path.with_suffix(".json").read_text())
        assert meta["content_sha256"] == warehouse.file_sha256(snap.path)
        assert meta["purged_at"] == STAMP
    # no temporary copy is left behind
    names = sorted(p.name for p in (wh / "snapshots").iterdir())
    assert names == sorted(
        f"{i}.{ext}" for i in [*before, warehouse.current(wh).id] for ext in ("duckdb", "json")
    )


def test_the_quarantine_keeps_everyone_else(erased):
    wh, *_ = erased
    con = warehouse.connect_read_only(wh)
    try:
        rows = con.execute("select table_name, row_values from quarantine").fetchall()
    finally:
        con.close()
    assert [(t, json.loads(v)["contact_id"]) for t, v in rows] == [("contacts", "C21")]


def test_every_other_row_and_figure_equals_an_export_without_them(erased, reference):
    wh, *_ = erased
    names = [t.name for t in TABLES] + ["match_facts", "participant_flow"]
    assert stored_rows(wh, *names) == stored_rows(reference, *names)
    lineage = ["snapshot", "snapshot_sha256"]
    for breakdown in (None, *DIMENSIONS):
        figures = [
            engine.compute(
                None,
                "programme",
                breakdown=breakdown,
                as_of=AS_OF,
                role="analyst",
                warehouse_dir=w,
            ).drop(columns=lineage)
            for w in (wh, reference)
        ]
        pd.testing.assert_frame_equal(*figures)


def test_one_audit_line_names_the_pseudonym_never_the_raw_id(erased):
    wh, report, *_ = erased
    p1 = _pseudonym("P1")
    assert audit.read(wh) == [
        {
            "at": "2026-03-02T09:00:00Z",
            "who": WHO,
            "action": "purge",
            "what": f"participant {p1}: 13 rows from 6 tables, 5 quarantined rows; "
            "2 older snapshots rewritten",
            "snapshot": report.snapshot_id,
        }
    ]


@pytest.fixture
def erased_copy(erased, tmp_path, monkeypatch):
    """Return a copy of the erased warehouse, to change without touching the shared one."""
    monkeypatch.setenv("CONNECT_PSEUDONYM_KEY", TEST_KEY)
    shutil.copytree(erased[0], tmp_path / "wh")
    return tmp_path / "wh"


def test_a_participant_with_no_rows_changes_nothing_and_is_still_audited(erased_copy):
    wh = erased_copy
    files = {p.name: p.read_bytes() for p in (wh / "snapshots").iterdir()}
    report = purge.purge_participants(wh, ["P1", " nobody "], who=WHO, now=T0)
    assert report == purge.PurgeReport(2, 0, {}, 0, 0, None)
    assert {p.name: p.read_bytes() for p in (wh / "snapshots").iterdir()} == files
    assert [e["what"] for e in audit.read(wh)[1:]] == [
        f"participant {_pseudonym('P1')}: no rows found",
        f"participant {_pseudonym('nobody')}: no rows found",
    ]


def test_erasure_needs_the_key_and_never_makes_one(erased_copy, monkeypatch):
    monkeypatch.delenv("CONNECT_PSEUDONYM_KEY")
    with pytest.raises(privacy.PseudonymKeyError, match="no pseudonym key"):
        purge.purge_participants(erased_copy, ["P2"], who=WHO, now=T0)
    assert not (erased_copy / privacy.KEY_FILE_NAME).exists()


# --- retention ------------------------------------------------------------------------------


# Each participant's last date, and whether a match is still open (hand-built programme):
# P1 2023-03-01 (group activity G3; K1 ended 2021-12-20); P2 2021-10-01 (referral);
# P3 2022-09-01 (referral; K3 ended 2022-02-15); P4 K4 still open; P5 2022-10-01 (referral);
# P6 2022-02-01 (registration, never matched); P7 2021-10-05 (intake, never matched).
@pytest.mark.parametrize(
    ("day", "gone"),
    [
        (date(2021, 10, 1), set()),  # P2's referral is on the day itself: not before it
        (date(2022, 2, 1), {"P2", "P7"}),  # P6 registered on the day
        (date(2022, 3, 1), {"P2", "P6", "P7"}),  # P1, P3: matches ended, later traces keep them
    ],
)
def test_retention_erases_exactly_those_whose_time_ended_before_the_day(tmp_path, day, gone):
    wh = load_export(tmp_path, DATA, TEST_KEY)
    assert set(purge.due(wh, day)) == {_pseudonym(p) for p in gone}
    report = purge.purge_ended_before(wh, day, who=WHO, now=T0)
    kept = {"P1", "P2", "P3", "P4", "P5", "P6", "P7"} - gone
    rows = stored_rows(wh, "participants", "matches", "contacts")
    assert {r[0] for r in rows["participants"]} == {_pseudonym(p) for p in kept}
    # P2 is the only one of them with a match: K2, with contacts C06 and C07
    assert {r[0] for r in rows["matches"]} == {"K1", "K2", "K3", "K4", "K5"} - (
        {"K2"} if "P2" in gone else set()
    )
    assert ("C06" in {r[0] for r in rows["contacts"]}) == ("P2" not in gone)
    [event] = audit.read(wh)
    if not gone:
        assert report == purge.PurgeReport(0, 0, {}, 0, 0, None)
        assert event["what"] == "ended before 2021-10-01: no participant due"
        return
    # P2: participant, match K2, contacts C06 C07, activity G1, referral, two survey answers
    p2 = {"matches": 1, "contacts": 2, "activities": 1, "referrals": 1, "surveys": 2}
    removed = {"participants": len(gone), **p2}
    assert report.removed == removed
    # the load's snapshot, current until the purge, is rewritten too
    assert (report.found, report.quarantine_removed, report.older_rewritten) == (len(gone), 0, 1)
    assert event["what"] == (
        f"ended before {day}: {len(gone)} participants, {sum(removed.values())} rows from 6 "
        "tables, 0 quarantined rows; 1 older snapshot rewritten"
    )


def test_retention_refuses_a_day_in_the_future(tmp_path):
    wh = load_export(tmp_path, DATA, TEST_KEY)
    with pytest.raises(purge.PurgeError, match="2026-03-03 lies in the future"):
        purge.purge_ended_before(wh, date(2026, 3, 3), who=WHO, now=T0)
    assert audit.read(wh) == []


# --- the command line -----------------------------------------------------------------------


@pytest.fixture
def operator(monkeypatch):
    monkeypatch.setattr(pipelines_cli.getpass, "getuser", lambda: "tester")


def test_cli_erases_and_prints_counts_never_the_id(erased_copy, operator):
    res = runner.invoke(
        app, ["purge", "--participant", "P3", "--yes", "--warehouse", str(erased_copy)]
    )
    assert res.exit_code == 0, res.output
    # P3: participant, match K3 with contacts C08-C12, group activity G2, referrals R4 and
    # R6, two survey answers, nothing quarantined; the three snapshots before it rewritten
    assert res.stdout == (
        "    Erased 1 of 1 participant(s)    \n"
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━┓\n"
        "┃ removed from              ┃ rows ┃\n"
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━┩\n"
        "│ participants              │    1 │\n"
        "│ matches                   │    1 │\n"
        "│ contacts                  │    5 │\n"
        "│ activities                │    1 │\n"
        "│ referrals                 │    2 │\n"
        "│ surveys                   │    2 │\n"
        "│ quarantine                │    0 │\n"
        "│ older snapshots rewritten │    3 │\n"
        "└───────────────────────────┴──────┘\n"
        f"New current snapshot: {warehouse.current(erased_copy).id}.\n"
        "Remove them from the source system too, or the next export brings them back.\n"
    )
    event = audit.read(erased_copy)[-1]
    assert (event["who"], event["what"]) == (
        "cli:tester",
        f"participant {_pseudonym('P3')}: 12 rows from 6 tables, 0 quarantined rows; "
        "3 older snapshots rewritten",
    )


def test_cli_asks_first_and_a_no_changes_nothing(erased_copy):
    before = warehouse.current(erased_copy).id
    res = runner.invoke(
        app, ["purge", "--participant", "P3", "--warehouse", str(erased_copy)], input="n\n"
    )
    assert res.exit_code == 1
    assert "This cannot be undone" in res.output
    assert warehouse.current(erased_copy).id == before
    assert len(audit.read(erased_copy)) == 1


def test_cli_without_a_key_fails_in_one_sentence_and_makes_none(erased_copy, monkeypatch):
    monkeypatch.delenv("CONNECT_PSEUDONYM_KEY")
    res = runner.invoke(
        app, ["purge", "--participant", "P3", "--yes", "--warehouse", str(erased_copy)]
    )
    assert res.exit_code == 2
    key_file = erased_copy / privacy.KEY_FILE_NAME
    assert res.stderr == (
        "Error: There is no pseudonym key (CONNECT_PSEUDONYM_KEY is not set and "
        f"{key_file} does not exist), so no id can be turned into its pseudonym; restore the "
        "key the data was loaded with.\n"
    )
    assert not key_file.exists()


@pytest.mark.parametrize(
    "args",
    [
        ("--participant", "P3", "--ended-before", "2022-01-01"),
        ("--participant-stdin", "--ended-before", "2022-01-01", "--yes"),
        (),
    ],
)
def test_cli_takes_exactly_one_way_to_choose(erased_copy, args):
    res = runner.invoke(app, ["purge", *args, "--warehouse", str(erased_copy)])
    assert (res.exit_code, res.stderr) == (
        2,
        "Error: Give either --participant (or --participant-stdin) or --ended-before.\n",
    )


def test_cli_reads_ids_from_stdin_only_with_yes(erased_copy):
    res = runner.invoke(
        app, ["purge", "--participant-stdin", "--warehouse", str(erased_copy)], input="P3\n"
    )
    assert (res.exit_code, res.stderr) == (
        2,
        "Error: --participant-stdin needs --yes: standard input holds the ids, not an answer.\n",
    )
    res = runner.invoke(
        app,
        ["purge", "--participant-stdin", "--yes", "--warehouse", str(erased_copy)],
        input="P3\n\n",
    )
    assert res.exit_code == 0, res.output
    assert _pseudonym("P3") in audit.read(erased_copy)[-1]["what"]
