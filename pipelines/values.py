"""Turn raw cell values (text from CSV, native objects from Excel) into typed, canonical values.

Each contract column type has one parser. Parsing never range-checks (Great Expectations does
that later) and never decides required-ness: an empty cell is simply missing. A value that
cannot be read gets one English sentence naming the column, quoting the value and saying what
was expected.

Output dtypes (all nullable):

- id, text, gender, cefr, enum, municipality: ``"string"`` (pd.StringDtype, missing = <NA>)
- date: ``"datetime64[us]"`` at midnight, time of day dropped (missing = NaT)
- year, int: ``"Int64"``
- decimal, hours: ``"Float64"`` (hours in hours)
- bool: ``"boolean"``

Columns can hold 600,000+ rows with few distinct values, so every distinct raw value is parsed
once and the results are mapped back with the factorised codes.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import math
import re
import unicodedata
from collections.abc import Callable
from functools import cache

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from pipelines import contract, settings
from pipelines.contract import Column

DTYPES: dict[str, str] = {
    "id": "string",
    "text": "string",
    "date": "datetime64[us]",
    "year": "Int64",
    "int": "Int64",
    "decimal": "Float64",
    "hours": "Float64",
    "bool": "boolean",
    "gender": "string",
    "municipality": "string",
    "cefr": "string",
    "enum": "string",
}

MUNICIPALITIES_FILE = "brussels_municipalities.csv"

# What a rejected value is not, and what was expected; the column name and value go in front.
_EXPECTED: dict[str, str] = {
    "date": "a date (expected YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY or an Excel date)",
    "year": "a year (expected a year like 1990 or a full date of birth)",
    "int": "a whole number (expected a number without decimals, like 3)",
    "decimal": "an amount (expected a number like 1234,56 or 1.234,56 or 1234.56, € optional)",
    "hours": "a duration (expected hours like 1,5 or 1.5 or 1:30 or 1u30)",
    "bool": "yes or no (expected ja/nee, yes/no, oui/non, 1/0 or true/false)",
    "gender": "a gender (expected V/F, M or X, or a word such as vrouw, man, femme, homme, other)",
    "cefr": "a language level (expected A0, A1, A2, B1, B2, C1 or C2)",
}


class _Invalid(ValueError):
    """Raised by a parser for a value it cannot read."""


Parser = Callable[[object], object]


# ---------------------------------------------------------------------------------------------
# public API


def parse_column(raw: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
    """Return (typed values, error sentence or None per row) for one raw column."""
    parse = _parser_for(column)
    values = raw.to_numpy(dtype=object, na_value=None)
    if column.type != "bool" and infer_dtype(values, skipna=True) not in ("string", "empty"):
        # Python says True == 1 == 1.0, so factorize would merge an Excel TRUE with the number 1;
        # outside bool columns a TRUE is text, not a number.
        values = np.array([_bool_as_text(v) for v in values], dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)

    parsed: list[object] = []
    errors: list[str | None] = []
    for value in uniques:
        if _is_blank(value):
            parsed.append(None)
            errors.append(None)
            continue
        try:
            parsed.append(parse(value))
            errors.append(None)
        except _Invalid as exc:
            parsed.append(None)
            errors.append(f"{column.name}: '{_show(value)}' is not {exc}")

    typed = _to_array(parsed, column).take(codes, allow_fill=True)
    # code -1 (missing) picks the trailing None
    error_array = np.array([*errors, None], dtype=object)[codes]
    return (
        pd.Series(typed, index=raw.index, name=raw.name),
        pd.Series(error_array, index=raw.index, name=raw.name, dtype=object),
    )


def parse_frame(frame: pd.DataFrame, table: contract.Table) -> tuple[pd.DataFrame, pd.Series]:
    """Return (typed frame in contract column order plus `_`-columns, list of errors per row)."""
    typed: dict[str, pd.Series] = {}
    row_errors: list[list[str]] = [[] for _ in range(len(frame))]
    for column in table.columns:
        if column.name in frame.columns:
            raw = frame[column.name]
        else:
            raw = pd.Series([None] * len(frame), index=frame.index, dtype=object)
        values, errors = parse_column(raw, column)
        typed[column.name] = values.rename(column.name)
        error_array = errors.to_numpy()
        # errors are rare: visit only the rows that have one
        for position in np.flatnonzero(pd.notna(error_array)):
            row_errors[position].append(error_array[position])
    for name in frame.columns:
        if isinstance(name, str) and name.startswith("_"):
            typed[name] = frame[name]
    result = pd.DataFrame(typed, index=frame.index)
    return result, pd.Series(row_errors, index=frame.index, dtype=object)


# ---------------------------------------------------------------------------------------------
# plumbing


def _parser_for(column: Column) -> Parser:
    if column.type == "enum":
        return _enum_parser(column)
    parsers: dict[str, Parser] = {
        "id": _parse_text,
        "text": _parse_text,
        "date": _parse_date,
        "year": _parse_year,
        "int": _parse_int,
        "decimal": _parse_decimal,
        "hours": _parse_hours,
        "bool": _parse_bool,
        "gender": _parse_gender,
        "cefr": _parse_cefr,
        "municipality": _parse_municipality,
    }
    return parsers[column.type]


def _to_array(parsed: list[object], column: Column) -> pd.api.extensions.ExtensionArray:
    dtype = DTYPES[column.type]
    if column.type == "date":
        parsed = [None if d is None else np.datetime64(d, "us") for d in parsed]
    return pd.array(parsed, dtype=dtype)


def _is_blank(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    return False


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


def _fold(text: str) -> str:
    """Return text in lower case without accents, for comparing spellings."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


# ---------------------------------------------------------------------------------------------
# text and ids


def _parse_text(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float | np.floating) and float(value).is_integer():
        # Excel stores every number as a float: id 123 arrives as 123.0
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# ---------------------------------------------------------------------------------------------
# numbers

_CURRENCY_BEFORE = re.compile(r"^(?:€|eur|euro)\s*", re.IGNORECASE)
_CURRENCY_AFTER = re.compile(r"\s*(?:€|eur|euro|euros)$", re.IGNORECASE)
_ONE_GROUP = re.compile(r"[1-9]\d{0,2}[.,]\d{3}")
_PLAIN = re.compile(r"(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_THOUSANDS_DOT = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")  # 1.234,56  1.234.567
_THOUSANDS_COMMA = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")  # 1,234.56  1,234,567
_THOUSANDS_SPACE = re.compile(r"\d{1,3}(?:[ \u00a0\u202f']\d{3})+(?:[.,]\d+)?")  # 1 234,56


def _number_from_text(text: str, currency: bool = False) -> float:
    """Return the number in text: a single , or . marks decimals, unless three digits follow."""
    t = text.strip()
    sign = ""
    if t[:1] in ("+", "-"):
        sign, t = t[0], t[1:].strip()
    if currency:
        t = _CURRENCY_AFTER.sub("", _CURRENCY_BEFORE.sub("", t))
        if not sign and t[:1] in ("+", "-"):
            sign, t = t[0], t[1:].strip()
    if _ONE_GROUP.fullmatch(t):
        # "1.234" or "1,234": amounts and counts never have three decimals, so a thousands mark
        digits = t.replace(".", "").replace(",", "")
    elif _PLAIN.fullmatch(t):
        # "1,5" and "1.5" alike
        digits = t.replace(",", ".")
    elif _THOUSANDS_DOT.fullmatch(t):
        digits = t.replace(".", "").replace(",", ".")
    elif _THOUSANDS_COMMA.fullmatch(t):
        digits = t.replace(",", "")
    elif _THOUSANDS_SPACE.fullmatch(t):
        digits = re.sub(r"[ \u00a0\u202f']", "", t).replace(",", ".")
    else:
        raise _Invalid
    return float(sign + digits)


def _parse_decimal(value: object) -> float:
    if _is_number(value):
        return float(value)
    if isinstance(value, str):
        try:
            return _number_from_text(value, currency=True)
        except _Invalid:
            pass
    raise _Invalid(_EXPECTED["decimal"])


def _parse_int(value: object) -> int:
    number: float | None = None
    if _is_number(value):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = _number_from_text(value)
        except _Invalid:
            number = None
    if number is None or not number.is_integer():
        raise _Invalid(_EXPECTED["int"])
    return int(number)


# ---------------------------------------------------------------------------------------------
# durations

_NUM = r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)"
_HOUR_WORDS = r"(?:u|h|uur|uren|hr|hrs|hour|hours|heure|heures)"
_MINUTE_WORDS = r"(?:m|min|mins|minuut|minuten|minute|minutes)"
_CLOCK = re.compile(r"(?P<sign>[+-]?)(?P<h>\d+):(?P<m>\d{2})(?::(?P<s>\d{2}))?")
_HOURS_MINUTES = re.compile(
    rf"(?P<sign>[+-]?)(?P<h>\d+)\s*{_HOUR_WORDS}\s*(?:(?P<m>\d{{1,2}})\s*{_MINUTE_WORDS}?)?"
)
_HOURS = re.compile(rf"(?P<n>{_NUM})\s*{_HOUR_WORDS}?")
_MINUTES = re.compile(rf"(?P<n>{_NUM})\s*{_MINUTE_WORDS}")


def _parse_hours(value: object) -> float:
    if _is_number(value):
        return float(value)
    if isinstance(value, dt.time):
        # a cell formatted as a time, e.g. 1:30
        return value.hour + value.minute / 60 + value.second / 3600
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 3600
    if isinstance(value, str):
        hours = _hours_from_text(value.strip().lower())
        if hours is not None:
            return hours
    raise _Invalid(_EXPECTED["hours"])


def _hours_from_text(text: str) -> float | None:
    for pattern in (_CLOCK, _HOURS_MINUTES):
        match = pattern.fullmatch(text)
        if match:
            minutes = int(match["m"] or 0)
            seconds = int(match.groupdict().get("s") or 0)
            if minutes >= 60 or seconds >= 60:
                return None
            hours = int(match["h"]) + minutes / 60 + seconds / 3600
            return -hours if match["sign"] == "-" else hours
    match = _HOURS.fullmatch(text)
    if match:
        return float(match["n"].replace(",", "."))
    match = _MINUTES.fullmatch(text)
    if match:
        return float(match["n"].replace(",", ".")) / 60
    return None


# ---------------------------------------------------------------------------------------------
# dates

_ISO = re.compile(
    r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_DMY = re.compile(
    r"(?P<d>\d{1,2})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
)
_SERIAL = re.compile(r"\d{1,5}(?:[.,]\d+)?")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _parse_date(value: object) -> dt.date:
    date = _date_or_none(value)
    if date is None:
        raise _Invalid(_EXPECTED["date"])
    return date


def _date_or_none(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if _is_number(value):
        return _from_excel_serial(float(value))
    if not isinstance(value, str):
        return None
    text = value.strip()
    for pattern in (_ISO, _DMY):
        match = pattern.fullmatch(text)
        if match:
            try:
                return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:  # 31/02/2022, 2022-13-01
                return None
    if _SERIAL.fullmatch(text):
        return _from_excel_serial(float(text.replace(",", ".")))
    return None


def _from_excel_serial(serial: float) -> dt.date | None:
    """Return the date of an Excel serial number (1900 date system), None out of range."""
    if not 1 <= serial <= 80000:
        return None
    days = int(serial)
    if days == 60:  # Excel's 29 February 1900, a day that never existed
        return None
    # Excel counts 1900 as a leap year, so serials before that phantom day are one day off.
    if days < 60:
        return dt.date(1899, 12, 31) + dt.timedelta(days=days)
    return _EXCEL_EPOCH + dt.timedelta(days=days)


def _parse_year(value: object) -> int:
    number: float | None = None
    if _is_number(value):
        number = float(value)
    elif isinstance(value, str) and re.fullmatch(r"\d+(?:[.,]0+)?", value.strip()):
        number = float(value.strip().replace(",", "."))
    # a number below 10000 is the year itself (GX flags 90 or 199 later); a larger one is an
    # Excel serial of a date of birth that lost its date format
    if number is not None and number.is_integer() and 0 < number < 10000:
        return int(number)
    date = _date_or_none(value)
    if date is None:
        raise _Invalid(_EXPECTED["year"])
    return date.year


# ---------------------------------------------------------------------------------------------
# categorical values

_TRUE = {"ja", "j", "yes", "y", "oui", "1", "true", "waar", "vrai"}
_FALSE = {"nee", "neen", "n", "no", "non", "0", "false", "onwaar", "faux"}


def _parse_bool(value: object) -> bool:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if _is_number(value) and float(value) in (0.0, 1.0):
        return bool(value)
    if isinstance(value, str):
        key = _fold(value)
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
    raise _Invalid(_EXPECTED["bool"])


_GENDERS: dict[str, str] = {
    **dict.fromkeys(("v", "f", "vrouw", "female", "woman", "femme", "vrouwelijk", "feminin"), "F"),
    **dict.fromkeys(("m", "man", "male", "homme", "mannelijk", "masculin"), "M"),
    **dict.fromkeys(
        (
            "x",
            "other",
            "anders",
            "andere",
            "autre",
            "non-binair",
            "non-binary",
            "non-binaire",
            "nonbinary",
            "divers",
        ),
        "X",
    ),
}


def _parse_gender(value: object) -> str:
    if isinstance(value, str):
        key = _fold(value).rstrip(".")
        gender = _GENDERS.get(key) or _GENDERS.get(re.sub(r"[\s_]+", "-", key))
        if gender:
            return gender
    raise _Invalid(_EXPECTED["gender"])


_CEFR = re.compile(r"(?P<level>a[0-2]|[bc][12])(?:[.,]\d+|[+-])?")
_NO_LEVEL = {"geen", "none", "0", "aucun", "nul", "a0"}


def _parse_cefr(value: object) -> str:
    if _is_number(value) and float(value) == 0:
        return "A0"
    if isinstance(value, str):
        key = re.sub(r"\s+", "", _fold(value))
        if key in _NO_LEVEL:
            return "A0"
        match = _CEFR.fullmatch(key)
        if match:
            return match["level"].upper()
    raise _Invalid(_EXPECTED["cefr"])


def _enum_key(text: str) -> str:
    return re.sub(r"[\s_\-]+", "_", _fold(text)).strip("_")


def _enum_parser(column: Column) -> Parser:
    lookup = {_enum_key(v): v for v in column.values}
    for alias, canonical in column.value_aliases.items():
        lookup.setdefault(_enum_key(alias), canonical)
    expected = f"an allowed value (expected one of: {', '.join(column.values)})"

    def parse(value: object) -> str:
        canonical = lookup.get(_enum_key(_parse_text(value)))
        if canonical is None:
            raise _Invalid(expected)
        return canonical

    return parse


# ---------------------------------------------------------------------------------------------
# municipalities

# Short and informal names staff really type, by NIS code. Saint/Sint/St are folded together
# by _municipality_key, so "Woluwe-St-Lambert" needs no entry of its own.
_MUNICIPALITY_EXTRA: dict[str, tuple[str, ...]] = {
    "21003": ("Berchem", "Sint-Agatha-Berchem", "Berchem-Sainte-Agathe"),
    "21004": (
        "Brussel-Stad",
        "Bruxelles-Ville",
        "Stad Brussel",
        "Ville de Bruxelles",
        "Brussels",
        "City of Brussels",
        "Laken",
        "Laeken",
        "Neder-Over-Heembeek",
        "Haren",
    ),
    "21012": ("Molenbeek", "Sint-Jans-Molenbeek", "Molenbeek-Saint-Jean"),
    "21014": ("Sint-Joost", "Saint-Josse"),
    "21017": ("Watermaal", "Watermael", "Boitsfort", "Bosvoorde"),
}
# Written when the municipality is not known; counting them as "outside Brussels" would be wrong.
_UNKNOWN_PLACE = {"onbekend", "unknown", "inconnu", "inconnue", "nvt", "na", "geen", "none"}
_TOKEN_FOLD = {"saint": "st", "sint": "st", "sainte": "ste", "sinte": "ste"}
_POSTCODE = re.compile(r"(?:b\s*-?\s*)?(?P<code>\d{4})(?:\.0+)?(?:\s.*)?")


def _municipality_key(text: str) -> str:
    tokens = re.findall(r"[a-z0-9]+", _fold(text))
    return "".join(_TOKEN_FOLD.get(token, token) for token in tokens)


@cache
def _municipality_lookup(path: str) -> tuple[dict[str, str], dict[str, str]]:
    """Return (name key -> NIS code, postcode or NIS code -> NIS code) from the reference file."""
    names: dict[str, str] = {}
    codes: dict[str, str] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    # A postcode shared by two municipalities goes to the one listed first with it; the reference
    # file lists 1050 only under Elsene, which holds most of it.
    for row in rows:
        nis, nl, fr = row["nis_code"].strip(), row["name_nl"].strip(), row["name_fr"].strip()
        codes[nis] = nis
        for postcode in row["postcodes"].split():
            codes.setdefault(postcode, nis)
        for spelling in (nl, fr, f"{nl} {fr}", f"{fr} {nl}", *_MUNICIPALITY_EXTRA.get(nis, ())):
            names.setdefault(_municipality_key(spelling), nis)
    return names, codes


def _parse_municipality(value: object) -> str | None:
    names, codes = _municipality_lookup(str(settings.REFERENCE_DIR / MUNICIPALITIES_FILE))
    text = _parse_text(value)
    if text in codes:
        return codes[text]
    postcode = _POSTCODE.fullmatch(_fold(text))
    if postcode:  # "1050", "B-1050", "1050 Elsene", "1050.0" from a float column
        return codes.get(postcode["code"], contract.OUTSIDE_BRUSSELS)
    key = _municipality_key(text)
    if not key or key in _UNKNOWN_PLACE:
        return None
    if key in names:
        return names[key]
    if not key.isdigit():
        close = difflib.get_close_matches(key, names.keys(), n=1, cutoff=0.88)
        if close:
            return names[close[0]]
    return contract.OUTSIDE_BRUSSELS
