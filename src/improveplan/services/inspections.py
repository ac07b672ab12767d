"""Inspections: the Ofsted visit a plan answers, its judgements and its recommendations.

The vocabulary (types, areas, grades) lives here as plain data so the CLI can validate
`--grade AREA=GRADE` before any database work, accepting the spellings people type
("Requires improvement to be good", "RI", "requires-improvement").
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from improveplan.domain.vocab import Area, Grade
from improveplan.errors import ImproveplanError, NotFound
from improveplan.services import audit
from improveplan.services.context import App
from improveplan.store.models import Inspection, Judgement, Plan, Recommendation

if TYPE_CHECKING:
    from improveplan.domain.ofsted_report import ParsedReport

TYPES = ("standard", "short", "focused_visit", "monitoring_visit", "jtai", "other")
AREAS = (
    "impact_of_leaders",
    "help_and_protection",
    "children_in_care",
    "care_leavers",
    "overall_effectiveness",
    "children_in_care_and_care_leavers",
)
GRADES = ("outstanding", "good", "requires_improvement", "inadequate")
GRADE_LABELS = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement to be good",
    "inadequate": "Inadequate",
}
_GRADE_ALIASES = {
    "ri": "requires_improvement",
    "requires_improvement_to_be_good": "requires_improvement",
}
_AREA_ALIASES = {
    "overall": "overall_effectiveness",
    "the_impact_of_leaders": "impact_of_leaders",
    "impact_of_leaders_on_social_work_practice": "impact_of_leaders",
}
_SPLIT = {"children_in_care", "care_leavers"}
_COMBINED = "children_in_care_and_care_leavers"
INSPECTION_FIELDS = ("type", "start", "end", "received", "published", "lead_inspector")
_REC_NUMBER = re.compile(r"r(\d+)", re.IGNORECASE)


def _key(text: str) -> str:
    """ "Requires improvement-to be good" -> "requires_improvement_to_be_good"."""
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


def normalise_grade(text: str) -> str:
    """A grade as stored, from any usual spelling; ValueError naming the valid grades."""
    key = _key(text)
    key = _GRADE_ALIASES.get(key, key)
    if key not in GRADES:
        raise ValueError(f"unknown grade {text!r}: use one of {', '.join(GRADES)}")
    return key


def normalise_area(text: str) -> str:
    """A judgement area as stored; ValueError naming the valid areas."""
    key = _key(text)
    key = _AREA_ALIASES.get(key, key)
    if key not in AREAS:
        raise ValueError(f"unknown area {text!r}: use one of {', '.join(AREAS)}")
    return key


def parse_grades(pairs: Sequence[str]) -> dict[str, str]:
    """`AREA=GRADE` pairs as {area: grade}; ValueError for anything a report cannot hold."""
    judgements: dict[str, str] = {}
    for pair in pairs:
        area_text, sep, grade_text = pair.partition("=")
        if not sep:
            raise ValueError(f"{pair!r} is not AREA=GRADE, e.g. overall_effectiveness=inadequate")
        area = normalise_area(area_text)
        if area in judgements:
            raise ValueError(f"{area} is graded twice")
        judgements[area] = normalise_grade(grade_text)
    if _COMBINED in judgements and _SPLIT & judgements.keys():
        raise ValueError(
            f"grade either {_COMBINED} (reports before 2023) or children_in_care and "
            "care_leavers, not both"
        )
    return judgements


def inspection_json(
    inspection: Inspection | None,
    *,
    fields: Mapping[str, Any] | None = None,
    judgements: Mapping[str, str],
    recommendations: Sequence[tuple[str, str]],
) -> dict[str, Any]:
    """The JSON of docs/design.md §3; `fields` stands in for a row not written (dry run)."""
    values = fields
    if values is None:
        values = {name: getattr(inspection, name) for name in INSPECTION_FIELDS}
    ordered = {area: judgements[area] for area in AREAS if area in judgements}
    return {
        "id": inspection.id if inspection is not None else None,
        **{name: values[name] for name in INSPECTION_FIELDS},
        "judgements": ordered,
        "recommendations": [{"ref": ref, "text": text} for ref, text in recommendations],
    }


def _check_dates(start: dt.date | None, end: dt.date | None) -> None:
    if start is not None and end is not None and end < start:
        raise ImproveplanError(
            f"the inspection ends ({end.isoformat()}) before it starts ({start.isoformat()})",
            "check --start and --end",
        )


def _create(
    session: Session,
    app: App,
    plan: Plan,
    fields: Mapping[str, Any],
    judgements: Mapping[str, str],
) -> Inspection:
    """Write an inspection and its judgements, auditing every field."""
    assert plan.id is not None
    inspection = Inspection(plan_id=plan.id, **fields)
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
    for area in AREAS:
        if area not in judgements:
            continue
        judgement = Judgement(
            inspection_id=inspection.id, area=Area(area), grade=Grade(judgements[area])
        )
        session.add(judgement)
        audit.record_created(
            session,
            actor=app.user,
            plan_id=plan.id,
            entity="judgement",
            obj=judgement,
            fields=("inspection_id", "area", "grade"),
        )
    _follow_timeline(session, app, plan)
    return inspection


def _follow_timeline(session: Session, app: App, plan: Plan) -> None:
    """Received dates and grades drive the default milestones: keep them in step now."""
    from improveplan.services.timeline import refresh_plan

    session.flush()
    refresh_plan(app, session, plan)


def add_inspection(
    app: App,
    *,
    type: str,
    start: dt.date,
    end: dt.date,
    received: dt.date | None = None,
    published: dt.date | None = None,
    lead_inspector: str | None = None,
    judgements: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Record an inspection of the current plan with its judgements."""
    if type not in TYPES:
        raise ImproveplanError(
            f"unknown inspection type {type!r}", f"use one of {', '.join(TYPES)}"
        )
    _check_dates(start, end)
    fields = {
        "type": type,
        "start": start,
        "end": end,
        "received": received,
        "published": published,
        "lead_inspector": lead_inspector,
    }
    grades = dict(judgements or {})
    with app.write() as session:
        plan = app.plan(session)
        inspection = _create(session, app, plan, fields, grades)
        return inspection_json(inspection, judgements=grades, recommendations=[])


def next_rec_number(session: Session, plan_id: int) -> int:
    """One more than the highest `R<n>` reference in the plan (1 when there is none)."""
    refs = session.exec(select(Recommendation.ref).where(Recommendation.plan_id == plan_id)).all()
    numbers = [int(m.group(1)) for ref in refs if (m := _REC_NUMBER.fullmatch(ref))]
    return max(numbers, default=0) + 1


def _report_fields(
    report: ParsedReport, received: dt.date | None, published: dt.date | None
) -> dict[str, Any]:
    return {
        "type": report.type,
        "start": report.start,
        "end": report.end,
        "received": received,
        "published": published,
        "lead_inspector": report.lead_inspector,
    }


def import_report(
    app: App,
    *,
    report: ParsedReport,
    received: dt.date | None = None,
    published: dt.date | None = None,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Create the inspection, its judgements and its recommendations in one transaction.

    Recommendations take the next free `R` numbers of the plan. A dry run reads the plan
    (to number them) and writes nothing; its JSON has `id` null.
    """
    from improveplan.services.recommendations import create_recommendation

    _check_dates(report.start, report.end)
    fields = _report_fields(report, received, published)
    if dry_run:
        with app.read() as session:
            first = next_rec_number(session, _plan_id(app, session))
        refs = [(f"R{first + i}", text) for i, text in enumerate(report.recommendations)]
        return inspection_json(
            None, fields=fields, judgements=report.judgements, recommendations=refs
        )
    with app.write() as session:
        plan = app.plan(session)
        assert plan.id is not None
        inspection = _create(session, app, plan, fields, report.judgements)
        first = next_rec_number(session, plan.id)
        refs = []
        for i, text in enumerate(report.recommendations):
            rec = create_recommendation(
                session, app, plan, ref=f"R{first + i}", text=text, inspection_id=inspection.id
            )
            refs.append((rec.ref, rec.text))
        return inspection_json(inspection, judgements=report.judgements, recommendations=refs)


def _plan_id(app: App, session: Session) -> int:
    plan_id = app.plan(session).id
    assert plan_id is not None
    return plan_id


def _find(session: Session, plan: Plan, inspection_id: int) -> Inspection:
    found = session.exec(
        select(Inspection).where(Inspection.id == inspection_id, Inspection.plan_id == plan.id)
    ).first()
    if found is None:
        raise NotFound(
            f'no inspection {inspection_id} in plan "{plan.name}"',
            "see improveplan inspection list",
        )
    return found


def find_inspection(session: Session, plan: Plan, inspection_id: int) -> Inspection:
    """An inspection of this plan by id, or NotFound pointing at `inspection list`."""
    return _find(session, plan, inspection_id)


def _details(
    session: Session, inspection_ids: Sequence[int]
) -> tuple[dict[int, dict[str, str]], dict[int, list[tuple[str, str]]]]:
    """Judgements and recommendations of several inspections in two queries."""
    grades: dict[int, dict[str, str]] = defaultdict(dict)
    recs: dict[int, list[tuple[str, str]]] = defaultdict(list)
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
        recs[rec.inspection_id].append((rec.ref, rec.text))
    return grades, recs


def list_inspections(app: App) -> list[dict[str, Any]]:
    """Every inspection of the plan, oldest fieldwork first, in the JSON shape."""
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
            inspection_json(i, judgements=grades[i.id or 0], recommendations=recs[i.id or 0])
            for i in inspections
        ]


def update_inspection(
    app: App, *, inspection_id: int, changes: Mapping[str, Any]
) -> dict[str, Any]:
    """Correct or complete an inspection (e.g. the received date once the report arrives)."""
    updates = {k: v for k, v in changes.items() if v is not None}
    if not updates:
        raise ImproveplanError(
            f"nothing to change for inspection {inspection_id}",
            "give --received, --published, --lead-inspector, --start, --end or --type",
        )
    if "type" in updates and updates["type"] not in TYPES:
        raise ImproveplanError(
            f"unknown inspection type {updates['type']!r}", f"use one of {', '.join(TYPES)}"
        )
    with app.write() as session:
        plan = app.plan(session)
        inspection = session.exec(
            select(Inspection)
            .where(Inspection.id == inspection_id, Inspection.plan_id == plan.id)
            .with_for_update()
        ).first()
        if inspection is None:
            inspection = _find(session, plan, inspection_id)  # raises NotFound
        _check_dates(updates.get("start", inspection.start), updates.get("end", inspection.end))
        audit.apply(
            session,
            actor=app.user,
            plan_id=plan.id,
            entity="inspection",
            obj=inspection,
            updates=updates,
        )
        _follow_timeline(session, app, plan)
        assert inspection.id is not None
        grades, recs = _details(session, [inspection.id])
        return inspection_json(
            inspection, judgements=grades[inspection.id], recommendations=recs[inspection.id]
        )


def show_inspection(app: App, *, inspection_id: int) -> dict[str, Any]:
    with app.read() as session:
        inspection = _find(session, app.plan(session), inspection_id)
        assert inspection.id is not None
        grades, recs = _details(session, [inspection.id])
        return inspection_json(
            inspection, judgements=grades[inspection.id], recommendations=recs[inspection.id]
        )
