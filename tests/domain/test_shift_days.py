"""shift_days: windows around any date a user can type, never an overflow."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from improveplan.domain.dates import shift_days


def test_ordinary_shifts() -> None:
    assert shift_days(dt.date(2024, 2, 28), 1) == dt.date(2024, 2, 29)
    assert shift_days(dt.date(2024, 3, 1), -1) == dt.date(2024, 2, 29)
    assert shift_days(dt.date(2024, 3, 1), 0) == dt.date(2024, 3, 1)


def test_held_at_the_ends_of_the_calendar() -> None:
    assert shift_days(dt.date(9999, 12, 30), 14) == dt.date.max
    assert shift_days(dt.date(1, 1, 2), -30) == dt.date.min


@given(st.dates(), st.integers(min_value=-(10**7), max_value=10**7))
def test_never_raises_and_moves_the_right_way(day: dt.date, days: int) -> None:
    moved = shift_days(day, days)
    assert (moved >= day) if days >= 0 else (moved <= day)
    if dt.date.min < moved < dt.date.max:
        assert (moved - day).days == days
