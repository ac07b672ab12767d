"""new_actions: the warning every way in gives for an action due after its milestone, and
the refs a new action may not take (removed ones too)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session

from improveplan.domain.vocab import Status
from improveplan.services import new_actions
from improveplan.services.new_actions import Link, NewAction
from improveplan.store.engine import make_engine, to_url
from improveplan.store.models import Milestone, Plan, RemovedAction

AT = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
JUNE = dt.date(2025, 6, 30)


@pytest.mark.parametrize(
    ("status", "due", "late"),
    [
        (Status.not_started, dt.date(2025, 7, 1), True),
        (Status.blocked, dt.date(2025, 7, 1), True),
        (Status.not_started, JUNE, False),
        (Status.complete, dt.date(2025, 7, 1), False),
        (Status.cancelled, dt.date(2025, 7, 1), False),
        (Status.in_progress, None, False),
    ],
)
def test_late_for_milestone(status: Status, due: dt.date | None, late: bool) -> None:
    assert new_actions.late_for_milestone(status, due, JUNE) is late
    assert new_actions.late_for_milestone(status, due, None) is False


def _new(ref: str, due: dt.date | None, milestone: Link | None) -> NewAction:
    return NewAction(
        ref=ref, seq=1, title="t", owner=None, due=due, original_due=due, created_at=AT,
        milestone=milestone,
    )  # fmt: skip


def test_milestone_warnings_and_refs_of_a_batch(db_url: str) -> None:
    engine = make_engine(to_url(db_url))
    with Session(engine) as session:
        plan = Plan(name="P", authority="A")
        session.add(plan)
        session.flush()
        assert plan.id is not None
        board = Milestone(plan_id=plan.id, name="Board", date=JUNE)
        session.add(board)
        session.add(
            RemovedAction(plan_id=plan.id, ref="7", title="t", reason="r", actor="a", action_id=9)
        )
        session.flush()
        assert board.id is not None
        link = Link(board.id, "Board")
        batch = [
            _new("1", dt.date(2025, 7, 31), link),
            _new("2", JUNE, link),
            _new("3", dt.date(2025, 8, 1), None),
            _new("4", dt.date(2025, 9, 1), link),
        ]
        assert new_actions.milestone_warnings(session, batch) == [
            'action 1 is due 2025-07-31, after its milestone "Board" on 2025-06-30 — '
            "bring the due date forward or link it to a later milestone",
            'action 4 is due 2025-09-01, after its milestone "Board" on 2025-06-30 — '
            "bring the due date forward or link it to a later milestone",
        ]
        assert new_actions.plan_refs(session, plan.id) == ["7"]
        found = new_actions.removed_action(session, plan.id, "7")
        assert found is not None and found.reason == "r"
        session.rollback()
    engine.dispose()
