"""Value parsing: every accepted spelling per column type, and the sentence for each rejection."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from pipelines import contract, parsers
from pipelines import values as values_module
from pipelines.values import parse_column, parse_frame

TABLES = contract.TABLES_BY_NAME
ENDED_ON = TABLES["matches"].column("ended_on")
END_REASON = TABLES["matches"].column("end_reason")
BIRTH_YEAR = TABLES["participants"].column("birth_year")
PARTICIPANT_ID = TABLES["participants"].column("participant_id")
REFERRED_BY = TABLES["participants"].column("referred_by")
GENDER = TABLES["participants"].column("gender")
DUTCH_LEVEL = TABLES["participants"].column("dutch_level")
TRAJECTORY = TABLES["participants"].column("in_integration_trajectory")
MUNICIPALITY = TABLES["participants"].column("municipality")
HOURS = TABLES["contacts"].column("hours")
ACTIVITY = TABLES["contacts"].column("activity")
SATISFACTION = TABLES["surveys"].column("satisfaction")
AMOUNT = TABLES["finance"].column("amount_eur")
SOURCE = TABLES["finance"].column("source")
OUTSIDE = parsers.OUTSIDE_BRUSSELS


def parse_one(raw: object, column: contract.Column) -> tuple[object, str | None]:
    """Parse a single raw value; return (value or None when missing, error)."""
    values, errors = parse_column(pd.Series([raw], dtype=object), column)
    value = values.iloc[0]
    return (None if pd.isna(value) else value), errors.iloc[0]


# ---------------------------------------------------------------------------------------------
# dates


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2022-01-05", "2022-01-05"),
        ("2022-01-05 00:00:00", "2022-01-05"),
        ("2022-01-05T14:30:00", "2022-01-05"),
        ("05/01/2022", "2022-01-05"),
        ("5/1/2022", "2022-01-05"),
        ("05-01-2022", "2022-01-05"),
        ("05.01.2022", "2022-01-05"),
        ("29/02/2024", "2024-02-29"),
        (" 05/01/2022 ", "2022-01-05"),
        ("44562", "2022-01-01"),  # Excel serial as text
        (44562, "2022-01-01"),
        (44562.75, "2022-01-01"),  # a serial with a time of day
        (59, "1900-02-28"),  # before Excel's phantom 29 February 1900
        (61, "1900-03-01"),
        (dt.datetime(2022, 1, 5, 13, 45), "2022-01-05"),
        (dt.date(2022, 1, 5), "2022-01-05"),
    ],
)
def test_dates(raw: object, expected: str) -> None:
    assert parse_one(raw, ENDED_ON) == (pd.Timestamp(expected), None)


@pytest.mark.parametrize("raw", ["31/02/2022", "2022-13-01", "29/02/2023", "abc", "05/01-2022", 0])
def test_date_rejections_name_the_column_and_value(raw: object) -> None:
    value, error = parse_one(raw, ENDED_ON)
    assert value is None
    assert error == (
        f"ended_on: '{raw}' is not a date "
        "(expected YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY or an Excel date)"
    )


def test_excel_true_in_a_date_column_is_rejected_not_read_as_serial_1() -> None:
    # True == 1 in Python; it must not turn into 1900-01-01 or merge with the serial 1
    values, errors = parse_column(pd.Series([True, 1], dtype=object), ENDED_ON)
    assert values.isna().tolist() == [True, False]
    assert values.iloc[1] == pd.Timestamp("1900-01-01")
    assert errors.iloc[0].startswith("ended_on: 'TRUE' is not a date")


def test_date_dtype_is_datetime64_us_and_keeps_the_index() -> None:
    raw = pd.Series(["2022-01-05", None, "x"], index=[10, 11, 12], dtype=object)
    values, errors = parse_column(raw, ENDED_ON)
    assert str(values.dtype) == "datetime64[us]"
    assert values.index.tolist() == [10, 11, 12]
    assert errors.index.tolist() == [10, 11, 12]
    assert values.iloc[1] is pd.NaT
    assert errors.tolist()[:2] == [None, None]


# ---------------------------------------------------------------------------------------------
# years, whole numbers, amounts


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1990", 1990),
        ("1990.0", 1990),
        (1990, 1990),
        (1990.0, 1990),
        ("1990-05-04", 1990),
        ("04/05/1990", 1990),
        ("04-05-1990", 1990),
        (dt.datetime(1990, 5, 4), 1990),
        (dt.date(1990, 5, 4), 1990),
        (32997, 1990),  # serial of 1990-05-04 in a cell that lost its date format
        ("90", 90),  # left for the range check (min 1920) to flag
    ],
)
def test_years(raw: object, expected: int) -> None:
    assert parse_one(raw, BIRTH_YEAR) == (expected, None)


def test_year_rejection() -> None:
    assert parse_one("nineteen-ninety", BIRTH_YEAR) == (
        None,
        "birth_year: 'nineteen-ninety' is not a year "
        "(expected a year like 1990 or a full date of birth)",
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("3", 3), (" 3 ", 3), ("+3", 3), ("3,0", 3), ("3.0", 3), (3, 3), (3.0, 3), ("-1", -1)],
)
def test_whole_numbers(raw: object, expected: int) -> None:
    assert parse_one(raw, SATISFACTION) == (expected, None)


@pytest.mark.parametrize(("raw", "shown"), [("2.5", "2.5"), (2.5, "2.5"), ("drie", "drie")])
def test_whole_number_rejections(raw: object, shown: str) -> None:
    assert parse_one(raw, SATISFACTION) == (
        None,
        f"satisfaction: '{shown}' is not a whole number "
        "(expected a number without decimals, like 3)",
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234,56", 1234.56),
        ("1234.56", 1234.56),
        ("1.234,56", 1234.56),
        ("1,234.56", 1234.56),
        ("1 234,56", 1234.56),
        ("1\u00a0234,56", 1234.56),  # non-breaking space, as Excel writes it
        ("1.234.567", 1234567.0),
        ("1.234", 1234.0),  # one group of three digits: amounts have no third decimal
        ("€ 12,50", 12.5),
        ("€12,50", 12.5),
        ("12,50 EUR", 12.5),
        ("12.50 eur", 12.5),
        ("12,5€", 12.5),
        ("-5", -5.0),
        ("0,125", 0.125),
        (12, 12.0),
        (12.5, 12.5),
    ],
)
def test_amounts(raw: object, expected: float) -> None:
    assert parse_one(raw, AMOUNT) == (pytest.approx(expected), None)


@pytest.mark.parametrize("raw", ["12,3,4", "twaalf", "1.23.4", "€"])
def test_amount_rejections(raw: str) -> None:
    assert parse_one(raw, AMOUNT) == (
        None,
        f"amount_eur: '{raw}' is not an amount "
        "(expected a number like 1234,56 or 1.234,56 or 1234.56, € optional)",
    )


# ---------------------------------------------------------------------------------------------
# durations


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,5", 1.5),
        ("1.5", 1.5),
        ("1:30", 1.5),
        ("0:45", 0.75),
        ("1:30:00", 1.5),
        ("1u30", 1.5),
        ("1U30", 1.5),
        ("1h30", 1.5),
        ("1 uur 30", 1.5),
        ("2u", 2.0),
        ("2 uur", 2.0),
        ("1,5 u", 1.5),
        ("45 min", 0.75),
        ("90 minuten", 1.5),
        ("2", 2.0),
        ("-2", -2.0),  # no range check here: GX reports it against (0, 12]
        (1.5, 1.5),
        (2, 2.0),
        (dt.time(1, 30), 1.5),  # a cell formatted as a time
        (dt.timedelta(hours=2, minutes=15), 2.25),
    ],
)
def test_hours(raw: object, expected: float) -> None:
    assert parse_one(raw, HOURS) == (pytest.approx(expected), None)


@pytest.mark.parametrize("raw", ["1x5", "1:75", "1u75", "lang", "1,5,0"])
def test_hours_rejections(raw: str) -> None:
    assert parse_one(raw, HOURS) == (
        None,
        f"hours: '{raw}' is not a duration (expected hours like 1,5 or 1.5 or 1:30 or 1u30)",
    )


# ---------------------------------------------------------------------------------------------
# yes/no, gender, language level, enums


@pytest.mark.parametrize(
    "raw",
    ["ja", "JA", "j", "yes", "Y", "oui", "1", "true", "TRUE", "waar", "vrai", True, 1, 1.0],
)
def test_yes(raw: object) -> None:
    assert parse_one(raw, TRAJECTORY) == (True, None)


@pytest.mark.parametrize(
    "raw",
    ["nee", "Nee", "neen", "n", "no", "N", "non", "0", "false", "onwaar", "faux", False, 0],
)
def test_no(raw: object) -> None:
    assert parse_one(raw, TRAJECTORY) == (False, None)


@pytest.mark.parametrize("raw", ["misschien", "2", 2])
def test_yes_no_rejections(raw: object) -> None:
    assert parse_one(raw, TRAJECTORY) == (
        None,
        f"in_integration_trajectory: '{raw}' is not yes or no "
        "(expected ja/nee, yes/no, oui/non, 1/0 or true/false)",
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        *((raw, "F") for raw in ["V", "v", "vrouw", "F", "female", "Woman", "femme", "Vrouwelijk"]),
        *((raw, "M") for raw in ["M", "m", "man", "Male", "homme", "mannelijk"]),
        *(
            (raw, "X")
            for raw in [
                "X",
                "other",
                "anders",
                "andere",
                "autre",
                "non-binair",
                "Non-binary",
                "non binair",
                "divers",
            ]
        ),
    ],
)
def test_genders(raw: str, expected: str) -> None:
    assert parse_one(raw, GENDER) == (expected, None)


def test_gender_rejection() -> None:
    assert parse_one("Q", GENDER) == (
        None,
        "gender: 'Q' is not a gender "
        "(expected V/F, M or X, or a word such as vrouw, man, femme, homme, other)",
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("A1", "A1"),
        ("a1", "A1"),
        ("A 2", "A2"),
        ("A1.1", "A1"),
        ("b2", "B2"),
        (" C1 ", "C1"),
        ("C2", "C2"),
        ("A0", "A0"),
        ("geen", "A0"),
        ("none", "A0"),
        ("0", "A0"),
        (0, "A0"),
    ],
)
def test_cefr(raw: object, expected: str) -> None:
    assert parse_one(raw, DUTCH_LEVEL) == (expected, None)


@pytest.mark.parametrize("raw", ["B3", "C0", "goed"])
def test_cefr_rejections(raw: str) -> None:
    assert parse_one(raw, DUTCH_LEVEL) == (
        None,
        f"dutch_level: '{raw}' is not a language level (expected A0, A1, A2, B1, B2, C1 or C2)",
    )


@pytest.mark.parametrize(
    ("column", "raw", "expected"),
    [
        (END_REASON, "completed", "completed"),
        (END_REASON, "Completed ", "completed"),
        (END_REASON, "voltooid", "completed"),
        (END_REASON, "Terminé", "completed"),
        (END_REASON, "termine", "completed"),
        (END_REASON, "participant-stopped", "participant_stopped"),
        (END_REASON, "Deelnemer gestopt", "participant_stopped"),
        (END_REASON, "deelnemer_gestopt", "participant_stopped"),
        (END_REASON, "DEELNEMER-GESTOPT", "participant_stopped"),
        (END_REASON, "déménagé", "moved_away"),
        (END_REASON, "geen contact meer", "lost_contact"),
        (ACTIVITY, "Bib", "library"),
        (ACTIVITY, "bibliothèque", "library"),
        (ACTIVITY, "activité de groupe", "group_activity"),
        (SOURCE, "Vlaamse Gemeenschap", "flemish_community_amif"),
        (SOURCE, "VGC", "vgc_own"),
    ],
)
def test_enums(column: contract.Column, raw: str, expected: str) -> None:
    assert parse_one(raw, column) == (expected, None)


def test_enum_rejection_lists_the_allowed_values() -> None:
    assert parse_one("ruzie", END_REASON) == (
        None,
        "end_reason: 'ruzie' is not an allowed value (expected one of: completed, "
        "participant_stopped, buddy_stopped, moved_away, lost_contact, mismatch, other)",
    )


# ---------------------------------------------------------------------------------------------
# ids and text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("P001", "P001"), ("  P001 ", "P001"), (123, "123"), (123.0, "123"), ("007", "007")],
)
def test_ids(raw: object, expected: str) -> None:
    assert parse_one(raw, PARTICIPANT_ID) == (expected, None)


def test_text_is_stripped_and_typed_as_string() -> None:
    values, errors = parse_column(pd.Series(["  OCMW ", "NA", None], dtype=object), REFERRED_BY)
    assert str(values.dtype) == "string"
    assert values.tolist() == ["OCMW", "NA", pd.NA]
    assert errors.tolist() == [None, None, None]


# ---------------------------------------------------------------------------------------------
# municipalities


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Dutch, French and bilingual names
        ("Elsene", "21009"),
        ("Ixelles", "21009"),
        ("Elsene / Ixelles", "21009"),
        ("Ixelles-Elsene", "21009"),
        ("Brussel", "21004"),
        ("Bruxelles", "21004"),
        ("Brussel-Stad", "21004"),
        ("Bruxelles-Ville", "21004"),
        ("Stad Brussel", "21004"),
        ("Ville de Bruxelles", "21004"),
        ("Schaarbeek", "21015"),
        ("schaerbeek", "21015"),
        ("SCHAERBEEK", "21015"),
        ("Saint-Gilles", "21013"),
        ("St-Gillis", "21013"),
        ("Sint-Gillis", "21013"),
        ("Oudergem", "21002"),
        ("Auderghem", "21002"),
        ("Vorst", "21007"),
        ("Forest", "21007"),
        ("Ukkel", "21016"),
        ("Uccle", "21016"),
        # short forms staff type
        ("sint-jans-molenbeek", "21012"),
        ("Molenbeek", "21012"),
        ("Molenbeek-St-Jean", "21012"),
        ("Molenbeek-Saint-Jean", "21012"),
        ("Sint-Joost", "21014"),
        ("Saint-Josse", "21014"),
        ("Sint-Joost-ten-Node", "21014"),
        ("Watermaal", "21017"),
        ("Boitsfort", "21017"),
        ("Bosvoorde", "21017"),
        ("Watermael-Boitsfort", "21017"),
        ("Sint-Agatha-Berchem", "21003"),
        ("Berchem-Ste-Agathe", "21003"),
        ("Woluwe-St-Lambert", "21018"),
        ("St-Lambrechts-Woluwe", "21018"),
        ("Sint-Pieters-Woluwe", "21019"),
        ("Woluwe-St-Pierre", "21019"),
        ("Laken", "21004"),
        ("Laeken", "21004"),
        ("Neder-Over-Heembeek", "21004"),
        ("Haren", "21004"),
        # postcodes and NIS codes, as text or as Excel numbers
        ("1050", "21009"),
        (1050, "21009"),
        ("1000", "21004"),
        ("1020", "21004"),
        ("1120", "21004"),
        ("1130", "21004"),
        ("1080", "21012"),
        ("1030", "21015"),
        ("1210", "21014"),
        ("1150", "21019"),
        ("1050 Elsene", "21009"),
        ("B-1050", "21009"),
        ("1050.0", "21009"),
        ("21009", "21009"),
        (21001, "21001"),
        ("21019", "21019"),
        # close misspellings
        ("Schaerbeeck", "21015"),
        ("Anderlect", "21001"),
        ("Etterbek", "21005"),
    ],
)
def test_brussels_municipalities(raw: object, expected: str) -> None:
    assert parse_one(raw, MUNICIPALITY) == (expected, None)


@pytest.mark.parametrize(
    "raw",
    [
        "3000",
        3000,
        "1800",
        "3000 Leuven",
        "Leuven",
        "Antwerpen",
        "Paris",
        "Vilvoorde",
        # neighbours whose names come close to a Brussels one must not be pulled in
        "Sint-Pieters-Leeuw",
        "Sint-Gillis-Waas",
        "Sint-Stevens-Woluwe",
        "24062",  # the NIS code of Leuven
    ],
)
def test_values_outside_brussels(raw: object) -> None:
    assert parse_one(raw, MUNICIPALITY) == (OUTSIDE, None)


@pytest.mark.parametrize("raw", ["onbekend", "?", "-"])
def test_unknown_municipality_is_missing_not_outside(raw: str) -> None:
    assert parse_one(raw, MUNICIPALITY) == (None, None)


# ---------------------------------------------------------------------------------------------
# empty values and whole frames


@pytest.mark.parametrize(
    "column",
    [
        ENDED_ON,
        BIRTH_YEAR,
        SATISFACTION,
        AMOUNT,
        HOURS,
        TRAJECTORY,
        GENDER,
        DUTCH_LEVEL,
        END_REASON,
        PARTICIPANT_ID,
        MUNICIPALITY,
    ],
    ids=lambda c: c.type,
)
def test_empty_values_are_missing_without_error(column: contract.Column) -> None:
    raw = pd.Series([None, np.nan, "", "   ", "\t"], dtype=object)
    values, errors = parse_column(raw, column)
    assert values.isna().all()
    assert errors.tolist() == [None] * 5


def test_each_distinct_value_gets_the_same_result_on_every_row() -> None:
    raw = pd.Series(["1,5", "x", "1,5", None, "x", "1:30"], dtype=object)
    values, errors = parse_column(raw, HOURS)
    assert values.tolist() == [1.5, pd.NA, 1.5, pd.NA, pd.NA, 1.5]
    assert errors.notna().tolist() == [False, True, False, False, True, False]


def test_parse_column_accepts_the_pandas_str_dtype() -> None:
    values, errors = parse_column(pd.Series(["2u", None], dtype="str"), HOURS)
    assert values.tolist() == [2.0, pd.NA]
    assert errors.tolist() == [None, None]


def test_parse_frame_types_orders_and_collects_errors_per_row() -> None:
    table = TABLES["contacts"]
    frame = pd.DataFrame(
        {
            "hours": ["1,5", "1x5", None],
            "match_id": [7.0, "M2", "M3"],
            "contact_on": ["05/01/2022", "2022-02-31", "2022-03-01"],
            "_source_row": [2, 3, 5],
        },
        index=[4, 5, 6],
        dtype=object,
    )
    typed, errors, _ = parse_frame(frame, table)

    assert typed.columns.tolist() == [*table.column_names, "_source_row"]
    assert typed.index.tolist() == [4, 5, 6]
    assert typed["match_id"].tolist() == ["7", "M2", "M3"]
    assert typed["hours"].tolist() == [1.5, pd.NA, pd.NA]
    assert typed["contact_on"].tolist() == [
        pd.Timestamp("2022-01-05"),
        pd.NaT,
        pd.Timestamp("2022-03-01"),
    ]
    assert typed["_source_row"].tolist() == [2, 3, 5]
    # columns absent from the file are there, empty, with their own dtype
    assert typed["activity"].isna().all() and str(typed["activity"].dtype) == "string"
    assert typed["contact_id"].isna().all() and str(typed["contact_id"].dtype) == "string"
    assert str(typed["hours"].dtype) == "Float64"
    # by row position; rows without an error are left out
    assert errors == {
        1: [
            "contact_on: '2022-02-31' is not a date "
            "(expected YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY or an Excel date)",
            "hours: '1x5' is not a duration (expected hours like 1,5 or 1.5 or 1:30 or 1u30)",
        ],
    }


def test_parse_frame_dtypes_per_column_type() -> None:
    typed, _, _ = parse_frame(pd.DataFrame(index=range(2)), TABLES["participants"])
    assert {name: str(dtype) for name, dtype in typed.dtypes.items()} == {
        "participant_id": "string",
        "registered_on": "datetime64[us]",
        "intake_on": "datetime64[us]",
        "birth_year": "Int64",
        "gender": "string",
        "country_of_birth": "string",
        "municipality": "string",
        "dutch_level": "string",
        "in_integration_trajectory": "boolean",
        "referred_by": "string",
    }
    assert typed.isna().all().all()


def test_a_long_quarantined_value_keeps_a_prefix_its_length_and_hash():
    import hashlib

    from pipelines.values import STORED_CHARS, stored

    assert stored("short") == "short" and stored(12.5) == 12.5 and stored(None) is None
    huge = "x" * 50_000_000
    kept = stored(huge)
    digest = hashlib.sha256(huge.encode()).hexdigest()
    assert kept == "x" * STORED_CHARS + f"... (50,000,000 characters, SHA-256 {digest})"
    assert stored("é" * (STORED_CHARS + 1)).startswith("é" * STORED_CHARS + "... (201 ")


def test_a_row_read_as_one_cell_is_recognised_by_its_other_separator():
    from pipelines.values import unsplit_separator

    # the reproduction of issue 12: a ';' file whose one row uses ','
    line = "2021-06-02,D00002,Marie D'Hondt,marie.dhondt@example.be,F"
    assert unsplit_separator([line, None, "", None], 5) == ","
    assert unsplit_separator(["a\tb\tc", None, None], 6) == "\t"
    # two filled cells, or a comma in a single-column value, are ordinary rows
    assert unsplit_separator([line, "F"], 5) is None
    assert unsplit_separator(["Brussel, centrum", None, None, None, None, None], 6) is None
    assert unsplit_separator([None, None], 5) is None


def test_text_values_read_in_bulk_as_one_by_one() -> None:
    # the bulk path for ids and text gives what the per-value path gives, odd values included
    column = next(c for c in TABLES["contacts"].columns if c.name == "contact_id")
    raw = np.array(
        ["C1", "  C2 ", "   ", "", "x" * 10_001, " " * 10_001, "C\ufffd3", "C4\t"], dtype=object
    )
    assert values_module._parse_texts(raw, column) == values_module._parse_values(raw, column)
    parsed, errors = values_module._parse_texts(raw, column)
    assert parsed == ["C1", "C2", None, None, None, None, None, "C4"]
    assert [e is not None for e in errors] == [False, False, False, False, True, False, True, False]
