"""Reading the generator's files back for the tests: constants and readers, no generator code.

Expected values are worked out here from the contract, programme.yaml and the files themselves
(read with the csv module and openpyxl), never from the generator's own helpers.
"""

from __future__ import annotations

import calendar
import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

PROGRAMME_START = date(2021, 6, 1)
PROGRAMME_END = date(2023, 12, 31)
AMIF_GRANT = Decimal("82882.00")
DUTCH_FILES = {  # table -> file stem of the dirty export (its first Dutch alias)
    "organisations": "organisaties",
    "participants": "deelnemers",
    "buddies": "vrijwilligers",
    "matches": "koppelingen",
    "contacts": "contactmomenten",
    "activities": "groepsactiviteiten",
    "referrals": "doorstroom",
    "surveys": "bevragingen",
    "finance": "financiering",
}
CP1252_TABLES = {"organisations", "participants", "buddies", "finance"}


def read_clean(folder: Path, table: str) -> list[dict[str, str]]:
    with open(folder / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def iso(text: str) -> date:
    return date.fromisoformat(text)


def six_months_later(d: date) -> date:
    month = d.month + 6
    year, month = d.year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def read_dirty(folder: Path, table: str) -> tuple[list[str], list[list[str]]]:
    encoding = "cp1252" if table in CP1252_TABLES else "utf-8-sig"
    with open(folder / f"{DUTCH_FILES[table]}.csv", encoding=encoding, newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    return rows[0], rows[1:]
