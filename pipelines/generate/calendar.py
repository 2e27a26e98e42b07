"""Calendar and ids: day numbers, the missing-value mark, ids handed out in order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from pipelines import settings

EPOCH = date(1970, 1, 1)
EXPORT_LAG_DAYS = 15  # the data export is taken two weeks after the programme's end date
NA = np.iinfo(np.int64).min  # missing date, year, count or amount in the typed arrays
MONTH_DAYS = 30.44


def day_number(d: date) -> int:
    """Return the day number of a date (days since 1970-01-01)."""
    return (d - EPOCH).days


def iso_day(day: int) -> str:
    """Return the ISO date of a day number."""
    return (EPOCH + timedelta(days=int(day))).isoformat()


@dataclass(frozen=True)
class Calendar:
    """Day numbers of the programme; every event falls between start and end."""

    start: int
    end: int
    export: int  # labels the data set; duos still running at the end have no ended_on
    trajectory_months: int


def programme_calendar() -> Calendar:
    """Return the programme's calendar from the programme settings."""
    p = settings.programme().programme
    end = day_number(p.end_on)
    return Calendar(
        start=day_number(p.start_on),
        end=end,
        export=end + EXPORT_LAG_DAYS,
        trajectory_months=p.trajectory_months,
    )


def add_months(days: np.ndarray, months: int) -> np.ndarray:
    """Return the same day of the month months later, clipped to the month's last day."""
    d = days.astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    day_of_month = (d - month.astype("datetime64[D]")).astype(np.int64)
    target = month + months
    month_len = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
        np.int64
    )
    start = target.astype("datetime64[D]").astype(np.int64)
    return start + np.minimum(day_of_month, month_len - 1)


class Ids:
    """Hands out ids in order per prefix; bad rows take fresh ids counting down from the top."""

    def __init__(self, digits: dict[str, int]) -> None:
        self.digits = digits
        self.next = dict.fromkeys(digits, 1)
        self.fresh_next = {p: 10**w - 1 for p, w in digits.items()}

    def take(self, prefix: str, n: int) -> np.ndarray:
        """Return the next n ids with prefix, in order."""
        start = self.next[prefix]
        width = self.digits[prefix]
        if start + n > 10**width // 2:
            # the top half of the id space belongs to bad rows, so real ids must stay below it
            raise RuntimeError(f"id space for {prefix} exhausted; widen its digits")
        self.next[prefix] = start + n
        return np.array([f"{prefix}{i:0{width}d}" for i in range(start, start + n)], dtype=object)

    def fresh(self, prefix: str) -> str:
        """Return an id with prefix from the top of its space, for a bad row."""
        number = self.fresh_next[prefix]
        self.fresh_next[prefix] = number - 1
        return f"{prefix}{number:0{self.digits[prefix]}d}"
