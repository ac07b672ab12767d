"""The board report: what an improvement board reads, built with bounded SQL queries.

Only what a board discusses is listed — overdue, slipped, recent notes — each capped, so
the report costs about the same at 100k actions as at 50. Rendering (Jinja2 templates in
`templates/`, a user's template in the sandbox) happens in `render_report`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from improveplan.domain.dates import shift_days
from improveplan.domain.vocab import OPEN_STATUSES
from improveplan.errors import ImproveplanError
from improveplan.services.context import App
from improveplan.services.measures import measure_rows
from improveplan.services.status import COLOURS, day_start, next_milestone, totals_and_groups
from improveplan.services.timeline import milestone_record
from improveplan.store.models import (
    Action,
    AuditEvent,
    DailyCount,
    Milestone,
    Person,
    ProgressNote,
    Theme,
)
from improveplan.store.queries import is_open, is_overdue

LIST_LIMIT = 100
NOTES_DAYS = 30
NOTES_LIMIT = 60
TIMELINE_BACK = 92  # days of past milestones shown (about one review period)
TIMELINE_AHEAD = 183  # days of milestones ahead (to the next DfE review)


def _action_list(session: Session, plan_id: int, condition: Any, order: Any) -> dict[str, Any]:
    """Up to LIST_LIMIT actions matching `condition`, with owner, theme and count of all."""
    total = session.execute(
        select(func.count()).select_from(Action).where(col(Action.plan_id) == plan_id, condition)
    ).scalar_one()
    stmt: Any = (
        sa_select(
            col(Action.id),
            col(Action.ref),
            col(Action.title),
            col(Person.name).label("owner"),
            col(Theme.name).label("theme"),
            col(Action.status),
            col(Action.due),
            col(Action.original_due),
            col(Action.status_reason),
        )
        .outerjoin(Person, col(Person.id) == col(Action.owner_id))
        .outerjoin(Theme, col(Theme.id) == col(Action.theme_id))
        .where(col(Action.plan_id) == plan_id, condition)
        .order_by(*order)
        .limit(LIST_LIMIT)
    )
    rows = [dict(r._mapping) for r in session.execute(stmt)]
    return {"count": int(total), "rows": rows, "more": max(int(total) - len(rows), 0)}


def _reasons(session: Session, action_ids: list[int]) -> dict[int, str]:
    """The latest `reason` each action's trail records (why it slipped or changed)."""
    if not action_ids:
        return {}
    stmt = (
        select(col(AuditEvent.entity_id), col(AuditEvent.new_value))
        .where(
            col(AuditEvent.entity) == "action",
            col(AuditEvent.field) == "reason",
            col(AuditEvent.entity_id).in_(action_ids),
        )
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    )
    return {entity_id: text for entity_id, text in session.execute(stmt) if text}


def _with_reasons(session: Session, listing: dict[str, Any], as_of: dt.date) -> dict[str, Any]:
    reasons = _reasons(session, [r["id"] for r in listing["rows"]])
    for row in listing["rows"]:
        row["reason"] = reasons.get(row["id"]) or row["status_reason"] or ""
        row["days_overdue"] = (
            (as_of - row["due"]).days
            if row["status"] in OPEN_STATUSES and row["due"] < as_of
            else 0
        )
        row["slip_days"] = (
            (row["due"] - row["original_due"]).days
            if row["due"] and row["original_due"] and row["due"] > row["original_due"]
            else 0
        )
    return listing


def _milestones(session: Session, plan_id: int, as_of: dt.date, window: int) -> dict[str, Any]:
    """Milestones a board discusses: the last TIMELINE_BACK days, the next TIMELINE_AHEAD,
    and any older one still not done; the rest are counted, not listed."""
    start = shift_days(as_of, -TIMELINE_BACK)
    end = shift_days(as_of, TIMELINE_AHEAD)
    shown = (col(Milestone.date) >= start) & (col(Milestone.date) <= end) | (
        (col(Milestone.date) < start)
        & col(Milestone.done).is_(None)
        & col(Milestone.expected).is_(False)
    )
    found = session.exec(
        select(Milestone)
        .where(col(Milestone.plan_id) == plan_id, shown)
        .order_by(col(Milestone.date), col(Milestone.name))
    ).all()
    later = session.execute(
        select(func.count())
        .select_from(Milestone)
        .where(col(Milestone.plan_id) == plan_id, col(Milestone.date) > end)
    ).scalar_one()
    return {
        "rows": [milestone_record(m, as_of=as_of, due_window_days=window) for m in found],
        "later": int(later),
        "until": end,
    }


def _notes(session: Session, plan_id: int, as_of: dt.date) -> list[dict[str, Any]]:
    """Progress notes of the last NOTES_DAYS days up to as_of, newest first."""
    start = day_start(shift_days(as_of, 1 - NOTES_DAYS))
    end = day_start(shift_days(as_of, 1))
    stmt: Any = (
        sa_select(
            col(ProgressNote.created_at).label("at"),
            col(ProgressNote.author),
            col(ProgressNote.text),
            col(Action.ref),
            col(Action.title),
        )
        .join(Action, col(Action.id) == col(ProgressNote.action_id))
        .where(
            col(Action.plan_id) == plan_id,
            col(ProgressNote.created_at) >= start,
            col(ProgressNote.created_at) < end,
        )
        .order_by(col(ProgressNote.created_at).desc(), col(ProgressNote.id).desc())
        .limit(NOTES_LIMIT)
    )
    return [dict(r._mapping) for r in session.execute(stmt)]


def _trend(session: Session, plan_id: int, as_of: dt.date) -> list[dict[str, Any]]:
    """Nightly counts of the last year: open (not yet signed off) and overdue per day."""
    rows = session.exec(
        select(DailyCount)
        .where(
            col(DailyCount.plan_id) == plan_id,
            col(DailyCount.day) <= as_of,
            col(DailyCount.day) > shift_days(as_of, -366),
        )
        .order_by(col(DailyCount.day))
    ).all()
    return [{"day": r.day, "open": r.total - r.blue, "overdue": r.overdue} for r in rows]


def build_report(app: App, *, as_of: dt.date) -> dict[str, Any]:
    """Everything the board report shows, as plain data (templates only lay it out)."""
    amber = app.settings.amber_days
    with app.read() as session:
        plan = app.plan(session)
        assert plan.id is not None
        total, themes = totals_and_groups(
            session, plan_id=plan.id, as_of=as_of, amber_days=amber, by="theme"
        )
        slipped_when = is_open() & (col(Action.due) > col(Action.original_due))
        data: dict[str, Any] = {
            "plan": {"name": plan.name, "authority": plan.authority, "la_code": plan.la_code},
            "as_of": as_of,
            "totals": {key: total[key] for key in (*COLOURS, "total")},
            "overdue_count": total["overdue"],
            "complete": total["complete"],
            "pct_complete": total["pct_complete"],
            "themes": themes,
            "next_milestone": next_milestone(session, plan_id=plan.id, as_of=as_of),
            "overdue": _action_list(
                session, plan.id, is_overdue(as_of), (col(Action.due), col(Action.seq))
            ),
            "slipped": _action_list(
                session, plan.id, slipped_when, (col(Action.due), col(Action.seq))
            ),
            "milestones": _milestones(session, plan.id, as_of, amber),
            "measures": measure_rows(session, plan_id=plan.id, as_of=as_of),
            "notes": _notes(session, plan.id, as_of),
            "notes_days": NOTES_DAYS,
            "trend": _trend(session, plan.id, as_of),
        }
        for key in ("overdue", "slipped"):
            _with_reasons(session, data[key], as_of)
    return data


def _charts(data: dict[str, Any]) -> dict[str, Any]:
    """The three inline SVG charts, marked safe: charts.py escapes every text itself."""
    from markupsafe import Markup

    from improveplan.render import charts
    from improveplan.serialize import as_record

    return {
        "rag": Markup(charts.rag_bars(data["themes"])),
        "trend": Markup(charts.trend(data["trend"])),
        "measures": Markup(charts.measures([as_record(m) for m in data["measures"]])),
    }


MD_SPECIAL = str.maketrans(
    {c: "\\" + c for c in "\\`*_[]|#"}
    | {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\n": " ", "\r": " "}
)


def md_text(value: Any) -> Any:
    """Text for a Markdown cell: no table breaks, no live HTML, no stray emphasis."""
    from markupsafe import Markup

    return Markup("" if value is None else str(value).translate(MD_SPECIAL))


def num_text(value: Any) -> str:
    """12.0 → "12": values as people write them."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def render_report(data: dict[str, Any], *, fmt: str, template: Path | None = None) -> str:
    """The report as text: a bundled template, or the user's run in Jinja2's sandbox."""
    from jinja2 import TemplateError
    from jinja2.exceptions import SecurityError

    context = {
        **data,
        "charts": _charts(data) if fmt == "html" else {},
        "md": md_text,
        "num": num_text,
    }
    try:
        if template is None:
            from improveplan.render.templating import environment

            text: str = environment().get_template(f"report.{fmt}.j2").render(context)
        else:
            text = _user_template(template).render(context)
        return text
    except SecurityError as exc:
        raise ImproveplanError(
            f"template {template} tried something unsafe: {exc}",
            "templates may only read the report data",
        ) from None
    except TemplateError as exc:
        where = f"template {template}" if template else f"report.{fmt}.j2"
        line = getattr(exc, "lineno", None)
        at = f" line {line}" if line else ""
        raise ImproveplanError(f"{where}{at}: {exc.message}", "fix the template") from None


def _user_template(path: Path) -> Any:
    """The user's template in the sandbox, escaped by its name (`.md`/`.txt` are not)."""
    from improveplan.render.templating import sandboxed_environment

    if not path.is_file():
        raise ImproveplanError(f"no template at {path}", "give the path of a Jinja2 template")
    try:
        return sandboxed_environment(path).get_template(path.name)
    except UnicodeDecodeError as exc:
        raise ImproveplanError(
            f"template {path} is not UTF-8 text: {exc.reason}", "save it as UTF-8"
        ) from None
