"""The whole plan as one document (JSON export, XLSX and ICS sources) and action tables.

The document never mentions row ids: rows refer to each other by name or reference
(owner names, theme names, recommendation and action refs, inspections by their order),
so exporting, importing into another database and exporting again gives the same text.
Audit events name their subject by the same keys (`key`); an event whose subject no
longer exists keeps its raw `entity_id`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, or_, select
from sqlmodel import Session, SQLModel, col

from improveplan.io.export_json import FORMAT, SCHEMA
from improveplan.io.export_tabular import Sheet, sheets
from improveplan.serialize import as_record
from improveplan.services import notices
from improveplan.services.context import App
from improveplan.store import queries
from improveplan.store.models import (
    Action,
    AuditEvent,
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
    ProgressNote,
    Recommendation,
    Theme,
)

# The action columns of the CSV export and the XLSX Actions sheet (docs/design.md §3 + extras).
ACTION_COLUMNS = (
    "ref",
    "title",
    "owner",
    "due",
    "original_due",
    "status",
    "rag",
    "rag_computed",
    "days_overdue",
    "recommendations",
    "theme",
    "milestone",
    "version",
    "updated_at",
    "start",
    "success_measure",
    "evidence",
    "rag_override_reason",
    "latest_note",
)
ACTION_FIELDS = (
    "ref",
    "seq",
    "title",
    "start",
    "due",
    "original_due",
    "status",
    "rag_override",
    "rag_override_reason",
    "status_reason",
    "success_measure",
    "evidence",
    "version",
    "created_at",
    "updated_at",
)
MILESTONE_FIELDS = ("name", "kind", "date", "rule", "source_date", "user_set", "expected", "done")
NOTICE_FIELDS = ("kind", *notices.NOTICE_FIELDS)
MEASURE_FIELDS = (
    "name",
    "unit",
    "baseline",
    "baseline_date",
    "target",
    "target_date",
    "higher_is_better",
)
INSPECTION_FIELDS = (
    "type",
    "start",
    "end",
    "received",
    "published",
    "lead_inspector",
    "created_at",
)
NOTIFICATION_FIELDS = ("recipient", "kind", "sent_on", "sent_at", "subject", "action_refs")
COUNT_FIELDS = ("day", "blue", "green", "amber", "red", "total", "overdue")


def table(model: type[SQLModel]) -> Table:
    found: Table = model.__table__  # type: ignore[attr-defined]
    return found


def rows(
    session: Session, model: type[SQLModel], *where: Any, order: Sequence[Any] = ()
) -> list[Any]:
    """Plain row mappings (no ORM objects: fast at 100k actions)."""
    stmt = select(table(model)).where(*where).order_by(*order)
    return list(session.execute(stmt).mappings())


def plan_document(app: App) -> dict[str, Any]:
    """`export --format json`: the current plan, complete."""
    with app.read() as session:
        return build_document(session, app.plan(session))


def build_document(session: Session, plan: Plan, *, stream_audit: bool = False) -> dict[str, Any]:
    """Every entity of one plan, referenced by names and refs rather than row ids.

    With `stream_audit` the audit trail is an iterator over the open cursor (the caller
    consumes it before the session ends): the XLSX writer then never holds it whole.
    """
    assert plan.id is not None
    pid = plan.id
    keys: dict[tuple[str, int], str] = {("plan", pid): plan.name}
    people = _people(session, pid)
    names = {p["id"]: p["name"] for p in people}
    keys.update({("person", i): n for i, n in names.items()})
    themes = rows(session, Theme, col(Theme.plan_id) == pid, order=[col(Theme.name)])
    theme_names = {t["id"]: t["name"] for t in themes}
    keys.update({("theme", i): n for i, n in theme_names.items()})
    inspections, ordinals = _inspections(session, pid, keys)
    recs = rows(
        session,
        Recommendation,
        col(Recommendation.plan_id) == pid,
        order=[col(Recommendation.seq), col(Recommendation.ref)],
    )
    keys.update({("recommendation", r["id"]): r["ref"] for r in recs})
    milestones = rows(
        session,
        Milestone,
        col(Milestone.plan_id) == pid,
        order=[col(Milestone.date), col(Milestone.name)],
    )
    keys.update({("milestone", m["id"]): m["name"] for m in milestones})
    lookups = {
        "owner": names,
        "theme": theme_names,
        "milestone": {m["id"]: m["name"] for m in milestones},
    }
    doc: dict[str, Any] = {
        "format": FORMAT,
        "schema": SCHEMA,
        "plan": {k: getattr(plan, k) for k in ("name", "authority", "la_code", "created_at")},
        "people": [{k: p[k] for k in ("name", "email", "role", "team")} for p in people],
        "themes": [{"name": t["name"], "lead": names.get(t["lead_id"])} for t in themes],
        "inspections": inspections,
        "recommendations": [
            {
                "ref": r["ref"],
                "text": r["text"],
                "priority_action": r["priority_action"],
                "seq": r["seq"],
                "inspection": ordinals.get(r["inspection_id"]),
                "theme": theme_names.get(r["theme_id"]),
            }
            for r in recs
        ],
        "milestones": [{k: m[k] for k in MILESTONE_FIELDS} for m in milestones],
        "actions": _actions(session, pid, lookups, keys),
        "notice": _notice(session, pid, keys),
        "measures": _measures(session, pid, keys),
    }
    audit = _audit(session, pid, keys)
    doc["audit"] = audit if stream_audit else list(audit)
    doc["notifications"] = [
        {k: n[k] for k in NOTIFICATION_FIELDS}
        for n in rows(
            session,
            Notification,
            col(Notification.plan_id) == pid,
            order=[col(Notification.sent_at), col(Notification.recipient), col(Notification.kind)],
        )
    ]
    doc["daily_counts"] = [
        {k: c[k] for k in COUNT_FIELDS}
        for c in rows(
            session, DailyCount, col(DailyCount.plan_id) == pid, order=[col(DailyCount.day)]
        )
    ]
    return doc


def _people(session: Session, pid: int) -> list[Any]:
    """The people the plan refers to: action owners and theme leads."""
    owners = select(col(Action.owner_id)).where(col(Action.plan_id) == pid)
    leads = select(col(Theme.lead_id)).where(col(Theme.plan_id) == pid)
    return rows(
        session,
        Person,
        or_(col(Person.id).in_(owners), col(Person.id).in_(leads)),
        order=[col(Person.name)],
    )


def _inspections(
    session: Session, pid: int, keys: dict[tuple[str, int], str]
) -> tuple[list[dict[str, Any]], dict[int, int]]:
    found = rows(
        session,
        Inspection,
        col(Inspection.plan_id) == pid,
        order=[col(Inspection.created_at), col(Inspection.id)],
    )
    ordinals = {i["id"]: n for n, i in enumerate(found, 1)}
    grades: dict[int, dict[str, str]] = defaultdict(dict)
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
        item = {"number": ordinals[i["id"]], **{k: i[k] for k in INSPECTION_FIELDS}}
        result.append(item | {"judgements": grades.get(i["id"], {})})
    return result, ordinals


def _actions(
    session: Session, pid: int, lookups: dict[str, dict[int, str]], keys: dict[tuple[str, int], str]
) -> list[dict[str, Any]]:
    found = rows(
        session, Action, col(Action.plan_id) == pid, order=[col(Action.seq), col(Action.ref)]
    )
    links = queries.recommendation_refs(session, plan_id=pid, action_ids=[a["id"] for a in found])
    notes: dict[int, list[dict[str, Any]]] = defaultdict(list)
    in_plan = select(col(Action.id)).where(col(Action.plan_id) == pid)
    for n in rows(
        session,
        ProgressNote,
        col(ProgressNote.action_id).in_(in_plan),
        order=[col(ProgressNote.action_id), col(ProgressNote.created_at), col(ProgressNote.id)],
    ):
        notes[n["action_id"]].append(
            {"author": n["author"], "at": n["created_at"], "text": n["text"]}
        )
        keys[("progress_note", n["id"])] = f"{n['action_id']}#{len(notes[n['action_id']])}"
    result = []
    refs = {a["id"]: a["ref"] for a in found}
    for key, value in list(keys.items()):
        if key[0] == "progress_note":  # action id → ref in the note keys
            action_id, _, number = value.partition("#")
            keys[key] = f"{refs[int(action_id)]}#{number}"
    for a in found:
        keys[("action", a["id"])] = a["ref"]
        item = {k: a[k] for k in ACTION_FIELDS}
        item["owner"] = lookups["owner"].get(a["owner_id"])
        item["theme"] = lookups["theme"].get(a["theme_id"])
        item["milestone"] = lookups["milestone"].get(a["milestone_id"])
        item["recommendations"] = links.get(a["id"], [])
        item["notes"] = notes.get(a["id"], [])
        result.append(item)
    return result


def _notice(session: Session, pid: int, keys: dict[tuple[str, int], str]) -> dict[str, Any] | None:
    found = rows(session, Notice, col(Notice.plan_id) == pid)
    if not found:
        return None
    keys[("notice", found[0]["id"])] = "notice"
    return {k: found[0][k] for k in NOTICE_FIELDS}


def _measures(session: Session, pid: int, keys: dict[tuple[str, int], str]) -> list[dict[str, Any]]:
    found = rows(session, Measure, col(Measure.plan_id) == pid, order=[col(Measure.name)])
    names = {m["id"]: m["name"] for m in found}
    values: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for v in rows(
        session,
        MeasureValue,
        col(MeasureValue.measure_id).in_(list(names) or [-1]),
        order=[col(MeasureValue.date)],
    ):
        values[v["measure_id"]].append({"date": v["date"], "value": v["value"]})
        keys[("measure_value", v["id"])] = f"{names[v['measure_id']]}@{v['date'].isoformat()}"
    result = []
    for m in found:
        keys[("measure", m["id"])] = m["name"]
        result.append({k: m[k] for k in MEASURE_FIELDS} | {"values": values.get(m["id"], [])})
    return result


def _audit(
    session: Session, pid: int, keys: dict[tuple[str, int], str]
) -> Iterator[dict[str, Any]]:
    """The plan's audit trail, oldest first, streamed from the cursor in batches."""
    stmt = (
        select(table(AuditEvent))
        .where(col(AuditEvent.plan_id) == pid)
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
        .execution_options(yield_per=5000)
    )
    for e in session.execute(stmt).mappings():
        key = keys.get((e["entity"], e["entity_id"]))
        yield {
            "at": e["at"],
            "actor": e["actor"],
            "entity": e["entity"],
            "key": key,
            "entity_id": None if key is not None else e["entity_id"],
            "field": e["field"],
            "old_value": e["old_value"],
            "new_value": e["new_value"],
        }


def action_table(
    session: Session, plan: Plan, *, as_of: dt.date, amber_days: int
) -> list[dict[str, Any]]:
    """Actions as the CSV export and the Actions sheet show them (RAG as of `as_of`)."""
    assert plan.id is not None
    found = queries.action_rows(
        session, plan_id=plan.id, as_of=as_of, amber_days=amber_days, order="ref"
    )
    extra = {
        r["id"]: r
        for r in session.execute(
            select(col(Action.id), col(Action.success_measure), col(Action.evidence)).where(
                col(Action.plan_id) == plan.id
            )
        ).mappings()
    }
    latest: dict[int, str] = {}
    in_plan = select(col(Action.id)).where(col(Action.plan_id) == plan.id)
    notes = select(col(ProgressNote.action_id), col(ProgressNote.text)).where(
        col(ProgressNote.action_id).in_(in_plan)
    )
    for action_id, text in session.execute(
        notes.order_by(col(ProgressNote.created_at), col(ProgressNote.id))
    ):
        latest[action_id] = text
    rows = []
    for action in found:
        row = {**as_record(action), "start": action.start}
        row["rag_override_reason"] = action.rag_override_reason
        row["success_measure"] = extra[action.id]["success_measure"]
        row["evidence"] = extra[action.id]["evidence"]
        row["latest_note"] = latest.get(action.id)
        rows.append({k: row.get(k) for k in ACTION_COLUMNS})
    return rows


def export_data(app: App, *, fmt: str) -> dict[str, Any]:
    """What the writer for `fmt` (json, csv or ics) needs: the document or the actions."""
    with app.read() as session:
        plan = app.plan(session)
        result: dict[str, Any] = {"plan": plan.name}
        if fmt == "csv":
            result["actions"] = action_table(
                session, plan, as_of=app.today, amber_days=app.settings.amber_days
            )
        if fmt in {"json", "ics"}:
            result["document"] = build_document(session, plan)
        return result


def export_xlsx(app: App, *, write: Callable[[Mapping[str, Sheet]], None]) -> str:
    """Hand the workbook's sheets to `write` while the read session is still open, so the
    audit trail streams from the cursor (500k events at 100k actions were held as a list
    of dicts before). Returns the plan's name."""
    with app.read() as session:
        plan = app.plan(session)
        actions = action_table(session, plan, as_of=app.today, amber_days=app.settings.amber_days)
        write(sheets(build_document(session, plan, stream_audit=True), actions, ACTION_COLUMNS))
        return plan.name
