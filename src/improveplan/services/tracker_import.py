"""`import tracker.xlsx|csv`: a council's action tracker into the current plan, all or nothing.

Decisions (README "Bringing in your Excel tracker"):
- every row is checked first (io/tracker.py reads the cells; the rules every new action
  meets, refs and dates, come from domain/workflow.py as for `action add`); any bad row
  → every problem listed by spreadsheet row number, nothing written;
- owners and themes not yet known are created; recommendations referenced but missing
  are created with their ref only (text to be filled in), and listed;
- owners, themes and milestones are matched as `lookups` matches what people type: case
  and runs of whitespace ignored (`domain.inputs.folded`), so "Priya  Natarajan" is the
  existing Priya Natarajan;
- a blank ref gets the next integer; a RAG worse than the computed one becomes an
  override with reason "imported from tracker" (or the file's rag_override_reason); a
  better one (a stale Green on an overdue action) becomes a progress note saying what the
  tracker showed, so the action still turns red (`services/tracker_rows.py`);
- "Progress update" becomes a progress note by the importing user;
- a milestone column links to an existing milestone; unknown names are left unlinked;
- the audit trail records each action's creation field by field, as `action add` does,
  plus an "import" event naming the file and row, its override and note, and the
  creation of people, themes and recommendations; all through bulk executemany inserts
  (services/new_actions.py), so 10k rows still import in seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session, col

from improveplan.domain.inputs import folded
from improveplan.domain.workflow import next_refs
from improveplan.errors import ImproveplanError
from improveplan.io.tracker import (
    RowError,
    Tracker,
    TrackerError,
    TrackerRow,
    check,
    read_tracker,
)
from improveplan.services.action_reads import removed_error
from improveplan.services.context import App
from improveplan.services.tracker_refresh import (
    Batch,
    Refresh,
    Updated,
    existing_actions,
    late_warnings,
    plan_refreshes,
)
from improveplan.services.tracker_rows import cleaned, tracker_rag
from improveplan.services.tracker_store import REC_TEXT as REC_TEXT
from improveplan.services.tracker_store import Known, Progress, known_rows, write
from improveplan.store.models import Plan, RemovedAction


class RowsRejected(ImproveplanError):
    """Bad rows: `lines` holds one `row N: reason` per problem."""

    def __init__(self, lines: list[str], file: str) -> None:
        count = len({line.split(":", 1)[0] for line in lines})
        super().__init__(
            f"{count} bad row{'s' if count != 1 else ''} in {file}; nothing was imported",
            "fix them (or use --map) and run the import again",
        )
        self.lines = lines


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackerImport:
    """What an import wrote (or, on a dry run, would write)."""

    plan: str
    file: str
    dry_run: bool
    actions: int
    notes: int
    people_created: list[str]
    themes_created: list[str]
    recommendations_created: list[str]
    unlinked_milestones: list[str]
    ignored_columns: list[str]
    columns: dict[str, str]  # header → field
    overrides: int = 0  # RAG overrides kept (or, on a dry run, that would be)
    rag_notes: int = 0  # better RAGs kept as progress notes instead
    warnings: list[str] = field(default_factory=list)  # columns that look like a field
    update: bool = False  # --update: rows of existing actions refresh them
    updated: list[Updated] = field(default_factory=list)
    unchanged: int = 0  # rows of existing actions that change nothing
    late: list[str] = field(default_factory=list)  # actions due after their milestone


def read(
    path: Path,
    fmt: str,
    mapping: Mapping[str, str],
    progress: Progress | None,
    encoding: str | None = None,
) -> Tracker:
    """The file's rows, checked; a file that cannot be read faithfully is one error line."""
    tick = (lambda done, total: progress("checking rows", done, total)) if progress else None
    try:
        return read_tracker(path, fmt=fmt, mapping=mapping, progress=tick, encoding=encoding)
    except TrackerError as exc:
        todo = exc.todo or "save it as .xlsx or UTF-8 .csv and try again"
        raise ImproveplanError(exc.what, todo) from exc


def import_tracker(
    app: App,
    *,
    path: Path,
    fmt: str,
    mapping: Mapping[str, str],
    dry_run: bool = False,
    update: bool = False,
    progress: Progress | None = None,
    encoding: str | None = None,
) -> TrackerImport:
    """Check every row, then write them all in one transaction (or none). With `update`,
    a row whose ref is an action of the plan refreshes it (`services/tracker_refresh.py`)."""
    tracker = read(path, fmt, mapping, progress, encoding)
    with app.read() if dry_run else app.write() as session:
        plan = app.plan(session)
        assert plan.id is not None
        if not dry_run:  # serialise with other writers of this plan (PostgreSQL)
            session.execute(select(col(Plan.id)).where(col(Plan.id) == plan.id).with_for_update())
        known = known_rows(session, plan.id)
        rows, unstorable = cleaned(tracker)
        refreshes: list[Refresh] = []
        refused: list[RowError] = []
        if update:
            found = existing_actions(session, plan.id, lock=not dry_run)
            refreshes, rows, refused = plan_refreshes(
                rows, found, columns=set(tracker.columns.values()), file=path.name,
                milestones=known.milestones, as_of=app.today, amber_days=app.settings.amber_days,
            )  # fmt: skip
        taken, why = _taken(session, plan.id, plan.name, known.refs, update)
        errors = sorted([*check(tracker, taken=taken, plan=plan.name, taken_why=why),
                         *unstorable, *refused], key=lambda e: e.row)  # fmt: skip
        if errors:
            raise RowsRejected([str(e) for e in errors], path.name)
        if not tracker.rows:
            raise ImproveplanError(
                f"{path.name} has no action rows below its header", "check the file and sheet"
            )
        changed = [r for r in refreshes if r.changed]
        batch = Batch(
            rows=rows,
            refs=next_refs([r.ref for r in rows], known.refs),
            rags=[
                tracker_rag(r, as_of=app.today, amber_days=app.settings.amber_days) for r in rows
            ],
            refreshes=changed,
            unchanged=len(refreshes) - len(changed),
            named={m for r in (*rows, *(f.row for f in refreshes)) if (m := r.milestone)},
        )
        _plan_new([*rows, *(r.row for r in changed)], known)
        summary = _summary(tracker, known, batch, plan.name, path.name, dry_run, update)
        if not dry_run:
            write(session, app, plan.id, batch, known, path.name, progress)
        return summary


def _taken(
    session: Session, pid: int, plan: str, refs: list[str], update: bool
) -> tuple[list[str], Callable[[str], str]]:
    """The refs a new row may not take (with --update, an existing one is refreshed, so
    only the removed ones), and how a row that names one is told."""
    removed = {
        r.ref.lower(): r
        for r in session.execute(
            select(RemovedAction).where(col(RemovedAction.plan_id) == pid)
        ).scalars()
    }

    def why(ref: str) -> str:
        gone = removed.get(ref.lower())
        if gone is not None:
            return (
                f"{removed_error(gone).what} — a removed action's ref is never reused; give"
                " the row another ref, or leave it blank for the next number"
            )
        return (
            f'action {ref} already exists in plan "{plan}" — add --update to refresh'
            " existing actions from the tracker"
        )

    return ([r.ref for r in removed.values()] if update else refs), why


def _plan_new(rows: list[TrackerRow], known: Known) -> None:
    for row in rows:
        if folded(row.owner) not in known.people:
            known.new_people.setdefault(folded(row.owner), row.owner)
        if row.theme and folded(row.theme) not in known.themes:
            known.new_themes.setdefault(folded(row.theme), row.theme)
        for ref in row.recommendations:
            if folded(ref) not in known.recs:
                known.new_recs.setdefault(folded(ref), ref)


def _summary(
    tracker: Tracker, known: Known, batch: Batch, plan: str, file: str, dry_run: bool, update: bool
) -> TrackerImport:
    named, refreshed = batch.named, batch.refreshes
    return TrackerImport(
        plan=plan,
        file=file,
        dry_run=dry_run,
        actions=len(batch.rows),
        notes=sum(1 for r in batch.rows if r.note) + sum(1 for r in refreshed if r.note),
        people_created=list(known.new_people.values()),
        themes_created=list(known.new_themes.values()),
        recommendations_created=list(known.new_recs.values()),
        unlinked_milestones=sorted(m for m in named if folded(m) not in known.milestones),
        ignored_columns=tracker.ignored,
        columns=tracker.columns,
        overrides=sum(1 for r in batch.rags if r.override is not None)
        + sum(1 for r in refreshed if "rag_override" in r.values),
        rag_notes=sum(1 for r in batch.rags if r.note is not None)
        + sum(1 for r in refreshed if r.rag_note is not None),
        warnings=tracker.warnings,
        update=update,
        updated=[Updated(ref=r.action.ref, fields=r.fields, notes=r.notes) for r in refreshed],
        unchanged=batch.unchanged,
        late=late_warnings(batch, known.milestones, known.milestone_dates),
    )
