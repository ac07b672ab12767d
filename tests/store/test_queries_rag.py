"""The RAG computed in SQL (store.queries) agrees with its definition, domain.rag, on both
databases.

Every status × due offset (-20..+20 days around as-of, covering today and both edges of
each amber window tried, plus no due date) × original due (the same, slipped later,
brought forward, none) × every override (each colour and none) is written as one action,
then read back through action_rows for several amber windows; the counts, the RAG and
overdue filters are checked against the same rows.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from enum import Enum

import pytest
from sqlmodel import Session

from improveplan.domain.rag import (
    Rag,
    RagThresholds,
    Status,
    compute_rag,
    days_overdue,
    effective_rag,
)
from improveplan.domain.records import ActionRow
from improveplan.store import queries
from improveplan.store.engine import make_engine, to_url
from improveplan.store.models import Action, Plan

AS_OF = dt.date(2025, 3, 31)
OFFSETS: list[int | None] = [*range(-20, 21), None]
AMBER_WINDOWS = (14, 0, 1, 7, 20)


class Origin(Enum):
    """How the original due date stands to the current one."""

    same = 0
    slipped = 7  # due moved later: amber while open
    brought_forward = -7  # due moved earlier: not slipped
    none = None


OVERRIDES: list[Rag | None] = [None, *Rag]
Case = tuple[Status, int | None, Origin, Rag | None]


def _cases() -> list[Case]:
    return list(itertools.product(Status, OFFSETS, Origin, OVERRIDES))


def _dates(offset: int | None, origin: Origin) -> tuple[dt.date | None, dt.date | None]:
    due = None if offset is None else AS_OF + dt.timedelta(days=offset)
    if due is None or origin is Origin.none:
        return due, None
    return due, due - dt.timedelta(days=origin.value)


def _write(session: Session) -> int:
    plan = Plan(name="P", authority="A")
    session.add(plan)
    session.flush()
    assert plan.id is not None
    for seq, (status, offset, origin, override) in enumerate(_cases()):
        due, original = _dates(offset, origin)
        session.add(
            Action(
                plan_id=plan.id,
                ref=str(seq),
                seq=seq,
                title="t",
                status=status,
                due=due,
                original_due=original,
                rag_override=override,
                rag_override_reason="why" if override else None,
            )
        )
    session.commit()
    return plan.id


@pytest.fixture
def plan_session(db_url: str) -> Iterator[tuple[Session, int]]:
    engine = make_engine(to_url(db_url))
    with Session(engine) as session:
        yield session, _write(session)
    engine.dispose()


def test_the_cases_cover_every_branch_of_the_rule() -> None:
    """Guard the grid itself: each colour, and no RAG, is reached computed and effective."""
    computed = set()
    for status, offset, origin, override in _cases():
        due, original = _dates(offset, origin)
        rag = compute_rag(status=status, due=due, original_due=original, as_of=AS_OF)
        computed.add(rag)
        assert effective_rag(rag, override) in {*Rag, None}
    assert computed == {*Rag, None}


def test_sql_rag_agrees_with_domain(plan_session: tuple[Session, int]) -> None:
    session, plan_id = plan_session
    for amber_days in AMBER_WINDOWS:
        rows = queries.action_rows(session, plan_id=plan_id, as_of=AS_OF, amber_days=amber_days)
        by_ref = {row.ref: row for row in rows}
        assert len(by_ref) == len(_cases())
        for seq, (status, offset, origin, override) in enumerate(_cases()):
            row = by_ref[str(seq)]
            due, original = _dates(offset, origin)
            assert (row.status, row.due, row.original_due) == (status, due, original)
            computed = compute_rag(
                status=status,
                due=due,
                original_due=original,
                as_of=AS_OF,
                thresholds=RagThresholds(amber_days=amber_days),
            )
            case = (status, offset, origin, override, amber_days)
            assert row.rag_computed == computed, case
            assert row.rag == effective_rag(computed, override), case
            assert row.days_overdue == days_overdue(status=status, due=due, as_of=AS_OF), case
            assert row.overridden == (row.rag != row.rag_computed), case


def test_sql_counts_and_filters_agree_with_the_rows(plan_session: tuple[Session, int]) -> None:
    session, plan_id = plan_session
    for amber_days in (14, 0):

        def listed(
            flt: queries.ActionFilter | None = None, days: int = amber_days
        ) -> list[ActionRow]:
            return queries.action_rows(
                session, plan_id=plan_id, as_of=AS_OF, amber_days=days, flt=flt
            )

        rows = listed()
        (totals,) = queries.rag_counts(session, plan_id=plan_id, as_of=AS_OF, amber_days=amber_days)
        counted = [r for r in rows if r.status != Status.cancelled]
        for colour in Rag:
            case = (colour, amber_days)
            assert totals.of(colour) == sum(r.rag == colour for r in counted), case
            filtered = listed(queries.ActionFilter(rag=colour))
            assert {r.ref for r in filtered} == {r.ref for r in rows if r.rag == colour}, case
        assert totals.total == len(counted)
        done = (Status.complete, Status.signed_off)
        assert totals.complete == sum(r.status in done for r in rows)
        overdue = listed(queries.ActionFilter(overdue=True))
        assert {r.ref for r in overdue} == {r.ref for r in rows if r.days_overdue > 0}
        assert totals.overdue == len(overdue)


def test_as_of_at_the_end_of_the_calendar_does_not_overflow(
    plan_session: tuple[Session, int],
) -> None:
    session, plan_id = plan_session
    last = dt.date(9999, 12, 30)
    rows = queries.action_rows(session, plan_id=plan_id, as_of=last, amber_days=14)
    (totals,) = queries.rag_counts(session, plan_id=plan_id, as_of=last, amber_days=14)
    for row in rows:
        computed = compute_rag(
            status=row.status, due=row.due, original_due=row.original_due, as_of=last
        )
        assert row.rag_computed == computed, row.ref
    assert {r.rag_computed for r in rows if r.status == Status.not_started} == {
        Rag.red,
        Rag.green,
    }
    assert totals.total == sum(r.status != Status.cancelled for r in rows)


def test_groupings_are_checked_by_name() -> None:
    assert [queries.grouping(name) for name in (None, *queries.GROUPINGS)] == [
        None,
        "theme",
        "owner",
        "recommendation",
    ]
    with pytest.raises(ValueError, match="cannot group by 'colour'"):
        queries.grouping("colour")
