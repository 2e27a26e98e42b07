"""A target whose deadline has passed has a result, not a course: what it came to, and whether
it was met. Shared by the council answers and the dashboard's tiles and charts."""

from __future__ import annotations

import math
from datetime import date
from typing import Any, NamedTuple

from indicators import formatting

WORDS = {
    "nl": {
        True: "{value} op {deadline}: doel gehaald",
        False: "{value} op {deadline}: doel niet gehaald",
    },
    "en": {
        True: "{value} on {deadline}: target met",
        False: "{value} on {deadline}: target not met",
    },
    "fr": {
        True: "{value} au {deadline}\u00a0: objectif atteint",
        False: "{value} au {deadline}\u00a0: objectif non atteint",
    },
}


class Result(NamedTuple):
    """A passed target's outcome: the value on the deadline and whether it met the target."""

    value: float
    deadline: date
    met: bool


def result_at_deadline(row: Any) -> Result | None:
    """Return the result of a figure's target once its as-of date has reached the deadline.

    `row` is one figure of the engine (a pandas row or a named tuple): for a target with a
    deadline, the engine's `projection` is then the value counted up to the deadline. None
    before the deadline, without a deadline or target, and when the figure is hidden.
    """
    deadline = row.target_deadline
    target, value = row.target, row.projection
    if not isinstance(deadline, date) or bool(row.suppressed) or row.as_of < deadline:
        return None
    if _missing(target) or _missing(value):
        return None
    met = value >= target if row.direction == "higher" else value <= target
    return Result(float(value), deadline, bool(met))


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def describe(result: Result, unit: str, lang: str) -> str:
    """Return a passed target's result in words: '145 op 31 januari 2022: doel niet gehaald'."""
    return WORDS.get(lang, WORDS["nl"])[result.met].format(
        value=formatting.value(result.value, unit, lang),
        deadline=formatting.day(result.deadline, lang),
    )
