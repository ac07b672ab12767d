"""The RAG computed in SQL (store.queries) agrees with domain.rag on both databases.

Every status × due offset (-20..+20 days around as-of, and no due date) × slipped or
not × overridden or not is written as one action, then read back through action_rows.
"""

from __future__ import annotations

import datetime as dt
import itertools

from sqlmodel import Session

from improveplan.domain.rag import (
    Rag,
    RagThresholds,
    Status,
    compute_rag,
    days_overdue,
    effective_rag,
)
from improveplan.store import queries
from improveplan.store.engine import make_engine, to_url
from improveplan.store.models import Action, Plan

AS_OF = dt.date(2025, 3, 31)
OFFSETS: list[int | None] = [*range(-20, 21), None]


def _cases() -> list[tuple[Status, int | None, bool, Rag | None]]:
    return list(itertools.product(Status, OFFSETS, (False, True), (None, Rag.red, Rag.green)))


def _write(session: Session) -> int:
    plan = Plan(name="P", authority="A")
    session.add(plan)
    session.flush()
    assert plan.id is not None
    for seq, (status, offset, slipped, override) in enumerate(_cases()):
        due = None if offset is None else AS_OF + dt.timedelta(days=offset)
        original = due - dt.timedelta(days=7) if (slipped and due) else due
        session.add(
            Action(
                plan_id=plan.id,
                ref=str(seq),
                seq=seq,
                title="t",
                status=status.value,
                due=due,
                original_due=original,
                rag_override=override.value if override else None,
                rag_override_reason="why" if override else None,
            )
        )
    session.commit()
    return plan.id


def test_sql_rag_agrees_with_domain(db_url: str) -> None:
    engine = make_engine(to_url(db_url))
    with Session(engine) as session:
        plan_id = _write(session)
        for amber_days in (14, 0, 7):
            rows = queries.action_rows(session, plan_id=plan_id, as_of=AS_OF, amber_days=amber_days)
            by_ref = {row["ref"]: row for row in rows}
            assert len(by_ref) == len(_cases())
            for seq, (status, offset, slipped, override) in enumerate(_cases()):
                row = by_ref[str(seq)]
                computed = compute_rag(
                    status=status,
                    due=row["due"],
                    original_due=row["original_due"],
                    as_of=AS_OF,
                    thresholds=RagThresholds(amber_days=amber_days),
                )
                case = (status, offset, slipped, override, amber_days)
                assert row["rag_computed"] == computed, case
                assert row["rag"] == effective_rag(computed, override), case
                expected_days = days_overdue(status=status, due=row["due"], as_of=AS_OF)
                assert row["days_overdue"] == expected_days, case
                assert row["overridden"] == (row["rag"] != row["rag_computed"]), case
    engine.dispose()


def test_sql_counts_and_filters_agree_with_the_rows(db_url: str) -> None:
    engine = make_engine(to_url(db_url))
    with Session(engine) as session:
        plan_id = _write(session)
        rows = queries.action_rows(session, plan_id=plan_id, as_of=AS_OF)
        (totals,) = queries.rag_counts(session, plan_id=plan_id, as_of=AS_OF)
        counted = [r for r in rows if r["status"] != "cancelled"]
        for colour in ("blue", "green", "amber", "red"):
            assert totals[colour] == sum(r["rag"] == colour for r in counted), colour
            flt = queries.ActionFilter(rag=colour)
            filtered = queries.action_rows(session, plan_id=plan_id, as_of=AS_OF, flt=flt)
            assert len(filtered) == totals[colour], colour
        assert totals["total"] == len(counted)
        overdue = queries.action_rows(
            session, plan_id=plan_id, as_of=AS_OF, flt=queries.ActionFilter(overdue=True)
        )
        assert {r["ref"] for r in overdue} == {r["ref"] for r in rows if r["days_overdue"] > 0}
        assert totals["overdue"] == len(overdue)
    engine.dispose()


def test_as_of_at_the_end_of_the_calendar_does_not_overflow(db_url: str) -> None:
    engine = make_engine(to_url(db_url))
    last = dt.date(9999, 12, 30)
    with Session(engine) as session:
        plan_id = _write(session)
        rows = queries.action_rows(session, plan_id=plan_id, as_of=last, amber_days=14)
        (totals,) = queries.rag_counts(session, plan_id=plan_id, as_of=last, amber_days=14)
    engine.dispose()
    assert {r["rag_computed"] for r in rows if r["status"] == "not_started"} == {
        "red",
        "green",
    }
    assert totals["total"] == sum(r["status"] != "cancelled" for r in rows)
