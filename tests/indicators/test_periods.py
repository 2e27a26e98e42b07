"""Periods and their previous periods."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from indicators import periods

PROGRAMME = SimpleNamespace(
    programme=SimpleNamespace(start_on=date(2021, 6, 1), end_on=date(2023, 12, 31))
)


@pytest.mark.parametrize(
    ("text", "start", "end", "previous"),
    [
        ("2022", date(2022, 1, 1), date(2022, 12, 31), "2021"),
        ("2022-Q1", date(2022, 1, 1), date(2022, 3, 31), "2021-Q4"),
        ("2024-q1", date(2024, 1, 1), date(2024, 3, 31), "2023-Q4"),
        ("2022-02", date(2022, 2, 1), date(2022, 2, 28), "2022-01"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "2024-01"),
        ("2022-01", date(2022, 1, 1), date(2022, 1, 31), "2021-12"),
        ("2021-06-01..2022-01-31", date(2021, 6, 1), date(2022, 1, 31), "2020-09-29..2021-05-31"),
        ("programme", date(2021, 6, 1), date(2023, 12, 31), "2018-10-31..2021-05-31"),
    ],
)
def test_periods_and_their_predecessors(text, start, end, previous):
    period = periods.parse(text, PROGRAMME)
    assert (period.start, period.end) == (start, end)
    assert period.previous().label == previous
    if ".." in text or text == "programme":  # a range is followed by one of equal length
        assert period.previous().days == period.days


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2022-13", "is not a period"),
        ("last year", "is not a period"),
        ("2022-02-30..2022-03-01", "not a valid start date"),
        ("2022-03-01..2022-02-01", "ends before it starts"),
        ("0000", "is outside the years 1900 to 2199"),
        ("0001", "is outside the years 1900 to 2199"),
        ("0001-01", "is outside the years 1900 to 2199"),
        ("9999-Q4", "is outside the years 1900 to 2199"),
        ("0001-01-01..2022-01-01", "is outside the years 1900 to 2199"),
    ],
)
def test_bad_periods_get_one_sentence(text, message):
    with pytest.raises(periods.PeriodError, match=message):
        periods.parse(text, PROGRAMME)


def test_presets_cover_the_programme_years_and_quarters():
    labels = [p.label for p in periods.presets(PROGRAMME)]
    assert labels[:4] == ["programme", "2021", "2022", "2023"]
    assert labels[4:] == ["2021-Q2", "2021-Q3", "2021-Q4"] + [
        f"{y}-Q{q}" for y in (2022, 2023) for q in range(1, 5)
    ]


@pytest.mark.parametrize("text", ["0001-01-01", "1899-12-31", "2200-01-01"])
def test_dates_outside_the_years_figures_can_cover_get_one_sentence(text):
    with pytest.raises(periods.PeriodError, match="is outside the years 1900 to 2199"):
        periods.parse_date(text)


def test_the_first_and_last_years_are_periods():
    assert periods.parse("1900").start == date(1900, 1, 1)
    assert periods.parse("2199-12").end == date(2199, 12, 31)
