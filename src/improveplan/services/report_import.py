"""`inspection import-report`: a report's inspection, judgements and recommendations, meeting
what the plan already holds.

- A report already in the plan (same type and fieldwork dates) is refused: importing it
  twice made a second inspection. `--replace` re-reads it into the same rows — fields,
  judgements, recommendations' text by number — so the actions and their links stay.
- A tracker imported first leaves recommendations with their ref only (`REC_TEXT`). The
  report then fills them in by number (R1 is the first item under "What needs to
  improve"), with the theme their actions share, instead of adding R9–R16 beside them.
- A dry run works all of it out on a read transaction and says what it would do.
- A SIF report's recommendations under "Priority and immediate action" are marked
  priority actions; its LSCB's recommendations are kept with the inspection, and become
  plan recommendations after the local authority's only with `include_lscb`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from dataclasses import replace as replace_fields
from typing import TYPE_CHECKING

from sqlalchemy import func
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from improveplan.domain.inputs import folded
from improveplan.domain.judgements import area_words, in_area_order
from improveplan.domain.vocab import Area, Grade
from improveplan.errors import Conflict, ImproveplanError
from improveplan.services import audit, inputs
from improveplan.services.context import App
from improveplan.services.inspection_changes import set_judgements
from improveplan.services.inspections import (
    INSPECTION_FIELDS,
    LEAD,
    InspectionFields,
    InspectionRecord,
    RecommendationText,
    as_record,
    check_dates,
    create,
    follow_timeline,
    lscb_column,
    read_record,
)
from improveplan.services.recommendations import create_recommendation, next_rec_number
from improveplan.services.report_target import NewPlan, target_plan
from improveplan.services.tracker_import import REC_TEXT
from improveplan.store.models import (
    Action,
    ActionRecommendation,
    Inspection,
    Judgement,
    Plan,
    Recommendation,
)

if TYPE_CHECKING:
    from improveplan.domain.ofsted_report import ParsedReport


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportImport:
    """What an import did (or, on a dry run, would do); `inspection` is the §3 JSON."""

    inspection: InspectionRecord
    dry_run: bool
    replaces: int | None = None  # --replace: the inspection re-read
    filled: list[str] = field(default_factory=list)  # ref-only recommendations given text
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # --replace: what was corrected
    kept_actions: int = 0  # --replace: actions answering the inspection's recommendations
    left: list[str] = field(default_factory=list)  # recommendations the report did not reach
    authority: str | None = None  # the local authority the report names
    new_plan: NewPlan | None = None  # --create-plan: the plan made (or that would be)
    no_plan: bool = False  # a dry run before the plan exists (and without --create-plan)
    suggested: NewPlan | None = None  # then what --create-plan would make


@dataclass(frozen=True)
class _Report:
    """The report's items as the plan takes them: texts in order, SIF priority flags (None
    for ILACS), and the LSCB's recommendations kept with the inspection."""

    texts: list[str]
    flags: list[bool] | None
    lscb: list[str]


@dataclass
class _Step:
    """One report item: the recommendation it becomes (an existing row, or a new ref)."""

    ref: str
    text: str
    number: int  # its place in the report, from 1
    rec: Recommendation | None = None
    theme_id: int | None = None  # a theme to give a recommendation that has none
    priority: bool | None = None  # a SIF report's priority action, or not; None: ILACS


def _flag(steps: list[_Step], flags: list[bool] | None) -> list[_Step]:
    """Each step's priority from the report's (a SIF report's; ILACS ones say nothing)."""
    if flags is not None:
        for step in steps:
            step.priority = flags[step.number - 1]
    return steps


def _items(steps: list[_Step]) -> list[RecommendationText]:
    return [RecommendationText(ref=s.ref, text=s.text, priority=bool(s.priority)) for s in steps]


def _words(text: str) -> str:
    """Ofsted's words on one line, as `rec add` stores them (line breaks are layout)."""
    return " ".join(inputs.text(text, "recommendation's text").split())


def _same_report(session: Session, plan: Plan, fields: InspectionFields) -> Inspection | None:
    return session.exec(
        select(Inspection).where(
            Inspection.plan_id == plan.id,
            Inspection.type == fields.type,
            Inspection.start == fields.start,
            Inspection.end == fields.end,
        )
    ).first()


def _shared_themes(session: Session, rec_ids: Sequence[int]) -> dict[int, int]:
    """The one theme the actions answering each recommendation share, where they share one."""
    rows = session.execute(
        sql_select(col(ActionRecommendation.recommendation_id), col(Action.theme_id))
        .join(Action, col(Action.id) == col(ActionRecommendation.action_id))
        .where(
            col(ActionRecommendation.recommendation_id).in_(list(rec_ids) or [-1]),
            col(Action.theme_id).is_not(None),
        )
        .distinct()
    ).all()
    themes: dict[int, set[int]] = defaultdict(set)
    for rec_id, theme_id in rows:
        themes[int(rec_id)].add(int(theme_id))
    return {rec: next(iter(ids)) for rec, ids in themes.items() if len(ids) == 1}


def _with_themes(session: Session, steps: list[_Step]) -> None:
    """A recommendation without a theme takes the one its actions share."""
    bare = [s.rec.id for s in steps if s.rec is not None and s.rec.theme_id is None and s.rec.id]
    shared = _shared_themes(session, bare)
    for step in steps:
        if step.rec is not None and step.rec.id in shared and step.rec.theme_id is None:
            step.theme_id = shared[step.rec.id]


def _new_steps(session: Session, plan: Plan, texts: list[str]) -> tuple[list[_Step], list[str]]:
    """Each item's recommendation: R<n> filled in when the tracker left it ref-only, or
    added (as R<n> when free, while filling); else the next free number, as before."""
    recs = session.exec(
        select(Recommendation)
        .where(Recommendation.plan_id == plan.id)
        .order_by(col(Recommendation.seq), col(Recommendation.ref))
    ).all()
    ref_only = {folded(r.ref): r for r in recs if r.text == REC_TEXT and r.inspection_id is None}
    taken = {folded(r.ref) for r in recs}
    number = next_rec_number(session, plan)
    steps: list[_Step] = []
    for n, text in enumerate(texts, 1):
        own = f"r{n}"
        if own in ref_only:
            rec = ref_only[own]
            steps.append(_Step(ref=rec.ref, text=text, number=n, rec=rec))
            continue
        if not (ref_only and own not in taken):
            while f"r{number}" in taken:
                number += 1
            own = f"r{number}"
        taken.add(own)
        steps.append(_Step(ref=f"R{own[1:]}", text=text, number=n))
    reached = {folded(s.ref) for s in steps}
    left = [r.ref for key, r in ref_only.items() if key not in reached]
    _with_themes(session, steps)
    return steps, left


def _write_steps(
    session: Session, app: App, plan: Plan, inspection: Inspection, steps: list[_Step]
) -> None:
    """Fill or correct the existing recommendations in place (their ids, so their actions'
    links, unchanged) and add the new ones; every field audited."""
    assert plan.id is not None and inspection.id is not None
    for step in steps:
        if step.rec is None:
            create_recommendation(session, app, plan, ref=step.ref, text=step.text,
                                  inspection_id=inspection.id,
                                  priority_action=bool(step.priority))  # fmt: skip
            continue
        updates: dict[str, object] = {"text": step.text, "inspection_id": inspection.id}
        if step.priority is not None:
            updates["priority_action"] = step.priority
        if step.rec.text == REC_TEXT:  # the tracker's ref-only row: now in the report's order
            updates["seq"] = step.number
        if step.theme_id is not None:
            updates["theme_id"] = step.theme_id
        audit.apply(session, actor=app.user, plan_id=plan.id, entity="recommendation",
                    obj=step.rec, updates=updates)  # fmt: skip


def import_report(
    app: App,
    *,
    report: ParsedReport,
    received: dt.date | None = None,
    published: dt.date | None = None,
    dry_run: bool = False,
    replace: bool = False,
    create_plan: bool = False,
    include_lscb: bool = False,
) -> ReportImport:
    """The report into the plan in one transaction (a read one for a dry run); with
    `create_plan`, into a new plan made for the report's authority in that transaction;
    with `include_lscb`, a SIF report's LSCB recommendations become plan ones too."""
    fields = InspectionFields(
        type=report.type,
        start=report.start,
        end=report.end,
        received=received,
        published=published or report.published,
        lead_inspector=inputs.optional_name(report.lead_inspector, LEAD),
    )
    check_dates(fields.start, fields.end)
    lscb = [_words(text) for text in report.lscb_recommendations]
    texts = [_words(text) for text in report.recommendations] + (lscb if include_lscb else [])
    flags = None
    if report.framework == "sif":
        flags = [n < report.priority for n in range(len(texts))]
    report_items = _Report(texts=texts, flags=flags, lscb=lscb)
    with app.read() if dry_run else app.write() as session:
        target = target_plan(session, app, authority=report.local_authority,
                             create=create_plan, dry_run=dry_run)  # fmt: skip
        plan = target.plan
        same = None if plan is None else _the_inspection(session, plan, fields, replace)
        if plan is not None and same is not None:
            done = _replace(
                session, app, plan, same, fields, report.judgements, report_items, dry_run
            )
        else:
            check_dates(fields.start, fields.end, received, fields.published)
            done = _import_new(session, app, plan, fields, report.judgements, report_items, dry_run)
        return replace_fields(done, authority=report.local_authority, new_plan=target.new,
                              no_plan=plan is None and target.new is None,
                              suggested=target.suggested)  # fmt: skip


def _the_inspection(
    session: Session, plan: Plan, fields: InspectionFields, replace: bool
) -> Inspection | None:
    """The inspection this report is already, for --replace; refused either way round."""
    same = _same_report(session, plan, fields)
    what = f"{fields.type}, {fields.start} to {fields.end}"
    if same is not None and not replace:
        raise Conflict(
            f"this report is already in the plan as inspection {same.id} ({what})",
            "to read it again keeping its actions, add --replace (try --dry-run first)",
        )
    if same is None and replace:
        raise ImproveplanError(
            f'no inspection in plan "{plan.name}" is this report ({what})',
            "import it without --replace",
        )
    return same


def _import_new(
    session: Session,
    app: App,
    plan: Plan | None,
    fields: InspectionFields,
    grades: dict[Area, Grade],
    report: _Report,
    dry_run: bool,
) -> ReportImport:
    """A new inspection; its items fill the tracker's ref-only recommendations or are added.
    No plan (a dry run before it exists): nothing to meet, R1 on."""
    left: list[str] = []
    if plan is None:
        steps = [_Step(ref=f"R{n}", text=t, number=n) for n, t in enumerate(report.texts, 1)]
    else:
        steps, left = _new_steps(session, plan, report.texts)
    _flag(steps, report.flags)
    filled = [s.ref for s in steps if s.rec is not None]
    added = [s.ref for s in steps if s.rec is None]
    if dry_run:
        record = as_record(
            fields, judgements=grades, recommendations=_items(steps), lscb=report.lscb
        )
    else:
        assert plan is not None and plan.id is not None  # only a dry run goes without one
        inspection = create(session, app, plan, fields, grades)
        lscb = {"lscb_recommendations": lscb_column(report.lscb)}
        audit.apply(session, actor=app.user, plan_id=plan.id, entity="inspection",
                    obj=inspection, updates=lscb)  # fmt: skip
        _write_steps(session, app, plan, inspection, steps)
        session.flush()
        record = read_record(session, inspection)
    return ReportImport(inspection=record, dry_run=dry_run, filled=filled, added=added, left=left)


def _replace_steps(
    session: Session, plan: Plan, inspection: Inspection, texts: list[str]
) -> tuple[list[_Step], list[str]]:
    """The inspection's recommendations by number, then new ones; the refs left over."""
    own = session.exec(
        select(Recommendation)
        .where(Recommendation.inspection_id == inspection.id)
        .order_by(col(Recommendation.seq), col(Recommendation.ref))
    ).all()
    steps = [
        _Step(ref=r.ref, text=t, number=n, rec=r)
        for n, (r, t) in enumerate(zip(own, texts, strict=False), 1)
    ]
    first = next_rec_number(session, plan)
    steps += [
        _Step(ref=f"R{first + i}", text=text, number=len(own) + i + 1)
        for i, text in enumerate(texts[len(own) :])
    ]
    _with_themes(session, steps)
    return steps, [r.ref for r in own[len(texts) :]]


def _kept_actions(session: Session, inspection_id: int) -> int:
    """How many actions answer the inspection's recommendations (in SQL)."""
    return int(
        session.execute(
            sql_select(func.count(func.distinct(col(ActionRecommendation.action_id))))
            .join(
                Recommendation,
                col(Recommendation.id) == col(ActionRecommendation.recommendation_id),
            )
            .where(col(Recommendation.inspection_id) == inspection_id)
        ).scalar_one()
    )


def _changes(
    inspection: Inspection,
    updates: dict[str, object],
    held: dict[Area, Grade],
    grades: dict[Area, Grade],
    steps: list[_Step],
) -> list[str]:
    """What re-reading the report corrects, as a person reads it."""
    changed = [
        n.replace("_", " ").replace("lscb", "LSCB")
        for n, v in updates.items()
        if getattr(inspection, n) != v
    ]
    changed += [
        f"the {area_words(area)} judgement"
        for area in in_area_order({**held, **grades})
        if held.get(area) != grades.get(area)
    ]
    for step in steps:
        if step.rec is not None and step.rec.text != step.text:
            changed.append(f"{step.ref}'s text")
        if step.theme_id is not None:
            changed.append(f"{step.ref}'s theme")
        if step.rec is not None and step.priority not in (None, step.rec.priority_action):
            changed.append(f"{step.ref}'s priority")
    return changed


def _replace(
    session: Session,
    app: App,
    plan: Plan,
    inspection: Inspection,
    fields: InspectionFields,
    grades: dict[Area, Grade],
    report: _Report,
    dry_run: bool,
) -> ReportImport:
    """Re-read a report into its inspection: what differs is corrected, nothing removed."""
    assert plan.id is not None and inspection.id is not None
    fields = replace(  # the dates the report does not give are kept unless given
        fields,
        received=fields.received or inspection.received,
        published=fields.published or inspection.published,
    )
    check_dates(fields.start, fields.end, fields.received, fields.published)
    updates = {name: getattr(fields, name) for name in INSPECTION_FIELDS}
    updates["lscb_recommendations"] = lscb_column(report.lscb)
    judged = session.exec(select(Judgement).where(Judgement.inspection_id == inspection.id))
    held = {j.area: j.grade for j in judged}
    steps, left = _replace_steps(session, plan, inspection, report.texts)
    _flag(steps, report.flags)
    changed = _changes(inspection, updates, held, grades, steps)
    added = [s.ref for s in steps if s.rec is None]
    kept = _kept_actions(session, inspection.id)
    if dry_run:
        items = _items(steps)
        items += [r for r in read_record(session, inspection).recommendations if r.ref in left]
        result_record = as_record(
            fields, judgements=grades, recommendations=items, lscb=report.lscb
        )
    else:
        audit.apply(session, actor=app.user, plan_id=plan.id, entity="inspection",
                    obj=inspection, updates=updates)  # fmt: skip
        set_judgements(session, app, plan.id, inspection, grades, drop=held)
        _write_steps(session, app, plan, inspection, steps)
        follow_timeline(session, app, plan)
        result_record = read_record(session, inspection)
    return ReportImport(
        inspection=result_record, dry_run=dry_run, replaces=inspection.id, added=added,
        changed=changed, kept_actions=kept, left=left,
    )  # fmt: skip
