"""Tests of the rendering: canonical headers when clean, values written as staff do when dirty.

Expected values are worked out here from the contract, programme.yaml and the files themselves
(read with the csv module and openpyxl), never from the generator's own helpers.
"""

from __future__ import annotations

import csv
import re
from collections import Counter

from pipelines.contract import TABLES
from pipelines.generate.rendering import exported_columns
from tests.pipelines.generate.files import read_dirty


def test_clean_files_have_canonical_headers_and_no_person_names(clean) -> None:
    out, report, _ = clean
    assert [p.name for p in report.files] == [f"{t}.csv" for t in report.rows]
    for table in TABLES:
        with open(out / f"{table.name}.csv", encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        assert header == [c.name for c in exported_columns(table)]


def test_dirty_people_files_carry_names_and_emails_to_be_dropped(dirty) -> None:
    out, _ = dirty
    for table in ("participants", "buddies"):
        header, rows = read_dirty(out, table)
        names = [r[header.index("naam")] for r in rows]
        emails = [r[header.index("email")] for r in rows]
        assert all(re.fullmatch(r"\S+ \S.*", n) for n in names)
        assert all(re.fullmatch(r"[a-z]+\.[a-z]+@example\.(org|com|net)", e) for e in emails)


def test_dirty_values_are_written_the_way_staff_write_them(dirty) -> None:
    out, _ = dirty
    header, rows = read_dirty(out, "participants")
    column = {h: i for i, h in enumerate(header)}
    assert {r[column["geslacht"]] for r in rows} <= {"V", "M", "X", ""}
    assert {r[column["inburgeringstraject"]] for r in rows} <= {"ja", "nee"}
    places = Counter(r[column["gemeente"]] for r in rows)
    assert places["Schaarbeek"] and places["Schaerbeek"] and places["1030"] and places["21015"]
    dates = [r[column["intake_op"]] for r in rows if r[column["intake_op"]]]
    assert any("/" in d for d in dates) and any("-" in d for d in dates)

    header, rows = read_dirty(out, "matches")
    reasons = {r[header.index("reden_einde")] for r in rows}
    dutch = {"voltooid", "deelnemer_gestopt", "buddy_gestopt", "verhuisd", "contact_verloren"}
    assert dutch <= reasons and "completed" not in reasons

    header, rows = read_dirty(out, "contacts")
    hours = {r[header.index("uren")] for r in rows}
    assert any(re.fullmatch(r"\d+,\d+", h) for h in hours)
    assert any(re.fullmatch(r"\d+:\d\d", h) for h in hours)
    assert any(re.fullmatch(r"\d+u\d\d", h) for h in hours)

    header, rows = read_dirty(out, "finance")
    assert all(re.fullmatch(r"\d+,\d\d", r[header.index("bedrag_eur")]) for r in rows[:20])
