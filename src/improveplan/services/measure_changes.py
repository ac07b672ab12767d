"""Correcting and removing measures (docs/design.md §2).

An update is checked as a whole — the terms after it must stand together (target on the
better side of the baseline, a percentage within 0–100, its recorded values too) — and
audited field by field; a removal records every field of the measure and of each of its
values as going to nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import delete, func, or_
from sqlmodel import Session, col, select

from improveplan.domain import measures
from improveplan.errors import ImproveplanError
from improveplan.services import audit, inputs
from improveplan.services.context import App
from improveplan.services.lookups import find_measure
from improveplan.services.measures import (
    CREATED_FIELDS,
    UNIT_LENGTH,
    check_terms,
    ensure_new,
)
from improveplan.store.models import Measure, MeasureValue


class NoDate(Enum):
    """`--baseline-date none`: the date is not known."""

    none = "none"


NO_DATE = NoDate.none


@dataclass(frozen=True, slots=True, kw_only=True)
class MeasureEdit:
    """What `measure update` asks to change (None: leave it)."""

    name: str | None = None
    unit: str | None = None
    baseline: float | None = None
    baseline_date: dt.date | NoDate | None = None
    target: float | None = None
    target_date: dt.date | NoDate | None = None
    higher_is_better: bool | None = None

    def values(self) -> dict[str, Any]:
        """The columns asked for, checked at the door."""
        asked: dict[str, Any] = {}
        if self.name is not None:
            asked["name"] = inputs.name(self.name, "the measure's name")
        if self.unit is not None:
            asked["unit"] = inputs.name(self.unit, "the unit", length=UNIT_LENGTH)
        for key, number in (("baseline", self.baseline), ("target", self.target)):
            if number is not None:
                asked[key] = inputs.number(number, f"the {key}")
        if self.higher_is_better is not None:
            asked["higher_is_better"] = self.higher_is_better
        for key, day in (("baseline_date", self.baseline_date), ("target_date", self.target_date)):
            if day is not None:
                asked[key] = None if day is NO_DATE else day
        return {k: asked[k] for k in CREATED_FIELDS if k in asked}  # the table's order


@dataclass(frozen=True, slots=True, kw_only=True)
class MeasureUpdated:
    """`measure update`: the measure's name after, and each change (field, old, new)."""

    name: str
    changes: list[tuple[str, Any, Any]]


@dataclass(frozen=True, slots=True, kw_only=True)
class MeasureRemoved:
    name: str
    values: int


def _check_values(session: Session, measure: Measure, unit: str) -> None:
    """A measure becoming a percentage must hold only percentages already."""
    if not measures.is_percent(unit) or measures.is_percent(measure.unit):
        return
    outside = session.exec(
        select(func.count()).where(
            col(MeasureValue.measure_id) == measure.id,
            or_(col(MeasureValue.value) < 0, col(MeasureValue.value) > 100),
        )
    ).one()
    if outside:
        raise ImproveplanError(
            f'{outside} recorded value{"s" if outside != 1 else ""} of "{measure.name}" '
            "lie outside 0–100, so its unit cannot be %",
            "correct them with improveplan measure record NAME VALUE --date DATE first",
        )


def update_measure(app: App, *, name: str, edit: MeasureEdit) -> MeasureUpdated:
    """Correct a measure's terms; the result must stand together."""
    asked = edit.values()
    if not asked:
        raise ImproveplanError(
            f'nothing to change for measure "{name}"',
            "give --name, --unit, --baseline, --baseline-date, --target, --target-date "
            "or --higher-is-better/--lower-is-better",
        )
    with app.write() as session:
        plan = app.plan(session)
        assert plan.id is not None
        measure = find_measure(session, plan.id, name, lock=True)
        new = asked.get("name")
        if new is not None and new.lower() != measure.name.lower():
            ensure_new(session, plan.id, new)
        after = {k: asked.get(k, getattr(measure, k)) for k in CREATED_FIELDS}
        check_terms(
            unit=after["unit"], baseline=after["baseline"], target=after["target"],
            higher_is_better=after["higher_is_better"],
        )  # fmt: skip
        _check_values(session, measure, after["unit"])
        changes = audit.apply(
            session, actor=app.user, plan_id=plan.id, entity="measure", obj=measure,
            updates=asked,
        )  # fmt: skip
        return MeasureUpdated(
            name=measure.name, changes=[(k, old, new) for k, (old, new) in changes.items()]
        )


def remove_measure(app: App, *, name: str) -> MeasureRemoved:
    """Remove a measure and its values; every field of each is in the trail."""
    with app.write() as session:
        plan = app.plan(session)
        assert plan.id is not None
        measure = find_measure(session, plan.id, name, lock=True)
        assert measure.id is not None
        values = session.exec(
            select(MeasureValue)
            .where(col(MeasureValue.measure_id) == measure.id)
            .order_by(col(MeasureValue.date))
        ).all()
        for row in values:
            assert row.id is not None
            audit.record(
                session, actor=app.user, plan_id=plan.id, entity="measure_value",
                entity_id=row.id,
                changes={f: (getattr(row, f), None) for f in ("measure_id", "date", "value")},
            )  # fmt: skip
        audit.record(
            session, actor=app.user, plan_id=plan.id, entity="measure", entity_id=measure.id,
            changes={f: (getattr(measure, f), None) for f in CREATED_FIELDS},
        )  # fmt: skip
        stored, measure_id = measure.name, measure.id
        session.flush()
        session.expunge(measure)
        for row in values:
            session.expunge(row)
        session.execute(delete(MeasureValue).where(col(MeasureValue.measure_id) == measure_id))
        session.execute(delete(Measure).where(col(Measure.id) == measure_id))
        return MeasureRemoved(name=stored, values=len(values))
