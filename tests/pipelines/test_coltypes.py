"""Tests of the one definition per column type, the derived load order and the shared helpers."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import get_args

import duckdb
import pandas as pd
import pytest

from pipelines import contract, expectations, load, parsers, warehouse
from pipelines.coltypes import COLUMN_TYPES, TypeName
from pipelines.spelling import fold
from pipelines.values import parse_column

TYPE_NAMES = {
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
}


def test_every_type_name_has_exactly_one_definition() -> None:
    assert set(get_args(TypeName)) == TYPE_NAMES
    assert set(COLUMN_TYPES) == TYPE_NAMES
    assert all(name == kind.name for name, kind in COLUMN_TYPES.items())


def test_every_contract_column_has_a_defined_type() -> None:
    used = {col.type for table in contract.TABLES for col in table.columns}
    assert used == TYPE_NAMES


def test_gender_and_cefr_values_are_the_allowed_sets() -> None:
    assert COLUMN_TYPES["gender"].allowed == ("F", "M", "X")
    assert COLUMN_TYPES["cefr"].allowed == ("A0", "A1", "A2", "B1", "B2", "C1", "C2")
    # every allowed value reads back as itself
    for name in ("gender", "cefr"):
        kind = COLUMN_TYPES[name]
        column = contract.Column("c", name)
        values, errors = parse_column(pd.Series(list(kind.allowed), dtype=object), column)
        assert values.tolist() == list(kind.allowed)
        assert errors.isna().all()


def test_gender_and_cefr_expectations_check_the_same_sets() -> None:
    participants = contract.TABLES_BY_NAME["participants"]
    sets = {
        e.column: e.value_set
        for col in participants.columns
        for e in COLUMN_TYPES[col.type].expectations(col, date(2024, 1, 15))
        if e.expectation_type == "expect_column_values_to_be_in_set"
    }
    assert sets == {
        "gender": ["F", "M", "X"],
        "dutch_level": ["A0", "A1", "A2", "B1", "B2", "C1", "C2"],
    }


def test_expectations_implied_by_date_year_and_range_types() -> None:
    today = date(2024, 1, 15)
    matches = contract.TABLES_BY_NAME["matches"]
    participants = contract.TABLES_BY_NAME["participants"]
    contacts = contract.TABLES_BY_NAME["contacts"]

    def bounds(table: contract.Table, name: str) -> tuple[object, object, bool]:
        col = table.column(name)
        (e,) = COLUMN_TYPES[col.type].expectations(col, today)
        return e.min_value, e.max_value, bool(e.strict_min)

    assert bounds(matches, "ended_on") == (
        pd.Timestamp(2000, 1, 1),
        pd.Timestamp(2024, 1, 15),
        False,
    )
    # planned end dates may lie five years of 366 days ahead: 1830 days after 2024-01-15
    assert bounds(matches, "planned_end_on")[1] == pd.Timestamp(2029, 1, 18)
    # people are at least 14 in the year of the load
    assert bounds(participants, "birth_year") == (1920, 2010, False)
    assert bounds(contacts, "hours") == (0, 12, True)
    assert COLUMN_TYPES["text"].expectations(participants.column("referred_by"), today) == []


def test_enum_rejection_lists_the_columns_own_values() -> None:
    column = contract.TABLES_BY_NAME["finance"].column("direction")
    _, errors = parse_column(pd.Series(["misschien"], dtype=object), column)
    assert errors.tolist() == [
        "direction: 'misschien' is not an allowed value (expected one of: income, expense)"
    ]


def test_stored_columns_get_the_sql_type_of_their_column_type() -> None:
    con = duckdb.connect()
    load.create_schema(con)
    described = {
        (table, column): kind
        for table, column, kind in con.execute(
            "select table_name, column_name, data_type from information_schema.columns"
        ).fetchall()
    }
    con.close()
    assert described[("participants", "participant_id")] == "VARCHAR"
    assert described[("participants", "registered_on")] == "DATE"
    assert described[("participants", "birth_year")] == "INTEGER"
    assert described[("participants", "in_integration_trajectory")] == "BOOLEAN"
    assert described[("contacts", "hours")] == "DOUBLE"
    assert described[("finance", "amount_eur")] == "DECIMAL(14,2)"
    assert described[("surveys", "dj1")] == "INTEGER"


# ---------------------------------------------------------------------------------------------
# Excel serial dates (openpyxl's from_excel with Excel's own limits)


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (1, date(1900, 1, 1)),
        (59, date(1900, 2, 28)),
        (60, None),  # Excel's 29 February 1900, a day that never existed
        (61, date(1900, 3, 1)),
        (44562.999, date(2022, 1, 1)),  # a time just before midnight stays on its day
        (0.5, None),
        (80001, None),
    ],
)
def test_excel_serials(serial: float, expected: date | None) -> None:
    column = contract.TABLES_BY_NAME["matches"].column("ended_on")
    values, errors = parse_column(pd.Series([serial], dtype=object), column)
    if expected is None:
        assert values.isna().all() and errors.iloc[0] is not None
    else:
        assert values.tolist() == [pd.Timestamp(expected)]


# ---------------------------------------------------------------------------------------------
# load order


def test_every_table_comes_after_the_tables_it_references() -> None:
    position = {name: i for i, name in enumerate(contract.LOAD_ORDER)}
    assert sorted(position) == sorted(t.name for t in contract.TABLES)
    for table in contract.TABLES:
        for targets in table.references.values():
            for target in targets:
                assert position[target] < position[table.name], (table.name, target)


def test_load_order_is_the_contract_order_where_references_allow() -> None:
    assert contract.LOAD_ORDER == (
        "organisations",
        "participants",
        "buddies",
        "matches",
        "contacts",
        "activities",
        "referrals",
        "surveys",
        "finance",
    )


def test_load_order_follows_references_whatever_the_contract_order() -> None:
    reversed_tables = tuple(reversed(contract.TABLES))
    order = contract._load_order(reversed_tables)
    # reversed: finance, surveys, referrals, activities, contacts, matches, buddies, participants,
    # organisations. Each step takes the first table (in that order) whose references are placed.
    assert order == (
        "finance",
        "buddies",
        "participants",
        "surveys",
        "matches",
        "organisations",
        "referrals",
        "activities",
        "contacts",
    )


# ---------------------------------------------------------------------------------------------
# shared helpers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" Beëindigd_Op ", "beeindigd_op"),
        ("Bibliothèque", "bibliotheque"),
        ("Déménagé", "demenage"),
        ("ÉTUDES", "etudes"),
        ("Çelik", "celik"),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_headers_and_values_fold_alike() -> None:
    assert contract.normalise_header("\ufeffBeëindigd op") == "beeindigd_op"
    assert parsers.parse_bool(" OUI ") is True


def test_file_sha256_is_the_sha256_of_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    data = bytes(range(256)) * 5000
    path.write_bytes(data)
    assert warehouse.file_sha256(path) == hashlib.sha256(data).hexdigest()


def test_expectation_suites_still_build_for_every_table() -> None:
    counts = {
        t.name: len(expectations.build_suite(t, today=date(2024, 1, 15)).expectations)
        for t in contract.TABLES
    }
    # per column: exists, plus not-null when required, plus what its type implies;
    # plus the key and date order checks of the table
    assert counts["organisations"] == 6 + 2 + 1 + 1
    assert counts["finance"] == 7 + 3 + 1 + 3 + 1 + 1  # booking_id: exists, unique when given
