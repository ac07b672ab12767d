"""Dates as users type them, and the working days statutory deadlines are counted in."""

from __future__ import annotations

import calendar
import datetime as dt
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from improveplan.domain.dates import (
    DateError,
    add_months,
    add_working_days,
    is_working_day,
    parse_date,
    today_london,
    working_days_between,
)

WEDNESDAY = date(2025, 3, 5)
UTC = dt.UTC
ACCEPTED = (
    "use YYYY-MM-DD, DD/MM/YYYY, today, yesterday, tomorrow, a weekday, +3d or -7d, +2w, "
    "+1m or -1m, +10wd (working days), eow, eom, eoq or eoy"
)
# Dates the `holidays` package knows England's bank holidays for.
HOLIDAY_ERA = st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))


def naive_add_working_days(start: date, n: int) -> date:
    """Day-by-day reference implementation: slow, obviously right."""
    step = dt.timedelta(days=1 if n > 0 else -1)
    current, left = start, abs(n)
    while left:
        current += step
        if is_working_day(current):
            left -= 1
    return current


# today_london --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (dt.datetime(2024, 1, 15, 23, 30, tzinfo=UTC), date(2024, 1, 15)),  # GMT: same as UTC
        (dt.datetime(2024, 6, 30, 23, 30, tzinfo=UTC), date(2024, 7, 1)),  # BST: an hour ahead
        (dt.datetime(2024, 3, 31, 0, 30, tzinfo=UTC), date(2024, 3, 31)),  # clocks go forward
        (dt.datetime(2024, 10, 26, 23, 30, tzinfo=UTC), date(2024, 10, 27)),  # still BST
        (dt.datetime(2024, 10, 27, 23, 30, tzinfo=UTC), date(2024, 10, 27)),  # back to GMT
        (
            dt.datetime(2024, 7, 1, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4))),
            date(2024, 7, 2),  # 8pm in New York is 1am next day in London
        ),
        (dt.datetime(2024, 6, 30, 23, 30), date(2024, 7, 1)),  # naive is read as UTC
    ],
)
def test_today_london_is_the_calendar_date_in_england(now: dt.datetime, expected: date) -> None:
    assert today_london(now) == expected


def test_today_london_without_a_clock_returns_a_plain_date() -> None:
    assert type(today_london()) is date


# parse_date: what is accepted ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-31", date(2025, 3, 31)),
        ("2024-02-29", date(2024, 2, 29)),
        ("2025-4-1", date(2025, 4, 1)),
        ("31/03/2025", date(2025, 3, 31)),
        ("31/3/2025", date(2025, 3, 31)),
        ("1/4/2025", date(2025, 4, 1)),  # always day first
        ("04/03/2025", date(2025, 3, 4)),
        ("31.03.2025", date(2025, 3, 31)),
        ("31-03-2025", date(2025, 3, 31)),
        ("today", WEDNESDAY),
        ("  TODAY\t", WEDNESDAY),
        ("Tomorrow", date(2025, 3, 6)),
        ("yesterday", date(2025, 3, 4)),
        ("thursday", date(2025, 3, 6)),
        ("Friday", date(2025, 3, 7)),
        ("sunday", date(2025, 3, 9)),
        ("monday", date(2025, 3, 10)),
        ("tue", date(2025, 3, 11)),
        ("wednesday", date(2025, 3, 12)),  # strictly after today, never today
        ("WED", date(2025, 3, 12)),
        ("+3d", date(2025, 3, 8)),
        ("-5d", date(2025, 2, 28)),
        ("+0d", WEDNESDAY),
        ("+2w", date(2025, 3, 19)),
        ("-1w", date(2025, 2, 26)),
        ("+1m", date(2025, 4, 5)),
        ("-1m", date(2025, 2, 5)),
        ("+10wd", date(2025, 3, 19)),
        ("-3wd", date(2025, 2, 28)),
        ("+10WD", date(2025, 3, 19)),
        ("eow", date(2025, 3, 7)),
        ("eom", date(2025, 3, 31)),
        ("eoq", date(2025, 3, 31)),
        ("EOY", date(2025, 12, 31)),
    ],
)
def test_parse_date_accepts_the_documented_forms(text: str, expected: date) -> None:
    assert parse_date(text, today=WEDNESDAY) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2025, 3, 7), date(2025, 3, 7)),  # on a Friday: that Friday
        (date(2025, 3, 8), date(2025, 3, 14)),  # at the weekend: the next Friday
        (date(2025, 3, 9), date(2025, 3, 14)),
        (date(2025, 3, 10), date(2025, 3, 14)),
    ],
)
def test_eow_is_the_friday_on_or_after_today(today: date, expected: date) -> None:
    assert parse_date("eow", today=today) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2025, 1, 1), date(2025, 3, 31)),
        (date(2025, 4, 1), date(2025, 6, 30)),
        (date(2025, 9, 30), date(2025, 9, 30)),
        (date(2025, 11, 15), date(2025, 12, 31)),
    ],
)
def test_eoq_is_the_end_of_the_calendar_quarter(today: date, expected: date) -> None:
    assert parse_date("eoq", today=today) == expected


def test_eom_knows_leap_years() -> None:
    assert parse_date("eom", today=date(2024, 2, 3)) == date(2024, 2, 29)
    assert parse_date("eom", today=date(2025, 2, 3)) == date(2025, 2, 28)


def test_plus_one_month_from_a_month_end_stays_in_the_next_month() -> None:
    assert parse_date("+1m", today=date(2025, 1, 31)) == date(2025, 2, 28)


def test_plus_working_days_skips_easter() -> None:
    # Thursday before Easter 2024: Good Friday and Easter Monday are not counted.
    assert parse_date("+1wd", today=date(2024, 3, 28)) == date(2024, 4, 2)
    assert parse_date("-1wd", today=date(2024, 4, 2)) == date(2024, 3, 28)


# parse_date: what is refused -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2025",
        "29/02/2025",
        "0000-01-01",
        "00/01/2025",
        "2025-13-01",
        "2025-00-10",
        "",
        "   ",
        "next week",
        "now",
        "+3",
        "3d",
        "+3y",
        "+ 3d",
        "+3 d",
        "++3d",
        "+-3d",
        "2025/03/31",
        "31/03/25",
        "31/03-2025",  # separators must match
        "03/31/2025",  # American order is not guessed at
        "2025-03-31T00:00",
        "tues",
        "３１/03/2025",  # full-width digits
        "٣١/٠٣/٢٠٢٥",  # Arabic-Indic digits
        "+٣d",
    ],
)
def test_parse_date_refuses_anything_else_with_a_date_error(text: str) -> None:
    with pytest.raises(DateError):
        parse_date(text, today=WEDNESDAY)


def test_a_bad_date_says_what_it_got_and_what_is_accepted() -> None:
    with pytest.raises(DateError) as caught:
        parse_date(" 31/02/2025 ", today=WEDNESDAY)
    assert str(caught.value) == f"'31/02/2025' is not a date — {ACCEPTED}"


def test_a_date_error_is_a_value_error_so_callers_may_treat_it_as_one() -> None:
    with pytest.raises(ValueError, match="not a date"):
        parse_date("soon", today=WEDNESDAY)


def test_a_long_bad_value_is_shortened_in_the_message() -> None:
    with pytest.raises(DateError) as caught:
        parse_date("x" * 1000, today=WEDNESDAY)
    assert len(str(caught.value)) < 200
    assert "xxxx…'" in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "+99999999999d",
        "-99999999999d",
        "+9999999d",
        "+999999999w",
        "+100000m",
        "-30000m",
        "+999999999wd",
        "-999999wd",
        "+" + "9" * 5000 + "d",  # beyond Python's int-from-string digit limit
    ],
)
def test_offsets_beyond_the_calendar_are_date_errors(text: str) -> None:
    with pytest.raises(DateError, match="0001-01-01 to 9999-12-31"):
        parse_date(text, today=WEDNESDAY)


def test_relative_dates_at_the_edges_of_the_calendar() -> None:
    assert parse_date("+1d", today=date(9999, 12, 30)) == date(9999, 12, 31)
    with pytest.raises(DateError):
        parse_date("tomorrow", today=date(9999, 12, 31))
    with pytest.raises(DateError):
        parse_date("yesterday", today=date(1, 1, 1))
    with pytest.raises(DateError):
        parse_date("monday", today=date(9999, 12, 31))


@settings(max_examples=500)
@given(text=st.text(), today=st.dates())
def test_parse_date_raises_nothing_but_date_error_on_any_text(text: str, today: date) -> None:
    try:
        result = parse_date(text, today=today)
    except DateError:
        return
    assert type(result) is date


@settings(max_examples=300)
@given(
    sign=st.sampled_from(["+", "-", ""]),
    amount=st.one_of(st.integers(0, 400), st.integers(0, 10**15)),
    unit=st.sampled_from(["d", "w", "m", "wd", "WD", "y", ""]),
    padding=st.sampled_from(["", " ", "\t"]),
    today=st.dates(),
)
def test_relative_offsets_raise_only_date_error(
    sign: str, amount: int, unit: str, padding: str, today: date
) -> None:
    text = f"{padding}{sign}{amount}{unit}{padding}"
    try:
        result = parse_date(text, today=today)
    except DateError:
        return
    assert sign and unit  # only signed offsets with a known unit are dates
    if unit == "d":
        assert result == today + dt.timedelta(days=amount * (-1 if sign == "-" else 1))


@given(day=st.dates())
def test_every_date_reads_back_from_both_written_forms(day: date) -> None:
    assert parse_date(day.isoformat(), today=WEDNESDAY) == day
    assert parse_date(f"{day.day:02d}/{day.month:02d}/{day.year:04d}", today=WEDNESDAY) == day


@given(today=st.dates(max_value=date(9999, 12, 20)), index=st.integers(0, 6))
def test_a_weekday_name_is_always_within_the_next_seven_days(today: date, index: int) -> None:
    name = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"][index]
    result = parse_date(name, today=today)
    assert result.weekday() == index
    assert 1 <= (result - today).days <= 7


# is_working_day ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2024, 12, 25), "Christmas Day"),
        (date(2024, 12, 26), "Boxing Day"),
        (date(2025, 1, 1), "New Year's Day"),
        (date(2024, 3, 29), "Good Friday"),
        (date(2024, 4, 1), "Easter Monday"),
        (date(2024, 5, 6), "early May bank holiday"),
        (date(2024, 5, 27), "spring bank holiday"),
        (date(2024, 8, 26), "summer bank holiday"),
        (date(2022, 9, 19), "state funeral of Queen Elizabeth II"),
        (date(2023, 5, 8), "coronation of King Charles III"),
        (date(2022, 6, 2), "spring bank holiday moved for the Platinum Jubilee"),
        (date(2022, 6, 3), "Platinum Jubilee"),
        (date(2020, 5, 8), "early May bank holiday moved to VE Day"),
        (date(2021, 12, 27), "Christmas Day substitute (25th was a Saturday)"),
        (date(2021, 12, 28), "Boxing Day substitute"),
        (date(2023, 1, 2), "New Year's Day substitute"),
        (date(2024, 1, 6), "Saturday"),
        (date(2024, 1, 7), "Sunday"),
    ],
)
def test_holidays_and_weekends_are_not_working_days(day: date, why: str) -> None:
    assert not is_working_day(day), why


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2024, 1, 2), "2 January is a holiday in Scotland, not England"),
        (date(2024, 8, 5), "Scotland's summer bank holiday"),
        (date(2023, 11, 30), "St Andrew's Day"),
        (date(2024, 3, 18), "St Patrick's Day substitute in Northern Ireland"),
        (date(2020, 5, 4), "first Monday of May 2020: the holiday moved to the 8th"),
        (date(2024, 12, 24), "Christmas Eve"),
        (date(2024, 12, 31), "New Year's Eve"),
        (date(2024, 2, 29), "leap day"),
        (date(2024, 1, 30), "an ordinary Tuesday"),
    ],
)
def test_ordinary_weekdays_are_working_days(day: date, why: str) -> None:
    assert is_working_day(day), why


# add_working_days ----------------------------------------------------------------------


def test_worked_example_plan_due_seventy_working_days_after_receipt() -> None:
    # docs/design.md §2: Good Friday, Easter Monday and the early May bank holiday are skipped.
    assert add_working_days(date(2024, 1, 30), 70) == date(2024, 5, 10)


def test_worked_example_would_be_three_days_earlier_counting_weekends_only() -> None:
    weekdays_only = date(2024, 1, 30)
    for _ in range(70):
        weekdays_only += dt.timedelta(days=3 if weekdays_only.weekday() == 4 else 1)
    assert weekdays_only == date(2024, 5, 7)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2024, 1, 30), 1, date(2024, 1, 31)),  # day 1 is the next working day
        (date(2024, 1, 26), 1, date(2024, 1, 29)),  # Friday -> Monday
        (date(2024, 1, 27), 1, date(2024, 1, 29)),  # from a Saturday
        (date(2024, 1, 28), 1, date(2024, 1, 29)),  # from a Sunday
        (date(2024, 1, 28), 5, date(2024, 2, 2)),
        (date(2024, 1, 26), 5, date(2024, 2, 2)),  # a whole week
        (date(2024, 12, 20), 1, date(2024, 12, 23)),  # Christmas 2024
        (date(2024, 12, 20), 2, date(2024, 12, 24)),
        (date(2024, 12, 20), 3, date(2024, 12, 27)),
        (date(2024, 12, 20), 5, date(2024, 12, 31)),
        (date(2024, 12, 20), 6, date(2025, 1, 2)),  # and New Year's Day
        (date(2024, 12, 25), 1, date(2024, 12, 27)),  # from a holiday
        (date(2021, 12, 24), 1, date(2021, 12, 29)),  # substitute days 27th and 28th
        (date(2022, 12, 23), 1, date(2022, 12, 28)),  # Christmas on a Sunday
        (date(2022, 12, 30), 1, date(2023, 1, 3)),  # New Year's Day substitute
        (date(2024, 3, 28), 1, date(2024, 4, 2)),  # Easter 2024
        (date(2025, 4, 17), 2, date(2025, 4, 23)),  # Easter 2025
        (date(2022, 9, 16), 1, date(2022, 9, 20)),  # state funeral
        (date(2023, 5, 5), 1, date(2023, 5, 9)),  # coronation
        (date(2023, 4, 28), 1, date(2023, 5, 2)),  # early May 2023
        (date(2023, 4, 28), 5, date(2023, 5, 9)),  # both May 2023 bank holidays
        (date(2022, 6, 1), 1, date(2022, 6, 6)),  # Platinum Jubilee pair
        (date(2024, 2, 28), 1, date(2024, 2, 29)),  # leap day is a working day
        (date(2024, 2, 28), 2, date(2024, 3, 1)),
        (date(2023, 2, 28), 1, date(2023, 3, 1)),
        (date(2024, 1, 30), 0, date(2024, 1, 30)),
        (date(2024, 1, 27), 0, date(2024, 1, 27)),  # zero returns start, even a Saturday
    ],
)
def test_add_working_days_forwards(start: date, n: int, expected: date) -> None:
    assert add_working_days(start, n) == expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2024, 5, 10), -70, date(2024, 1, 30)),  # the worked example backwards
        (date(2024, 1, 29), -1, date(2024, 1, 26)),  # Monday -> Friday
        (date(2024, 1, 27), -1, date(2024, 1, 26)),  # from a Saturday
        (date(2024, 1, 28), -1, date(2024, 1, 26)),  # from a Sunday
        (date(2024, 4, 2), -1, date(2024, 3, 28)),  # back over Easter
        (date(2025, 1, 2), -2, date(2024, 12, 30)),  # back over New Year and...
        (date(2025, 1, 2), -3, date(2024, 12, 27)),  # ...Christmas
        (date(2022, 9, 20), -1, date(2022, 9, 16)),
        (date(2023, 5, 9), -5, date(2023, 4, 28)),
        (date(2024, 3, 1), -1, date(2024, 2, 29)),
    ],
)
def test_add_working_days_backwards(start: date, n: int, expected: date) -> None:
    assert add_working_days(start, n) == expected


def test_add_working_days_beyond_the_calendar_is_an_overflow() -> None:
    with pytest.raises(OverflowError):
        add_working_days(date(9999, 12, 30), 5)
    with pytest.raises(OverflowError):
        add_working_days(date(1, 1, 2), -5)


@settings(max_examples=300)
@given(start=HOLIDAY_ERA, n=st.integers(-400, 400))
def test_add_working_days_agrees_with_counting_day_by_day(start: date, n: int) -> None:
    assert add_working_days(start, n) == naive_add_working_days(start, n)


@given(start=HOLIDAY_ERA, n=st.integers(1, 2000))
def test_add_working_days_lands_on_a_working_day_and_grows_with_n(start: date, n: int) -> None:
    result = add_working_days(start, n)
    assert is_working_day(result)
    assert start < result < add_working_days(start, n + 1)


@given(start=HOLIDAY_ERA, n=st.integers(-2000, -1))
def test_add_working_days_backwards_lands_on_a_working_day(start: date, n: int) -> None:
    result = add_working_days(start, n)
    assert is_working_day(result)
    assert add_working_days(start, n - 1) < result < start


@given(start=st.dates(), n=st.integers(-(10**7), 10**7))
def test_add_working_days_raises_nothing_but_overflow(start: date, n: int) -> None:
    try:
        result = add_working_days(start, n)
    except OverflowError:
        return
    assert result == start if n == 0 else is_working_day(result)


# working_days_between ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (date(2024, 1, 30), date(2024, 5, 10), 70),
        (date(2024, 5, 10), date(2024, 1, 30), -70),
        (date(2024, 1, 30), date(2024, 1, 30), 0),
        (date(2024, 1, 26), date(2024, 1, 29), 1),  # Friday to Monday
        (date(2024, 1, 27), date(2024, 1, 28), 0),  # a weekend
        (date(2024, 12, 20), date(2024, 12, 27), 3),  # Christmas week
        (date(2024, 3, 28), date(2024, 4, 2), 1),  # Easter
        (date(2022, 9, 16), date(2022, 9, 20), 1),  # state funeral
        (date(2023, 1, 1), date(2024, 1, 1), 251),  # 2023: 260 weekdays less 9 holidays
    ],
)
def test_working_days_between(a: date, b: date, expected: int) -> None:
    assert working_days_between(a, b) == expected


@settings(max_examples=300)
@given(start=HOLIDAY_ERA, n=st.integers(-1500, 1500))
def test_working_days_between_undoes_add_working_days(start: date, n: int) -> None:
    assert working_days_between(start, add_working_days(start, n)) == n


@given(a=HOLIDAY_ERA, b=HOLIDAY_ERA)
def test_add_working_days_reaches_any_working_day(a: date, b: date) -> None:
    if is_working_day(b):
        assert add_working_days(a, working_days_between(a, b)) == b


# add_months ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2024, 8, 31), 6, date(2025, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),  # into a leap February
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2025, 1, 15), -1, date(2024, 12, 15)),
        (date(2025, 1, 15), -13, date(2023, 12, 15)),
        (date(2025, 1, 15), 0, date(2025, 1, 15)),
        (date(9999, 11, 30), 1, date(9999, 12, 30)),
        (date(1, 2, 1), -1, date(1, 1, 1)),
    ],
)
def test_add_months_is_end_of_month_safe(start: date, n: int, expected: date) -> None:
    assert add_months(start, n) == expected


@pytest.mark.parametrize(("start", "n"), [(date(9999, 12, 1), 1), (date(1, 1, 31), -1)])
def test_add_months_beyond_the_calendar_is_an_overflow(start: date, n: int) -> None:
    with pytest.raises(OverflowError):
        add_months(start, n)


@given(start=st.dates(), n=st.integers(-200, 200))
def test_add_months_keeps_the_day_or_clamps_to_the_month_end(start: date, n: int) -> None:
    try:
        result = add_months(start, n)
    except OverflowError:
        return
    months = (result.year - start.year) * 12 + result.month - start.month
    assert months == n
    month_end = calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(start.day, month_end)
