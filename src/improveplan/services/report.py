"""The board report: what an improvement board reads, built with bounded SQL queries.

Only what a board discusses is listed — overdue, slipped, recent notes — each capped, so
the report costs about the same at 100k actions as at 50. Rendering (Jinja2 templates in
`templates/`, a user's template in the sandbox) happens in `render_report`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from improveplan.domain.dates import shift_days
from improveplan.domain.rag import days_overdue
from improveplan.domain.timeline import MilestoneRecord, MilestoneStatus
from improveplan.domain.vocab import RAG_ORDER, Rag
from improveplan.errors import ImproveplanError
from improveplan.services.context import App
from improveplan.services.history import InspectionHistory, inspection_history
from improveplan.services.measures import measure_rows
from improveplan.services.milestone_sync import plan_milestones, record
from improveplan.services.report_plan import plan_by_recommendation
from improveplan.services.report_results import (
    RAG_LABELS,
    RAG_MEANINGS,
    ActionList,
    BoardAction,
    BoardReport,
    MilestoneWindow,
    Note,
    PlanHeading,
    TrendPoint,
)
from improveplan.services.status import day_start, next_milestone, totals_and_groups
from improveplan.store.models import (
    Action,
    AuditEvent,
    DailyCount,
    Person,
    ProgressNote,
    Theme,
)
from improveplan.store.queries import is_open, is_overdue, rag_effective

if TYPE_CHECKING:
    from markupsafe import Markup

LIST_LIMIT = 100
DUE_SOON_DAYS = 28  # a board meets every four to six weeks: what falls due before the next
NOTES_DAYS = 30
NOTES_LIMIT = 60
TIMELINE_BACK = 92  # days of past milestones shown (about one review period)
TIMELINE_AHEAD = 183  # days of milestones ahead (to the next DfE review)


def _slip_days(due: dt.date | None, original_due: dt.date | None) -> int:
    """Days a due date has moved past the original one (0 if it has not moved later)."""
    if due is None or original_due is None or due <= original_due:
        return 0
    return (due - original_due).days


def _action_list(
    session: Session, plan_id: int, as_of: dt.date, amber: int, condition: Any, order: Any
) -> ActionList:
    """Up to LIST_LIMIT actions matching `condition`, with owner, theme, RAG, the latest
    reason the trail records, and the count of all."""
    counted = select(func.count()).select_from(Action)
    total = int(
        session.execute(counted.where(col(Action.plan_id) == plan_id, condition)).scalar_one()
    )
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
            rag_effective(as_of, amber).label("rag"),
        )
        .outerjoin(Person, col(Person.id) == col(Action.owner_id))
        .outerjoin(Theme, col(Theme.id) == col(Action.theme_id))
        .where(col(Action.plan_id) == plan_id, condition)
        .order_by(*order)
        .limit(LIST_LIMIT)
    )
    found = session.execute(stmt).all()
    reasons = _reasons(session, [r.id for r in found])
    rows = [
        BoardAction(
            id=r.id, ref=r.ref, title=r.title, owner=r.owner, theme=r.theme, status=r.status,
            due=r.due, original_due=r.original_due,
            reason=reasons.get(r.id) or r.status_reason or "",
            days_overdue=days_overdue(status=r.status, due=r.due, as_of=as_of),
            slip_days=_slip_days(r.due, r.original_due), rag=Rag(r.rag) if r.rag else None,
        )
        for r in found
    ]  # fmt: skip
    return ActionList(count=total, rows=rows, more=max(total - len(rows), 0))


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


def _milestones(
    session: Session, plan_id: int, *, today: dt.date, as_of: dt.date, window: int
) -> MilestoneWindow:
    """Milestones a board discusses: the last TIMELINE_BACK days, the next TIMELINE_AHEAD,
    and any older deadline still not done (a past meeting was held: no need to list it);
    the rest are counted, not listed. Computed as the timeline computes them (no write)."""
    start = shift_days(as_of, -TIMELINE_BACK)
    end = shift_days(as_of, TIMELINE_AHEAD)
    found = plan_milestones(session, plan_id=plan_id, today=today, as_of=as_of)
    rows = [record(MilestoneRecord, m, as_of=as_of, due_window_days=window) for m in found]
    shown = [
        r
        for r in rows
        if start <= r.date <= end or (r.date < start and r.status == MilestoneStatus.overdue)
    ]
    return MilestoneWindow(rows=shown, later=sum(1 for r in rows if r.date > end), until=end)


def _notes(session: Session, plan_id: int, as_of: dt.date) -> list[Note]:
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
    return [Note(**r._mapping) for r in session.execute(stmt)]


def _trend(session: Session, plan_id: int, as_of: dt.date) -> list[TrendPoint]:
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
    return [TrendPoint(day=r.day, open=r.total - r.blue, overdue=r.overdue) for r in rows]


def _due_soon(as_of: dt.date) -> Any:
    """Open and due from `as_of` to DUE_SOON_DAYS after it, both days included."""
    return is_open() & col(Action.due).between(as_of, shift_days(as_of, DUE_SOON_DAYS))


def _history(app: App) -> InspectionHistory | None:
    """The inspection history, when there is one to draw: 2+ inspections with judgements."""
    found = inspection_history(app)
    judged = [i for i, _ in enumerate(found.inspections) if any(
        area.grades[i] is not None for area in found.areas)]  # fmt: skip
    return found if len(judged) >= 2 else None


def build_report(app: App, *, as_of: dt.date) -> BoardReport:
    """Everything the board report shows (templates only lay it out)."""
    amber = app.settings.amber_days
    history = _history(app)
    with app.read() as session:
        plan = app.plan(session)
        assert plan.id is not None
        plan_id = plan.id
        totals, themes = totals_and_groups(
            session, plan_id=plan_id, as_of=as_of, amber_days=amber, by="theme"
        )
        by_due = (col(Action.due), col(Action.seq))
        slipped_when = is_open() & (col(Action.due) > col(Action.original_due))

        def listed(condition: Any) -> ActionList:
            return _action_list(session, plan_id, as_of, amber, condition, by_due)

        return BoardReport(
            plan=PlanHeading(name=plan.name, authority=plan.authority, la_code=plan.la_code),
            as_of=as_of,
            totals=totals,
            overdue_count=totals.overdue,
            complete=totals.complete,
            pct_complete=totals.pct_complete,
            themes=themes,
            next_milestone=next_milestone(session, plan_id=plan.id, as_of=as_of, today=app.today),
            overdue=listed(is_overdue(as_of)),
            due_soon=listed(_due_soon(as_of)),
            due_soon_days=DUE_SOON_DAYS,
            due_soon_until=shift_days(as_of, DUE_SOON_DAYS),
            slipped=listed(slipped_when),
            milestones=_milestones(session, plan.id, today=app.today, as_of=as_of, window=amber),
            measures=measure_rows(session, plan_id=plan.id, as_of=as_of),
            notes=_notes(session, plan.id, as_of),
            notes_days=NOTES_DAYS,
            trend=_trend(session, plan.id, as_of),
            by_recommendation=plan_by_recommendation(
                session, plan_id=plan.id, as_of=as_of, amber_days=amber
            ),
            history=history,
        )


@dataclass(frozen=True, slots=True)
class Charts:
    """The inline SVG charts, marked safe: charts.py escapes every text itself."""

    rag: Markup
    trend: Markup
    measures: Markup
    history: Markup


def _charts(report: BoardReport) -> Charts:
    from markupsafe import Markup

    from improveplan.render import charts

    return Charts(
        rag=Markup(charts.rag_bars(report.themes)),
        trend=Markup(charts.trend(report.trend)),
        measures=Markup(charts.measures(report.measures)),
        history=Markup(charts.history(report.history) if report.history else ""),
    )


MD_SPECIAL = str.maketrans(
    {c: "\\" + c for c in "\\`*_[]|#"}
    | {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\n": " ", "\r": " "}
)


def md_text(value: Any) -> Any:
    """Text for a Markdown cell: no table breaks, no live HTML, no stray emphasis."""
    from markupsafe import Markup

    return Markup("" if value is None else str(value).translate(MD_SPECIAL))


def css_string(value: Any) -> Any:
    """A quoted CSS string (a page footer's `content`) that no text can break out of:
    quotes, backslashes, `<`, `>`, `&` and control characters become CSS hex escapes, so
    neither `"` nor `</style>` in a plan's name ends the string or the stylesheet."""
    from markupsafe import Markup

    def escaped(char: str) -> str:
        if char == "\0":
            return ""
        if char in "\"'\\<>&" or ord(char) < 0x20 or ord(char) == 0x7F:
            return f"\\{ord(char):x} "
        return char

    return Markup('"' + "".join(escaped(c) for c in str(value)) + '"')


def num_text(value: Any) -> str:
    """12.0 → "12": values as people write them."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def render_report(report: BoardReport, *, fmt: str, template: Path | None = None) -> str:
    """The report as text: a bundled template, or the user's run in Jinja2's sandbox.

    Beside the report's fields a template gets the charts (HTML), the `md`/`num`/`css`
    text helpers, and the RAG colours in the board's order with their captions and palette,
    so no template names a colour itself.
    """
    from jinja2 import TemplateError
    from jinja2.exceptions import SecurityError

    from improveplan.render.charts import RAG_COLOURS
    from improveplan.render.templating import context_of

    context = context_of(
        report,
        charts=_charts(report) if fmt == "html" else {},
        md=md_text,
        num=num_text,
        css=css_string,
        rag_order=RAG_ORDER,
        rag_labels=RAG_LABELS,
        rag_meanings=RAG_MEANINGS,
        rag_colours=RAG_COLOURS,
    )
    try:
        if template is None:
            from improveplan.render.templating import environment

            text: str = environment().get_template(f"report.{fmt}.j2").render(context)
        else:
            text = run_user_template(_user_template(template), context, template)
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


def run_user_template(compiled: Any, context: dict[str, Any], path: Path) -> str:
    """Render a user's template within bounds: a runtime error is one line naming the
    template's line, and neither time nor output can grow without end."""
    from improveplan.render.templating import bounded_render

    try:
        return bounded_render(compiled, context)
    except ImproveplanError:
        raise
    except Exception as exc:
        if _is_template_error(exc):
            raise
        line = _template_line(exc, path)
        at = f" line {line}" if line else ""
        raise ImproveplanError(
            f"template {path}{at} failed: {type(exc).__name__}: {exc}", "fix the template"
        ) from None


def _is_template_error(exc: Exception) -> bool:
    from jinja2 import TemplateError

    return isinstance(exc, TemplateError)


def _template_line(exc: BaseException, path: Path) -> int | None:
    """The template's line in the traceback (Jinja2 rewrites frames to point at it)."""
    import traceback

    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename and Path(frame.filename).name == path.name:
            found = frame.lineno
    return found


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
