"""CSV and Excel files that a spreadsheet opens as data, never as formulas.

Every CSV or Excel file the product writes goes through here. A text cell that starts with
`=`, `+`, `-`, `@`, a tab or a carriage return could be run by a spreadsheet as a formula
(OWASP's "CSV injection"); such a cell gets a leading apostrophe, which spreadsheets show as
text. Numbers stay numbers, and so does a text that is nothing but a number ("-3", "+1.5").
In Excel files, text cells are also written with the string type, so that no cell is ever
stored as a formula.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# RFC 4180's line end: a field holding a lone carriage return or line feed is then quoted too
LINE_END = "\r\n"
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def neutralise(value: Any) -> Any:
    """Return a cell value that no spreadsheet runs as a formula (text only; numbers as is)."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        if not _PLAIN_NUMBER.fullmatch(value):
            return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of the frame with every text cell and column name neutralised."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or isinstance(out[column].dtype, pd.StringDtype):
            out[column] = out[column].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def csv_text(frame: pd.DataFrame) -> str:
    """Return the frame as CSV text, neutralised."""
    return safe_frame(frame).to_csv(index=False, lineterminator=LINE_END)


def write_csv(frame: pd.DataFrame, out: IO[str]) -> None:
    """Write the frame as CSV to an open text stream, neutralised."""
    safe_frame(frame).to_csv(out, index=False, lineterminator=LINE_END)


def write_rows(out: IO[str], header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write a header and rows as CSV to an open text stream, every cell neutralised."""
    writer = csv.writer(out, lineterminator=LINE_END)
    writer.writerow([neutralise(h) for h in header])
    writer.writerows([neutralise(v) for v in row] for row in rows)


def _cell(value: Any) -> Any:
    """Return a value openpyxl can store: missing as empty, numpy scalars as Python ones."""
    if value is None or (not isinstance(value, str | list | tuple) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return value


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """Return an .xlsx workbook with one sheet per frame: text as text, never a formula."""
    book = Workbook()
    book.remove(book.active)
    for name, frame in sheets.items():
        sheet = book.create_sheet(title=name[:31])
        sheet.append([neutralise(str(c)) for c in frame.columns])
        for row in frame.itertuples(index=False):
            sheet.append([_cell(v) for v in row])
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.value = neutralise(cell.value)
                    cell.data_type = TYPE_STRING  # openpyxl stores "=..." as a formula otherwise
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
