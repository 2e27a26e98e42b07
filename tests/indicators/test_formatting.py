"""Numbers as people read them, in Dutch, French and English."""

from __future__ import annotations

import math
from datetime import date

import pytest

from indicators import formatting, targets


@pytest.mark.parametrize(
    ("value", "unit", "lang", "shown"),
    [
        (1234.5, "hours", "nl", "1.234,5 uur"),
        (1234.5, "hours", "en", "1,234.5 hrs"),
        (1234.5, "hours", "fr", "1\u202f234,5\u202fh"),  # CLDR: narrow no-break spaces
        (0.4271, "percent", "nl", "42,7 %"),
        (0.4271, "percent", "en", "42.7%"),
        (82882, "eur", "nl", "82.882 €"),
        (552.55, "eur", "en", "553 €"),
        (150, "count", "nl", "150"),
        (96.0, "days", "en", "96 days"),
        (1.0, "days", "nl", "1 dag"),
        (-1.3333, "score", "nl", "-1,3 punten"),
        (math.nan, "count", "nl", "n.b."),
    ],
)
def test_values_are_formatted_for_the_language(value, unit, lang, shown):
    assert formatting.value(value, unit, lang) == shown


def test_suppressed_values_show_the_threshold():
    assert formatting.value(math.nan, "count", "nl", suppressed=True) == "<5"
    assert formatting.value(math.nan, "percent", "en", suppressed=True, threshold=10) == "<10"


# Belgian French (fr_BE), written by hand: a narrow no-break space (U+202F) groups thousands, a
# comma marks decimals, and a no-break space (U+00A0) keeps % and € with their number
NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (1234.5, "score", f"1{NNBSP}234,5 points"),
        (1234567, "count", f"1{NNBSP}234{NNBSP}567"),
        (0.125, "percent", f"12,5{NBSP}%"),
        (0.4271, "percent", f"42,7{NBSP}%"),
        (82882, "eur", f"82{NNBSP}882{NBSP}€"),
        (552.55, "eur", f"553{NBSP}€"),
        (96.0, "days", f"96{NBSP}jours"),
        (math.nan, "count", "n.d."),
    ],
)
def test_french_values_are_written_the_belgian_french_way(value, unit, shown):
    assert formatting.value(value, unit, "fr") == shown


def test_french_numbers_dates_and_targets():
    assert formatting.number(1234.5, "fr") == f"1{NNBSP}234,5"
    assert formatting.day(date(2022, 1, 31), "fr") == "31 janvier 2022"
    assert formatting.day(date(2021, 8, 1), "fr") == "1er août 2021"
    deadline = date(2022, 1, 31)
    assert formatting.target(150, "count", deadline, "fr") == "150 d'ici le 31 janvier 2022"
    missed = targets.Result(145.0, deadline, False)
    assert (
        targets.describe(missed, "count", "fr")
        == f"145 au 31 janvier 2022{NBSP}: objectif non atteint"
    )
