"""Sinks: one CSV file per table, or one workbook with a Dutch-named sheet per table."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from pipelines.contract import LOAD_ORDER, TABLES_BY_NAME
from pipelines.generate.rendering import dutch_header

REPORT_FILE = "_generation.json"
WORKBOOK_FILE = "connect_export.xlsx"

# staff exports: the person and finance systems save as Windows-1252, the rest as UTF-8 with BOM
DIRTY_ENCODINGS = {
    "organisations": "cp1252",
    "participants": "cp1252",
    "buddies": "cp1252",
    "finance": "cp1252",
    "matches": "utf-8-sig",
    "contacts": "utf-8-sig",
    "activities": "utf-8-sig",
    "referrals": "utf-8-sig",
    "surveys": "utf-8-sig",
}


def file_name(table: str, dirty: bool) -> str:
    """Return the CSV file name of a table: its own name, or its Dutch name for a dirty export."""
    return f"{TABLES_BY_NAME[table].aliases[0]}.csv" if dirty else f"{table}.csv"


def remove_previous_output(out: Path) -> None:
    """Delete the files an earlier run wrote into out."""
    # a run replaces what an earlier run wrote here, so the loader never sees two versions
    names = {REPORT_FILE, WORKBOOK_FILE}
    for table in LOAD_ORDER:
        names |= {file_name(table, False), file_name(table, True)}
    for name in sorted(names):
        (out / name).unlink(missing_ok=True)


class CsvSink:
    """Appends each programme's rows to one CSV file per table."""

    def __init__(self, out: Path, dirty: bool, stack: ExitStack) -> None:
        self.paths = [out / file_name(t, dirty) for t in LOAD_ORDER]
        self.encodings = [DIRTY_ENCODINGS[t] if dirty else "utf-8" for t in LOAD_ORDER]
        self.writers: dict[str, Any] = {}
        self.started: set[str] = set()
        for table, path, encoding in zip(LOAD_ORDER, self.paths, self.encodings, strict=True):
            fh = stack.enter_context(open(path, "w", encoding=encoding, newline=""))
            self.writers[table] = csv.writer(
                fh, delimiter=";" if dirty else ",", lineterminator="\r\n" if dirty else "\n"
            )

    def write(self, table: str, header: list[str], columns: list[np.ndarray]) -> None:
        """Append one programme's rows of a table to its file."""
        writer = self.writers[table]
        if table not in self.started:
            writer.writerow(header)
            self.started.add(table)
        writer.writerows(zip(*(c.tolist() for c in columns), strict=True))

    def close(self) -> list[Path]:
        """Return the files written (each file is closed by the caller's ExitStack)."""
        return self.paths


class XlsxSink:
    """Collects every table and writes one workbook with a Dutch-named sheet per table."""

    def __init__(self, out: Path, dirty: bool, stamp: date) -> None:
        self.path = out / WORKBOOK_FILE
        self.dirty = dirty
        self.stamp = stamp  # the export date stands in for the clock in the file's metadata
        self.sheets: dict[str, tuple[list[str], list[list[Any]]]] = {}
        self.encodings = ["xlsx"]

    def write(self, table: str, header: list[str], columns: list[np.ndarray]) -> None:
        """Keep one programme's rows of a table for its sheet."""
        _, rows = self.sheets.setdefault(table, (header, []))
        rows.extend(zip(*(c.tolist() for c in columns), strict=True))

    def close(self) -> list[Path]:
        """Write the workbook, reproducible for the same seed, and return its path."""
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        wb = Workbook(write_only=True)
        for table in LOAD_ORDER:
            header, rows = self.sheets[table]
            ws = wb.create_sheet(TABLES_BY_NAME[table].aliases[0])
            ws.append(header)
            date_cols = [i for i, h in enumerate(header) if _is_date_header(table, h)]
            for row in rows:
                cells = list(row)
                for i in date_cols:
                    if isinstance(cells[i], date):
                        cell = WriteOnlyCell(ws, value=cells[i])
                        cell.number_format = "DD/MM/YYYY" if self.dirty else "YYYY-MM-DD"
                        cells[i] = cell
                ws.append(cells)
        buffer = io.BytesIO()
        wb.save(buffer)
        self.path.write_bytes(_reproducible_zip(buffer.getvalue(), self.stamp))
        return [self.path]


def _is_date_header(table: str, header: str) -> bool:
    for col in TABLES_BY_NAME[table].columns:
        if header in (col.name, dutch_header(col)):
            return col.type == "date"
    return False


def _reproducible_zip(data: bytes, stamp: date) -> bytes:
    """Return the workbook with its zip and document times set to stamp, so seeds reproduce."""
    source = zipfile.ZipFile(io.BytesIO(data))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                    rb"\g<1>" + f"{stamp.isoformat()}T00:00:00Z".encode() + rb"\g<2>",
                    content,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=(*stamp.timetuple()[:3], 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(fixed, content)
    return target.getvalue()
