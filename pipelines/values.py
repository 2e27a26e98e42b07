"""Turn raw cell values (text from CSV, native objects from Excel) into typed, canonical values.

This is the one parse path, used by the load and by the tests. Each contract column type has one
parser (pipelines.coltypes says which; pipelines.parsers holds them). Parsing never range-checks
(Great Expectations does that later) and never decides required-ness: an empty cell is simply
missing. A value that cannot be read gets one English sentence naming the column, quoting the
value and saying what was expected. Output dtypes (all nullable) are the column types' own.

Columns can hold 600,000+ rows with few distinct values, so every distinct raw value is parsed
once and the results are mapped back with the factorised codes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from pipelines.coltypes import COLUMN_TYPES
from pipelines.parsers import Unreadable, is_blank, parse_text

if TYPE_CHECKING:
    from pipelines.contract import Column, Table


# the longest value any column may hold (descriptions included)
MAX_CELL_CHARS = 10_000
# what a byte that is not valid UTF-8 became when its file was read (pipelines/readers.py)
NOT_UTF8 = "\ufffd"
NOT_UTF8_REASON = (
    "holds bytes that are not valid UTF-8 (the file mixes two encodings; save it again as UTF-8)"
)


class ParsedFrame(NamedTuple):
    """A typed frame, its error sentences by row position (rows with none left out), and the
    (row position, column) cells unread."""

    frame: pd.DataFrame
    errors: dict[int, list[str]]
    unread: frozenset[tuple[int, str]]


def parse_column(raw: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
    """Return (typed values, error sentence or None per row) for one raw column."""
    typed, errors, _ = _parse_column(raw, column)
    return typed, errors


def _parse_column(raw: pd.Series, column: Column) -> tuple[pd.Series, pd.Series, bool]:
    """Return parse_column's typed values and errors, and whether any value failed."""
    kind = COLUMN_TYPES[column.type]
    values = raw.to_numpy(dtype=object, na_value=None)
    if kind.dtype != "boolean" and infer_dtype(values, skipna=True) not in ("string", "empty"):
        # Python says True == 1 == 1.0, so factorize would merge an Excel TRUE with the number 1;
        # outside bool columns a TRUE is text, not a number.
        values = np.array([_bool_as_text(v) for v in values], dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)

    if kind.parse is parse_text and infer_dtype(uniques, skipna=True) in ("string", "empty"):
        parsed, errors = _parse_texts(uniques, column)
    else:
        parsed, errors = _parse_values(uniques, column)
    typed = _to_array(parsed, column).take(codes, allow_fill=True)
    # code -1 (missing) picks the trailing None
    error_array = np.array([*errors, None], dtype=object)[codes]
    return (
        pd.Series(typed, index=raw.index, name=raw.name),
        pd.Series(error_array, index=raw.index, name=raw.name, dtype=object),
        any(error is not None for error in errors),
    )


def _parse_texts(uniques: np.ndarray, column: Column) -> tuple[list[object], list[str | None]]:
    """Return what _parse_values returns for text values read by parse_text, in bulk.

    Ids and free text are most of a large file's distinct values: each is only stripped,
    so the few too long or not UTF-8 are looked at one by one (as _parse_values would).
    """
    parsed: list[object] = [value.strip() or None for value in uniques]
    errors: list[str | None] = [None] * len(parsed)
    odd = [
        pos
        for pos, value in enumerate(uniques)
        if parsed[pos] is not None and (len(value) > MAX_CELL_CHARS or NOT_UTF8 in value)
    ]
    if odd:
        redo, reasons = _parse_values(uniques[odd], column)
        for pos, value, reason in zip(odd, redo, reasons, strict=True):
            parsed[pos], errors[pos] = value, reason
    return parsed, errors


def _parse_values(uniques: np.ndarray, column: Column) -> tuple[list[object], list[str | None]]:
    """Return the parsed value and the error sentence (or None) of each distinct raw value."""
    kind = COLUMN_TYPES[column.type]
    parse = kind.parser(column)
    parsed: list[object] = []
    errors: list[str | None] = []
    for value in uniques:
        if is_blank(value):
            parsed.append(None)
            errors.append(None)
            continue
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            # a value no column of the contract needs: not stored, not quoted (it is bounded in
            # the quarantine, pipelines/values.stored)
            parsed.append(None)
            errors.append(
                f"{column.name}: the value is {len(value):,} characters long "
                f"(expected at most {MAX_CELL_CHARS:,})"
            )
            continue
        if isinstance(value, str) and NOT_UTF8 in value:
            # not quoted: the value may be an id, and the bytes are no text anyway
            parsed.append(None)
            errors.append(f"{column.name}: {NOT_UTF8_REASON}")
            continue
        try:
            number = parse(value)
            if kind.too_large is not None and abs(number) >= kind.too_large:
                # beyond what the column's SQL type holds: one sentence, not a failed cast
                parsed.append(None)
                errors.append(
                    f"{column.name}: '{_show(value)}' is too large "
                    f"(expected less than {kind.too_large:,})"
                )
                continue
            parsed.append(number)
            errors.append(None)
        except Unreadable:
            parsed.append(None)
            errors.append(f"{column.name}: '{_show(value)}' is not {kind.rejection(column)}")
    return parsed, errors


def parse_frame(frame: pd.DataFrame, table: Table) -> ParsedFrame:
    """Return the typed frame (contract column order plus `_`-columns) with its errors per row."""
    typed: dict[str, pd.Series] = {}
    # errors are rare: a list per row of a batch would cost more than the parsing itself
    row_errors: dict[int, list[str]] = {}
    unread: set[tuple[int, str]] = set()
    for column in table.columns:
        if column.name in frame.columns:
            raw = frame[column.name]
        else:
            raw = pd.Series([None] * len(frame), index=frame.index, dtype=object)
        values, errors, failed = _parse_column(raw, column)
        typed[column.name] = values.rename(column.name)
        if not failed:  # most columns of most batches: no row to look for
            continue
        error_array = errors.to_numpy()
        # errors are rare: visit only the rows that have one
        for position in np.flatnonzero(pd.notna(error_array)):
            row_errors.setdefault(int(position), []).append(error_array[position])
            unread.add((int(position), column.name))
    for name in frame.columns:
        if isinstance(name, str) and name.startswith("_"):
            typed[name] = frame[name]
    result = pd.DataFrame(typed, index=frame.index)
    return ParsedFrame(result, row_errors, frozenset(unread))


def _to_array(parsed: list[object], column: Column) -> pd.api.extensions.ExtensionArray:
    dtype = COLUMN_TYPES[column.type].dtype
    if dtype.startswith("datetime64"):
        parsed = [None if d is None else np.datetime64(d, "us") for d in parsed]
    return pd.array(parsed, dtype=dtype)


def _bool_as_text(value: object) -> object:
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    return value


def _show(value: object) -> str:
    """Return a value as a person would see it in the cell, shortened when long."""
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, dt.datetime):
        text = value.isoformat(sep=" ")
    else:
        text = str(value).strip()
    return text if len(text) <= 60 else text[:57] + "..."


# a quarantined value longer than this keeps its first characters, its length and its SHA-256:
# enough for a steward to recognise it, without storing (or printing) megabytes
STORED_CHARS = 200
# separators a row may use by mistake instead of its file's own
SEPARATORS = (",", ";", "\t", "|")


def stored(value: object) -> object:
    """Return a quarantined cell's value as stored: long text cut to a prefix with its hash."""
    if not isinstance(value, str) or len(value) <= STORED_CHARS:
        return value
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{value[:STORED_CHARS]}... ({len(value):,} characters, SHA-256 {digest})"


def unsplit_separator(cells: Sequence[object], n_columns: int) -> str | None:
    """Return the separator a row seems to use instead of its file's, or None.

    Such a row was read as one cell holding the whole line (ids, names, e-mail addresses
    and all), so none of its values may be stored or quoted. It is one filled cell that
    splits on another separator into at least half as many parts as the table has columns.
    """
    filled = [c for c in cells if not is_blank(c)]
    if len(filled) != 1 or not isinstance(filled[0], str) or n_columns < 2:
        return None
    text = filled[0]
    for separator in SEPARATORS:
        if text.count(separator) + 1 >= max(2, n_columns // 2):
            return separator
    return None


def unsplit_sentence(separator: str, n_columns: int) -> str:
    """Return the quarantine reason of a row that could not be split into its columns."""
    shown = "a tab" if separator == "\t" else f"'{separator}'"
    return (
        f"the row could not be split into its {n_columns} columns: it is separated by {shown}, "
        "unlike the rest of the file (its values are not stored; see the file itself)"
    )
