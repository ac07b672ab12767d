"""The demo plan: Peterborough City Council after its 2023 ILACS inspection.

Built through the same services a council uses (plans, people, themes, inspections,
recommendations, actions and their status changes, the nightly check) so the audit
trail, notes and RAG are real, each step on its story date (services/demo_story.py).
The inspections, the notice and board, the monitoring visit and one measure are the
public record; the people and actions are invented (the data file says which is which).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from improveplan.domain.records import ActionRow, RagCounts
from improveplan.errors import Conflict, ImproveplanError
from improveplan.io import demo_data
from improveplan.services.context import App
from improveplan.services.demo_story import Step, Story, story_end, weekly

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
    inspections: int
    recommendations: int  # the current (latest) inspection's
    actions: int
    notes: int
    measures: int
    counts: int  # nightly counts recorded (weekly, through the story)
    notice: bool
    public: str  # which facts are the public record, and which invented, in a line each
    invented: str


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _as(app: App, user: str) -> App:
    """The same database and clock, acting as `user` (so the audit trail names them)."""
    return dataclasses.replace(app, user=user)


def build_demo(app: App) -> DemoSummary:
    """Load the demo plan into the database behind `app` (which must be at schema head),
    in one transaction: all of it, or nothing. Every step runs on its story date."""
    from sqlmodel import select

    from improveplan.services.audit import LOGIN
    from improveplan.store.models import Plan

    data = demo_data.load()
    as_of = _day(data["as_of"])
    story = Story(first=_day(data["plan"]["on"]), last=as_of)
    base = dataclasses.replace(app, user=DEMO_ACTOR, plan_name=DEMO_PLAN)
    with base.one_transaction() as unit, unit.read() as session:
        session.info.pop(LOGIN, None)  # invented people: no login stands behind them
        if session.exec(select(Plan).where(Plan.name == DEMO_PLAN)).first() is not None:
            raise Conflict(
                f'the database already holds a plan called "{DEMO_PLAN}"',
                f"run improveplan demo for a separate demo database ({DEMO_FILE})",
            )
        _setup(story, data)
        _in_plan_order(data["actions"])
        notes = sum(_action(story, n, spec) for n, spec in enumerate(data["actions"], 1))
        _measures(story, data["measures"])
        counts = _counts(story, data["counts"])
        story.replay(unit)
    current = data["inspections"][_current(data["inspections"])]
    return DemoSummary(
        plan=DEMO_PLAN,
        authority=data["plan"]["authority"],
        as_of=as_of,
        people=len(data["people"]),
        themes=len(data["themes"]),
        inspections=len(data["inspections"]),
        recommendations=len(current["recommendations"]),
        actions=len(data["actions"]),
        notes=notes,
        measures=len(data["measures"]),
        counts=counts,
        notice=True,
        public=data["in_short"]["public"],
        invented=data["in_short"]["invented"],
    )


def _current(inspections: list[dict[str, Any]]) -> int:
    """The index of the latest inspection with recommendations (the one the plan answers)."""
    with_recs = [i for i, spec in enumerate(inspections) if spec["recommendations"]]
    return max(with_recs, key=lambda i: inspections[i]["start"])


def _setup(story: Story, data: dict[str, Any]) -> None:
    """Plan and people, the notice, themes, milestones met, the inspections and their
    recommendations, each on its day."""
    from improveplan.services import plans, themes, timeline

    plan = {k: v for k, v in data["plan"].items() if k != "on"}
    story.on(story.first, partial(plans.add_plan, **plan))
    story.on(story.first, partial(_people, specs=data["people"]))
    story.on(_day(data["notice"]["on"]), partial(_notice, spec=data["notice"]))
    lead = data["people"][0]["name"]
    for theme in data["themes"]:
        add = partial(themes.add_theme, name=theme["name"], lead=theme["lead"])
        story.on(_day(data["themes_on"]), _acting(lead, add))
    for spec in data["inspections"]:
        story.on(_day(spec["on"]), partial(_inspection, spec=spec))
    for name, day in data["milestones_met"].items():
        story.on(_day(day), partial(timeline.mark_done, name=name, done=_day(day)))


def _acting(user: str, step: Step) -> Step:
    """The step, done by `user` (the audit trail names them)."""
    return lambda app: step(_as(app, user))


def _people(app: App, *, specs: list[dict[str, Any]]) -> None:
    """The invented people (kept when someone of that name is already in the database)."""
    from sqlmodel import select

    from improveplan.services import people
    from improveplan.store.models import Person

    with app.read() as session:
        known = {name.lower() for name in session.exec(select(Person.name)).all()}
    for person in specs:
        if person["name"].lower() not in known:
            people.add_person(app, **person)


def _inspection(app: App, *, spec: dict[str, Any]) -> None:
    """An inspection as Ofsted reported it, then its recommendations in order."""
    from improveplan.services import inspections, recommendations

    inspection = inspections.add_inspection(
        app,
        type=spec["type"],
        start=_day(spec["start"]),
        end=_day(spec["end"]),
        received=_date(spec.get("received")),
        published=_date(spec.get("published")),
        lead_inspector=spec.get("lead_inspector"),
        judgements=spec["judgements"],
        lscb=spec.get("lscb_recommendations", ()),
    )
    for rec in spec["recommendations"]:
        recommendations.add_recommendation(
            app, ref=rec["ref"], text=rec["text"], inspection=inspection.id,
            theme=rec.get("theme"),
        )  # fmt: skip


def _in_plan_order(specs: list[dict[str, Any]]) -> None:
    """Actions are added in ref order: their place in the plan (`seq`) is the order they
    were added, and the board pack lists them by it."""
    added = [spec["added"] for spec in specs]
    if added != sorted(added):
        raise ValueError("demo actions must be added in ref order (their added dates)")


def _action(story: Story, number: int, spec: dict[str, Any]) -> int:
    """Action `number` added on its day, then its history on the days it happened;
    returns the notes it writes."""
    from improveplan.services import actions

    def add(app: App) -> None:
        actions.add_action(
            app,
            title=spec["title"],
            owner=spec["owner"],
            due=_day(spec["due"]),
            ref=str(number),
            recs=spec.get("recs", ()),
            theme=spec.get("theme"),
            start=_date(spec.get("start")),
            measure=spec.get("measure"),
        )

    added = _day(spec["added"])
    story.on(added, _acting(spec["owner"], add))
    notes = 0
    for step in spec.get("steps", []):
        day = _day(step["on"])
        if day < added:
            raise ValueError(f"demo action {number} changes on {day}, before it is added")
        actor = step.get("by") or spec["owner"]
        story.on(day, _acting(actor, partial(_step, ref=str(number), step=step)))
        notes += step["do"] == "note" or bool(step.get("note"))
    return notes


def _step(app: App, *, ref: str, step: dict[str, Any]) -> None:
    """One recorded change: status, slipped due date, note, done or sign-off."""
    from improveplan.services import actions

    kind = step["do"]
    if kind == "note":
        actions.add_note(app, ref=ref, text=step["text"])
    elif kind == "status":
        actions.update_action(
            app, ref=ref, status=step["status"], reason=step.get("reason"), note=step.get("note")
        )
    elif kind == "due":
        actions.update_action(app, ref=ref, due=_day(step["due"]), reason=step["reason"])
    elif kind == "done":
        actions.mark_done(app, ref=ref, evidence=step.get("evidence"))
    elif kind == "signoff":
        actions.sign_off(app, ref=ref)
    else:
        raise ValueError(f"unknown demo step {kind!r}")


def _measures(story: Story, specs: list[dict[str, Any]]) -> None:
    """Measures added on their day; each value recorded on its date, or on the day the
    measure was added when it is older (figures from before the plan)."""
    from improveplan.services import measures

    for spec in specs:
        added = _day(spec["on"])
        story.on(added, partial(
            measures.add_measure, name=spec["name"], unit=spec["unit"],
            baseline=float(spec["baseline"]), target=float(spec["target"]),
            baseline_date=_date(spec.get("baseline_date")),
            target_date=_date(spec.get("target_date")),
            lower_is_better=bool(spec.get("lower_is_better", False)),
        ))  # fmt: skip
        for day, value in spec.get("values", []):
            on = _day(day)
            record = partial(measures.record_value, name=spec["name"], value=float(value), on=on)
            story.on(max(on, added), record)


def _counts(story: Story, spec: dict[str, Any]) -> int:
    """The nightly check's RAG counts, recorded weekly through the story (the trend)."""
    from improveplan.services.check import run_check

    days = weekly(_day(spec["from"]), story.last, int(spec["every_days"]))
    for day in days:
        story.on(day, partial(run_check, as_of=day), late=True)
    return len(days)


def _notice(app: App, *, spec: dict[str, Any]) -> None:
    """The DfE improvement notice and the improvement board's terms."""
    from improveplan.services import notices

    notices.set_notice(
        app,
        changes={
            "issued": _day(spec["issued"]),
            "review_months": spec.get("review_months"),
            "board_every_weeks": spec.get("board_every_weeks"),
            "first_board": _date(spec.get("first_board")),
            "chair": spec.get("chair"),
        },
    )


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


def _demo_marks(path: Path) -> tuple[list[str], set[str], bool]:
    """Plan names, who created them, and whether anything was changed after the build:
    the demo stamps only its story's dates, so a later event is someone's work (only
    SELECTs: the file is not changed)."""
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
            end = story_end(dt.date.fromisoformat(demo_data.load()["as_of"]))
            (later,) = conn.execute(
                "SELECT count(*) FROM audit_event WHERE julianday(at) >= julianday(?)",
                (end.strftime("%Y-%m-%d %H:%M:%S"),),
            ).fetchone()
    except sqlite3.Error as exc:
        raise refuse from exc
    return plans, creators, later > 0


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
