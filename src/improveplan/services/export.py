"""The whole plan as one typed document (JSON export, XLSX and ICS sources) and action tables.

The document never mentions row ids: rows refer to each other by name or reference
(owner names, theme names, recommendation and action refs, inspections by their order),
so exporting, importing into another database and exporting again gives the same text.
Audit events name their subject by the same keys (`key`); an event whose subject no
longer exists keeps its raw `entity_id`. The sections' types are in io/export_json.py.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import Any, Literal, TypeVar

from sqlalchemy import Table, or_, select
from sqlmodel import Session, SQLModel, col

from improveplan.domain.measures import measure_record
from improveplan.domain.records import CellRows, Shape
from improveplan.domain.timeline import NoticeTerms
from improveplan.domain.vocab import Area, Grade
from improveplan.io.export_json import (
    ExportedAction,
    ExportedCount,
    ExportedInspection,
    ExportedMeasure,
    ExportedMilestone,
    ExportedNotification,
    ExportedPerson,
    ExportedPlan,
    ExportedRecommendation,
    ExportedRemovedAction,
    ExportedTheme,
    ExportedValue,
    PlanExport,
)
from improveplan.io.export_tabular import ActionLine, Sheet, sheets
from improveplan.serialize import record_keys
from improveplan.services import export_rows
from improveplan.services.context import App
from improveplan.services.export_rows import Keys, Names, Row
from improveplan.store import export_reads, queries
from improveplan.store.models import (
    Action,
    DailyCount,
    Inspection,
    Judgement,
    Measure,
    MeasureValue,
    Milestone,
    Notice,
    Notification,
    Person,
    Plan,
    Recommendation,
    RemovedAction,
    Theme,
)


def _columns(section: type, *references: str) -> tuple[str, ...]:
    """The keys of a section that are columns of its table (the rest refer to other rows)."""
    return tuple(key for key in record_keys(section) if key not in references)


# The table columns each section copies; the importer writes them back by these names.
ACTION_FIELDS = _columns(ExportedAction, "owner", "theme", "milestone", "recommendations", "notes")
MILESTONE_FIELDS = record_keys(ExportedMilestone)
NOTICE_FIELDS = record_keys(NoticeTerms)
MEASURE_FIELDS = _columns(ExportedMeasure, "values")
INSPECTION_FIELDS = _columns(ExportedInspection, "number", "judgements")
NOTIFICATION_FIELDS = record_keys(ExportedNotification)
PLAN_FIELDS = _columns(ExportedPlan, "lead")
REMOVED_FIELDS = record_keys(ExportedRemovedAction)
COUNT_FIELDS = record_keys(ExportedCount)
SENT = (Notification.sent_at, Notification.recipient, Notification.kind)  # their order
T = TypeVar("T")
Form = Literal["records", "rows"]  # build_document's large sections


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionExport:
    """`export --format csv`: the plan's name and its actions as the CSV shows them."""

    plan: str
    actions: Iterable[ActionLine]


def table(model: type[SQLModel]) -> Table:
    found: Table = model.__table__  # type: ignore[attr-defined]
    return found


def rows(
    session: Session, model: type[SQLModel], *where: Any, order: Sequence[Any] = ()
) -> list[Any]:
    """Plain row mappings (no ORM objects: fast at 100k actions)."""
    stmt = select(table(model)).where(*where).order_by(*order)
    return list(session.execute(stmt).mappings())


def _of_plan(session: Session, model: type[SQLModel], pid: int, *order: Any) -> list[Any]:
    """The rows of one plan in a table with a plan_id, in `order`."""
    return rows(session, model, table(model).c.plan_id == pid, order=order)


def build_document(session: Session, plan: Plan, *, stream: Form = "records") -> PlanExport:
    """Every entity of one plan, referenced by names and refs rather than row ids.

    With `stream="rows"` the actions and the audit trail are plain rows in their
    records' columns (CellRows) over the open cursor: the caller consumes them, in the
    document's order, before the session ends, so the JSON and XLSX writers never hold
    them whole nor build a record of each.
    """
    assert plan.id is not None
    pid = plan.id
    keys: Keys = {}
    keys[("plan", pid)] = plan.name
    people, names = _people(session, plan, keys)
    themes, theme_names = _themes(session, pid, names, keys)
    inspections, ordinals = _inspections(session, pid, keys)
    recommendations = _recommendations(session, pid, ordinals, theme_names, keys)
    milestones, milestone_names = _milestones(session, pid, keys)
    lookups = {"owner": names, "theme": theme_names, "milestone": milestone_names}
    actions = export_rows.action_rows(session, pid, lookups)
    removed = _removed(session, pid, keys)
    notice = _notice(session, pid, keys)
    measures = _measures(session, pid, keys)
    audit = export_rows.audit_rows(session, pid, keys)  # last: events name rows by the keys above
    return PlanExport(
        plan=ExportedPlan(
            **{k: getattr(plan, k) for k in PLAN_FIELDS}, lead=names.get(plan.lead_id or -1)
        ),
        people=people,
        themes=themes,
        inspections=inspections,
        recommendations=recommendations,
        milestones=milestones,
        actions=_section(actions, export_rows.ACTION_SHAPE, export_rows.action_record, stream),
        notice=notice,
        measures=measures,
        audit=_section(audit, export_rows.AUDIT_SHAPE, export_rows.audit_record, stream),
        notifications=[
            _row(ExportedNotification, n) for n in _of_plan(session, Notification, pid, *SENT)
        ],
        daily_counts=[
            _row(ExportedCount, c) for c in _of_plan(session, DailyCount, pid, DailyCount.day)
        ],
        removed_actions=removed,
    )


def _section(
    found: Iterator[Row], shape: Shape, record: Callable[[Row], T], form: Form
) -> list[T] | CellRows:
    """A large section's rows in the form asked for."""
    return CellRows(found, shape) if form == "rows" else list(map(record, found))


def _row(section: type[T], row: Mapping[str, Any], **references: Any) -> T:
    """A section's row from a table row: its columns by name, then what it refers to."""
    return section(**{k: row[k] for k in _columns(section, *references)}, **references)


def _people(session: Session, plan: Plan, keys: Keys) -> tuple[list[ExportedPerson], Names]:
    """The people the plan refers to: action owners, theme leads and the plan's lead."""
    owners = select(col(Action.owner_id)).where(col(Action.plan_id) == plan.id)
    leads = select(col(Theme.lead_id)).where(col(Theme.plan_id) == plan.id)
    found = rows(
        session,
        Person,
        or_(col(Person.id).in_(owners), col(Person.id).in_(leads), col(Person.id) == plan.lead_id),
        order=[col(Person.name)],
    )
    names = {p["id"]: p["name"] for p in found}
    keys.update({("person", i): n for i, n in names.items()})
    return [_row(ExportedPerson, p) for p in found], names


def _themes(
    session: Session, pid: int, people: Names, keys: Keys
) -> tuple[list[ExportedTheme], Names]:
    found = _of_plan(session, Theme, pid, Theme.name)
    names = {t["id"]: t["name"] for t in found}
    keys.update({("theme", i): n for i, n in names.items()})
    themes = [ExportedTheme(name=t["name"], lead=people.get(t["lead_id"])) for t in found]
    return themes, names


def _inspections(
    session: Session, pid: int, keys: Keys
) -> tuple[list[ExportedInspection], dict[int, int]]:
    found = _of_plan(session, Inspection, pid, Inspection.created_at, Inspection.id)
    ordinals = {i["id"]: n for n, i in enumerate(found, 1)}
    grades: dict[int, dict[Area, Grade]] = defaultdict(dict)
    for j in rows(
        session,
        Judgement,
        col(Judgement.inspection_id).in_(list(ordinals) or [-1]),
        order=[col(Judgement.area)],
    ):
        grades[j["inspection_id"]][j["area"]] = j["grade"]
        keys[("judgement", j["id"])] = f"{ordinals[j['inspection_id']]}/{j['area']}"
    result = []
    for i in found:
        keys[("inspection", i["id"])] = str(ordinals[i["id"]])
        number, judgements = ordinals[i["id"]], grades.get(i["id"], {})
        result.append(_row(ExportedInspection, i, number=number, judgements=judgements))
    return result, ordinals


def _recommendations(
    session: Session, pid: int, ordinals: dict[int, int], themes: Names, keys: Keys
) -> list[ExportedRecommendation]:
    found = _of_plan(session, Recommendation, pid, Recommendation.seq, Recommendation.ref)
    keys.update({("recommendation", r["id"]): r["ref"] for r in found})
    return [
        _row(
            ExportedRecommendation,
            r,
            inspection=ordinals.get(r["inspection_id"]),
            theme=themes.get(r["theme_id"]),
        )
        for r in found
    ]


def _milestones(session: Session, pid: int, keys: Keys) -> tuple[list[ExportedMilestone], Names]:
    found = _of_plan(session, Milestone, pid, Milestone.date, Milestone.name)
    names = {m["id"]: m["name"] for m in found}
    keys.update({("milestone", i): n for i, n in names.items()})
    return [_row(ExportedMilestone, m) for m in found], names


BATCH = queries.STREAM_BATCH


def _removed(session: Session, pid: int, keys: Keys) -> list[ExportedRemovedAction]:
    """Removed actions; the trail names each by its ref (services/importer.py `_removed`)."""
    found = _of_plan(session, RemovedAction, pid, RemovedAction.removed_at, RemovedAction.ref)
    for r in found:
        keys.setdefault(("action", r["action_id"]), r["ref"])
    return [_row(ExportedRemovedAction, r) for r in found]


def _notice(session: Session, pid: int, keys: Keys) -> NoticeTerms | None:
    found = _of_plan(session, Notice, pid)
    if not found:
        return None
    keys[("notice", found[0]["id"])] = "notice"
    return _row(NoticeTerms, found[0])


def _measures(session: Session, pid: int, keys: Keys) -> list[ExportedMeasure]:
    found = _of_plan(session, Measure, pid, Measure.name)
    names = {m["id"]: m["name"] for m in found}
    values: dict[int, list[ExportedValue]] = defaultdict(list)
    for v in rows(
        session,
        MeasureValue,
        col(MeasureValue.measure_id).in_(list(names) or [-1]),
        order=[col(MeasureValue.date)],
    ):
        values[v["measure_id"]].append(ExportedValue(date=v["date"], value=v["value"]))
        keys[("measure_value", v["id"])] = f"{names[v['measure_id']]}@{v['date'].isoformat()}"
    result = []
    for m in found:
        keys[("measure", m["id"])] = m["name"]
        result.append(_row(ExportedMeasure, m, values=values.get(m["id"], [])))
    return result


def action_table(
    session: Session, plan: Plan, *, as_of: dt.date, amber_days: int
) -> Iterator[ActionLine]:
    """Actions as the CSV export and the Actions sheet show them (RAG as of `as_of`), as
    the cursor reads them: each batch's success measures, evidence and latest notes in
    one query on the driver (store/export_reads.py)."""
    assert plan.id is not None
    found = queries.stream_action_values(
        session, plan_id=plan.id, as_of=as_of, amber_days=amber_days, order="ref"
    )
    while batch := list(islice(found, BATCH)):
        extra = {row[0]: row for row in export_reads.extras_of(session, [a[0] for a in batch])}
        for (ident, ref, title, owner, due, original_due, status, rag, rag_computed, late,
             recommendations, theme, milestone, version, updated_at, start, reason,
             _) in batch:  # fmt: skip
            _, success_measure, evidence, latest_note = extra[ident]
            yield ActionLine(
                ref=ref, title=title, owner=owner, due=due, original_due=original_due,
                status=status, rag=rag, rag_computed=rag_computed, days_overdue=late,
                recommendations=recommendations, theme=theme, milestone=milestone,
                version=version, updated_at=updated_at, start=start,
                success_measure=success_measure, evidence=evidence,
                rag_override_reason=reason, latest_note=latest_note,
            )  # fmt: skip


def export_document(app: App) -> PlanExport:
    """`export --format json|ics`: the current plan, complete."""
    with app.read() as session:
        return build_document(session, app.plan(session))


def export_actions(app: App) -> ActionExport:
    """`export --format csv`: the plan's actions with their RAG as of today."""
    with export_stream(app, "csv") as found:
        assert isinstance(found, ActionExport)
        return ActionExport(plan=found.plan, actions=list(found.actions))


@contextmanager
def export_stream(app: App, fmt: str) -> Iterator[PlanExport | ActionExport]:
    """`export --format json` (the document) or `csv` (the action table), their rows
    read from the cursor while the `with` block writes them."""
    with app.read() as session:
        plan = app.plan(session)
        if fmt == "csv":
            amber = app.settings.amber_days
            actions = action_table(session, plan, as_of=app.today, amber_days=amber)
            yield ActionExport(plan=plan.name, actions=actions)
        else:
            yield build_document(session, plan, stream="rows")


def export_xlsx(app: App, *, write: Callable[[Mapping[str, Sheet]], None]) -> str:
    """Hand the workbook's sheets to `write` while the read session is still open, so the
    audit trail streams from the cursor (500k events at 100k actions were held as a list
    of dicts before). Returns the plan's name."""
    with app.read() as session:
        plan = app.plan(session)
        actions = action_table(session, plan, as_of=app.today, amber_days=app.settings.amber_days)
        document = build_document(session, plan, stream="rows")
        measures = [measure_record(m, _latest(m.values)) for m in document.measures]
        assert plan.id is not None
        notes = export_rows.note_lines(session, plan.id)
        write(sheets(document, actions, measures, notes))
        return plan.name


def _latest(values: Sequence[ExportedValue]) -> tuple[dt.date, float] | None:
    return (values[-1].date, values[-1].value) if values else None
