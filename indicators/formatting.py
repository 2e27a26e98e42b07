"""Numbers for people: formatted for the language, percentages as percentages, hidden as <5."""

from __future__ import annotations

import math

from babel.numbers import format_decimal, format_percent

from indicators import disclosure

LOCALES = {"nl": "nl_BE", "en": "en_GB", "fr": "fr_BE"}
PERCENT_PATTERNS = {"nl": "#,##0.0 %", "en": "#,##0.0%", "fr": "#,##0.0 %"}
UNIT_WORDS = {
    "nl": {"hours": "uur", "days": "dagen", "eur": "EUR", "score": "punten"},
    "en": {"hours": "h", "days": "days", "eur": "EUR", "score": "points"},
    "fr": {"hours": "h", "days": "jours", "eur": "EUR", "score": "points"},
}
NOT_AVAILABLE = {"nl": "n.b.", "en": "n/a", "fr": "n.d."}


def locale(lang: str) -> str:
    """Return the Babel locale for a language code (Dutch when unknown)."""
    return LOCALES.get(lang, LOCALES["nl"])


def number(value: float, lang: str = "nl", decimals: int = 1) -> str:
    """Return a number written for the language (Dutch: 1.234,5)."""
    pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=locale(lang))


def value(
    figure: float | None,
    unit: str,
    lang: str = "nl",
    suppressed: bool = False,
    threshold: int | None = None,
) -> str:
    """Return one indicator value as a person reads it, e.g. '42,7 %', '1.234 uur' or '<5'."""
    if suppressed:
        return disclosure.SUPPRESSED_LABEL(threshold or disclosure.threshold())
    if figure is None or (isinstance(figure, float) and math.isnan(figure)):
        return NOT_AVAILABLE.get(lang, NOT_AVAILABLE["nl"])
    if unit == "percent":
        pattern = PERCENT_PATTERNS.get(lang, PERCENT_PATTERNS["nl"])
        return format_percent(figure, format=pattern, locale=locale(lang))
    if unit == "count":
        return number(figure, lang, 0)
    if unit == "eur":
        return f"{number(figure, lang, 0)} EUR"
    decimals = 0 if unit == "days" else 1
    words = UNIT_WORDS.get(lang, UNIT_WORDS["nl"])
    return f"{number(figure, lang, decimals)} {words.get(unit, '')}".strip()
