"""One parser per contract column type: a raw cell (text from CSV, an object from Excel) in,
its canonical value out, or Unreadable.

Parsers never range-check (Great Expectations does that later) and never decide required-ness.
pipelines.coltypes says which parser belongs to which column type; pipelines.values applies them.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import math
import re
from collections.abc import Callable, Mapping
from functools import cache

import numpy as np
import pandas as pd
from openpyxl.utils.datetime import from_excel

from pipelines import settings
from pipelines.spelling import fold

GENDERS: tuple[str, ...] = ("F", "M", "X")
CEFR_LEVELS: tuple[str, ...] = ("A0", "A1", "A2", "B1", "B2", "C1", "C2")
OUTSIDE_BRUSSELS = "outside_brussels"  # a municipality that is not one of the 19
MUNICIPALITIES_FILE = "brussels_municipalities.csv"

Parser = Callable[[object], object]


class Unreadable(ValueError):
    """Raised by a parser for a value it cannot read."""


def is_blank(value: object) -> bool:
    """Return whether a raw cell is empty (None, NA, NaN or only spaces)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    return False


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


# ---------------------------------------------------------------------------------------------
# text and ids


def parse_text(value: object) -> str:
    """Return a cell as text (ids and free text): stripped, Excel's 123.0 as 123."""
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
        raise Unreadable
    return float(sign + digits)


def parse_decimal(value: object) -> float:
    """Return an amount: a number, or text like 1.234,56 or € 12,50."""
    if _is_number(value):
        return float(value)
    if isinstance(value, str):
        try:
            return _number_from_text(value, currency=True)
        except Unreadable:
            pass
    raise Unreadable


def parse_int(value: object) -> int:
    """Return a whole number from a number or text like 3 or 1.000."""
    number: float | None = None
    if _is_number(value):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = _number_from_text(value)
        except Unreadable:
            number = None
    if number is None or not number.is_integer():
        raise Unreadable
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


def parse_hours(value: object) -> float:
    """Return a duration in hours from 1,5 / 1.5 / 1:30 / 1u30 / 90 min or a time."""
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
    raise Unreadable


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


def parse_date(value: object) -> dt.date:
    """Return a date from YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY or an Excel date."""
    date = _date_or_none(value)
    if date is None:
        raise Unreadable
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
    days = int(serial)  # the time of day is dropped, never rounded into the next day
    # 60 is Excel's 29 February 1900, a day that never existed; from_excel would give 28 February
    if not 1 <= serial <= 80000 or days == 60:
        return None
    return from_excel(days).date()


def parse_year(value: object) -> int:
    """Return a year from a year or a full date (a date of birth is reduced to it)."""
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
        raise Unreadable
    return date.year


# ---------------------------------------------------------------------------------------------
# categorical values

_TRUE = {"ja", "j", "yes", "y", "oui", "1", "true", "waar", "vrai"}
_FALSE = {"nee", "neen", "n", "no", "non", "0", "false", "onwaar", "faux"}


def parse_bool(value: object) -> bool:
    """Return True or False from ja/nee, yes/no, oui/non, 1/0 or true/false."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if _is_number(value) and float(value) in (0.0, 1.0):
        return bool(value)
    if isinstance(value, str):
        key = fold(value)
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
    raise Unreadable


_FEMALE, _MALE, _OTHER = GENDERS
_GENDERS: dict[str, str] = {
    **dict.fromkeys(
        ("v", "f", "vrouw", "female", "woman", "femme", "vrouwelijk", "feminin"), _FEMALE
    ),
    **dict.fromkeys(("m", "man", "male", "homme", "mannelijk", "masculin"), _MALE),
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
        _OTHER,
    ),
}


def parse_gender(value: object) -> str:
    """Return F, M or X from V/F/M/X or the word in Dutch, French or English."""
    if isinstance(value, str):
        key = fold(value).rstrip(".")
        gender = _GENDERS.get(key) or _GENDERS.get(re.sub(r"[\s_]+", "-", key))
        if gender:
            return gender
    raise Unreadable


_CEFR = re.compile(r"(?P<level>[abc]\d)(?:[.,]\d+|[+-])?")  # B1, b1.2, B1+
_CEFR_BY_KEY = {level.lower(): level for level in CEFR_LEVELS}
_NO_LEVEL = {"geen", "none", "0", "aucun", "nul"}


def parse_cefr(value: object) -> str:
    """Return the CEFR level A0..C2 of a cell such as b1, B1.2 or geen."""
    no_level = CEFR_LEVELS[0]
    if _is_number(value) and float(value) == 0:
        return no_level
    if isinstance(value, str):
        key = re.sub(r"\s+", "", fold(value))
        if key in _NO_LEVEL:
            return no_level
        match = _CEFR.fullmatch(key)
        if match and match["level"] in _CEFR_BY_KEY:
            return _CEFR_BY_KEY[match["level"]]
    raise Unreadable


def _enum_key(text: str) -> str:
    return re.sub(r"[\s_\-]+", "_", fold(text)).strip("_")


def enum_parser(values: tuple[str, ...], value_aliases: Mapping[str, str]) -> Parser:
    """Return the parser of an enum column: its values and their other spellings, any case."""
    lookup = {_enum_key(v): v for v in values}
    for alias, canonical in value_aliases.items():
        lookup.setdefault(_enum_key(alias), canonical)

    def parse(value: object) -> str:
        canonical = lookup.get(_enum_key(parse_text(value)))
        if canonical is None:
            raise Unreadable
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
    tokens = re.findall(r"[a-z0-9]+", fold(text))
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


def parse_municipality(value: object) -> str | None:
    """Return the NIS code of a Brussels municipality, outside_brussels or None (unknown)."""
    names, codes = _municipality_lookup(str(settings.REFERENCE_DIR / MUNICIPALITIES_FILE))
    text = parse_text(value)
    if text in codes:
        return codes[text]
    postcode = _POSTCODE.fullmatch(fold(text))
    if postcode:  # "1050", "B-1050", "1050 Elsene", "1050.0" from a float column
        return codes.get(postcode["code"], OUTSIDE_BRUSSELS)
    key = _municipality_key(text)
    if not key or key in _UNKNOWN_PLACE:
        return None
    if key in names:
        return names[key]
    if not key.isdigit():
        close = difflib.get_close_matches(key, names.keys(), n=1, cutoff=0.88)
        if close:
            return names[close[0]]
    return OUTSIDE_BRUSSELS
