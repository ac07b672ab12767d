"""Correcting and removing an inspection: its fields, its judgements, the whole record.

Every change is audited field by field, a removal as each field going to nothing, so the
history says what the inspection was. An inspection goes only while none of its
recommendations is answered by an action: removing it must never orphan the plan's work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from sqlalchemy import func
from sqlalchemy import select as sql_select
from sqlmodel import Session, SQLModel, col, select

from improveplan.domain.judgements import in_area_order
from improveplan.domain.vocab import Area, Grade, InspectionType
from improveplan.errors import Conflict, ImproveplanError
from improveplan.services import audit, inputs
from improveplan.services.context import App
from improveplan.services.inspections import (
    INSPECTION_FIELDS,
    LEAD,
    InspectionRecord,
    check_dates,
    follow_timeline,
    read_record,
)
from improveplan.services.lookups import find_inspection
from improveplan.services.recommendations import REC_FIELDS
from improveplan.store.models import (
    ActionRecommendation,
    Inspection,
    Judgement,
    Plan,
    Recommendation,
)

JUDGEMENT_FIELDS = ("inspection_id", "area", "grade")


@dataclass(frozen=True, slots=True, kw_only=True)
class InspectionChanges:
    """A correction of an inspection; None leaves a field as it is. `grades` sets (or
    adds) judgements; `ungraded` removes the judgements of those areas."""

    type: InspectionType | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    received: dt.date | None = None
    published: dt.date | None = None
    lead_inspector: str | None = None
    cleared: tuple[str, ...] = ()  # received, published or lead_inspector, set by mistake
    grades: dict[Area, Grade] = field(default_factory=dict)
    ungraded: tuple[Area, ...] = ()

    def given(self) -> dict[str, InspectionType | dt.date | str | None]:
        """The fields to change, by column name (None: emptied)."""
        values = {name: getattr(self, name) for name in INSPECTION_FIELDS}
        given = {name: value for name, value in values.items() if value is not None}
        return given | dict.fromkeys(self.cleared)


def record_removed(
    session: Session, app: App, plan_id: int, entity: str, obj: SQLModel, fields: Iterable[str]
) -> None:
    """A row about to be deleted: each field from its value to nothing."""
    audit.record(
        session,
        actor=app.user,
        plan_id=plan_id,
        entity=entity,
        entity_id=getattr(obj, "id"),  # noqa: B009 - every table has an integer id
        changes={name: (getattr(obj, name), None) for name in fields},
    )


def set_judgements(
    session: Session,
    app: App,
    plan_id: int,
    inspection: Inspection,
    grades: Mapping[Area, Grade],
    *,
    drop: Iterable[Area] = (),
) -> list[Area]:
    """Grades set, added or dropped, each audited; returns the areas that changed."""
    held = {
        j.area: j
        for j in session.exec(select(Judgement).where(Judgement.inspection_id == inspection.id))
    }
    changed: list[Area] = []
    for area, grade in in_area_order(grades).items():
        if area in held:
            updates = {"grade": grade}
            if audit.apply(session, actor=app.user, plan_id=plan_id, entity="judgement",
                           obj=held[area], updates=updates):  # fmt: skip
                changed.append(area)
            continue
        assert inspection.id is not None
        judgement = Judgement(inspection_id=inspection.id, area=area, grade=grade)
        session.add(judgement)
        audit.record_created(session, actor=app.user, plan_id=plan_id, entity="judgement",
                             obj=judgement, fields=JUDGEMENT_FIELDS)  # fmt: skip
        changed.append(area)
    for area in drop:
        if area in held and area not in grades:
            record_removed(session, app, plan_id, "judgement", held[area], JUDGEMENT_FIELDS)
            session.delete(held[area])
            changed.append(area)
    session.flush()
    return changed


def _locked(session: Session, plan: Plan, inspection_id: int) -> Inspection:
    """The plan's inspection, its row locked for the change (PostgreSQL)."""
    inspection = session.exec(
        select(Inspection)
        .where(Inspection.id == inspection_id, Inspection.plan_id == plan.id)
        .with_for_update()
    ).first()
    return inspection or find_inspection(session, plan, inspection_id)  # raises NotFound


def update_inspection(
    app: App, *, inspection_id: int, changes: InspectionChanges
) -> InspectionRecord:
    """Correct or complete an inspection (e.g. the received date once the report arrives)."""
    if changes.lead_inspector is not None:
        changes = replace(changes, lead_inspector=inputs.name(changes.lead_inspector, LEAD))
    updates = changes.given()
    if not updates and not changes.grades and not changes.ungraded:
        raise ImproveplanError(
            f"nothing to change for inspection {inspection_id}",
            "give --type, --start, --end, --received, --published, --lead-inspector,"
            " --grade or --no-grade",
        )
    with app.write() as session:
        plan = app.plan(session)
        assert plan.id is not None
        inspection = _locked(session, plan, inspection_id)
        final = {name: updates.get(name, getattr(inspection, name)) for name in INSPECTION_FIELDS}
        check_dates(final["start"], final["end"], final["received"], final["published"])
        audit.apply(session, actor=app.user, plan_id=plan.id, entity="inspection",
                    obj=inspection, updates=updates)  # fmt: skip
        set_judgements(session, app, plan.id, inspection, changes.grades, drop=changes.ungraded)
        follow_timeline(session, app, plan)
        return read_record(session, inspection)


@dataclass(frozen=True, slots=True, kw_only=True)
class RemovedInspection:
    """What `inspection remove` took away."""

    id: int
    type: InspectionType
    start: dt.date | None
    end: dt.date | None
    judgements: int
    recommendations: list[str]


def _answered(session: Session, inspection_id: int) -> list[tuple[str, int]]:
    """The inspection's recommendations that actions answer, with how many (in SQL)."""
    rows = session.execute(
        sql_select(col(Recommendation.ref), func.count())
        .join(
            ActionRecommendation,
            col(ActionRecommendation.recommendation_id) == col(Recommendation.id),
        )
        .where(col(Recommendation.inspection_id) == inspection_id)
        .group_by(col(Recommendation.ref), col(Recommendation.seq))
        .order_by(col(Recommendation.seq), col(Recommendation.ref))
    ).all()
    return [(str(ref), int(n)) for ref, n in rows]


def remove_inspection(app: App, *, inspection_id: int) -> RemovedInspection:
    """Remove an inspection entered by mistake, with its judgements and recommendations,
    only while no action answers any of them."""
    with app.write() as session:
        plan = app.plan(session)
        assert plan.id is not None
        inspection = _locked(session, plan, inspection_id)
        answered = _answered(session, inspection_id)
        if answered:
            listed = ", ".join(f"{ref} ({n})" for ref, n in answered)
            raise Conflict(
                f"inspection {inspection_id} has recommendations that actions answer: {listed}",
                "link those actions to other recommendations (action update REF --rec), or"
                " correct the inspection with inspection update",
            )
        judgements = session.exec(
            select(Judgement).where(Judgement.inspection_id == inspection_id)
        ).all()
        recs = session.exec(
            select(Recommendation)
            .where(Recommendation.inspection_id == inspection_id)
            .order_by(col(Recommendation.seq), col(Recommendation.ref))
        ).all()
        removed = RemovedInspection(
            id=inspection_id, type=inspection.type, start=inspection.start, end=inspection.end,
            judgements=len(judgements), recommendations=[r.ref for r in recs],
        )  # fmt: skip
        for rows, entity, fields in (
            (judgements, "judgement", JUDGEMENT_FIELDS),
            (recs, "recommendation", REC_FIELDS),
            ([inspection], "inspection", INSPECTION_FIELDS),
        ):
            for row in rows:
                record_removed(session, app, plan.id, entity, row, fields)
                session.delete(row)
            session.flush()
        follow_timeline(session, app, plan)
        return removed
