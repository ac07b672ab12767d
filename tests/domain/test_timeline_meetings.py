"""Meetings held, missed with a reason; series bounded; stored against implied milestones."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from improveplan.domain.milestone_sync import MilestoneFacts, effective, reconcile
from improveplan.domain.timeline import (
    ComputedMilestone,
    MilestoneStatus,
    default_milestones,
    milestone_status,
)
from improveplan.domain.vocab import MilestoneKind as K

AS_OF = date(2025, 3, 5)
PAST, AHEAD = date(2025, 3, 4), date(2025, 6, 1)


@pytest.mark.parametrize(
    ("kind", "when", "done", "missed", "expected", "status"),
    [
        (K.board, PAST, None, False, False, "held"),
        (K.dfe_review, date(2024, 1, 1), None, False, False, "held"),
        (K.board, PAST, None, True, False, "missed"),
        (K.board, AHEAD, None, True, False, "missed"),  # cancelled ahead of time
        (K.board, PAST, PAST, True, False, "done"),
        (K.board, AS_OF, None, False, False, "due"),
        (K.board, AHEAD, None, False, False, "upcoming"),
        (K.monitoring_visit, PAST, None, False, True, "expected"),
        (K.monitoring_visit, PAST, None, True, True, "missed"),
        (K.plan_due, PAST, None, False, False, "overdue"),
        (K.published_locally, PAST, None, False, False, "overdue"),
        (K.custom, PAST, None, False, False, "overdue"),
    ],
)
def test_meetings_are_held_deadlines_overdue(
    kind: K, when: date, done: date | None, missed: bool, expected: bool, status: str
) -> None:
    found = milestone_status(
        date=when, done=done, as_of=AS_OF, expected=expected, kind=kind, missed=missed
    )
    assert found == MilestoneStatus(status)


@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
def test_a_past_meeting_is_never_overdue(as_of: date) -> None:
    for kind in (K.board, K.dfe_review):
        status = milestone_status(date=date(2024, 1, 1), done=None, as_of=as_of, expected=False,
                                  kind=kind)  # fmt: skip
        assert status != MilestoneStatus.overdue


def test_each_series_stops_ten_years_after_it_starts() -> None:
    found = default_milestones(
        received=date(2024, 1, 30),
        notice_issued=date(2023, 8, 31),
        first_board=date(2023, 9, 15),
        board_every_weeks=1,
        horizon=date(9999, 12, 31),
    )
    boards = [m for m in found if m.kind == K.board]
    reviews = [m for m in found if m.kind == K.dfe_review]
    visits = [m for m in found if m.kind == K.monitoring_visit]
    assert (len(boards), boards[-1].date) == (522, date(2033, 9, 9))
    assert (len(reviews), reviews[-1].date) == (20, date(2033, 8, 31))
    assert (len(visits), visits[-1].date) == (40, date(2034, 5, 10))


def facts(id: int, name: str, when: date, **kw: object) -> MilestoneFacts:
    values: dict[str, object] = {
        "kind": K.board, "rule": "first board", "source_date": date(2024, 1, 1),
        "user_set": False, "expected": False,
    } | kw  # fmt: skip
    return MilestoneFacts(id=id, name=name, date=when, **values)  # type: ignore[arg-type]


def computed(name: str, when: date) -> ComputedMilestone:
    return ComputedMilestone(name=name, kind=K.board, date=when, rule="first board",
                             source_date=date(2024, 1, 1))  # fmt: skip


def test_reconcile_adds_moves_keeps_user_dates_and_retires() -> None:
    stored = [
        facts(1, "Improvement board 1", date(2024, 1, 1)),
        facts(2, "Improvement board 2", date(2024, 2, 1), user_set=True),
        facts(3, "Improvement board 3", date(2024, 3, 1)),
        facts(4, "Peer review", date(2024, 4, 1), kind=K.custom, source_date=None),
        facts(5, "Improvement board 9", date(2024, 9, 1)),
    ]
    wanted = [
        computed("improvement board 1", date(2024, 1, 8)),
        computed("Improvement board 2", date(2024, 2, 8)),
        computed("Improvement board 3", date(2024, 3, 1)),
        computed("Improvement board 4", date(2024, 4, 8)),
    ]
    plan = reconcile(stored, wanted)
    assert [m.name for m in plan.added] == ["Improvement board 4"]
    assert [(row.id, changes) for row, changes in plan.updated] == [(1, {"date": date(2024, 1, 8)})]
    assert [row.id for row in plan.retired] == [5]
    shown = effective(stored, wanted, linked=set())
    assert [(m.id, m.name, m.date) for m in shown] == [
        (1, "Improvement board 1", date(2024, 1, 8)),
        (2, "Improvement board 2", date(2024, 2, 1)),  # the user's date wins
        (3, "Improvement board 3", date(2024, 3, 1)),
        (4, "Peer review", date(2024, 4, 1)),  # the user's own, never retired
        (None, "Improvement board 4", date(2024, 4, 8)),  # implied, not yet stored
    ]
    kept = effective(stored, wanted, linked={5})
    assert (kept[-1].id, kept[-1].user_set) == (5, True)  # actions link to it: kept as set
