"""The warehouse knows its key: a load under another key is refused, and re-keying moves every
pseudonym of every snapshot to a new key in one step.

The re-keyed warehouse: the hand-built programme of tests/indicators/test_hand_built.py, then a
second export with one changed participant, a new contact, a buddy's survey answer and five
bad rows (four of them holding people's pseudonyms in the quarantine: a match of P1, a match
of an unknown participant P99 whose reason quotes the pseudonym, a group activity and a
survey answer of P1; and a contact, which holds none). Loaded under OLD with the key in the
warehouse's key file, then re-keyed to NEW. Every snapshot must then equal, row for row, the
snapshot a load of the same exports under NEW makes.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import os
import shutil
import stat
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from dashboard.cli import app
from indicators import engine
from indicators.catalogue import DIMENSIONS
from pipelines import audit, privacy, purge, rekey, warehouse
from pipelines import cli as pipelines_cli
from pipelines.contract import TABLES
from pipelines.load import load, row_hash_sql, table_counts
from tests.conftest import write_csv
from tests.indicators.test_hand_built import AS_OF, DATA, rows_like

OLD = "old-pseudonym-key-0123456789"
NEW = "new-pseudonym-key-9876543210"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WHO = "cli:tester"
ENV = "CONNECT_PSEUDONYM_KEY"
runner = CliRunner()


P2_CHANGED = {**dict(zip(DATA["participants"][0], DATA["participants"][2], strict=True))}
P2_CHANGED["dutch_level"] = "A1"  # was A0
C18 = ["C18", "K4", "2021-10-03", "2", ""]
BUDDY_ANSWER = {
    "respondent_id": "B1",
    "respondent_role": "buddy",
    "wave": "end",
    "answered_on": "2021-12-21",
    "dutch_confidence": "4",
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
        # quarantined: P99 is nobody; the reason quotes P99's pseudonym
        {"match_id": "K8", "participant_id": "P99", "buddy_id": "B2", "matched_on": "2022-03-01"},
    ),
    "contacts": [DATA["contacts"][0], C18, ["C19", "K1", "2021-11-05", "99", ""]],
    "activities": rows_like(
        "activities",
        {"activity_id": "G4", "activity_on": "2022-06-01", "participant_id": "P1", "hours": "lots"},
    ),
    "surveys": rows_like(
        "surveys",
        BUDDY_ANSWER,
        {
            "respondent_id": "P1",
            "respondent_role": "participant",
            "wave": "follow_up",
            "answered_on": "2022-06-20",
            "dj1": "7",
        },
    ),
}
PARTICIPANTS = ("P1", "P2", "P3", "P4", "P5", "P6", "P7", "P99")
BUDDIES = ("B1", "B2", "B3", "B4")


def _final_state() -> dict[str, list[list[str]]]:
    """Return one export holding what both exports leave in the tables (their good rows)."""
    tables = copy.deepcopy(DATA)
    tables["participants"][2] = SECOND_EXPORT["participants"][1]
    tables["contacts"].append(C18)
    tables["surveys"].append(SECOND_EXPORT["surveys"][1])
    return tables


def _pseudonyms(key: str) -> list[str]:
    """Return the pseudonym under key of every person the exports name."""
    return [privacy.pseudonym(key.encode(), "participant", p) for p in PARTICIPANTS] + [
        privacy.pseudonym(key.encode(), "buddy", b) for b in BUDDIES
    ]


def _write_key_file(wh: Path, key: str, mode: int = 0o600) -> Path:
    wh.mkdir(parents=True, exist_ok=True)
    path = wh / privacy.KEY_FILE_NAME
    path.write_text(key)
    path.chmod(mode)
    return path


def _write_exports(root: Path) -> list[Path]:
    folders = []
    for name, tables in (("export1", DATA), ("export2", SECOND_EXPORT)):
        for table, rows in tables.items():
            write_csv(root / name / f"{table}.csv", rows)
        folders.append(root / name)
    return folders


def _traces(path: Path, needles: list[str]) -> list[str]:
    """Return 'table.column' of every text, JSON or list value holding any of the needles."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        columns = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'main' and data_type in ('VARCHAR', 'JSON', 'VARCHAR[]')"
        ).fetchall()
        found = []
        for table, column in columns:
            text = f"cast({column} as varchar)"
            where = " or ".join(f"contains({text}, ?)" for _ in needles)
            n = con.execute(f"select count(*) from {table} where {where}", needles).fetchone()[0]
            if n:
                found.append(f"{table}.{column}")
        return found
    finally:
        con.close()


def _contents(path: Path) -> dict[str, list[tuple]]:
    """Return a snapshot's rows: contract columns, row key and content hash, marts, quarantine."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for table in TABLES:
            columns = ", ".join([*table.column_names, "_row_key", row_hash_sql(table)])
            out[table.name] = con.execute(f"select {columns} from {table.name}").fetchall()
        for mart in ("match_facts", "participant_flow"):
            out[mart] = con.execute(f"select * from {mart}").fetchall()
        out["quarantine"] = con.execute(
            "select table_name, source, source_row, reasons, cast(row_values as varchar) "
            "from quarantine"
        ).fetchall()
        out["pseudonym_key"] = con.execute("select * from pseudonym_key").fetchall()
        return {name: sorted(rows, key=repr) for name, rows in out.items()}
    finally:
        con.close()


def _figures(wh: Path) -> list[pd.DataFrame]:
    """Return every indicator's figures, overall and per breakdown, without their lineage."""
    engine.clear_cache()
    figures = [
        engine.compute(
            None, "programme", breakdown=b, as_of=AS_OF, role="analyst", warehouse_dir=wh
        ).drop(columns=["snapshot", "snapshot_sha256"])
        for b in (None, *DIMENSIONS)
    ]
    # the engine keeps its connections open, and DuckDB hands an open database to the next
    # connection to the same path: close them, or a rewritten file would be read as it was
    engine.clear_cache()
    return figures


def _files(wh: Path) -> dict[str, bytes]:
    """Return every file of the warehouse folder (the lock aside) by relative path."""
    return {
        str(p.relative_to(wh)): p.read_bytes()
        for p in sorted(wh.rglob("*"))
        if p.is_file() and p.name != warehouse.LOCK_FILE
    }


@pytest.fixture(scope="module")
def rekeyed(tmp_path_factory):
    """Return the re-keyed warehouse, its report, and what it held before the re-keying."""
    root = tmp_path_factory.mktemp("rekey")
    wh = root / "wh"
    exports = _write_exports(root)
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(ENV, raising=False)
        _write_key_file(wh, OLD)
        results = [load([folder], wh) for folder in exports]
        assert [r.quarantined for r in results] == [0, 5]
        before = {
            "snapshots": [s.id for s in warehouse.list_snapshots(wh)],
            "traces": [_traces(s.path, _pseudonyms(OLD)) for s in warehouse.list_snapshots(wh)],
            "figures": _figures(wh),
        }
        new_key = root / "new.key"
        _write_key_file(root, NEW).rename(new_key)
        report = rekey.rekey(wh, exports, rekey.new_key_from_file(new_key), who=WHO, now=T0)
    return wh, report, before, exports


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """Return a warehouse loaded from the same exports under the new key from the start."""
    root = tmp_path_factory.mktemp("reference")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ENV, NEW)
        for folder in _write_exports(root):
            load([folder], root / "wh")
    return root / "wh"


# --- re-keying ------------------------------------------------------------------------------


def test_the_report_counts_the_rows_worked_out_by_hand(rekeyed):
    wh, report, before, _ = rekeyed
    assert report == rekey.RekeyReport(
        # every row holding a pseudonym: 7 participants, 4 buddies, matches K1-K5, group
        # activities G1 (2), G2 (3) and G3, referrals R1-R6, 8 answers and the buddy's
        changed={
            "participants": 7,
            "buddies": 4,
            "matches": 5,
            "activities": 6,
            "referrals": 6,
            "surveys": 9,
        },
        quarantine_changed=4,  # K9, K8, G4 and P1's follow-up; contact C19 holds no pseudonym
        older_rekeyed=2,  # both loads' snapshots
        snapshot_id=warehouse.current(wh).id,
        old_fingerprint=privacy.fingerprint(OLD.encode()),
        new_fingerprint=privacy.fingerprint(NEW.encode()),
        key_file=wh / privacy.KEY_FILE_NAME,
    )
    ids = [s.id for s in warehouse.list_snapshots(wh)]
    assert ids == [*before["snapshots"], report.snapshot_id]
    assert warehouse.current(wh).parent == before["snapshots"][-1]


def test_no_old_pseudonym_is_left_in_any_snapshot_or_quarantine(rekeyed):
    wh, _, before, _ = rekeyed
    # the search finds them before: in the tables, marts, and the second load's quarantine
    assert "participants.participant_id" in before["traces"][0]
    assert {"quarantine.row_values", "quarantine.reasons"} <= set(before["traces"][1])
    old = _pseudonyms(OLD)
    for snap in warehouse.list_snapshots(wh):
        assert _traces(snap.path, old) == [], snap.id
        data = snap.path.read_bytes()
        assert [p for p in old if p.encode() in data] == [], snap.id


def test_every_snapshot_equals_a_load_under_the_new_key(rekeyed, reference):
    wh, *_ = rekeyed
    first, second, new = warehouse.list_snapshots(wh)
    ref_first, ref_second = warehouse.list_snapshots(reference)
    assert _contents(first.path) == _contents(ref_first.path)
    assert _contents(second.path) == _contents(ref_second.path)
    assert _contents(new.path) == _contents(ref_second.path)
    # and the rows hold the pseudonyms of the new key, worked out from the raw ids
    con = duckdb.connect(str(new.path), read_only=True)
    try:
        ids = {r[0] for r in con.execute("select participant_id from participants").fetchall()}
        answers = con.execute("select respondent_id from surveys where wave = 'end'").fetchall()
        reasons = con.execute("select reasons from quarantine where reasons like '%P99%'")
        assert reasons.fetchall() == []
        quoted = con.execute(
            "select reasons from quarantine where json_extract_string(row_values, '$.match_id') "
            "= 'K8'"
        ).fetchone()[0]
    finally:
        con.close()
    assert ids == {privacy.pseudonym(NEW.encode(), "participant", p) for p in PARTICIPANTS[:7]}
    assert (privacy.pseudonym(NEW.encode(), "buddy", "B1"),) in answers
    assert privacy.pseudonym(NEW.encode(), "participant", "P99") in quoted


def test_every_figure_is_unchanged(rekeyed):
    wh, _, before, _ = rekeyed
    for was, now in zip(before["figures"], _figures(wh), strict=True):
        pd.testing.assert_frame_equal(was, now)


def test_the_key_file_fingerprints_metadata_and_audit_line(rekeyed):
    wh, report, *_ = rekeyed
    key_file = wh / privacy.KEY_FILE_NAME
    assert key_file.read_text() == NEW
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    expected = hmac.new(
        NEW.encode(), b"connect-impact pseudonym key fingerprint v1", hashlib.sha256
    ).hexdigest()
    for snap in warehouse.list_snapshots(wh):
        meta = json.loads(snap.path.with_suffix(".json").read_text())
        assert (meta["rekeyed_at"], meta["content_sha256"]) == (
            "2026-03-02T09:00:00+00:00",
            warehouse.file_sha256(snap.path),
        )
        con = duckdb.connect(str(snap.path), read_only=True)
        assert privacy.recorded_fingerprint(con) == expected
        con.close()
    # nothing staged is left behind, and no journal
    assert sorted(p.name for p in wh.iterdir()) == [
        ".write.lock",
        "CURRENT",
        "audit",
        "pseudonym.key",
        "snapshots",
    ]
    assert all(not p.name.startswith(".") for p in (wh / "snapshots").iterdir())
    assert audit.read(wh) == [
        {
            "at": "2026-03-02T09:00:00Z",
            "who": WHO,
            "action": "rekey",
            "what": f"key {expected_old()} replaced by {expected[:12]}: 37 rows from 6 tables, "
            "4 quarantined rows; 2 older snapshots re-keyed",
            "snapshot": report.snapshot_id,
        }
    ]


def expected_old() -> str:
    """Return the short fingerprint of the old key, worked out with hmac directly."""
    return hmac.new(
        OLD.encode(), b"connect-impact pseudonym key fingerprint v1", hashlib.sha256
    ).hexdigest()[:12]


@pytest.fixture
def rekeyed_copy(rekeyed, tmp_path, monkeypatch):
    """Return a copy of the re-keyed warehouse, its key in its key file."""
    monkeypatch.delenv(ENV, raising=False)
    shutil.copytree(rekeyed[0], tmp_path / "wh")
    return tmp_path / "wh"


def test_a_later_load_of_the_same_rows_under_the_new_key_changes_nothing(rekeyed_copy, tmp_path):
    # the same rows in other bytes (semicolons), so the load does not skip the files as known
    for table, rows in _final_state().items():
        write_csv(tmp_path / "again" / f"{table}.csv", rows, delimiter=";")
    result = load([tmp_path / "again"], rekeyed_copy)
    totals = result.totals()
    assert set(totals) == {t.name for t in TABLES}
    for table, counts in totals.items():
        assert counts == {**counts, "inserted": 0, "updated": 0, "quarantined": 0}, table
        assert counts["unchanged"] == counts["read"] > 0, table


def test_a_later_load_under_the_old_key_is_refused(rekeyed_copy, tmp_path, monkeypatch):
    monkeypatch.setenv(ENV, OLD)
    for table, rows in _final_state().items():
        write_csv(tmp_path / "again" / f"{table}.csv", rows, delimiter=";")
    before = _files(rekeyed_copy)
    with pytest.raises(privacy.KeyMismatch, match="re-key the warehouse"):
        load([tmp_path / "again"], rekeyed_copy)
    assert _files(rekeyed_copy) == before


# --- refusals: nothing changes --------------------------------------------------------------


@pytest.fixture(scope="module")
def loaded_once(tmp_path_factory):
    """Return a folder holding both exports and a warehouse loaded from them under OLD."""
    root = tmp_path_factory.mktemp("loaded")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(ENV, raising=False)
        _write_key_file(root / "wh", OLD)
        for folder in _write_exports(root):
            load([folder], root / "wh")
    return root


@pytest.fixture
def loaded(loaded_once, tmp_path, monkeypatch):
    """Return a copy of that warehouse (its key in its key file) and the export folders."""
    monkeypatch.delenv(ENV, raising=False)
    shutil.copytree(loaded_once, tmp_path, dirs_exist_ok=True)
    return tmp_path / "wh", [tmp_path / "export1", tmp_path / "export2"]


def test_a_wrong_old_key_is_refused(loaded, monkeypatch):
    wh, exports = loaded
    monkeypatch.setenv(ENV, "some-other-key-0123456789")
    before = _files(wh)
    with pytest.raises(rekey.RekeyError) as caught:
        rekey.rekey(wh, exports, NEW.encode(), who=WHO, now=T0)
    given = privacy.shown(privacy.fingerprint(b"some-other-key-0123456789"))
    assert str(caught.value) == (
        f"The current key (fingerprint {given}) is not the one this warehouse was built with "
        f"(fingerprint {expected_old()}); put the original key back in "
        f"{wh / 'pseudonym.key'} or CONNECT_PSEUDONYM_KEY to re-key it. Nothing was changed."
    )
    assert _files(wh) == before


def test_exports_missing_a_person_are_refused(loaded):
    wh, exports = loaded
    before = _files(wh)
    # P99 appears only in the second export (in a quarantined match)
    with pytest.raises(rekey.RekeyError) as caught:
        rekey.rekey(wh, exports[:1], NEW.encode(), who=WHO, now=T0)
    assert str(caught.value) == (
        "The exports given hold no id for 1 pseudonym stored in the warehouse, so it cannot be "
        "re-keyed; give every export the warehouse was loaded from, with the key it was loaded "
        "with. Nothing was changed."
    )
    assert _files(wh) == before


def test_the_same_key_again_is_refused(loaded):
    wh, exports = loaded
    with pytest.raises(rekey.RekeyError, match="already uses; give another"):
        rekey.rekey(wh, exports, OLD.encode(), who=WHO, now=T0)


def test_a_failure_half_way_leaves_every_file_as_it_was(loaded, monkeypatch):
    wh, exports = loaded
    before = _files(wh)
    calls = []
    real = rekey._rekey_snapshot

    def fail_on_second(*args):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(*args)

    monkeypatch.setattr(rekey, "_rekey_snapshot", fail_on_second)
    with pytest.raises(RuntimeError, match="disk full"):
        rekey.rekey(wh, exports, NEW.encode(), who=WHO, now=T0)
    assert _files(wh) == before


def test_a_crash_after_the_commit_point_is_finished_by_the_next_writer(loaded, monkeypatch):
    wh, exports = loaded
    renamed = []
    real_replace = os.replace

    def crash_after_three(src, dst):
        # the journal's own rename is the commit point; then three renames, then a crash
        if Path(dst).name != warehouse.JOURNAL_FILE and Path(src).name.endswith(".rekey"):
            if len(renamed) == 3:
                raise KeyboardInterrupt
            renamed.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(warehouse.os, "replace", crash_after_three)
    with pytest.raises(KeyboardInterrupt):
        rekey.rekey(wh, exports, NEW.encode(), who=WHO, now=T0)
    monkeypatch.setattr(warehouse.os, "replace", real_replace)
    assert (wh / warehouse.JOURNAL_FILE).exists()
    assert (wh / privacy.KEY_FILE_NAME).read_text() == OLD  # not yet renamed
    with warehouse.write_lock(wh):
        pass
    assert not (wh / warehouse.JOURNAL_FILE).exists()
    assert (wh / privacy.KEY_FILE_NAME).read_text() == NEW
    snaps = warehouse.list_snapshots(wh)
    assert len(snaps) == 3 and warehouse.current(wh).id == snaps[-1].id
    for snap in snaps:
        assert _traces(snap.path, _pseudonyms(OLD)) == [], snap.id
        con = duckdb.connect(str(snap.path), read_only=True)
        assert privacy.recorded_fingerprint(con) == privacy.fingerprint(NEW.encode())
        con.close()


# --- the warehouse knows its key -------------------------------------------------------------


def _again(tmp_path: Path) -> Path:
    """Return a folder with the first export's rows in other bytes (not skipped as known)."""
    for table, rows in DATA.items():
        write_csv(tmp_path / "again" / f"{table}.csv", rows, delimiter=";")
    return tmp_path / "again"


def _state(wh: Path) -> tuple[list[str], dict[str, int]]:
    con = warehouse.connect_read_only(wh)
    try:
        return [s.id for s in warehouse.list_snapshots(wh)], table_counts(con)
    finally:
        con.close()


def test_a_deleted_key_file_is_refused_not_replaced(loaded, tmp_path):
    wh, _ = loaded
    before = _state(wh)
    (wh / privacy.KEY_FILE_NAME).unlink()
    with pytest.raises(privacy.PseudonymKeyError) as caught:
        load([_again(tmp_path)], wh)
    assert str(caught.value) == (
        f"The key file {wh / 'pseudonym.key'} is missing but {wh} holds data pseudonymised "
        "with it; restore the key file from backup (a new key would count every person twice)."
    )
    assert not (wh / privacy.KEY_FILE_NAME).exists()
    assert _state(wh) == before
    assert before[1]["participants"] == 7


def test_the_cli_says_so_in_one_sentence_and_exits_2(loaded, tmp_path):
    wh, _ = loaded
    (wh / privacy.KEY_FILE_NAME).unlink()
    res = runner.invoke(app, ["load", str(_again(tmp_path)), "--warehouse", str(wh)])
    # (the progress bar leaves an empty line behind it)
    assert (res.exit_code, res.stderr.strip().splitlines()) == (
        2,
        [
            f"Error: The key file {wh / 'pseudonym.key'} is missing but {wh} holds data "
            "pseudonymised with it; restore the key file from backup (a new key would count "
            "every person twice). Nothing was published."
        ],
    )


def test_another_key_in_the_environment_is_refused(loaded, tmp_path, monkeypatch):
    wh, _ = loaded
    before = _state(wh)
    monkeypatch.setenv(ENV, "another-key-from-the-env-0123")
    with pytest.raises(privacy.KeyMismatch) as caught:
        load([_again(tmp_path)], wh)
    given = privacy.shown(privacy.fingerprint(b"another-key-from-the-env-0123"))
    assert str(caught.value) == (
        "The pseudonymisation key differs from the one this warehouse was built with "
        f"(fingerprint {expected_old()}, this key {given}); restore the original key file or "
        "CONNECT_PSEUDONYM_KEY, or re-key the warehouse with `connect-impact rekey`."
    )
    assert _state(wh) == before


def test_erasure_under_another_key_is_refused(loaded, monkeypatch):
    wh, _ = loaded
    monkeypatch.setenv(ENV, "another-key-from-the-env-0123")
    with pytest.raises(privacy.KeyMismatch):
        purge.purge_participants(wh, ["P1"], who=WHO, now=T0)
    assert audit.read(wh) == []


def test_a_key_file_open_to_others_is_refused(loaded, tmp_path):
    wh, _ = loaded
    before = _state(wh)
    key_file = wh / privacy.KEY_FILE_NAME
    key_file.chmod(0o644)
    with pytest.raises(privacy.PseudonymKeyError) as caught:
        load([_again(tmp_path)], wh)
    assert str(caught.value) == (
        f"The key file {key_file} can be read or changed by other users (mode 0644); make it "
        f"private with `chmod 600 {key_file}` and try again."
    )
    assert _state(wh) == before


def test_a_warehouse_from_before_fingerprints_adopts_its_existing_key(loaded, tmp_path):
    wh, _ = loaded

    def forget(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("drop table pseudonym_key")

    for snap in warehouse.list_snapshots(wh):
        warehouse.rewrite(wh, snap.id, forget, {})
    # without its key file, such a warehouse is refused too: no key is made for it
    (wh / privacy.KEY_FILE_NAME).rename(tmp_path / "kept.key")
    with pytest.raises(privacy.PseudonymKeyError, match="restore the key file from backup"):
        load([_again(tmp_path)], wh)
    (tmp_path / "kept.key").rename(wh / privacy.KEY_FILE_NAME)
    result = load([_again(tmp_path)], wh)
    # the same people, not new ones: only P2, changed by the second export, changes back
    participants = result.totals()["participants"]
    assert (participants["inserted"], participants["updated"], participants["unchanged"]) == (
        0,
        1,
        6,
    )
    con = warehouse.connect_read_only(wh)
    assert privacy.recorded_fingerprint(con) == privacy.fingerprint(OLD.encode())
    con.close()


def test_the_first_load_records_the_fingerprint_never_the_key(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV, OLD)
    for table, rows in DATA.items():
        write_csv(tmp_path / "export" / f"{table}.csv", rows)
    load([tmp_path / "export"], tmp_path / "wh")
    con = warehouse.connect_read_only(tmp_path / "wh")
    try:
        assert con.execute("select * from pseudonym_key").fetchall() == [
            (privacy.fingerprint(OLD.encode()),)
        ]
    finally:
        con.close()
    assert privacy.fingerprint(OLD.encode()) != hashlib.sha256(OLD.encode()).hexdigest()
    assert _traces(warehouse.current(tmp_path / "wh").path, [OLD]) == []


# --- the command line -----------------------------------------------------------------------


@pytest.fixture
def operator(monkeypatch):
    monkeypatch.setattr(pipelines_cli.getpass, "getuser", lambda: "tester")


def test_cli_rekeys_and_says_where_the_new_key_is(loaded, tmp_path, operator):
    wh, exports = loaded
    new_key = _write_key_file(tmp_path / "keys", NEW)
    res = runner.invoke(
        app,
        ["rekey", *map(str, exports), "--new-key-file", str(new_key), "--yes"]
        + ["--warehouse", str(wh)],
    )
    assert res.exit_code == 0, res.output
    new = privacy.shown(privacy.fingerprint(NEW.encode()))
    assert res.stdout == (
        "        Pseudonyms re-keyed        \n"
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━┓\n"
        "┃ rows of                  ┃ rows ┃\n"
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━┩\n"
        "│ participants             │    7 │\n"
        "│ buddies                  │    4 │\n"
        "│ matches                  │    5 │\n"
        "│ activities               │    6 │\n"
        "│ referrals                │    6 │\n"
        "│ surveys                  │    9 │\n"
        "│ quarantine               │    4 │\n"
        "│ older snapshots re-keyed │    2 │\n"
        "└──────────────────────────┴──────┘\n"
        f"New current snapshot: {warehouse.current(wh).id}. Key fingerprint {expected_old()} "
        f"replaced by {new}.\n"
        f"The new key is in {wh / 'pseudonym.key'}: back it up with the warehouse, then destroy "
        f"every copy of the old key and {new_key}.\n"
    )
    assert audit.read(wh)[-1]["who"] == "cli:tester"


def test_cli_with_the_key_in_the_environment_reads_the_new_one_from_stdin(loaded, monkeypatch):
    wh, exports = loaded
    (wh / privacy.KEY_FILE_NAME).unlink()
    monkeypatch.setenv(ENV, OLD)
    res = runner.invoke(
        app,
        ["rekey", *map(str, exports), "--new-key-stdin", "--yes", "--warehouse", str(wh)],
        input=NEW + "\n",
    )
    assert res.exit_code == 0, res.output
    assert res.stdout.endswith(
        "Set CONNECT_PSEUDONYM_KEY to the new key before the next load (loads under the old "
        "key are refused from now on), then destroy every copy of the old key.\n"
    )
    assert not (wh / privacy.KEY_FILE_NAME).exists()
    monkeypatch.setenv(ENV, NEW)
    assert privacy.verified_key(wh) == NEW.encode()


def test_cli_refuses_a_new_key_file_open_to_others(loaded, tmp_path):
    wh, exports = loaded
    new_key = _write_key_file(tmp_path / "keys", NEW, mode=0o644)
    res = runner.invoke(
        app, ["rekey", str(exports[0]), "--new-key-file", str(new_key), "--warehouse", str(wh)]
    )
    assert (res.exit_code, res.stderr) == (
        2,
        f"Error: The key file {new_key} can be read or changed by other users (mode 0644); "
        f"make it private with `chmod 600 {new_key}` and try again.\n",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Give either --new-key-file FILE or --new-key-stdin."),
        (
            ("--new-key-file", "k", "--new-key-stdin"),
            "Give either --new-key-file FILE or --new-key-stdin.",
        ),
        (
            ("--new-key-stdin",),
            "--new-key-stdin needs --yes: standard input holds the key, not an answer.",
        ),
    ],
)
def test_cli_takes_the_new_key_one_way(tmp_path, args, message):
    res = runner.invoke(app, ["rekey", str(tmp_path), *args, "--warehouse", str(tmp_path)])
    assert (res.exit_code, res.stderr) == (2, f"Error: {message}\n")
