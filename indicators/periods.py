"""Periods: a month, quarter, year, the programme period, or any date range."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from pipelines.errors import UserError

if TYPE_CHECKING:
    from pipelines.settings import Programme

PERIOD_HELP = (
    "expected 'programme', a year (2022), a quarter (2022-Q1), a month (2022-03) "
    "or a date range (2021-06-01..2022-01-31)"
)


# the years a date may name: a programme's figures never reach outside them, and dates far
# outside (year 1, year 9999) break date arithmetic in Python and DuckDB
FIRST_YEAR, LAST_YEAR = 1900, 2199


class PeriodError(UserError):
    """A period or date that cannot be read; the message says what was expected."""


def _in_range(day: date, raw: object) -> date:
    """Return the day, or raise PeriodError when its year is outside FIRST_YEAR..LAST_YEAR."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise PeriodError(
            f"'{raw}' is outside the years {FIRST_YEAR} to {LAST_YEAR} that figures can cover."
        )
    return day


@dataclass(frozen=True)
class Period:
    """A closed date range with the label it was asked for by."""

    label: str
    start: date
    end: date

    @property
    def days(self) -> int:
        """Return the number of days in the period."""
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """Return the period of the same kind just before this one."""
        if re.fullmatch(r"\d{4}", self.label):
            return parse(str(int(self.label) - 1))
        m = re.fullmatch(r"(\d{4})-Q([1-4])", self.label)
        if m:
            year, q = int(m[1]), int(m[2])
            return parse(f"{year - 1}-Q4" if q == 1 else f"{year}-Q{q - 1}")
        m = re.fullmatch(r"(\d{4})-(\d{2})", self.label)
        if m:
            year, month = int(m[1]), int(m[2])
            return parse(f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}")
        end = self.start - timedelta(days=1)
        start = end - timedelta(days=self.days - 1)
        return Period(f"{start.isoformat()}..{end.isoformat()}", start, end)


def parse_date(text: str | date, what: str = "date") -> date:
    """Return the date written as YYYY-MM-DD, or raise PeriodError."""
    if isinstance(text, date):
        return _in_range(text, text)
    try:
        day = date.fromisoformat(str(text).strip())
    except ValueError:
        raise PeriodError(f"'{text}' is not a valid {what} (expected YYYY-MM-DD).") from None
    return _in_range(day, text)


def parse(text: str | None, programme: Programme | None = None) -> Period:
    """Return the period a text names; None or 'programme' is the programme period."""
    raw = (text or "programme").strip()
    if raw.lower() in ("programme", "program", "programma"):
        if programme is None:
            from pipelines.settings import programme as load_programme

            programme = load_programme()
        p = programme.programme
        return Period("programme", p.start_on, p.end_on)
    if m := re.fullmatch(r"(\d{4})", raw):
        y = int(m[1])
        _in_range(date(max(y, 1), 1, 1), raw)
        return Period(raw, date(y, 1, 1), date(y, 12, 31))
    if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", raw):
        y, q = int(m[1]), int(m[2])
        _in_range(date(max(y, 1), 1, 1), raw)
        end_month = 3 * q
        return Period(
            f"{y}-Q{q}",
            date(y, end_month - 2, 1),
            date(y, end_month, calendar.monthrange(y, end_month)[1]),
        )
    if m := re.fullmatch(r"(\d{4})-(\d{2})", raw):
        y, mo = int(m[1]), int(m[2])
        if not 1 <= mo <= 12:
            raise PeriodError(f"'{raw}' is not a period ({PERIOD_HELP}).")
        _in_range(date(max(y, 1), 1, 1), raw)
        return Period(raw, date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1]))
    if ".." in raw:
        left, right = raw.split("..", 1)
        start, end = parse_date(left, "start date"), parse_date(right, "end date")
        if end < start:
            raise PeriodError(f"The period '{raw}' ends before it starts.")
        return Period(f"{start.isoformat()}..{end.isoformat()}", start, end)
    raise PeriodError(f"'{raw}' is not a period ({PERIOD_HELP}).")


def presets(programme: Programme) -> list[Period]:
    """Return the programme period, then each year and each quarter it spans."""
    whole = parse("programme", programme)
    out = [whole]
    out += [parse(str(y)) for y in range(whole.start.year, whole.end.year + 1)]
    for y in range(whole.start.year, whole.end.year + 1):
        for q in range(1, 5):
            period = parse(f"{y}-Q{q}")
            if period.end >= whole.start and period.start <= whole.end:
                out.append(period)
    return out


def on_published_grid(period: Period, programme: Programme) -> bool:
    """Return whether a period is one viewers may ask for: programme, year, quarter or month.

    So do the period just before the programme (for comparisons) and the programme counted
    up to a month end (its cumulative line): one chain, with one start. A free date range
    would let overlapping periods differ by a few days, and their difference single people out.
    """
    if re.fullmatch(r"\d{4}(-Q[1-4]|-\d{2})?", period.label):
        return True
    whole = parse("programme", programme)
    before = whole.previous()
    if (period.start, period.end) in {(whole.start, whole.end), (before.start, before.end)}:
        return True
    return period.start == whole.start and last_month_end(period.end) == period.end


def last_month_end(day: date) -> date:
    """Return the day if it is the last of its month, else the last day of the month before."""
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return day
    return day.replace(day=1) - timedelta(days=1)
