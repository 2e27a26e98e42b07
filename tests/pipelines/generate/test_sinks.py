"""Tests of the sinks: Dutch semicolon CSV files in two encodings, and a reproducible workbook.

Expected values are worked out here from the contract, programme.yaml and the files themselves
(read with the csv module and openpyxl), never from the generator's own helpers.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipelines.contract import TABLES
from pipelines.generate import generate
from pipelines.generate.rendering import exported_columns
from tests.pipelines.generate.files import CP1252_TABLES, DUTCH_FILES


def test_dirty_files_are_dutch_semicolon_exports_with_mixed_encodings(dirty) -> None:
    out, report = dirty
    assert sorted(p.name for p in report.files) == sorted(f"{s}.csv" for s in DUTCH_FILES.values())
    for table in TABLES:
        raw = (out / f"{DUTCH_FILES[table.name]}.csv").read_bytes()
        if table.name in CP1252_TABLES:
            assert not raw.startswith(b"\xef\xbb\xbf")
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")  # accented names in Windows-1252 are not valid UTF-8
            text = raw.decode("cp1252")
        else:
            assert raw.startswith(b"\xef\xbb\xbf")
            text = raw.decode("utf-8-sig")
        header = text.split("\r\n", 1)[0].split(";")
        expected = [c.aliases[0] if c.aliases else c.name for c in exported_columns(table)]
        if table.name in ("participants", "buddies"):
            expected[1:1] = ["naam", "email"]
        assert header == expected
        assert report.encodings[f"{DUTCH_FILES[table.name]}.csv"] in ("cp1252", "utf-8-sig")


def test_xlsx_workbook_is_reproducible(tmp_path: Path) -> None:
    # openpyxl stamps the wall clock into the zip and the document properties
    a = generate(tmp_path / "a", fmt="xlsx")
    b = generate(tmp_path / "b", fmt="xlsx")
    assert a.files[0].read_bytes() == b.files[0].read_bytes()


def test_xlsx_has_dutch_sheets_real_dates_and_numbers(tmp_path: Path, clean) -> None:
    _, clean_report, _ = clean
    report = generate(tmp_path, fmt="xlsx")
    assert [p.name for p in report.files] == ["connect_export.xlsx"]
    assert report.rows == clean_report.rows
    wb = load_workbook(report.files[0], read_only=True)
    assert wb.sheetnames == [DUTCH_FILES[t] for t in report.rows]
    contacts = wb["contactmomenten"]
    rows = list(contacts.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == report.rows["contacts"]
    on, hours = header.index("contact_on"), header.index("hours")
    assert all(isinstance(r[on], datetime) for r in body)
    assert all(isinstance(r[hours], int | float) and 0 < r[hours] <= 12 for r in body)
    finance = list(wb["financiering"].iter_rows(values_only=True))
    amount = finance[0].index("amount_eur")
    assert all(isinstance(r[amount], int | float) for r in finance[1:])
    wb.close()
