"""Default milestones across the awkward stretches of the calendar (issue 5).

The statutory dates are checked twice: against dates worked out by hand, and against a
naive day-by-day count over the `holidays` package's England calendar.
"""

from __future__ import annotations

import datetime as dt
from datetime import date

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from improveplan.domain.timeline import default_milestones, focused_visit_milestones

ENGLAND = holidays.country_holidays("GB", subdiv="ENG", years=range(2015, 2031))


def naive_working_days_after(start: date, n: int) -> date:
    day = start
    while n:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in ENGLAND:
            n -= 1
    return day


def statutory(received: date) -> dict[str, date]:
    found = default_milestones(received=received, horizon=received)
    return {m.name: m.date for m in found}


@pytest.mark.parametrize(
    ("received", "published", "plan_due", "why"),
    [
        (date(2024, 1, 30), date(2024, 3, 12), date(2024, 5, 10), "worked example: Easter, May"),
        (date(2024, 11, 15), date(2024, 12, 31), date(2025, 2, 26), "Christmas and New Year"),
        (date(2019, 11, 29), date(2020, 1, 15), date(2020, 3, 11), "Christmas, leap February"),
        (date(2023, 3, 10), date(2023, 4, 25), date(2023, 6, 23), "Easter and the coronation"),
        (date(2023, 3, 20), date(2023, 5, 4), date(2023, 7, 3), "coronation inside the 30"),
        (date(2022, 8, 1), date(2022, 9, 13), date(2022, 11, 9), "the Queen's state funeral"),
        (date(2020, 3, 2), date(2020, 4, 15), date(2020, 6, 12), "VE Day moved the May holiday"),
    ],
)
def test_statutory_dates_across_holidays(
    received: date, published: date, plan_due: date, why: str
) -> None:
    assert statutory(received) == {
        "Report published locally": published,
        "Action plan due": plan_due,
    }, why


@given(st.dates(min_value=date(2016, 1, 1), max_value=date(2029, 6, 30)))
def test_statutory_dates_agree_with_a_day_by_day_count(received: date) -> None:
    assert statutory(received) == {
        "Report published locally": naive_working_days_after(received, 30),
        "Action plan due": naive_working_days_after(received, 70),
    }


def test_focused_visit_draft_over_christmas() -> None:
    found = {m.name: m.date for m in focused_visit_milestones(date(2024, 12, 2))}
    assert found["Draft action plan due"] == naive_working_days_after(date(2024, 12, 2), 20)
    assert found["Draft action plan due"] == date(2025, 1, 2)


def reviews(issued: date, months: int, until: date) -> list[date]:
    found = default_milestones(
        received=None, notice_issued=issued, review_months=months, horizon=until
    )
    return [m.date for m in found if m.kind == "dfe_review"]


@pytest.mark.parametrize(
    ("issued", "months", "expected"),
    [
        # Each review counts from the issue date, so a clamped February does not stick.
        (date(2023, 8, 31), 6, [date(2024, 2, 29), date(2024, 8, 31), date(2025, 2, 28)]),
        (date(2022, 8, 31), 6, [date(2023, 2, 28), date(2023, 8, 31), date(2024, 2, 29)]),
        (date(2024, 3, 31), 6, [date(2024, 9, 30), date(2025, 3, 31), date(2025, 9, 30)]),
        (date(2023, 11, 30), 3, [date(2024, 2, 29), date(2024, 5, 30), date(2024, 8, 30)]),
        (date(2024, 2, 29), 12, [date(2025, 2, 28), date(2026, 2, 28), date(2027, 2, 28)]),
    ],
)
def test_reviews_at_month_ends_and_leap_years(
    issued: date, months: int, expected: list[date]
) -> None:
    assert reviews(issued, months, expected[-1]) == expected


def test_expected_visits_from_a_month_end_plan_due() -> None:
    found = default_milestones(received=None, plan_due=date(2023, 11, 30), horizon=date(2024, 9, 1))
    visits = [(m.date, m.expected) for m in found if m.kind == "monitoring_visit"]
    assert visits == [
        (date(2024, 2, 29), True),
        (date(2024, 5, 30), True),
        (date(2024, 8, 30), True),
    ]


def test_boards_every_six_weeks_cross_the_new_year_on_any_weekday() -> None:
    found = default_milestones(
        received=None,
        first_board=date(2024, 11, 20),
        board_every_weeks=6,
        horizon=date(2025, 3, 1),
    )
    assert [m.date for m in found if m.kind == "board"] == [
        date(2024, 11, 20),
        date(2025, 1, 1),  # calendar weeks: a board may fall on a bank holiday
        date(2025, 2, 12),
    ]
