"""The audit log appends one JSON line per event, outside the snapshots, and reads back by date."""

from __future__ import annotations

import stat
import threading
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from pipelines import audit


def test_events_are_appended_in_order_and_read_back(tmp_path):
    wh = tmp_path / "warehouse"
    audit.append(wh, "ana", "login", "as analyst", at=datetime(2026, 3, 1, 23, 59, 59, tzinfo=UTC))
    # 00:30 in Brussels (UTC+1) is 23:30 UTC the day before: stored in UTC
    brussels = timezone(timedelta(hours=1))
    audit.append(
        wh,
        "ana",
        "export",
        "antwoord.docx",
        "20260301T120000",
        datetime(2026, 3, 3, 0, 30, 5, 999, brussels),
    )
    audit.append(
        wh,
        "root",
        "purge",
        "participant D7",
        "20260302T080000",
        datetime(2026, 3, 3, 8, 0, tzinfo=UTC),
    )
    assert audit.read(wh) == [
        {
            "at": "2026-03-01T23:59:59Z",
            "who": "ana",
            "action": "login",
            "what": "as analyst",
            "snapshot": None,
        },
        {
            "at": "2026-03-02T23:30:05Z",
            "who": "ana",
            "action": "export",
            "what": "antwoord.docx",
            "snapshot": "20260301T120000",
        },
        {
            "at": "2026-03-03T08:00:00Z",
            "who": "root",
            "action": "purge",
            "what": "participant D7",
            "snapshot": "20260302T080000",
        },
    ]
    assert [e["at"] for e in audit.read(wh, since=date(2026, 3, 2))] == [
        "2026-03-02T23:30:05Z",
        "2026-03-03T08:00:00Z",
    ]
    assert audit.read(wh, since=date(2026, 3, 4)) == []
    path = wh / "audit" / "audit.jsonl"
    assert audit.audit_file(wh) == path
    assert len(path.read_text(encoding="utf-8").splitlines()) == 3
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_warehouse_without_a_log_has_no_events(tmp_path):
    assert audit.read(tmp_path / "warehouse") == []


def test_what_is_one_short_line_and_actions_are_a_closed_list(tmp_path):
    at = datetime(2026, 3, 1, tzinfo=UTC)
    event = audit.append(
        tmp_path, "ana", "upload", "contacts.csv\nparticipants.xlsx " + "x" * 300, at=at
    )
    assert event["what"] == ("contacts.csv participants.xlsx " + "x" * 300)[:200]
    with pytest.raises(ValueError, match="unknown audit action 'dance'"):
        audit.append(tmp_path, "ana", "dance", at=at)
    with pytest.raises(ValueError, match="timezone-aware"):
        audit.append(tmp_path, "ana", "login", at=datetime(2026, 3, 1))
    assert len(audit.read(tmp_path)) == 1


def test_the_recorder_writes_the_snapshot_it_was_made_for(tmp_path):
    record = audit.recorder(tmp_path, snapshot="20260301T120000")
    record(datetime(2026, 3, 1, 12, 0, 1, tzinfo=UTC), "root", "user_added", "ana as analyst")
    assert audit.read(tmp_path) == [
        {
            "at": "2026-03-01T12:00:01Z",
            "who": "root",
            "action": "user_added",
            "what": "ana as analyst",
            "snapshot": "20260301T120000",
        }
    ]


def test_a_damaged_line_is_named(tmp_path):
    audit.append(tmp_path, "ana", "login", at=datetime(2026, 3, 1, tzinfo=UTC))
    with audit.audit_file(tmp_path).open("a", encoding="utf-8") as f:
        f.write("not json\n")
    with pytest.raises(audit.AuditLogDamaged) as caught:
        audit.read(tmp_path)
    assert str(caught.value) == f"{audit.audit_file(tmp_path)}: line 2 is not an audit event."


def test_appends_from_many_threads_are_whole_lines(tmp_path):
    at = datetime(2026, 3, 1, tzinfo=UTC)

    def write(who: str) -> None:
        for i in range(50):
            audit.append(tmp_path, who, "download", f"file {i}", at=at)

    threads = [threading.Thread(target=write, args=(f"user{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    events = audit.read(tmp_path)
    assert len(events) == 200
    for n in range(4):  # each writer's own lines keep their order
        mine = [e["what"] for e in events if e["who"] == f"user{n}"]
        assert mine == [f"file {i}" for i in range(50)]
