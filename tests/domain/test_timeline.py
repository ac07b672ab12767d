"""The statutory and DfE timeline after an inspection, and how each milestone stands."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from improveplan.domain.dates import add_months
from improveplan.domain.timeline import (
    ComputedMilestone,
    MilestoneKind,
    default_milestones,
    focused_visit_milestones,
    milestone_status,
)

RECEIVED = date(2024, 1, 30)


def names(milestones: list[ComputedMilestone]) -> list[str]:
    return [m.name for m in milestones]


def by_kind(milestones: list[ComputedMilestone], kind: str) -> list[ComputedMilestone]:
    return [m for m in milestones if m.kind == kind]


# default_milestones --------------------------------------------------------------------


def test_after_a_report_the_plan_is_due_in_seventy_working_days() -> None:
    milestones = default_milestones(
        received=RECEIVED, horizon=date(2024, 6, 1), monitoring_every_months=None
    )
    assert milestones == [
        ComputedMilestone(
            name="Report published locally",
            kind=MilestoneKind.published_locally,
            date=date(2024, 3, 12),
            rule="received 2024-01-30 + 30 working days",
            source_date=RECEIVED,
        ),
        ComputedMilestone(
            name="Action plan due",
            kind=MilestoneKind.plan_due,
            date=date(2024, 5, 10),
            rule="received 2024-01-30 + 70 working days",
            source_date=RECEIVED,
        ),
    ]


def test_one_off_deadlines_are_kept_beyond_the_horizon() -> None:
    milestones = default_milestones(received=RECEIVED, horizon=date(2024, 2, 1))
    assert names(milestones) == ["Report published locally", "Action plan due"]


def test_dfe_reviews_count_from_the_issue_date_each_time() -> None:
    milestones = default_milestones(
        received=None, notice_issued=date(2023, 8, 31), horizon=date(2025, 12, 31)
    )
    reviews = by_kind(milestones, MilestoneKind.dfe_review)
    # Chained, 29 Feb + 6 months would drift to 29 Aug; counted from 31 Aug it does not.
    assert [m.date for m in reviews] == [
        date(2024, 2, 29),
        date(2024, 8, 31),
        date(2025, 2, 28),
        date(2025, 8, 31),
    ]
    assert names(reviews) == ["DfE review 1", "DfE review 2", "DfE review 3", "DfE review 4"]
    assert reviews[2].rule == "notice issued 2023-08-31 + 18 months"
    assert {m.source_date for m in reviews} == {date(2023, 8, 31)}
    assert not any(m.expected for m in reviews)


def test_reviews_stop_when_the_notice_is_lifted() -> None:
    milestones = default_milestones(
        received=None,
        notice_issued=date(2024, 1, 15),
        lifted=date(2025, 1, 15),
        horizon=date(2030, 1, 1),
    )
    # A review on the day the notice is lifted is the one that lifted it.
    assert [m.date for m in milestones] == [date(2024, 7, 15), date(2025, 1, 15)]


def test_review_interval_is_configurable() -> None:
    milestones = default_milestones(
        received=None, notice_issued=date(2024, 1, 15), review_months=4, horizon=date(2024, 12, 31)
    )
    assert [m.date for m in milestones] == [date(2024, 5, 15), date(2024, 9, 15)]


def test_improvement_boards_every_n_weeks_from_the_first() -> None:
    milestones = default_milestones(
        received=None,
        first_board=date(2024, 3, 1),
        board_every_weeks=6,
        horizon=date(2024, 7, 31),
    )
    assert [(m.name, m.date, m.rule) for m in milestones] == [
        ("Improvement board 1", date(2024, 3, 1), "first board 2024-03-01"),
        ("Improvement board 2", date(2024, 4, 12), "first board 2024-03-01 + 6 weeks"),
        ("Improvement board 3", date(2024, 5, 24), "first board 2024-03-01 + 12 weeks"),
        ("Improvement board 4", date(2024, 7, 5), "first board 2024-03-01 + 18 weeks"),
    ]
    assert {m.kind for m in milestones} == {"board"}


def test_a_first_board_without_an_interval_is_a_single_meeting() -> None:
    milestones = default_milestones(
        received=None, first_board=date(2024, 3, 1), horizon=date(2025, 1, 1)
    )
    assert names(milestones) == ["Improvement board 1"]


def test_boards_stop_at_the_lifted_date_and_at_the_horizon() -> None:
    lifted = default_milestones(
        received=None,
        first_board=date(2024, 3, 1),
        board_every_weeks=4,
        lifted=date(2024, 4, 26),
        horizon=date(2030, 1, 1),
    )
    assert [m.date for m in lifted] == [date(2024, 3, 1), date(2024, 3, 29), date(2024, 4, 26)]
    late = default_milestones(
        received=None, first_board=date(2024, 3, 1), board_every_weeks=4, horizon=date(2024, 2, 1)
    )
    assert late == []


def test_monitoring_visits_are_expected_every_three_months_after_the_plan_is_due() -> None:
    milestones = default_milestones(received=RECEIVED, horizon=date(2025, 3, 1))
    visits = by_kind(milestones, MilestoneKind.monitoring_visit)
    assert [(m.name, m.date) for m in visits] == [
        ("Monitoring visit 1 (expected)", date(2024, 8, 10)),
        ("Monitoring visit 2 (expected)", date(2024, 11, 10)),
        ("Monitoring visit 3 (expected)", date(2025, 2, 10)),
    ]
    assert all(m.expected for m in visits)
    assert visits[0].rule == "plan due 2024-05-10 + 3 months"
    assert visits[0].source_date == date(2024, 5, 10)


def test_monitoring_visits_stop_when_the_notice_is_lifted() -> None:
    milestones = default_milestones(
        received=RECEIVED,
        notice_issued=date(2024, 2, 20),
        lifted=date(2024, 12, 1),
        horizon=date(2026, 1, 1),
    )
    visits = by_kind(milestones, MilestoneKind.monitoring_visit)
    assert [m.date for m in visits] == [date(2024, 8, 10), date(2024, 11, 10)]


def test_monitoring_visits_can_be_left_out() -> None:
    milestones = default_milestones(
        received=RECEIVED, horizon=date(2026, 1, 1), monitoring_every_months=None
    )
    assert by_kind(milestones, MilestoneKind.monitoring_visit) == []


def test_a_plan_due_date_set_on_the_notice_wins_and_moves_the_visits() -> None:
    milestones = default_milestones(
        received=RECEIVED, plan_due=date(2024, 4, 30), horizon=date(2024, 8, 1)
    )
    due = by_kind(milestones, MilestoneKind.plan_due)
    assert [(m.date, m.rule) for m in due] == [(date(2024, 4, 30), "set on the improvement notice")]
    visits = by_kind(milestones, MilestoneKind.monitoring_visit)
    assert [m.date for m in visits] == [date(2024, 7, 30)]


def test_the_whole_timeline_is_sorted_by_date() -> None:
    milestones = default_milestones(
        received=RECEIVED,
        notice_issued=date(2024, 2, 20),
        first_board=date(2024, 3, 4),
        board_every_weeks=6,
        horizon=date(2025, 6, 30),
    )
    dates = [m.date for m in milestones]
    assert dates == sorted(dates)
    assert {m.kind for m in milestones} == {
        "plan_due",
        "published_locally",
        "dfe_review",
        "board",
        "monitoring_visit",
    }
    assert names(milestones)[:3] == [
        "Improvement board 1",
        "Report published locally",
        "Improvement board 2",
    ]


def test_nothing_known_means_no_milestones() -> None:
    assert default_milestones(received=None, horizon=date(2030, 1, 1)) == []


@pytest.mark.parametrize(
    "options",
    [{"review_months": 0}, {"board_every_weeks": 0}, {"monitoring_every_months": -3}],
)
def test_intervals_must_be_positive(options: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="not positive"):
        default_milestones(
            received=RECEIVED,
            notice_issued=date(2024, 2, 1),
            first_board=date(2024, 3, 1),
            horizon=date(2025, 1, 1),
            **options,  # type: ignore[arg-type]
        )


def test_repeating_milestones_stop_at_the_end_of_the_calendar() -> None:
    milestones = default_milestones(
        received=None,
        notice_issued=date(9990, 1, 31),
        first_board=date(9999, 11, 1),
        board_every_weeks=6,
        horizon=date(9999, 12, 31),
    )
    assert by_kind(milestones, MilestoneKind.dfe_review)[-1].date == date(9999, 7, 31)
    assert [m.date for m in by_kind(milestones, MilestoneKind.board)] == [
        date(9999, 11, 1),
        date(9999, 12, 13),
    ]


@given(
    issued=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    months=st.integers(1, 12),
    years=st.integers(0, 5),
)
def test_reviews_fall_every_interval_up_to_the_horizon(
    issued: date, months: int, years: int
) -> None:
    horizon = issued.replace(year=issued.year + years, day=1)
    reviews = default_milestones(
        received=None, notice_issued=issued, review_months=months, horizon=horizon
    )
    assert all(issued < m.date <= horizon for m in reviews)
    gaps = [
        (b.date.year - a.date.year) * 12 + b.date.month - a.date.month for a, b in pairwise(reviews)
    ]
    assert set(gaps) <= {months}
    # Complete: the next review would fall after the horizon.
    assert add_months(issued, months * (len(reviews) + 1)) > horizon


# focused visits ------------------------------------------------------------------------


def test_a_focused_visit_with_priority_actions_has_a_draft_and_a_final_plan() -> None:
    assert focused_visit_milestones(RECEIVED) == [
        ComputedMilestone(
            name="Draft action plan due",
            kind=MilestoneKind.draft_plan_due,
            date=date(2024, 2, 27),
            rule="received 2024-01-30 + 20 working days",
            source_date=RECEIVED,
        ),
        ComputedMilestone(
            name="Action plan due",
            kind=MilestoneKind.plan_due,
            date=date(2024, 5, 10),
            rule="received 2024-01-30 + 70 working days",
            source_date=RECEIVED,
        ),
    ]


def test_a_draft_plan_over_christmas_skips_the_holidays() -> None:
    draft = focused_visit_milestones(date(2024, 12, 2))[0]
    # 20 working days from 3 December, less Christmas Day, Boxing Day and New Year's Day.
    assert draft.date == date(2025, 1, 2)


# milestone_status ----------------------------------------------------------------------

AS_OF = date(2025, 3, 5)


@pytest.mark.parametrize(
    ("when", "done", "expected", "status"),
    [
        (date(2025, 3, 1), date(2025, 3, 1), False, "done"),
        (date(2025, 6, 1), date(2025, 3, 1), True, "done"),  # a visit that came early
        (date(2025, 6, 1), None, True, "expected"),
        (date(2025, 3, 5), None, True, "expected"),
        (date(2025, 1, 1), None, True, "expected"),  # a visit in the past is never overdue
        (date(2025, 3, 4), None, False, "overdue"),
        (date(2024, 3, 4), None, False, "overdue"),
        (date(2025, 3, 5), None, False, "due"),  # today
        (date(2025, 3, 6), None, False, "due"),
        (date(2025, 3, 19), None, False, "due"),  # 14 days ahead
        (date(2025, 3, 20), None, False, "upcoming"),  # 15 days ahead
        (date(2026, 1, 1), None, False, "upcoming"),
    ],
)
def test_milestone_status(when: date, done: date | None, expected: bool, status: str) -> None:
    assert milestone_status(date=when, done=done, as_of=AS_OF, expected=expected) == status


def test_the_due_window_is_configurable() -> None:
    def status(when: date) -> str:
        return milestone_status(
            date=when, done=None, as_of=AS_OF, expected=False, due_window_days=0
        )

    assert status(date(2025, 3, 5)) == "due"
    assert status(date(2025, 3, 6)) == "upcoming"
