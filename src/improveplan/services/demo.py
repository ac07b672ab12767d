"""The demo plan: Peterborough City Council after its 2023 ILACS inspection.

Built through the same services a council uses (plans, people, themes, inspections,
recommendations, actions and their status changes) so the audit trail, notes and RAG
are real. The inspection facts are Ofsted's; the people and actions are invented.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from improveplan.domain.records import ActionRow, RagCounts
from improveplan.errors import Conflict, ImproveplanError
from improveplan.io import demo_data
from improveplan.services.context import App

DEMO_PLAN = "Peterborough"
DEMO_ACTOR = "improveplan demo"
DEMO_FILE = "improveplan-demo.db"


@dataclass(frozen=True)
class DemoSummary:
    """What `build_demo` created, for the command's one-line report."""

    plan: str
    authority: str
    as_of: dt.date
    people: int
    themes: int
    recommendations: int
    actions: int
    notes: int
    measures: int
    notice: bool


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _as(app: App, user: str) -> App:
    """The same database and clock, acting as `user` (so the audit trail names them)."""
    return dataclasses.replace(app, user=user)


def build_demo(app: App) -> DemoSummary:
    """Load the demo plan into the database behind `app` (which must be at schema head),
    in one transaction: all of it, or nothing."""
    from sqlmodel import select

    from improveplan.services.audit import LOGIN
    from improveplan.store.models import Plan

    data = demo_data.load()
    as_of = dt.date.fromisoformat(data["as_of"])
    base = dataclasses.replace(app, user=DEMO_ACTOR, plan_name=DEMO_PLAN, _today=as_of)
    with base.one_transaction() as unit, unit.read() as session:
        session.info.pop(LOGIN, None)  # invented people: no login stands behind them
        if session.exec(select(Plan).where(Plan.name == DEMO_PLAN)).first() is not None:
            raise Conflict(
                f'the database already holds a plan called "{DEMO_PLAN}"',
                f"run improveplan demo for a separate demo database ({DEMO_FILE})",
            )
        _setup(unit, data)
        actions = enumerate(data["actions"], 1)
        notes = sum(_build_action(unit, number, spec) for number, spec in actions)
        measures = _measures(unit, data.get("measures", []))
        notice = _notice(unit, data.get("notice"))
    return DemoSummary(
        plan=DEMO_PLAN,
        authority=data["plan"]["authority"],
        as_of=as_of,
        people=len(data["people"]),
        themes=len(data["themes"]),
        recommendations=len(data["recommendations"]),
        actions=len(data["actions"]),
        notes=notes,
        measures=measures,
        notice=notice,
    )


def _setup(app: App, data: dict[str, Any]) -> None:
    """Plan, people (kept when already in the database), themes, inspection, recommendations."""
    from sqlmodel import select

    from improveplan.services import inspections, people, plans, recommendations, themes
    from improveplan.store.models import Person

    plans.add_plan(app, **data["plan"])
    with app.read() as session:
        known = {name.lower() for name in session.exec(select(Person.name)).all()}
    for person in data["people"]:
        if person["name"].lower() not in known:
            people.add_person(app, **person)
    lead_app = _as(app, data["people"][0]["name"])
    for theme in data["themes"]:
        themes.add_theme(lead_app, name=theme["name"], lead=theme["lead"])
    spec = data["inspection"]
    inspection = inspections.add_inspection(
        app,
        type=spec["type"],
        start=dt.date.fromisoformat(spec["start"]),
        end=dt.date.fromisoformat(spec["end"]),
        received=_date(spec.get("received")),
        published=_date(spec.get("published")),
        lead_inspector=spec.get("lead_inspector"),
        judgements=spec["judgements"],
    )
    for rec in data["recommendations"]:
        recommendations.add_recommendation(
            app, ref=rec["ref"], text=rec["text"], inspection=inspection.id, theme=rec["theme"]
        )


def _build_action(app: App, number: int, spec: dict[str, Any]) -> int:
    """Add action `number` and replay its history as its owner would; returns notes written."""
    from improveplan.services import actions

    owner = _as(app, spec["owner"])
    actions.add_action(
        owner,
        title=spec["title"],
        owner=spec["owner"],
        due=dt.date.fromisoformat(spec["due"]),
        ref=str(number),
        recs=spec.get("recs", ()),
        theme=spec.get("theme"),
        start=_date(spec.get("start")),
        measure=spec.get("measure"),
    )
    notes = 0
    for step in spec.get("steps", []):
        actor = _as(app, step.get("by", spec["owner"]))
        notes += _step(actor, str(number), step)
    return notes


def _step(app: App, ref: str, step: dict[str, Any]) -> int:
    """One recorded change: status, slipped due date, note, done or sign-off."""
    from improveplan.services import actions

    kind = step["do"]
    if kind == "note":
        actions.add_note(app, ref=ref, text=step["text"])
        return 1
    if kind == "status":
        actions.update_action(
            app, ref=ref, status=step["status"], reason=step.get("reason"), note=step.get("note")
        )
        return 1 if step.get("note") else 0
    if kind == "due":
        actions.update_action(
            app, ref=ref, due=dt.date.fromisoformat(step["due"]), reason=step["reason"]
        )
        return 0
    if kind == "done":
        actions.mark_done(app, ref=ref, evidence=step.get("evidence"))
        return 0
    if kind == "signoff":
        actions.sign_off(app, ref=ref)
        return 0
    raise ValueError(f"unknown demo step {kind!r}")


def _measures(app: App, specs: list[dict[str, Any]]) -> int:
    """A few measures with quarterly values."""
    from improveplan.services import measures

    for spec in specs:
        measures.add_measure(
            app,
            name=spec["name"],
            unit=spec["unit"],
            baseline=float(spec["baseline"]),
            target=float(spec["target"]),
            baseline_date=_date(spec.get("baseline_date")),
            target_date=_date(spec.get("target_date")),
            lower_is_better=bool(spec.get("lower_is_better", False)),
        )
        for day, value in spec.get("values", []):
            measures.record_value(
                app, name=spec["name"], value=float(value), on=dt.date.fromisoformat(day)
            )
    return len(specs)


def _notice(app: App, spec: dict[str, Any] | None) -> bool:
    """The DfE improvement notice, and the milestones met before the demo date."""
    from improveplan.services import notices, timeline

    if not spec:
        return False
    notices.set_notice(
        app,
        changes={
            "issued": dt.date.fromisoformat(spec["issued"]),
            "review_months": spec.get("review_months"),
            "board_every_weeks": spec.get("board_every_weeks"),
            "first_board": _date(spec.get("first_board")),
            "chair": spec.get("chair"),
        },
    )
    _milestones_met(app, timeline, spec.get("milestones_met", {}))
    return True


def _milestones_met(app: App, timeline: ModuleType, met_on: dict[str, str]) -> None:
    """Milestones before the demo date were met: on their date, or the day given."""
    rows = timeline.timeline(app, as_of=app.today).milestones
    for row in rows:
        when = _date(met_on.get(row.name))
        if when is None and (row.expected or row.date >= app.today):
            continue
        timeline.mark_done(app, name=row.name, done=when or row.date)


def prepare_demo_file(path: Path) -> None:
    """Make way for a fresh demo at `path`: delete an earlier demo, refuse anything else."""
    if not path.exists() or path.stat().st_size == 0:
        return
    if not path.is_file():
        raise ImproveplanError(f"{path} is not a file", "choose a file with improveplan demo --db")
    plans, creators, worked_in = _demo_marks(path)
    if not plans:
        return  # an improveplan database with no plan yet: build into it
    if plans != [DEMO_PLAN] or creators != {DEMO_ACTOR}:
        raise ImproveplanError(
            f"{path} holds plans that are not the improveplan demo",
            "choose another file with improveplan demo --db PATH",
        )
    if worked_in:
        raise ImproveplanError(
            f"{path} is a demo someone has worked in since it was built",
            "keep it, or delete it yourself before building a fresh demo",
        )
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# A demo is built in one transaction in a second or two; a change recorded later than
# this after the first one means a person has used the file (a note would be lost).
UNTOUCHED_SECONDS = 600


def _demo_marks(path: Path) -> tuple[list[str], set[str], bool]:
    """Plan names, who created them, and whether anything was changed after the build
    (only SELECTs: the file is not changed)."""
    refuse = ImproveplanError(
        f"{path} is not an improveplan demo database",
        "choose another file with improveplan demo --db PATH",
    )
    try:
        with closing(sqlite3.connect(path)) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if not {"plan", "audit_event", "alembic_version"} <= tables:
                raise refuse
            plans = [r[0] for r in conn.execute("SELECT name FROM plan ORDER BY name")]
            creators = {
                r[0]
                for r in conn.execute(
                    "SELECT actor FROM audit_event WHERE entity = 'plan' AND field = 'name'"
                )
            }
            (span,) = conn.execute(
                "SELECT (julianday(max(at)) - julianday(min(at))) * 86400 FROM audit_event"
            ).fetchone()
    except sqlite3.Error as exc:
        raise refuse from exc
    return plans, creators, (span or 0) > UNTOUCHED_SECONDS


def refuse_a_shared_database(app: App) -> None:
    """On a server the demo builds only into an empty database: its invented plan
    beside real ones would break every command run without --plan, and its actions
    would be assigned to real people of the same name."""
    from sqlmodel import func, select

    from improveplan.store.migrate import current_revision
    from improveplan.store.models import Person, Plan

    engine = app.raw_engine()
    if current_revision(engine) is None:
        return
    with app.read() as session:
        held = session.exec(select(func.count()).select_from(Plan)).one()
        people = session.exec(select(func.count()).select_from(Person)).one()
    if held or people:
        raise ImproveplanError(
            f"{app.shown_db} already holds {held} plan(s) and {people} people",
            "build the demo in a file (improveplan demo) or an empty database",
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoStatus:
    """Where the demo plan stands on `as_of`: what `improveplan demo` shows after building."""

    as_of: dt.date
    plan: str
    totals: RagCounts
    themes: list[RagCounts]
    overdue: list[ActionRow]  # most overdue first: the earliest due date first


def demo_status(app: App, *, as_of: dt.date) -> DemoStatus:
    """RAG totals, RAG per theme and the overdue list of the demo plan as on `as_of`."""
    from improveplan.store.queries import ActionFilter, action_rows, rag_counts

    with app.read() as session:
        plan = app.plan(session)
        assert plan.id is not None
        amber = app.settings.amber_days
        (totals,) = rag_counts(session, plan_id=plan.id, as_of=as_of, amber_days=amber)
        themes = rag_counts(
            session, plan_id=plan.id, as_of=as_of, amber_days=amber, group_by="theme"
        )
        overdue = action_rows(
            session,
            plan_id=plan.id,
            as_of=as_of,
            amber_days=amber,
            flt=ActionFilter(overdue=True),
        )
    return DemoStatus(as_of=as_of, plan=plan.name, totals=totals, themes=themes, overdue=overdue)
