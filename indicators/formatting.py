"""Numbers for people: formatted for the language, percentages as percentages, hidden as <5.

Dutch as nl_BE (1.234,5), French as fr_BE (1 234,5 with a narrow no-break space, as CLDR
has it), English as en_GB (1,234.5).
"""

from __future__ import annotations

import math
from datetime import date

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent
from babel.units import format_unit

from indicators import disclosure

LOCALES = {"nl": "nl_BE", "en": "en_GB", "fr": "fr_BE"}
# French keeps the sign with its number: a no-break space before % and €, as CLDR's fr_BE has it
PERCENT_PATTERNS = {"nl": "#,##0.0 %", "en": "#,##0.0%", "fr": "#,##0.0\u00a0%"}
EURO_PATTERNS = {"nl": "#,##0 ¤", "en": "#,##0 ¤", "fr": "#,##0\u00a0¤"}
# units CLDR knows, written by Babel for the locale (length, decimals); a score has no CLDR unit
CLDR_UNITS = {"hours": ("duration-hour", "short", 1), "days": ("duration-day", "long", 0)}
SCORE_WORDS = {"nl": "punten", "en": "points", "fr": "points"}
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
        pattern = EURO_PATTERNS.get(lang, EURO_PATTERNS["nl"])
        return format_currency(
            figure, "EUR", format=pattern, locale=locale(lang), currency_digits=False
        )
    if unit in CLDR_UNITS:
        name, length, decimals = CLDR_UNITS[unit]
        pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
        return format_unit(figure, name, length=length, format=pattern, locale=locale(lang))
    words = f" {SCORE_WORDS.get(lang, SCORE_WORDS['nl'])}" if unit == "score" else ""
    return f"{number(figure, lang, 1)}{words}"


def day(when: date, lang: str = "nl") -> str:
    """Return a date written out for the language, e.g. '31 januari 2022' or '1er août 2021'."""
    text = format_date(when, format="long", locale=locale(lang))
    if lang == "fr" and when.day == 1:  # French writes the first of a month as an ordinal
        text = text.replace("1", "1er", 1)
    return text


TARGET_BY = {
    "nl": "{value} tegen {deadline}",
    "en": "{value} by {deadline}",
    "fr": "{value} d'ici le {deadline}",
}


def target(goal: float, unit: str, deadline: date | None = None, lang: str = "nl") -> str:
    """Return a target as people read it: '50,0 %' or '150 tegen 31 januari 2022'."""
    shown = value(goal, unit, lang)
    if deadline is None:
        return shown
    pattern = TARGET_BY.get(lang, TARGET_BY["nl"])
    return pattern.format(value=shown, deadline=day(deadline, lang))
