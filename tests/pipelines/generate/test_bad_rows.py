"""Tests of the bad rows of a dirty export: a recount of the files gives the report's counts.

Expected values are worked out here from the contract, programme.yaml and the files themselves
(read with the csv module and openpyxl), never from the generator's own helpers.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from pipelines.contract import TABLES, TABLES_BY_NAME, header_map
from pipelines.generate import BAD_CLASSES
from tests.pipelines.generate.files import read_dirty

DMY = re.compile(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})")
CLOCK = re.compile(r"(-?)(\d+)[:u](\d{2})")
DECIMAL = re.compile(r"-?\d+(?:[,.]\d+)?")


def dirty_date(text: str) -> date | str | None:
    """Return the date, 'impossible' for 31/02/2022, 'unreadable' for gisteren, None if empty."""
    if not text:
        return None
    match = DMY.fullmatch(text)
    if not match:
        return "unreadable"
    try:
        return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return "impossible"


def dirty_number(text: str) -> float | None:
    """Return hours or an amount written 1,5 / 1.5 / 1:30 / 1u30 / 2, or None if unreadable."""
    match = CLOCK.fullmatch(text)
    if match:
        value = int(match[2]) + int(match[3]) / 60
        return -value if match[1] else value
    if DECIMAL.fullmatch(text):
        return float(text.replace(",", "."))
    return None


def classify(table: str, row: dict[str, str], known: dict[str, set[str]]) -> list[str]:
    """Return every reason this row is bad, by the contract's required columns."""
    spec = TABLES_BY_NAME[table]
    reasons = []
    for col in spec.columns:
        value = row.get(col.name, "")
        if col.required and col.type == "id" and not value:
            reasons.append("missing_id")
        if col.required and col.type == "date":
            parsed = dirty_date(value)
            if parsed == "impossible":
                reasons.append("impossible_date")
            elif parsed == "unreadable":
                reasons.append("bad_value")
        if col.required and col.type in ("hours", "decimal"):
            number = dirty_number(value)
            if number is None:
                reasons.append("bad_value")
            elif col.type == "hours" and number < 0:
                reasons.append("negative_hours")
            elif col.type == "hours" and number > 12:
                reasons.append("too_many_hours")
    if table == "matches":
        start, end = dirty_date(row["matched_on"]), dirty_date(row["ended_on"])
        if isinstance(start, date) and isinstance(end, date) and end < start:
            reasons.append("end_before_start")
    if table == "contacts" and row["match_id"] and row["match_id"] not in known["matches"]:
        reasons.append("unknown_match")
    if table in ("activities", "referrals"):
        if row["participant_id"] and row["participant_id"] not in known["participants"]:
            reasons.append("unknown_participant")
    return reasons


def test_bad_row_counts_match_a_recount_of_the_files(dirty, clean) -> None:
    out, report = dirty
    _, clean_report, _ = clean
    parsed: dict[str, list[dict[str, str]]] = {}
    for table in TABLES:
        header, rows = read_dirty(out, table.name)
        mapping = header_map(table)
        names = [mapping.get(h, h) for h in header]
        parsed[table.name] = [dict(zip(names, r, strict=True)) for r in rows]
        assert len(rows) == report.rows[table.name]
    known = {
        "matches": {r["match_id"] for r in parsed["matches"] if r["match_id"]},
        "participants": {r["participant_id"] for r in parsed["participants"]},
    }
    for table in TABLES:
        counted: Counter[str] = Counter()
        seen: set[tuple[str, ...]] = set()
        good = 0
        for row in parsed[table.name]:
            key = tuple(row.values())
            reasons = ["exact_duplicate"] if key in seen else classify(table.name, row, known)
            seen.add(key)
            assert len(reasons) <= 1, (table.name, row, reasons)  # bad for one reason only
            counted.update(reasons)
            good += not reasons
        assert dict(counted) == report.bad_rows[table.name], table.name
        # the valid rows are the clean data set, written differently
        assert good == clean_report.rows[table.name], table.name
    for table, classes in report.bad_rows.items():
        assert list(classes) == [c for c in BAD_CLASSES if c in classes], table
        assert all(2 <= n <= 10 for n in classes.values()), table
    assert report.bad_rows["contacts"].keys() >= {"negative_hours", "too_many_hours"}
