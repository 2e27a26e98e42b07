"""Tests of the generator's calendar and ids: day numbers, months later, ids in order."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from pipelines.generate.calendar import Ids, add_months, day_number, iso_day


def test_day_numbers_count_from_1970() -> None:
    assert day_number(date(1970, 1, 1)) == 0
    assert day_number(date(1970, 2, 1)) == 31
    assert iso_day(365) == "1971-01-01"


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2021, 6, 15), 6, date(2021, 12, 15)),
        (date(2021, 8, 31), 6, date(2022, 2, 28)),  # no 31 February: the month's last day
        (date(2023, 8, 31), 6, date(2024, 2, 29)),  # 2024 is a leap year
        (date(2021, 12, 1), 1, date(2022, 1, 1)),
    ],
)
def test_add_months_clips_to_the_last_day_of_the_month(
    start: date, months: int, expected: date
) -> None:
    days = np.array([day_number(start)], dtype=np.int64)
    assert iso_day(int(add_months(days, months)[0])) == expected.isoformat()


def test_ids_count_up_and_bad_rows_count_down_from_the_top() -> None:
    ids = Ids({"D": 3})
    assert ids.take("D", 2).tolist() == ["D001", "D002"]
    assert ids.take("D", 1).tolist() == ["D003"]
    assert [ids.fresh("D"), ids.fresh("D")] == ["D999", "D998"]
    # the top half (500 and up) is kept for bad rows
    with pytest.raises(RuntimeError, match="exhausted"):
        ids.take("D", 497)
