"""Inspections: the Ofsted visit a plan answers, its judgements and its recommendations.

The vocabulary and how people spell it (grades, areas, types) is `domain.judgements`;
this module writes and reads it, and returns the inspection JSON of docs/design.md §3 as
an `InspectionRecord`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from improveplan.domain.judgements import (
    in_area_order,
    parse_area,
    parse_grade,
    parse_inspection_type,
)
from improveplan.domain.vocab import Area, Grade, InspectionType
from improveplan.errors import ImproveplanError
from improveplan.services import audit, inputs, milestones
from improveplan.services.context import App
from improveplan.services.lookups import find_inspection
from improveplan.store.models import Inspection, Judgement, Plan, Recommendation

INSPECTION_FIELDS = ("type", "start", "end", "received", "published", "lead_inspector")
LEAD = "the lead inspector's name"


@dataclass(frozen=True, slots=True, kw_only=True)
class RecommendationText:
    """A recommendation as an inspection lists it: its reference and Ofsted's words."""

    ref: str
    text: str
    priority: bool = False  # under "Priority and immediate action" (SIF reports)


@dataclass(frozen=True, slots=True)
class LscbText:
    """A SIF report's recommendation to its Local Safeguarding Children Board."""

    text: str


def framework(type_: InspectionType) -> str:
    """The framework an inspection was judged under: SIF (2013–2018) or ILACS."""
    return "sif" if type_ is InspectionType.sif else "ilacs"


def lscb_column(texts: Sequence[str]) -> str | None:
    """The LSCB's recommendations as `inspection.lscb_recommendations` holds them."""
    return "\n".join(texts) or None


@dataclass(frozen=True, slots=True, kw_only=True)
class InspectionRecord:
    """The inspection JSON of docs/design.md §3; `id` is None for a dry-run import."""

    id: int | None
    type: InspectionType
    start: dt.date | None
    end: dt.date | None
    received: dt.date | None
    published: dt.date | None
    lead_inspector: str | None
    judgements: dict[Area, Grade]  # in area order: the JSON object of §3
    recommendations: list[RecommendationText]
    framework: str  # "sif" or "ilacs", from the type
    lscb_recommendations: list[LscbText]

    @property
    def overall(self) -> Grade | None:
        return self.judgements.get(Area.overall_effectiveness)


@dataclass(frozen=True, slots=True, kw_only=True)
class InspectionFields:
    """What is known of an inspection before it is written (typed in, or from a report)."""

    type: InspectionType
    start: dt.date
    end: dt.date
    received: dt.date | None = None
    published: dt.date | None = None
    lead_inspector: str | None = None


def as_record(
    source: Inspection | InspectionFields,
    *,
    judgements: Mapping[Area, Grade],
    recommendations: Sequence[RecommendationText],
    lscb: Sequence[str] | None = None,
) -> InspectionRecord:
    """The §3 record; the LSCB's recommendations are the inspection's unless given."""
    if lscb is None:
        held = source.lscb_recommendations if isinstance(source, Inspection) else None
        lscb = (held or "").splitlines()
    return InspectionRecord(
        id=source.id if isinstance(source, Inspection) else None,
        type=source.type,
        start=source.start,
        end=source.end,
        received=source.received,
        published=source.published,
        lead_inspector=source.lead_inspector,
        judgements=in_area_order(judgements),
        recommendations=list(recommendations),
        framework=framework(source.type),
        lscb_recommendations=[LscbText(text) for text in lscb],
    )


def check_dates(
    start: dt.date | None,
    end: dt.date | None,
    received: dt.date | None = None,
    published: dt.date | None = None,
) -> None:
    """Dates that cannot all be true: fieldwork ending before it starts, or a report
    received or published before fieldwork ended (its 70 working days would start early)."""
    if start is not None and end is not None and end < start:
        raise ImproveplanError(
            f"the inspection ends ({end.isoformat()}) before it starts ({start.isoformat()})",
            "check --start and --end",
        )
    for name, day in (("received", received), ("published", published)):
        if day is not None and end is not None and day < end:
            raise ImproveplanError(
                f"the report was {name} ({day.isoformat()}) before fieldwork ended"
                f" ({end.isoformat()})",
                f"check --{name} and the fieldwork dates",
            )


def create(
    session: Session,
    app: App,
    plan: Plan,
    fields: InspectionFields,
    judgements: Mapping[Area, Grade],
) -> Inspection:
    """Write an inspection and its judgements, auditing every field."""
    assert plan.id is not None
    values = {name: getattr(fields, name) for name in INSPECTION_FIELDS}
    inspection = Inspection(plan_id=plan.id, **values)
    session.add(inspection)
    audit.record_created(
        session,
        actor=app.user,
        plan_id=plan.id,
        entity="inspection",
        obj=inspection,
        fields=INSPECTION_FIELDS,
    )
    assert inspection.id is not None
    for area, grade in in_area_order(judgements).items():
        judgement = Judgement(inspection_id=inspection.id, area=area, grade=grade)
        session.add(judgement)
        audit.record_created(
            session,
            actor=app.user,
            plan_id=plan.id,
            entity="judgement",
            obj=judgement,
            fields=("inspection_id", "area", "grade"),
        )
    follow_timeline(session, app, plan)
    milestones.visit_held(app, session, plan, inspection)  # a visit held: not expected now
    return inspection


def follow_timeline(session: Session, app: App, plan: Plan) -> None:
    """Received dates and grades drive the default milestones: keep them in step now."""
    from improveplan.services.timeline import refresh_plan

    session.flush()
    refresh_plan(app, session, plan)


def add_inspection(
    app: App,
    *,
    type: InspectionType,
    start: dt.date,
    end: dt.date,
    received: dt.date | None = None,
    published: dt.date | None = None,
    lead_inspector: str | None = None,
    judgements: Mapping[Area, Grade] | None = None,
    lscb: Sequence[str] = (),
) -> InspectionRecord:
    """Record an inspection of the current plan with its judgements (and a SIF report's
    LSCB recommendations, kept apart from the plan's as `import-report` keeps them)."""
    check_dates(start, end, received, published)
    # A caller's plain strings (the demo's JSON) are read as the command line reads them.
    fields = InspectionFields(
        type=parse_inspection_type(type),
        start=start,
        end=end,
        received=received,
        published=published,
        lead_inspector=inputs.optional_name(lead_inspector, LEAD),
    )
    grades = {parse_area(area): parse_grade(grade) for area, grade in (judgements or {}).items()}
    with app.write() as session:
        inspection = create(session, app, app.plan(session), fields, grades)
        if lscb:
            updates = {"lscb_recommendations": lscb_column(lscb)}
            audit.apply(session, actor=app.user, plan_id=inspection.plan_id,
                        entity="inspection", obj=inspection, updates=updates)  # fmt: skip
        return as_record(inspection, judgements=grades, recommendations=[], lscb=lscb)


def _details(
    session: Session, inspection_ids: Sequence[int]
) -> tuple[dict[int, dict[Area, Grade]], dict[int, list[RecommendationText]]]:
    """Judgements and recommendations of several inspections in two queries."""
    grades: dict[int, dict[Area, Grade]] = defaultdict(dict)
    recs: dict[int, list[RecommendationText]] = defaultdict(list)
    if not inspection_ids:
        return grades, recs
    for j in session.exec(
        select(Judgement).where(col(Judgement.inspection_id).in_(inspection_ids))
    ).all():
        grades[j.inspection_id][j.area] = j.grade
    rows = session.exec(
        select(Recommendation)
        .where(col(Recommendation.inspection_id).in_(inspection_ids))
        .order_by(col(Recommendation.seq), col(Recommendation.ref))
    ).all()
    for rec in rows:
        assert rec.inspection_id is not None
        recs[rec.inspection_id].append(
            RecommendationText(ref=rec.ref, text=rec.text, priority=rec.priority_action)
        )
    return grades, recs


def read_record(session: Session, inspection: Inspection) -> InspectionRecord:
    """One inspection's record with its judgements and recommendations."""
    assert inspection.id is not None
    grades, recs = _details(session, [inspection.id])
    return as_record(
        inspection, judgements=grades[inspection.id], recommendations=recs[inspection.id]
    )


def list_inspections(app: App) -> list[InspectionRecord]:
    """Every inspection of the plan, oldest fieldwork first."""
    with app.read() as session:
        plan = app.plan(session)
        inspections = session.exec(
            select(Inspection)
            .where(Inspection.plan_id == plan.id)
            .order_by(col(Inspection.start), col(Inspection.id))
        ).all()
        ids = [i.id for i in inspections if i.id is not None]
        grades, recs = _details(session, ids)
        return [
            as_record(i, judgements=grades[i.id or 0], recommendations=recs[i.id or 0])
            for i in inspections
        ]


def show_inspection(app: App, *, inspection_id: int) -> InspectionRecord:
    """One inspection of the plan, or NotFound pointing at `inspection list`."""
    with app.read() as session:
        return read_record(session, find_inspection(session, app.plan(session), inspection_id))
