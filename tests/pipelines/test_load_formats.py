"""Every accepted export format loads to the same warehouse content as the canonical CSVs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from pipelines.contract import TABLES_BY_NAME
from pipelines.load import load
from tests.conftest import HAND_BUILT, stored_rows, write_csv

TODAY = dt.date(2024, 6, 30)

# How staff spell the hand-built values (worked out by hand from data/README.md).
DUTCH_VALUES = {
    "true": "ja",
    "false": "nee",
    "F": "V",
    "completed": "voltooid",
    "participant_stopped": "deelnemer gestopt",
    "leisure": "vrije tijd",
    "volunteering": "vrijwilligerswerk",
    "course": "cursus",
    "started": "gestart",
    "referred": "doorverwezen",
    "ongoing_3m": "na 3 maanden actief",
    "income": "inkomsten",
    "expense": "uitgaven",
    "flemish_community_amif": "Vlaamse Gemeenschap",
    "staff": "personeel",
    "conversation": "gesprek",
    "culture": "cultuur",
    "library": "bibliotheek",
    "city_discovery": "stad ontdekken",
    "participant": "deelnemer",
    "end": "einde",
    # municipalities by name or postcode instead of NIS code
    "21015": "Schaerbeek",
    "21012": "1080",
    "21009": "Elsene / Ixelles",
    "21004": "Bruxelles-Ville",
    "outside_brussels": "Leuven",
}
DUTCH_HOURS = {"10": "10,0", "1.5": "1u30", "2": "2:00", "3": "3u", "1000.50": "1.000,50"}


def _dutch_date(value: str, style: int) -> str:
    y, m, d = value.split("-")
    return f"{d}/{m}/{y}" if style % 2 == 0 else f"{d}-{m}-{y}"


def _as_staff_export(table: str, rows: list[list[str]]) -> list[list[str]]:
    """Return the rows with Dutch headers, Dutch values, Belgian dates and comma decimals."""
    spec = TABLES_BY_NAME[table]
    header = rows[0]
    types = [spec.column(h).type for h in header]
    dutch_header = [spec.column(h).aliases[0] if spec.column(h).aliases else h for h in header]
    out = [dutch_header]
    for i, row in enumerate(rows[1:]):
        new = []
        for value, kind in zip(row, types, strict=True):
            if value and kind == "date":
                value = _dutch_date(value, i)
            elif value and kind in ("hours", "decimal"):
                value = DUTCH_HOURS.get(value, value.replace(".", ","))
            elif kind in ("enum", "bool", "gender", "municipality"):
                value = DUTCH_VALUES.get(value, value)
            new.append(value)
        out.append(new)
    return out


def _write_workbook(path: Path) -> Path:
    """Write the hand-built export as one workbook, Dutch sheet names and typed cells."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for table, rows in HAND_BUILT.items():
        spec = TABLES_BY_NAME[table]
        sheet = book.create_sheet(spec.aliases[0])
        sheet.append(rows[0])
        for row in rows[1:]:
            cells = []
            for name, value in zip(rows[0], row, strict=True):
                kind = spec.column(name).type
                if value == "":
                    cells.append(None)
                elif kind == "date":
                    cells.append(dt.datetime.fromisoformat(value))
                elif kind in ("hours", "decimal"):
                    cells.append(float(value))
                elif kind in ("int", "year"):
                    cells.append(int(value))
                elif kind == "bool":
                    cells.append(value == "true")
                else:
                    cells.append(value)
            sheet.append(cells)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = "DD/MM/YYYY"
    book.save(path)
    return path


def _content(wh: Path) -> dict[str, list[tuple]]:
    return stored_rows(wh, *HAND_BUILT, "match_facts")


@pytest.fixture
def canonical(hand_built, wh) -> dict[str, list[tuple]]:
    """Return the content of a warehouse loaded from the canonical CSVs (fixed key via wh)."""
    load([hand_built], wh, today=TODAY)
    return _content(wh)


@pytest.mark.parametrize(
    ("variant", "delimiter", "encoding"),
    [
        ("semicolon_utf8_bom", ";", "utf-8-sig"),
        ("semicolon_windows_1252", ";", "cp1252"),
        ("comma_utf8", ",", "utf-8"),
    ],
)
def test_staff_style_csv_loads_the_same_values(canonical, tmp_path, variant, delimiter, encoding):
    folder = tmp_path / variant
    for table, rows in HAND_BUILT.items():
        name = TABLES_BY_NAME[table].aliases[0]
        write_csv(folder / f"{name}.csv", _as_staff_export(table, rows), delimiter, encoding)
    wh = tmp_path / f"wh_{variant}"
    result = load([folder], wh, today=TODAY)
    assert result.quarantined == 0
    assert _content(wh) == canonical


def test_excel_workbook_loads_the_same_values(canonical, tmp_path):
    book = _write_workbook(tmp_path / "connect_export.xlsx")
    wh = tmp_path / "wh_xlsx"
    result = load([book], wh, today=TODAY)
    assert result.quarantined == 0
    assert {a.source.split("[")[1].rstrip("]") for a in result.accounts} == {
        TABLES_BY_NAME[t].aliases[0] for t in HAND_BUILT
    }
    assert _content(wh) == canonical
