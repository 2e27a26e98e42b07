"""Numbers as people read them, in Dutch and English."""

from __future__ import annotations

import math

import pytest

from indicators import formatting


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
