"""The contract's column types, one definition each: everything a type means, in one place.

A column type says how a raw cell is read (its parser, in pipelines.parsers), what the value
becomes in pandas and in DuckDB, how data/README.md describes it, the sentence a rejected value
gets, and which Great Expectations checks follow from it. The parse path (pipelines.values),
the load, the validation and the documentation read it from here and keep no per-type tables
of their own. Only the generator's rendering (pipelines.generate.rendering) still branches on
the type name: it writes values back the way staff type them, the inverse of the parsers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from pipelines import parsers

if TYPE_CHECKING:
    from pipelines.contract import Column

TypeName = Literal[
    "id",
    "text",
    "date",
    "year",
    "int",
    "decimal",
    "hours",
    "bool",
    "gender",
    "municipality",
    "cefr",
    "enum",
]

EARLIEST_DATE = date(2000, 1, 1)  # no event of the programme lies before it
FUTURE_DATE_SLACK_DAYS = 5 * 366  # planned end dates may lie ahead; events may not
PLANNED_DATES = frozenset({"planned_end_on"})  # date columns that may lie after the load
YOUNGEST_AGE = 14  # a birth year makes a person at least this old on the day of the load
EARLIEST_BIRTH_YEAR = 1900  # when the column sets no minimum of its own

Checks = Callable[["Column", date, "ColumnType"], list[Any]]


def _no_checks(col: Column, today: date, kind: ColumnType) -> list[Any]:
    return []


def _in_allowed(col: Column, today: date, kind: ColumnType) -> list[Any]:
    import great_expectations.expectations as gxe

    allowed = kind.allowed or col.values  # an enum column lists its own values
    return [gxe.ExpectColumnValuesToBeInSet(column=col.name, value_set=list(allowed))]


def _as_datetime(d: date) -> datetime:
    return datetime(d.year, d.month, d.day)


def _date_range(col: Column, today: date, kind: ColumnType) -> list[Any]:
    import great_expectations.expectations as gxe

    latest = (
        today
        if col.name not in PLANNED_DATES
        else date.fromordinal(today.toordinal() + FUTURE_DATE_SLACK_DAYS)
    )
    return [
        gxe.ExpectColumnValuesToBeBetween(
            column=col.name,
            min_value=_as_datetime(EARLIEST_DATE),
            max_value=_as_datetime(latest),
        )
    ]


def _year_range(col: Column, today: date, kind: ColumnType) -> list[Any]:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeBetween(
            column=col.name,
            min_value=col.min_value or EARLIEST_BIRTH_YEAR,
            max_value=today.year - YOUNGEST_AGE,
        )
    ]


def _column_range(col: Column, today: date, kind: ColumnType) -> list[Any]:
    import great_expectations.expectations as gxe

    if col.min_value is None and col.max_value is None:
        return []
    return [
        gxe.ExpectColumnValuesToBeBetween(
            column=col.name,
            min_value=col.min_value,
            max_value=col.max_value,
            strict_min=col.strict_min,
        )
    ]


@dataclass(frozen=True)
class ColumnType:
    """One column type: its parser, pandas dtype, SQL type, wording and implied expectations."""

    name: TypeName
    dtype: str  # pandas dtype of the parsed values (all nullable)
    sql_type: str  # DuckDB type of the stored column
    words: str  # how data/README.md describes the values it accepts
    expected: str  # what a rejected value is not, and what was expected ("" = never rejects)
    parse: parsers.Parser | None  # None for enum: each column brings its own values
    checks: Checks = _no_checks  # the GX expectations a column of this type gets
    allowed: tuple[str, ...] = ()  # the canonical values it can hold, where the type fixes them
    too_large: int | None = None  # the smallest magnitude its SQL type cannot hold (numbers)

    def parser(self, col: Column) -> parsers.Parser:
        """Return the parser for a column of this type."""
        if self.parse is None:
            return parsers.enum_parser(col.values, col.value_aliases)
        return self.parse

    def rejection(self, col: Column) -> str:
        """Return what an unreadable value of col is not, with what was expected."""
        return self.expected.format(values=", ".join(col.values))

    def expectations(self, col: Column, today: date) -> list[Any]:
        """Return the GX expectations on the values of col that follow from its type."""
        return self.checks(col, today, self)


_TYPES: tuple[ColumnType, ...] = (
    ColumnType(
        "id",
        dtype="string",
        sql_type="varchar",
        words="identifier (text)",
        expected="",
        parse=parsers.parse_text,
    ),
    ColumnType(
        "text",
        dtype="string",
        sql_type="varchar",
        words="text",
        expected="",
        parse=parsers.parse_text,
    ),
    ColumnType(
        "date",
        dtype="datetime64[us]",  # at midnight, the time of day dropped
        sql_type="date",
        words="date: YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY or an Excel date",
        expected="a date (expected YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY or an Excel date)",
        parse=parsers.parse_date,
        checks=_date_range,
    ),
    ColumnType(
        "year",  # a whole year (birth_year); a full birth date is reduced to its year at load
        dtype="Int64",
        sql_type="integer",
        words="year (a full date is reduced to its year)",
        expected="a year (expected a year like 1990 or a full date of birth)",
        parse=parsers.parse_year,
        checks=_year_range,
    ),
    ColumnType(
        "int",
        dtype="Int64",
        sql_type="integer",
        words="whole number",
        expected="a whole number (expected a number without decimals, like 3)",
        parse=parsers.parse_int,
        checks=_column_range,
        too_large=2**31,
    ),
    ColumnType(
        "decimal",  # amounts in EUR
        dtype="Float64",
        sql_type="decimal(14, 2)",
        words="amount: 1234.56, 1.234,56 or 1234,56",
        expected="an amount (expected a number like 1234,56 or 1.234,56 or 1234.56, € optional)",
        parse=parsers.parse_decimal,
        checks=_column_range,
        too_large=10**12,
    ),
    ColumnType(
        "hours",  # a duration, in hours
        dtype="Float64",
        sql_type="double",
        words="hours: 1,5 / 1.5 / 1:30 / 1u30",
        expected="a duration (expected hours like 1,5 or 1.5 or 1:30 or 1u30)",
        parse=parsers.parse_hours,
        checks=_column_range,
    ),
    ColumnType(
        "bool",
        dtype="boolean",
        sql_type="boolean",
        words="ja/nee, yes/no, oui/non, 1/0, true/false",
        expected="yes or no (expected ja/nee, yes/no, oui/non, 1/0 or true/false)",
        parse=parsers.parse_bool,
    ),
    ColumnType(
        "gender",
        dtype="string",
        sql_type="varchar",
        words="V/M/X, F/M/X or the word in nl/fr/en",
        expected=(
            "a gender (expected V/F, M or X, or a word such as vrouw, man, femme, homme, other)"
        ),
        parse=parsers.parse_gender,
        checks=_in_allowed,
        allowed=parsers.GENDERS,
    ),
    ColumnType(
        "municipality",  # a NIS code, or outside_brussels
        dtype="string",
        sql_type="varchar",
        words="Brussels municipality: Dutch, French or bilingual name, postcode or NIS code",
        expected="",
        parse=parsers.parse_municipality,
    ),
    ColumnType(
        "cefr",
        dtype="string",
        sql_type="varchar",
        words=f"CEFR level {parsers.CEFR_LEVELS[0]}..{parsers.CEFR_LEVELS[-1]}",
        expected=(
            f"a language level (expected {', '.join(parsers.CEFR_LEVELS[:-1])} "
            f"or {parsers.CEFR_LEVELS[-1]})"
        ),
        parse=parsers.parse_cefr,
        checks=_in_allowed,
        allowed=parsers.CEFR_LEVELS,
    ),
    ColumnType(
        "enum",  # the column lists its values and their other spellings
        dtype="string",
        sql_type="varchar",
        words="one of the values listed",
        expected="an allowed value (expected one of: {values})",
        parse=None,
        checks=_in_allowed,
    ),
)

COLUMN_TYPES: dict[str, ColumnType] = {t.name: t for t in _TYPES}
