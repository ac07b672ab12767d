"""Dates that look back: in options such as `--since`, a weekday is the last one, not the next."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from improveplan.domain.dates import DateError, parse_date

WEDNESDAY = date(2025, 3, 5)
NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("monday", date(2025, 3, 3)),  # this week's Monday, not next week's
        ("mon", date(2025, 3, 3)),
        ("Tuesday", date(2025, 3, 4)),  # yesterday
        ("wed", date(2025, 2, 26)),  # today is Wednesday: the one before
        ("friday", date(2025, 2, 28)),
        ("sun", date(2025, 3, 2)),
        # Everything else reads as it does anywhere else.
        ("-7d", date(2025, 2, 26)),
        ("-1m", date(2025, 2, 5)),
        ("-2w", date(2025, 2, 19)),
        ("yesterday", date(2025, 3, 4)),
        ("today", WEDNESDAY),
        ("2025-01-31", date(2025, 1, 31)),
        ("eow", date(2025, 3, 7)),
    ],
)
def test_past_dates(text: str, expected: date) -> None:
    assert parse_date(text, today=WEDNESDAY, past=True) == expected


def test_a_weekday_looks_forward_unless_the_option_looks_back() -> None:
    assert parse_date("monday", today=WEDNESDAY) == date(2025, 3, 10)
    assert parse_date("monday", today=WEDNESDAY, past=True) == date(2025, 3, 3)


@given(today=st.dates(min_value=date(1, 1, 8)), index=st.integers(0, 6))
def test_a_past_weekday_is_always_within_the_last_seven_days(today: date, index: int) -> None:
    result = parse_date(NAMES[index], today=today, past=True)
    assert result.weekday() == index
    assert 1 <= (today - result).days <= 7


@given(
    today=st.dates(min_value=date(1, 1, 8), max_value=date(9999, 12, 24)),
    name=st.sampled_from(NAMES),
)
def test_past_and_next_weekday_are_one_week_apart_or_straddle_today(today: date, name: str) -> None:
    before = parse_date(name, today=today, past=True)
    after = parse_date(name, today=today)
    assert before < today < after
    assert (after - before).days == (14 if before.weekday() == today.weekday() else 7)


def test_a_past_weekday_at_the_start_of_the_calendar_is_a_date_error() -> None:
    with pytest.raises(DateError):
        parse_date("sunday", today=date(1, 1, 1), past=True)  # 0001-01-01 is a Monday
    assert parse_date("monday", today=date(1, 1, 8), past=True) == date(1, 1, 1)


@given(text=st.text(), today=st.dates())
def test_past_parsing_raises_nothing_but_date_error(text: str, today: date) -> None:
    try:
        result = parse_date(text, today=today, past=True)
    except DateError:
        return
    assert type(result) is date
    if text.strip().lower() not in {n for full in NAMES for n in (full, full[:3])}:
        assert result == parse_date(text, today=today)  # only weekdays look back


def test_seven_days_back_is_the_same_weekday() -> None:
    assert parse_date("-7d", today=WEDNESDAY, past=True) == WEDNESDAY - dt.timedelta(days=7)
