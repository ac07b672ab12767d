"""`import plan.json`: rebuild a plan exported with `export --format json`, exactly.

The plan must not exist yet in the target database (an empty database, or one where no
plan has that name). People already there with the same name are reused. Actions take
the one write path of new actions (services/new_actions.py), checked by the same rules
as `action add` and a tracker, except that dates stand as they were exported. The plan's
audit trail is copied as it was (actors and timestamps kept), so no creation events are
invented for what it restores; the import itself is recorded as a database-level event
(no plan), so exporting the copy gives the same JSON. Names are matched as people type
them (any case, spaces folded): a plan named so is already there, a person named so is
reused. Files written before the plan lead, missed meetings and removed actions import
as plans without them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session, col

from improveplan.domain.inputs import folded
from improveplan.domain.vocab import Rag, Status
from improveplan.domain.workflow import Draft, Flaw, check_new_actions
from improveplan.errors import Conflict, ImproveplanError
from improveplan.io.export_json import pick, read_document, value
from improveplan.services import access, audit, new_actions
from improveplan.services.context import App
from improveplan.services.export import (
    ACTION_FIELDS,
    COUNT_FIELDS,
    INSPECTION_FIELDS,
    MEASURE_FIELDS,
    MILESTONE_FIELDS,
    NOTICE_FIELDS,
    NOTIFICATION_FIELDS,
    PLAN_FIELDS,
    REMOVED_FIELDS,
    table,
)
from improveplan.services.import_values import check_values
from improveplan.services.lookups import named
from improveplan.services.new_actions import Link, NewAction
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
    ProgressNote,
    Recommendation,
    RemovedAction,
    Theme,
)

Keys = dict[tuple[str, str], int]
# How a document's action breaks the rules for new actions (its dates are not checked).
FLAWS = {Flaw.unusable_ref: "has an unusable reference", Flaw.duplicate_ref: "appears twice"}


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanImport:
    """What a plan import created (or, on a dry run, would create)."""

    plan: str
    file: str
    dry_run: bool
    actions: int
    notes: int
    audit_events: int
    people_created: list[str]


def import_plan(app: App, *, path: Path, dry_run: bool = False) -> PlanImport:
    """Create the plan in `path` in one transaction; returns what was (or would be) created."""
    doc = read_document(path)
    check_values(doc, path.name)
    name = doc["plan"]["name"]
    with app.read() if dry_run else app.write() as session:
        access.require_dba(app, "import plans")
        taken = named(session, Plan, name)
        if taken is not None:
            raise Conflict(
                f'a plan named "{taken.name}" already exists in {app.shown_db}',
                "import into an empty database, or one without that plan",
            )
        known = {folded(n) for n in session.execute(select(col(Person.name))).scalars()}
        summary = PlanImport(
            plan=name,
            file=path.name,
            dry_run=dry_run,
            actions=len(doc["actions"]),
            notes=sum(len(a["notes"]) for a in doc["actions"]),
            audit_events=len(doc["audit"]),
            people_created=[p["name"] for p in doc["people"] if folded(p["name"]) not in known],
        )
        if dry_run:
            return summary
        try:
            _write(session, app, doc)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ImproveplanError(
                f"{path.name} is not a complete plan export ({type(exc).__name__}: {exc})",
                "export it again with improveplan export --format json",
            ) from exc
        return summary


def _write(session: Session, app: App, doc: dict[str, Any]) -> None:
    plan = Plan(**pick(doc["plan"], PLAN_FIELDS))
    session.add(plan)
    session.flush()
    assert plan.id is not None
    pid = plan.id
    keys: Keys = {("plan", plan.name): pid}
    people = _people(session, app, doc["people"], keys)
    plan.lead_id = people.get(doc["plan"].get("lead") or "")
    session.add(plan)
    themes = _themes(session, pid, doc["themes"], people, keys)
    inspections = _inspections(session, pid, doc["inspections"], keys)
    recs = _recommendations(session, pid, doc["recommendations"], themes, inspections, keys)
    milestones = _add_named(session, Milestone, pid, doc["milestones"], MILESTONE_FIELDS)
    keys.update({("milestone", n): i for n, i in milestones.items()})
    lookups = {"owner": people, "theme": themes, "milestone": milestones, "rec": recs}
    _actions(session, pid, doc["actions"], lookups, keys)
    _removed(session, pid, doc["removed_actions"], keys)
    if doc["notice"] is not None:
        notice = Notice(plan_id=pid, **pick(doc["notice"], NOTICE_FIELDS))
        session.add(notice)
        session.flush()
        assert notice.id is not None
        keys[("notice", "notice")] = notice.id
    _measures(session, pid, doc["measures"], keys)
    _bulk(
        session,
        Notification,
        [{"plan_id": pid, **pick(n, NOTIFICATION_FIELDS)} for n in doc["notifications"]],
    )
    _bulk(
        session,
        DailyCount,
        [{"plan_id": pid, **pick(c, COUNT_FIELDS)} for c in doc["daily_counts"]],
    )
    _audit(session, pid, doc["audit"], keys)
    audit.record(
        session,
        actor=app.user,
        plan_id=None,
        entity="plan",
        entity_id=pid,
        changes={"import": (None, f"{len(doc['actions'])} actions from a JSON export")},
    )


def _bulk(session: Session, model: type[Any], params: list[dict[str, Any]]) -> None:
    """One executemany INSERT (fast at tens of thousands of rows)."""
    if params:
        session.connection().execute(insert(table(model)), params)


def _people(session: Session, app: App, people: list[dict[str, Any]], keys: Keys) -> dict[str, int]:
    """{name: id}, reusing people already in the database (matched case-insensitively)."""
    found: dict[str, int] = {}
    for person in people:
        reused = named(session, Person, person["name"])
        existing = reused.id if reused is not None else None
        if existing is None:
            row = Person(
                name=person["name"],
                email=person.get("email"),
                role=person.get("role"),
                team=person.get("team"),
            )
            session.add(row)
            audit.record_created(
                session,
                actor=app.user,
                plan_id=None,
                entity="person",
                obj=row,
                fields=("name", "email", "role", "team"),
            )
            existing = row.id
        assert existing is not None
        found[person["name"]] = existing
        keys[("person", person["name"])] = existing
    return found


def _themes(
    session: Session, pid: int, themes: list[dict[str, Any]], people: dict[str, int], keys: Keys
) -> dict[str, int]:
    rows = [Theme(plan_id=pid, name=t["name"], lead_id=people.get(t["lead"] or "")) for t in themes]
    session.add_all(rows)
    session.flush()
    found = {t.name: t.id for t in rows if t.id is not None}
    keys.update({("theme", n): i for n, i in found.items()})
    return found


def _inspections(
    session: Session, pid: int, items: list[dict[str, Any]], keys: Keys
) -> dict[int, int]:
    """{number in the document: new id}, judgements with them."""
    found: dict[int, int] = {}
    for item in items:
        row = Inspection(plan_id=pid, **pick(item, INSPECTION_FIELDS))
        session.add(row)
        session.flush()
        assert row.id is not None
        found[item["number"]] = row.id
        keys[("inspection", str(item["number"]))] = row.id
        for area, grade in item["judgements"].items():
            judgement = Judgement(inspection_id=row.id, area=area, grade=grade)
            session.add(judgement)
            session.flush()
            assert judgement.id is not None
            keys[("judgement", f"{item['number']}/{area}")] = judgement.id
    return found


def _recommendations(
    session: Session,
    pid: int,
    items: list[dict[str, Any]],
    themes: dict[str, int],
    inspections: dict[int, int],
    keys: Keys,
) -> dict[str, int]:
    rows = [
        Recommendation(
            plan_id=pid,
            ref=r["ref"],
            text=r["text"],
            priority_action=r["priority_action"],
            seq=r["seq"],
            theme_id=themes.get(r["theme"] or ""),
            inspection_id=inspections.get(r["inspection"]) if r["inspection"] else None,
        )
        for r in items
    ]
    session.add_all(rows)
    session.flush()
    found = {r.ref: r.id for r in rows if r.id is not None}
    keys.update({("recommendation", n): i for n, i in found.items()})
    return found


def _add_named(
    session: Session,
    model: type[Any],
    pid: int,
    items: list[dict[str, Any]],
    names: tuple[str, ...],
) -> dict[str, int]:
    rows = [model(plan_id=pid, **pick(item, names)) for item in items]
    session.add_all(rows)
    session.flush()
    return {r.name: r.id for r in rows}


def _restored(item: dict[str, Any], lookups: dict[str, dict[str, int]]) -> NewAction:
    """A document's action as a new row: every exported field kept as it was."""

    def link(kind: str, name: str | None) -> Link | None:
        found = lookups[kind].get(name or "")
        return None if found is None or name is None else Link(found, name)

    fields = pick(item, ACTION_FIELDS)
    return NewAction(
        **{k: fields[k] for k in ACTION_FIELDS if k not in ("status", "rag_override")},
        status=Status(fields["status"]),
        rag_override=None if fields["rag_override"] is None else Rag(fields["rag_override"]),
        owner=link("owner", item["owner"]),
        theme=link("theme", item["theme"]),
        milestone=link("milestone", item["milestone"]),
        recommendations=tuple(Link(lookups["rec"][r], r) for r in item["recommendations"]),
    )


def _actions(
    session: Session,
    pid: int,
    items: list[dict[str, Any]],
    lookups: dict[str, dict[str, int]],
    keys: Keys,
) -> None:
    drafts = [
        Draft(ref=a["ref"] or "", start=value("start", a["start"]), due=value("due", a["due"]))
        for a in items
    ]
    for problem in check_new_actions(drafts, restore=True):
        raise ValueError(f'action "{problem.ref}" {FLAWS[problem.flaw]}')
    restored = [_restored(a, lookups) for a in items]
    ids = new_actions.insert_actions(session, pid, restored)
    keys.update({("action", a.ref): i for a, i in zip(restored, ids, strict=True)})
    notes = [
        {
            "action_id": action_id,
            "author": n["author"],
            "created_at": value("at", n["at"]),
            "text": n["text"],
        }
        for a, action_id in zip(items, ids, strict=True)
        for n in a["notes"]
    ]
    _bulk(session, ProgressNote, notes)
    refs = {i: a.ref for a, i in zip(restored, ids, strict=True)}
    counts: dict[int, int] = {}
    for note_id, action_id in session.execute(
        select(col(ProgressNote.id), col(ProgressNote.action_id))
        .join(Action, col(Action.id) == col(ProgressNote.action_id))
        .where(col(Action.plan_id) == pid)
        .order_by(col(ProgressNote.action_id), col(ProgressNote.created_at), col(ProgressNote.id))
    ):
        counts[action_id] = counts.get(action_id, 0) + 1
        keys[("progress_note", f"{refs[action_id]}#{counts[action_id]}")] = note_id


def _removed(session: Session, pid: int, items: list[dict[str, Any]], keys: Keys) -> None:
    """Removed actions, their refs still taken. The action row is gone, so its trail is
    kept under an id no action can have: minus the removed row's own id, unique in the
    database (the source database's id could be any new action's here)."""
    rows = [RemovedAction(plan_id=pid, action_id=0, **pick(r, REMOVED_FIELDS)) for r in items]
    session.add_all(rows)
    session.flush()
    for row in rows:
        assert row.id is not None
        row.action_id = -row.id
        keys.setdefault(("action", row.ref), row.action_id)
    session.flush()


def _measures(session: Session, pid: int, items: list[dict[str, Any]], keys: Keys) -> None:
    for item in items:
        measure = Measure(plan_id=pid, **pick(item, MEASURE_FIELDS))
        session.add(measure)
        session.flush()
        assert measure.id is not None
        keys[("measure", measure.name)] = measure.id
        for v in item["values"]:
            row = MeasureValue(
                measure_id=measure.id, date=value("date", v["date"]), value=v["value"]
            )
            session.add(row)
            session.flush()
            assert row.id is not None
            keys[("measure_value", f"{measure.name}@{v['date']}")] = row.id


def _audit(session: Session, pid: int, events: list[dict[str, Any]], keys: Keys) -> None:
    params = []
    for e in events:
        if e["key"] is None:
            entity_id = e["entity_id"]
        elif (e["entity"], e["key"]) in keys:
            entity_id = keys[(e["entity"], e["key"])]
        else:
            raise ValueError(f"an audit event names {e['entity']} {e['key']}, not in the file")
        params.append(
            {
                "plan_id": pid,
                "actor": e["actor"],
                "at": value("at", e["at"]),
                "entity": e["entity"],
                "entity_id": entity_id,
                "field": e["field"],
                "old_value": e["old_value"],
                "new_value": e["new_value"],
                "login": None,  # an export carries no logins: never the importer's
            }
        )
    audit.append(session, params)  # the chain computed afresh, so it verifies here
