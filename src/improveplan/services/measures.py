"""Measures (KPIs): baseline, target, direction and dated values (docs/design.md §2).

Boards judge an improvement plan by whether its measures move, not only by RAG; the
status dashboard, the board report and the XLSX export read `MeasureRecord`s made by
`measure_record`, so every view agrees on the latest value and whether it is on track.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from improveplan.domain import measures
from improveplan.domain.measures import MeasureRecord, measure_record
from improveplan.errors import Conflict, ImproveplanError
from improveplan.services import audit, inputs
from improveplan.services.context import App
from improveplan.services.lookups import find_measure, named
from improveplan.store.models import Measure, MeasureValue

UNIT_LENGTH = 40  # store/models.py
CREATED_FIELDS = (
    "name",
    "unit",
    "baseline",
    "baseline_date",
    "target",
    "target_date",
    "higher_is_better",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedValue:
    """`measure record`: the value now held for the date, and the one it replaced."""

    name: str
    date: dt.date
    value: float
    previous: float | None


def ensure_new(session: Session, plan_id: int, name: str) -> None:
    taken = named(session, Measure, name, col(Measure.plan_id) == plan_id)
    if taken is not None:
        raise Conflict(f'a measure named "{taken.name}" already exists', "choose another name")


def check_terms(*, unit: str, baseline: float, target: float, higher_is_better: bool) -> None:
    """Refuse terms that cannot stand together (domain/measures.py), in one line."""
    problem = measures.terms_problem(
        unit=unit, baseline=baseline, target=target, higher_is_better=higher_is_better
    )
    if problem is not None:
        raise ImproveplanError(problem.what, problem.todo)


def _checked_value(measure: Measure, value: float, percent: bool) -> None:
    """A value typed `21%` belongs to a % measure; a % measure's value lies in 0–100."""
    if percent and not measures.is_percent(measure.unit):
        raise ImproveplanError(
            f'{value:g}% is a percentage, but "{measure.name}" counts {measure.unit}',
            "give the value without %",
        )
    problem = measures.percent_problem(measure.unit, value, "the value")
    if problem is not None:
        raise ImproveplanError(problem.what, problem.todo)


def add_measure(
    app: App,
    *,
    name: str,
    unit: str,
    baseline: float,
    target: float,
    baseline_date: dt.date | None = None,
    target_date: dt.date | None = None,
    lower_is_better: bool = False,
) -> MeasureRecord:
    """Add a measure to the current plan; names are unique in a plan."""
    name = inputs.name(name, "the measure's name")
    unit = inputs.name(unit, "the unit", length=UNIT_LENGTH)
    baseline = inputs.number(baseline, "the baseline")
    target = inputs.number(target, "the target")
    check_terms(unit=unit, baseline=baseline, target=target, higher_is_better=not lower_is_better)
    with app.write() as session:
        plan = app.plan(session)
        assert plan.id is not None
        ensure_new(session, plan.id, name)
        measure = Measure(
            plan_id=plan.id,
            name=name,
            unit=unit,
            baseline=baseline,
            baseline_date=baseline_date,
            target=target,
            target_date=target_date,
            higher_is_better=not lower_is_better,
        )
        session.add(measure)
        audit.record_created(
            session,
            actor=app.user,
            plan_id=plan.id,
            entity="measure",
            obj=measure,
            fields=CREATED_FIELDS,
        )
        return measure_record(measure, None)


def record_value(
    app: App, *, name: str, value: float, on: dt.date, percent: bool = False
) -> RecordedValue:
    """Record the value on a date; a second value for the same date replaces the first.
    `percent`: it was typed with a % sign (`21%`), which only a % measure takes."""
    value = inputs.number(value, "the value")
    with app.write() as session:
        plan = app.plan(session)
        assert plan.id is not None
        measure = find_measure(session, plan.id, name)
        assert measure.id is not None
        _checked_value(measure, value, percent)
        existing = session.exec(
            select(MeasureValue)
            .where(col(MeasureValue.measure_id) == measure.id, col(MeasureValue.date) == on)
            .with_for_update()
        ).first()
        if existing is None:
            row = MeasureValue(measure_id=measure.id, date=on, value=value)
            session.add(row)
            audit.record_created(
                session,
                actor=app.user,
                plan_id=plan.id,
                entity="measure_value",
                obj=row,
                fields=("measure_id", "date", "value"),
            )
            previous = None
        else:
            previous = existing.value
            audit.apply(
                session,
                actor=app.user,
                plan_id=plan.id,
                entity="measure_value",
                obj=existing,
                updates={"value": value},
            )
        return RecordedValue(name=measure.name, date=on, value=value, previous=previous)


def measure_rows(session: Session, *, plan_id: int, as_of: dt.date) -> list[MeasureRecord]:
    """Every measure of the plan with its latest value on or before `as_of` (one query)."""
    latest_day = (
        select(
            col(MeasureValue.measure_id).label("measure_id"),
            func.max(col(MeasureValue.date)).label("day"),
        )
        .where(col(MeasureValue.date) <= as_of)
        .group_by(col(MeasureValue.measure_id))
        .subquery()
    )
    stmt = (
        select(Measure, col(MeasureValue.date), col(MeasureValue.value))
        .outerjoin(latest_day, latest_day.c.measure_id == col(Measure.id))
        .outerjoin(
            MeasureValue,
            (col(MeasureValue.measure_id) == col(Measure.id))
            & (col(MeasureValue.date) == latest_day.c.day),
        )
        .where(col(Measure.plan_id) == plan_id)
        .order_by(col(Measure.name))
    )
    return [
        measure_record(measure, (day, value) if day is not None else None)
        for measure, day, value in session.exec(stmt).all()
    ]


def list_measures(app: App, *, as_of: dt.date) -> list[MeasureRecord]:
    """The plan's measures, each with its latest value on or before `as_of`."""
    with app.read() as session:
        plan = app.plan(session)
        assert plan.id is not None
        return measure_rows(session, plan_id=plan.id, as_of=as_of)
