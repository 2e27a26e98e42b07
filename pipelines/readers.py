"""Read staff exports (CSV or Excel) into raw tables with canonical column names.

Values stay raw here (text from CSV, native objects from Excel); pipelines.values types them.
Columns that identify a person directly are dropped on reading and never loaded, and so are
columns the contract does not know.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

import duckdb
import numpy as np
import openpyxl
import pandas as pd

from pipelines import contract
from pipelines.contract import Table
from pipelines.errors import UserError

if TYPE_CHECKING:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

CSV_SUFFIXES = (".csv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
SOURCE_ROW = "_source_row"

_IDENTIFIERS = frozenset(contract.normalise_header(h) for h in contract.DIRECT_IDENTIFIERS)
_SEPARATORS = (";", ",", "\t")  # on a tie the Belgian ";" wins
# No table of the contract has more than a few dozen columns; a file or sheet that claims more
# (50 MB of ';', a cell at column 16000) would blow memory up when read, so it is refused first.
MAX_COLUMNS = 500
_SNIFF_CHARS = 65_536  # the separator is told from the start of the header line
# Lines before the header that hold nothing but spaces, separators or quotes.
_LEADING_BLANK_LINES = re.compile(r'(?:[ \t,;"]*(?:\r\n|\r|\n))*')


class ReadError(UserError):
    """A file cannot be read; the message is one sentence naming the file and what was expected."""


@dataclass
class RawTable:
    """One table read from a file or a workbook sheet, with raw values and canonical columns."""

    table: Table
    path: Path
    sheet: str | None
    frame: pd.DataFrame | None  # None for a CSV file streamed through DuckDB (plan)
    dropped_identifiers: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    rows_read: int = 0
    notes: list[str] = field(default_factory=list)  # warnings about the file, e.g. sheets skipped
    plan: CsvPlan | None = None

    @property
    def source(self) -> str:
        """Return the file name, with the sheet in brackets for a workbook: x.xlsx[deelnemers]."""
        return f"{self.path.name}[{self.sheet}]" if self.sheet is not None else self.path.name


def discover(paths: list[Path]) -> list[Path]:
    """Return the data files named or contained (recursively) in paths, folders sorted."""
    found: list[Path] = []
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise ReadError(f"{path}: does not exist (expected a data file or a folder of them).")
        if path.is_file():
            found.append(path)
            continue
        for candidate in sorted(path.rglob("*")):
            relative = candidate.relative_to(path)
            if (
                candidate.is_file()
                and candidate.suffix.lower() in CSV_SUFFIXES + EXCEL_SUFFIXES
                and not any(part.startswith(".") for part in relative.parts)
                and not candidate.name.startswith(("~$", "_"))
            ):
                found.append(candidate)
    return list(dict.fromkeys(found))


def read_file(path: Path, stream: bool = False) -> list[RawTable]:
    """Return the tables in a CSV file (one) or an Excel workbook (one per non-empty sheet).

    With `stream`, a CSV file of STREAM_MIN_BYTES or more is only planned (header, encoding,
    separator; `frame` is None) for stage_csv to read into DuckDB.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + EXCEL_SUFFIXES:
        raise ReadError(
            f"{path.name}: unsupported file type '{suffix or '(none)'}' "
            "(expected .csv, .txt, .xlsx or .xlsm; save older .xls files as .xlsx)."
        )
    if not path.is_file():
        raise ReadError(f"{path.name}: does not exist or is not a file (expected a data file).")
    if suffix in CSV_SUFFIXES:
        if stream and path.stat().st_size >= STREAM_MIN_BYTES:
            planned = _plan_csv(path)
            if planned is not None:
                return [planned]
        return [_read_csv(path)]
    return _read_workbook(path)


# ---------------------------------------------------------------------------------------------
# CSV


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"{path.name}: cannot be read ({exc.strerror or exc}).") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" export
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ReadError(
                f"{path.name}: is not valid UTF-16 text (it is cut short or holds a broken "
                "character; expected a CSV saved again as UTF-8 or as Unicode text)."
            ) from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _decode_not_utf8(data)
    if "\x00" in text:
        raise ReadError(
            f"{path.name}: is not a readable text file (expected a CSV saved as UTF-8 or "
            "Windows-1252)."
        )
    return text


# a character made of two to four UTF-8 bytes: a file holding them was written as UTF-8
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]{1,3}")


def _decode_not_utf8(data: bytes) -> str:
    """Return the text of bytes that are not all valid UTF-8.

    A file that holds UTF-8 characters is UTF-8 with a few stray bytes (another program wrote
    into it): decoding it all as Windows-1252 would turn every é into Ã© and overwrite good
    stored values. So the stray bytes become U+FFFD and the rows holding them are quarantined
    (pipelines/values.py); only a file without any UTF-8 character is read as Windows-1252.
    """
    if _UTF8_MULTIBYTE.search(data):
        return data.decode("utf-8-sig", errors="replace")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return "\x00"  # bytes no Windows-1252 text holds: refused below


def _check_width(source: str, width: int, row: int = 1) -> None:
    """Raise ReadError when a row reaches beyond MAX_COLUMNS columns (before it is read whole)."""
    if width > MAX_COLUMNS:
        raise ReadError(
            f"{source}: row {row} reaches column {width:,} (expected at most {MAX_COLUMNS} "
            "columns; delete what lies beyond the table, or check the separator)."
        )


def _sniff_separator(line: str) -> str:
    counts = dict.fromkeys(_SEPARATORS, 0)
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(_SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _read_csv(path: Path) -> RawTable:
    text = _decode(path)
    leading = _LEADING_BLANK_LINES.match(text).group()
    first_line = len(re.findall(r"\r\n|\r|\n", leading)) + 1  # line number of the header
    text = text[len(leading) :]
    if not text.strip():
        raise ReadError(f"{path.name}: is empty (expected a header row and data rows).")
    separator = _sniff_separator(re.split(r"\r\n|\r|\n", text[:_SNIFF_CHARS], maxsplit=1)[0])
    header_line = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    _check_width(path.name, header_line.count(separator) + 1, first_line)
    try:
        # One row per physical line (blank lines included) so that line numbers can be counted;
        # everything as text, and "NA" stays "NA".
        body = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            header=None,
            dtype=object,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        detail = str(exc).strip().splitlines()[-1].removeprefix("Error tokenizing data. C error: ")
        # pandas counts lines from the header; a person counts from the top of the file
        detail = re.sub(r"line (\d+)", lambda m: f"line {int(m[1]) + first_line - 1}", detail)
        raise ReadError(
            f"{path.name}: is not a readable CSV file ({detail}; expected the same number of "
            f"values on every line, separated by '{_show_separator(separator)}')."
        ) from None
    lines = first_line + _line_offsets(text, separator, len(body))
    headers = [str(h) for h in body.iloc[0]]
    return _make_table(
        path, None, headers, body.iloc[1:], lines[1:], names_first=[path.stem], names_last=[]
    )


def _show_separator(separator: str) -> str:
    return "tab" if separator == "\t" else separator


def _line_offsets(text: str, separator: str, n_records: int) -> np.ndarray:
    """Return, per parsed record, its first line counted from 0 at the header."""
    n_lines = text.count("\n") + text.count("\r") - text.count("\r\n")
    if not text.endswith(("\n", "\r")):
        n_lines += 1
    if n_lines == n_records:  # no value spans several lines: records and lines coincide
        return np.arange(n_records)
    # A quoted value holds a line break: let the csv module say where each record starts.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    starts: list[int] = []
    end = 0
    try:
        for _ in reader:
            starts.append(end)
            end = reader.line_num
    except csv.Error:  # e.g. a field over the csv module's size limit: count records instead
        return np.arange(n_records)
    if len(starts) != n_records:
        return np.arange(n_records)
    return np.array(starts)


# ---------------------------------------------------------------------------------------------
# CSV streamed through DuckDB: a large file is planned from a bounded prefix (encoding, separator,
# header) and its rows go straight into a DuckDB table, never whole into Python. A file the
# streaming path cannot read exactly as _read_csv would (UTF-16, blank or leading lines, values
# spanning lines, ragged rows) is read by _read_csv instead, so both give the same rows.

STREAM_MIN_BYTES = 8 * 1024 * 1024  # smaller CSV files are read whole: simpler, as fast
_PREFIX_BYTES = 1 << 20
_CHUNK_BYTES = 1 << 24
# what str.strip() removes: a cell of nothing else is blank, in SQL as in _blank_mask
_SPACE_CLASS = "".join(f"\\x{{{ord(c):x}}}" for c in map(chr, range(0x110000)) if c.isspace())


STAGED_LINE = "cast(rowid + 1 as integer)"
STAGED_ROWS = "rowid > 0 and _filled"


@dataclass
class CsvPlan:
    """How a large CSV file is streamed: its encoding, separator and header positions."""

    encoding: str  # "utf-8" or "cp1252"
    separator: str
    width: int
    columns: dict[int, str]  # position -> canonical column, in contract order
    headerless: list[int]  # positions without a header (reported when they hold data)


def _plan_csv(path: Path) -> RawTable | None:
    """Return the table of a large CSV file planned for streaming, or None to read it whole."""
    try:
        with open(path, "rb") as fh:
            prefix = fh.read(_PREFIX_BYTES)
    except OSError:
        return None
    if prefix.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in prefix:
        return None
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(prefix, final=False)
        encoding = "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = prefix.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            return None
    if _LEADING_BLANK_LINES.match(text).group():
        return None
    parts = re.split(r"\r\n|\r|\n", text, maxsplit=1)
    if len(parts) < 2:  # the header does not end within the prefix
        return None
    separator = _sniff_separator(parts[0][:_SNIFF_CHARS])
    _check_width(path.name, parts[0].count(separator) + 1)
    headers = next(csv.reader([parts[0]], delimiter=separator), [])
    if not headers:
        return None
    table, kept_pairs, dropped, unknown = _table_columns(headers, [path.stem], [], path.name)
    if table.repeats:
        return None  # its identical rows are numbered as they are read: read it whole
    kept = dict(kept_pairs)
    headerless = [p for p, h in enumerate(headers) if not _header_key(h)]
    plan = CsvPlan(encoding, separator, len(headers), kept, headerless)
    return RawTable(
        table=table,
        path=path,
        sheet=None,
        frame=None,
        dropped_identifiers=dropped,
        unknown_columns=unknown,
        plan=plan,
    )


def _count_lines(path: Path) -> int | None:
    """Return the lines of a file as _read_csv counts them, or None if it holds a NUL byte."""
    newlines = returns = pairs = 0
    last = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK_BYTES):
            if b"\x00" in chunk:
                return None
            newlines += chunk.count(b"\n")
            returns += chunk.count(b"\r")
            pairs += chunk.count(b"\r\n") + (last == b"\r" and chunk[:1] == b"\n")
            last = chunk[-1:]
    lines = newlines + returns - pairs
    return lines if last in (b"\n", b"\r") else lines + 1


def _as_utf8(path: Path, target: Path) -> bool:
    """Write a cp1252 file as UTF-8 (DuckDB reads no cp1252), a chunk at a time; False if not."""
    decoder = codecs.getincrementaldecoder("cp1252")()
    try:
        with open(path, "rb") as src, open(target, "w", encoding="utf-8", newline="") as out:
            while chunk := src.read(_CHUNK_BYTES):
                out.write(decoder.decode(chunk))
            out.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError:  # a byte cp1252 leaves undefined: _read_csv says so
        return False
    return True


def _blank_to_null(expr: str) -> str:
    return f"case when regexp_full_match({expr}, '[{_SPACE_CLASS}]*') then null else {expr} end"


def stage_csv(raw: RawTable, con: duckdb.DuckDBPyConnection, name: str, scratch: Path) -> bool:
    """Read a planned CSV file into the temp table `name`; return False if it must be read whole.

    The table holds one row per record, the header first: the canonical columns (text, blanks
    as null) and `_filled` (whether the line holds any value); identifying columns never enter
    it. A record's rowid + 1 is its line number (STAGED_LINE), STAGED_ROWS picks the data rows.
    A cp1252 file is first copied as UTF-8 to the file `scratch` (deleted after; a hidden name
    in the warehouse, so that a crash leaves it for the next writer to remove).
    """
    plan = raw.plan
    assert plan is not None
    lines = _count_lines(raw.path)
    if lines is None:
        return False
    if plan.encoding == "utf-8":
        return _stage_utf8(raw, raw.path, con, name, lines)
    try:
        return _as_utf8(raw.path, scratch) and _stage_utf8(raw, scratch, con, name, lines)
    finally:
        scratch.unlink(missing_ok=True)


def _stage_utf8(
    raw: RawTable, path: Path, con: duckdb.DuckDBPyConnection, name: str, lines: int
) -> bool:
    plan = raw.plan
    assert plan is not None
    norm = {p: _blank_to_null(f"c{p}") for p in range(plan.width)}
    select = [f"{norm[p]} as {column}" for p, column in plan.columns.items()]
    select += [f"{norm[p]} is not null as _h{p}" for p in plan.headerless]
    filled = " or ".join(f"{e} is not null" for e in norm.values())
    columns = "{" + ", ".join(f"'c{p}': 'varchar'" for p in range(plan.width)) + "}"
    read = (
        "read_csv(?, delim = ?, quote = '\"', escape = '\"', header = false, "
        f"columns = {columns}, null_padding = true, auto_detect = false, encoding = 'utf-8')"
    )
    try:
        con.execute(
            f"create or replace temp table {name} as select {', '.join(select)}, "
            f"({filled}) as _filled from {read}",
            [str(path), plan.separator],
        )
    except duckdb.Error:
        con.execute(f"drop table if exists {name}")
        return False
    records = con.execute(f"select count(*) from {name}").fetchone()[0]
    if records != lines:  # a blank line DuckDB skipped, or a value spanning lines
        con.execute(f"drop table {name}")
        return False
    for p in plan.headerless:
        if con.execute(f"select bool_or(_h{p}) from {name} where {STAGED_ROWS}").fetchone()[0]:
            raw.unknown_columns.append(f"(column {p + 1} without a header)")
    raw.rows_read = con.execute(f"select count(*) from {name} where {STAGED_ROWS}").fetchone()[0]
    return True


# ---------------------------------------------------------------------------------------------
# Excel


def _read_workbook(path: Path) -> list[RawTable]:
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (zip, XML, key errors) for a bad file
        if _starts_with(path, _OLE_SIGNATURE):
            # Excel keeps a workbook with a password in an OLE container, as it did .xls files
            raise ReadError(
                f"{path.name}: is protected with a password, or is an old .xls file (expected an "
                ".xlsx without a password: remove it under File > Info > Protect Workbook, or "
                "save the file again as .xlsx)."
            ) from None
        raise ReadError(
            f"{path.name}: cannot be opened as an Excel workbook (expected an .xlsx or .xlsm "
            "file saved by Excel or LibreOffice)."
        ) from None
    tables: list[RawTable] = []
    skipped: list[tuple[str, ReadError]] = []
    try:
        for sheet in workbook.worksheets:
            try:
                table = _read_sheet(path, sheet)
            except _DAMAGED:
                raise ReadError(
                    f"{path.name}: the sheet '{sheet.title}' cannot be read: the file is damaged "
                    "(expected a workbook saved whole by Excel or LibreOffice)."
                ) from None
            except ReadError as exc:
                if contract.table_for_name(sheet.title) is not None:
                    raise  # a sheet named after a table: its problem is the person's to fix
                skipped.append((sheet.title, exc))
                continue
            if table is not None:
                tables.append(table)
    finally:
        workbook.close()
    if skipped and not tables:
        raise skipped[0][1]
    if skipped:
        # a notes or lookup sheet beside the tables: skipped, and said so
        names = ", ".join(f"'{title}'" for title, _ in skipped)
        tables[0].notes.append(
            f"{path.name}: skipped sheet(s) {names}: not a table of the data contract."
        )
    if not tables:
        raise ReadError(
            f"{path.name}: no sheet holds any data (expected a sheet named after a table, such as "
            "participants/deelnemers, with a header row)."
        )
    return tables


_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# what openpyxl raises, while streaming a sheet, for a damaged file (cut XML, broken zip)
_DAMAGED = (ElementTree.ParseError, zipfile.BadZipFile, zlib.error, EOFError, KeyError)


def _starts_with(path: Path, signature: bytes) -> bool:
    """Return whether a file's first bytes are the signature."""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(signature)) == signature
    except OSError:
        return False


def _read_sheet(path: Path, sheet: ReadOnlyWorksheet) -> RawTable | None:
    header: list[str] | None = None
    rows: list[tuple] = []
    numbers: list[int] = []
    # Some writers store a wrong sheet size, which would cut reading short; forget it.
    sheet.reset_dimensions()
    # read-only sheets yield every row from row 1, empty ones included, so counting gives the
    # row number a person sees in Excel
    source = f"{path.name}[{sheet.title}]"
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if len(values) > MAX_COLUMNS:
            last = max((i for i, v in enumerate(values) if not _blank(v)), default=-1)
            _check_width(source, last + 1, number)
            values = values[:MAX_COLUMNS]
        if header is None:
            if any(not _blank(v) for v in values):
                header = ["" if _blank(v) else str(v) for v in values]
            continue
        if all(_blank(v) for v in values):
            continue  # empty rows are dropped anyway; a sheet may claim a million of them
        rows.append(values)
        numbers.append(number)
    if header is None:
        return None
    width = max([len(header), *(len(r) for r in rows)])
    header += [""] * (width - len(header))
    body = pd.DataFrame(
        [tuple(r) + (None,) * (width - len(r)) for r in rows], columns=range(width), dtype=object
    )
    return _make_table(
        path,
        sheet.title,
        header,
        body,
        np.array(numbers, dtype=np.int64),
        names_first=[sheet.title],
        names_last=[path.stem],
    )


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ---------------------------------------------------------------------------------------------
# shared: recognise the table, map the headers, drop identifiers and empty rows


def _table_columns(
    headers: list[str], names_first: list[str], names_last: list[str], source: str
) -> tuple[Table, list[tuple[int, str]], list[str], list[str]]:
    """Return the headers' table, kept (position, column) pairs, dropped and unknown columns."""
    table = _recognise(headers, names_first, names_last, source)
    columns, dropped, unknown = _map_headers(table, headers, source)
    missing = [c for c in table.required if c not in columns.values()]
    if missing:
        raise ReadError(_missing_message(source, table, missing))
    order = {name: i for i, name in enumerate(table.column_names)}
    kept = sorted(columns.items(), key=lambda item: order[item[1]])
    return table, kept, dropped, unknown


def _make_table(
    path: Path,
    sheet: str | None,
    headers: list[str],
    body: pd.DataFrame,
    rows: np.ndarray,
    names_first: list[str],
    names_last: list[str],
) -> RawTable:
    source = f"{path.name}[{sheet}]" if sheet is not None else path.name
    body = body.reset_index(drop=True)
    body.columns = range(body.shape[1])
    for position in body.columns:
        body[position] = body[position].where(~_blank_mask(body[position]), None)
    filled = body.notna().any(axis=1).to_numpy()
    body = body.loc[filled].reset_index(drop=True)
    rows = np.asarray(rows, dtype=np.int64)[filled]

    table, kept, dropped, unknown = _table_columns(headers, names_first, names_last, source)
    for position, header in enumerate(headers):
        if not _header_key(header) and body[position].notna().any():
            unknown.append(f"(column {position + 1} without a header)")

    frame = pd.DataFrame({name: body[position] for position, name in kept}, dtype=object)
    frame[SOURCE_ROW] = rows
    return RawTable(
        table=table,
        path=path,
        sheet=sheet,
        frame=frame,
        dropped_identifiers=dropped,
        unknown_columns=unknown,
        rows_read=len(frame),
    )


def _blank_mask(column: pd.Series) -> np.ndarray:
    # test each distinct value once: Excel columns mix types, and the .str accessor on object
    # columns is a Python loop over every row anyway
    codes, uniques = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=True)
    blank = np.fromiter((isinstance(v, str) and not v.strip() for v in uniques), bool, len(uniques))
    return np.append(blank, True)[codes]


def _recognise(
    headers: list[str], names_first: list[str], names_last: list[str], source: str
) -> Table:
    """Return the table named by the file or sheet, else the one its headers fit best."""
    for name in names_first:
        table = contract.table_for_name(name)
        if table is not None:
            return table
    best: tuple[int, Table] | None = None
    for table in contract.TABLES:
        mapping = contract.header_map(table)
        present = {mapping[h] for h in map(_header_key, headers) if h in mapping}
        if set(table.required) <= present and (best is None or len(present) > best[0]):
            best = (len(present), table)
    if best is not None:
        return best[1]
    for name in names_last:
        table = contract.table_for_name(name)
        if table is not None:
            return table
    raise ReadError(
        f"{source}: cannot tell which table this is (expected a file or sheet named after a table "
        "such as participants/deelnemers, or headers that include its required columns)."
    )


def _header_key(header: str) -> str:
    # Excel headers often hold a line break ("Deelnemer<Alt+Enter>ID"): any whitespace is a space
    return contract.normalise_header(" ".join(header.split()))


def _is_identifier(normalised: str, table: Table, mapping: dict[str, str]) -> bool:
    # organisations are not people: their name column stays
    if table.name == "organisations" and mapping.get(normalised) == "name":
        return False
    return normalised in _IDENTIFIERS


def _map_headers(
    table: Table, headers: list[str], source: str
) -> tuple[dict[int, str], list[str], list[str]]:
    """Return (position -> canonical column, dropped identifier headers, unknown headers)."""
    mapping = contract.header_map(table)
    columns: dict[int, str] = {}
    seen: dict[str, str] = {}
    dropped: list[str] = []
    unknown: list[str] = []
    for position, header in enumerate(headers):
        normalised = _header_key(header)
        if not normalised:
            continue
        if _is_identifier(normalised, table, mapping):
            dropped.append(header)
        elif normalised in mapping:
            canonical = mapping[normalised]
            if canonical in seen:
                raise ReadError(
                    f"{source}: columns '{seen[canonical]}' and '{header}' both give "
                    f"'{canonical}' (expected each column once)."
                )
            seen[canonical] = header
            columns[position] = canonical
        elif any(part in _IDENTIFIERS for part in normalised.split("_")):
            # "naam deelnemer", "email ouder": still a person's details
            dropped.append(header)
        else:
            unknown.append(header)
    return columns, dropped, unknown


def _missing_message(source: str, table: Table, missing: list[str]) -> str:
    def accepted(name: str) -> str:
        column = table.column(name)
        return ", ".join((column.name, *column.aliases))

    if len(missing) == 1:
        name = missing[0]
        return (
            f"{source}: required column '{name}' is missing (accepted headers: {accepted(name)})."
        )
    names = " and ".join(f"'{name}'" for name in missing)
    listed = "; ".join(f"for {name}: {accepted(name)}" for name in missing)
    return f"{source}: required columns {names} are missing (accepted headers {listed})."
