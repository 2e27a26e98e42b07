"""The audit trail: one JSON line per event at <warehouse>/audit/audit.jsonl, append-only.

The log lives beside the snapshots, not in them, so that pruning or purging a snapshot never
touches it. A line says when (UTC, seconds), who, which action, a short `what` (a name, a file,
an indicator; never a password, hash or token) and the snapshot concerned, if any.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from pipelines.errors import UserError

AUDIT_DIR_NAME = "audit"
AUDIT_FILE_NAME = "audit.jsonl"
FIELDS: tuple[str, ...] = ("at", "who", "action", "what", "snapshot")
ACTIONS: tuple[str, ...] = (
    "login",
    "login_failed",
    "logout",
    "upload",
    "export",
    "download",
    "answer_document",
    "user_added",
    "user_removed",
    "role_changed",
    "password_changed",
    "purge",
    "rekey",
)
MAX_WHAT = 200

# what the accounts module calls to record an event: (at, who, action, what)
Recorder = Callable[[datetime, str, str, str], None]


class AuditLogDamaged(UserError):
    """A line of the audit log is not a JSON object."""


def audit_file(warehouse: Path) -> Path:
    """Return the audit log of a warehouse folder."""
    return Path(warehouse) / AUDIT_DIR_NAME / AUDIT_FILE_NAME


def _utc_seconds(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return at.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def append(
    warehouse: Path,
    who: str,
    action: str,
    what: str = "",
    snapshot: str | None = None,
    at: datetime | None = None,
) -> dict:
    """Append one event to the audit log under a lock, flushed to disk; return the line's dict."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    event = {
        "at": _utc_seconds(at or datetime.now(UTC)),
        "who": who,
        "action": action,
        "what": " ".join(what.split())[:MAX_WHAT],
        "snapshot": snapshot,
    }
    line = (json.dumps(event, ensure_ascii=False) + "\n").encode("utf-8")
    path = audit_file(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
    return event


def recorder(warehouse: Path, snapshot: str | None = None) -> Recorder:
    """Return a Recorder that appends to the warehouse's audit log (for the accounts module)."""

    def record(at: datetime, who: str, action: str, what: str) -> None:
        append(warehouse, who, action, what, snapshot=snapshot, at=at)

    return record


def read(warehouse: Path, since: date | None = None) -> list[dict]:
    """Return the events, oldest first; only those on or after `since` (a UTC date) if given."""
    path = audit_file(warehouse)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    floor = since.isoformat() if since else ""
    events = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            event = None
        if not isinstance(event, dict) or not isinstance(event.get("at"), str):
            raise AuditLogDamaged(f"{path}: line {number} is not an audit event.")
        # "YYYY-MM-DDTHH:MM:SSZ" sorts as text, so its first ten characters compare as dates
        if event["at"][:10] >= floor:
            events.append({field: event.get(field) for field in FIELDS})
    return events
