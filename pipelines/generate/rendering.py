"""Rendering: typed columns -> cells (CSV text or xlsx values), clean or as staff type them."""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import cache
from typing import Any

import numpy as np

from pipelines.contract import Column, Table
from pipelines.generate.calendar import NA, day_number
from pipelines.generate.reference import (
    EMAIL_DOMAINS,
    FIRST_NAMES,
    LAST_NAMES,
    OUTSIDE_PLACES,
    municipalities,
)
from pipelines.generate.simulation import Typed
from pipelines.parsers import OUTSIDE_BRUSSELS
from pipelines.spelling import fold

_LOOKUP_FIRST = date(2015, 1, 1)
_LOOKUP_LAST = date(2030, 12, 31)


@cache
def _date_tables() -> dict[str, np.ndarray]:
    """Return the ISO, dd/mm/yyyy, dd-mm-yyyy and date-object text of every day; '' last."""
    n = (_LOOKUP_LAST - _LOOKUP_FIRST).days + 1
    days = [_LOOKUP_FIRST + timedelta(days=i) for i in range(n)]
    return {
        "iso": np.array([d.isoformat() for d in days] + [""], dtype=object),
        "slash": np.array([d.strftime("%d/%m/%Y") for d in days] + [""], dtype=object),
        "dash": np.array([d.strftime("%d-%m-%Y") for d in days] + [""], dtype=object),
        "object": np.array([*days, None], dtype=object),
    }


@cache
def _hour_tables() -> dict[str, np.ndarray]:
    """Return hours text per quarter-hour 0..48: canonical, comma, 1:30 and 1u30; '' last."""
    quarters = range(49)

    def decimal(q: int) -> str:
        return f"{q / 4:g}"

    return {
        "clean": np.array([decimal(q) for q in quarters] + [""], dtype=object),
        "comma": np.array([decimal(q).replace(".", ",") for q in quarters] + [""], dtype=object),
        # whole hours are typed as plain numbers in every style
        "clock": np.array(
            [f"{q // 4}:{q % 4 * 15:02d}" if q % 4 else decimal(q) for q in quarters] + [""],
            dtype=object,
        ),
        "u": np.array(
            [f"{q // 4}u{q % 4 * 15:02d}" if q % 4 else decimal(q) for q in quarters] + [""],
            dtype=object,
        ),
        "number": np.array([q / 4 for q in quarters] + [None], dtype=object),
    }


_CSV_HOURS = ("comma", "clock", "u", "clean")
_CSV_HOURS_P = (0.5, 0.2, 0.2, 0.1)


def _lookup_index(values: np.ndarray, first: int) -> np.ndarray:
    return np.where(values == NA, -1, values - first)


def dutch_values(col: Column) -> dict[str, str]:
    """Return canonical enum value -> the first (Dutch) alias the contract lists for it."""
    dutch: dict[str, str] = {}
    for alias, canonical in col.value_aliases.items():
        dutch.setdefault(canonical, alias)
    return dutch


def dutch_header(col: Column) -> str:
    """Return the header a Dutch-speaking staff export uses for a column (its first alias)."""
    return col.aliases[0] if col.aliases else col.name


# optional contract columns the simulated programme's systems do not export: its accounting
# export has no booking number, so identical bookings are told apart by their occurrence
NOT_EXPORTED = frozenset({("finance", "booking_id")})


def exported_columns(table: Table) -> list[Column]:
    """Return the contract columns the simulated export of a table holds, in contract order."""
    return [c for c in table.columns if (table.name, c.name) not in NOT_EXPORTED]


def render_table(
    table: Table, typed: Typed, dirty: bool, xlsx: bool, rng: np.random.Generator
) -> tuple[list[str], list[np.ndarray]]:
    """Return the header and the cell columns of one table of one programme."""
    header: list[str] = []
    columns: list[np.ndarray] = []
    for col in exported_columns(table):
        header.append(dutch_header(col) if dirty else col.name)
        columns.append(_render_column(col, typed[col.name], dirty, xlsx, rng))
        if dirty and table.name in _PEOPLE_TABLES and col is table.columns[0]:
            # staff exports carry the person's name and e-mail; the loader must drop both
            names, emails = _fake_people(rng, typed["gender"], _PEOPLE_TABLES[table.name])
            header += ["naam", "email"]
            columns += [names, emails]
    return header, columns


def _render_column(
    col: Column, values: np.ndarray, dirty: bool, xlsx: bool, rng: np.random.Generator
) -> np.ndarray:
    n = len(values)
    kind = col.type
    if kind == "date":
        tables = _date_tables()
        idx = _lookup_index(values, day_number(_LOOKUP_FIRST))
        if xlsx:
            return tables["object"][idx]
        if not dirty:
            return tables["iso"][idx]
        return np.where(rng.random(n) < 0.6, tables["slash"][idx], tables["dash"][idx])
    if kind in ("year", "int"):
        if xlsx:
            return np.array([None if v == NA else int(v) for v in values.tolist()], dtype=object)
        return np.array(["" if v == NA else str(v) for v in values.tolist()], dtype=object)
    if kind == "hours":
        tables = _hour_tables()
        idx = _lookup_index(values, 0)
        if not dirty:
            return tables["number" if xlsx else "clean"][idx]
        # CSV: mostly 1,5, then 1:30 and 1u30, a few 1.5; Excel: numbers, a few typed as 1u30
        styles, p = (("number", "u"), (0.8, 0.2)) if xlsx else (_CSV_HOURS, _CSV_HOURS_P)
        options = np.stack([tables[s][idx] for s in styles])
        return options[rng.choice(len(styles), size=n, p=p), np.arange(n)]
    if kind == "decimal":
        if xlsx:
            return np.array([None if v == NA else v / 100 for v in values.tolist()], dtype=object)
        mark = "," if dirty else "."
        return np.array(
            ["" if v == NA else f"{v // 100}{mark}{v % 100:02d}" for v in values.tolist()],
            dtype=object,
        )
    if kind == "bool":
        if dirty:
            words: tuple[Any, ...] = ("nee", "ja", None if xlsx else "")
        else:
            words = (False, True, None) if xlsx else ("false", "true", "")
        cells = np.array(words, dtype=object)
        return cells[np.where(values < 0, 2, values)]
    text = values.astype(object)  # a copy: the typed arrays are never changed
    if dirty and kind == "gender":
        text = np.where(text == "F", "V", text)
    elif dirty and kind == "enum":
        for canonical, alias in dutch_values(col).items():
            text[values == canonical] = alias
    elif dirty and kind == "municipality":
        text = _messy_municipalities(text, rng)
    if xlsx:
        text = np.where(text == "", None, text)
    return text


def _messy_municipalities(codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Return municipalities written as staff do: Dutch or French name, postcode or NIS code."""
    table = municipalities()
    n = len(codes)
    form = rng.choice(4, size=n, p=[0.45, 0.2, 0.25, 0.1])
    pick = rng.integers(0, 1000, size=n)
    out = codes.copy()
    for nis, (nl, fr, postcodes) in table.items():
        rows = np.flatnonzero(codes == nis)
        if len(rows) == 0:
            continue
        spelled = np.array([nl, fr, "", nis], dtype=object)[form[rows]]
        is_postcode = form[rows] == 2
        spelled[is_postcode] = np.array(postcodes, dtype=object)[
            pick[rows][is_postcode] % len(postcodes)
        ]
        out[rows] = spelled
    outside = np.flatnonzero(codes == OUTSIDE_BRUSSELS)
    out[outside] = np.array(OUTSIDE_PLACES, dtype=object)[pick[outside] % len(OUTSIDE_PLACES)]
    return out


_PEOPLE_TABLES = {"participants": "participant", "buddies": "buddy"}


def _fake_people(
    rng: np.random.Generator, gender: np.ndarray, role: str
) -> tuple[np.ndarray, np.ndarray]:
    """Return invented full names (matching the gender) and example.org-style e-mails."""
    n = len(gender)
    female = (gender == "F") | ((gender != "M") & (rng.random(n) < 0.5))
    firsts = {g: FIRST_NAMES[(role, g)] for g in ("F", "M")}
    lasts = LAST_NAMES[role]
    pick_first = rng.integers(0, 1000, size=n)
    pick_last = rng.integers(0, len(lasts), size=n)
    domain = rng.integers(0, len(EMAIL_DOMAINS), size=n)
    names, emails = [], []
    for is_f, i, j, k in zip(female.tolist(), pick_first, pick_last, domain, strict=True):
        pool = firsts["F" if is_f else "M"]
        first, last = pool[i % len(pool)], lasts[j]
        names.append(f"{first} {last}")
        emails.append(f"{_ascii(first)}.{_ascii(last)}@{EMAIL_DOMAINS[k]}")
    return np.array(names, dtype=object), np.array(emails, dtype=object)


def _ascii(text: str) -> str:
    return re.sub(r"[^a-z]", "", fold(text))
