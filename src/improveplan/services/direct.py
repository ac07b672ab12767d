"""`overdue`, `action list` and `status` read with the driver alone.

store/direct.py reads; this module asks it for what services/listing.py's streams hold,
with the same rules: names found as the lookups find them, the milestones at risk by
domain/at_risk.py over the plan's milestones as domain/milestone_sync.py reconciles
them. Each function yields None when the direct read does not apply (store/direct.py
says when): the caller then takes the SQLAlchemy path, which is the same report.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from improveplan.domain.dates import shift_days
from improveplan.domain.filters import ActionFilter
from improveplan.domain.records import (
    ActionRow,
    CsvText,
    MilestoneAtRisk,
    OverdueCounts,
    OverdueReport,
    OverdueStream,
    TupleRows,
)
from improveplan.domain.vocab import OPEN_STATUSES

if TYPE_CHECKING:
    from improveplan.domain.milestone_sync import MilestoneFacts
    from improveplan.domain.status import StatusReport
from improveplan.services.context import App
from improveplan.store import direct, direct_milestones


@contextmanager
def _opened(app: App) -> Iterator[direct.Plan | None]:
    plan = direct.open_plan(app.db, app.plan_name)
    try:
        yield plan
    finally:
        if plan is not None:
            plan.conn.close()


@contextmanager
def overdue_stream(
    app: App, *, as_of: dt.date, within: int | None = None, owner: str | None = None
) -> Iterator[OverdueStream | None]:
    """services/listing.py's `overdue_stream`, or None."""
    with _opened(app) as plan:
        found = _overdue_filters(plan, app, as_of, within, owner) if plan else None
        if plan is None or found is None:
            yield None
            return
        late_filter, soon_filter, owner_id = found
        amber = app.settings.amber_days
        late = direct.action_rows(plan, as_of=as_of, amber_days=amber, flt=late_filter)
        coming = direct.action_rows(plan, as_of=as_of, amber_days=amber, flt=soon_filter)
        if late is None or coming is None:  # a database the driver cannot read
            yield None
            return
        yield OverdueStream(
            as_of=as_of, plan=plan.name, overdue=late, due_soon=coming,
            milestones_at_risk=_at_risk(plan, app, as_of, owner_id),
        )  # fmt: skip


def overdue_report(
    app: App, *, as_of: dt.date, within: int | None, owner: str | None, limit: int
) -> OverdueReport | None:
    """services/overdue.py's `overdue_report` cut to `limit` (the table), or None."""
    from improveplan.domain.at_risk import REFS_LIMIT

    with _opened(app) as plan:
        found = _overdue_filters(plan, app, as_of, within, owner) if plan else None
        if plan is None or found is None:
            return None
        late_filter, soon_filter, owner_id = found
        late, soon = _capped(plan, app, as_of, late_filter, limit), None
        if late is not None:
            soon = _capped(plan, app, as_of, soon_filter, limit)
        if late is None or soon is None:
            return None
        risks = [
            MilestoneAtRisk(name=m.name, date=m.date, open_actions=m.open_actions[:REFS_LIMIT],
                            open_count=len(m.open_actions))
            for m in _at_risk(plan, app, as_of, owner_id)
        ]  # fmt: skip
        return OverdueReport(
            as_of=as_of, plan=plan.name, overdue=late[0], due_soon=soon[0],
            milestones_at_risk=risks, counts=OverdueCounts(overdue=late[1], due_soon=soon[1]),
        )  # fmt: skip


def _overdue_filters(
    plan: direct.Plan, app: App, as_of: dt.date, within: int | None, owner: str | None
) -> tuple[ActionFilter, ActionFilter, int | None] | None:
    """The overdue and due-soon filters and the owner's id, or None: an owner not found
    once (the services say why)."""
    person = direct.named(plan.people, owner) if owner else None
    if owner and person is None:
        return None
    within = app.settings.due_soon_days if within is None else within
    name = person[1] if person else None
    soon = ActionFilter(owner=name, due_from=as_of, due_by=shift_days(as_of, within))
    return ActionFilter(owner=name, overdue=True), soon, person[0] if person else None


def _capped(
    plan: direct.Plan, app: App, as_of: dt.date, flt: ActionFilter, limit: int
) -> tuple[list[ActionRow], int] | None:
    """services/overdue.py's `_listed`: the first `limit` rows and how many in all."""
    from improveplan.store.direct_records import action_records, count_actions

    amber = app.settings.amber_days
    rows = action_records(plan, as_of=as_of, amber_days=amber, flt=flt, limit=limit)
    if rows is None or len(rows) < limit:
        return None if rows is None else (rows, len(rows))
    total = count_actions(plan, as_of=as_of, amber_days=amber, flt=flt)
    return None if total is None else (rows, total)


def _at_risk(
    plan: direct.Plan, app: App, as_of: dt.date, owner_id: int | None
) -> list[MilestoneAtRisk]:
    """services/overdue.py's `milestones_at_risk` in full (no refs limit)."""
    # Here, not at the top: 15 ms of `action list`'s start, which has no milestones.
    from improveplan.domain.at_risk import Work, ahead_of, at_risk

    ahead = ahead_of(_milestones(plan, app, as_of), as_of)
    if not ahead:
        return []
    deadlines = [m.date for m in ahead if not m.meeting]
    found = direct_milestones.threats(
        plan, as_of=as_of, amber_days=app.settings.amber_days, owner_id=owner_id,
        ids=[m.key for m in ahead if m.key > 0], last_deadline=max(deadlines, default=None),
    )  # fmt: skip
    works = ((ref, Work(milestone=ms, due=due, off_track=bad)) for ref, due, ms, bad in found)
    return at_risk(ahead, works)


def _milestones(plan: direct.Plan, app: App, as_of: dt.date) -> list[MilestoneFacts]:
    """services/milestone_sync.py's `plan_milestones`: the stored milestones brought in
    line with their sources in memory, defaults not yet stored included."""
    from improveplan.domain.milestone_sync import effective, horizon, implied_milestones, reconcile

    sources = direct_milestones.milestone_sources(plan)
    wanted = implied_milestones(
        sources, until=horizon(sources.lifted, today=app.today, as_of=as_of)
    )
    stored = direct_milestones.stored_milestones(plan)
    retired = [m.id for m in reconcile(stored, wanted).retired if m.id is not None]
    return effective(stored, wanted, direct_milestones.linked(plan, retired))


def status_report(app: App, *, as_of: dt.date, by: str) -> StatusReport | None:
    """services/status.py's `plan_status` without `since` (the audit trail is left to
    it), or None when the direct read does not apply."""
    from improveplan.domain import status
    from improveplan.store.direct_status import measures, rag_counts

    with _opened(app) as plan:
        if plan is None:
            return None
        amber = app.settings.amber_days
        try:
            found = rag_counts(plan, as_of=as_of, amber_days=amber, group_by=by)
            total = None
            if by == "recommendation":
                (total,) = rag_counts(plan, as_of=as_of, amber_days=amber, group_by=None)
            milestones, kpis = _milestones(plan, app, as_of), measures(plan, as_of=as_of)
        except plan.conn.error:  # a damaged database: the services say what it is
            return None
        totals, groups = status.totals_and_groups(found, by, total)
        return status.StatusReport(
            as_of=as_of, plan=plan.name, totals=totals, groups=groups,
            next_milestone=status.next_milestone(milestones, as_of), by=by,
            overdue=totals.overdue, complete=totals.complete, pct_complete=totals.pct_complete,
            measures=kpis,
        )  # fmt: skip


@contextmanager
def action_stream(
    app: App, *, as_of: dt.date, flt: ActionFilter | None = None, mine: bool = False
) -> Iterator[TupleRows | None]:
    """services/listing.py's `action_stream`, or None (`mine`: the acting user's, as
    `list_actions`)."""
    with _opened(app) as plan:
        found = _resolved(plan, flt or ActionFilter(), app.user if mine else None) if plan else None
        rows = None
        if plan is not None and found is not None:
            amber = app.settings.amber_days
            rows = direct.action_rows(plan, as_of=as_of, amber_days=amber, flt=found)
        yield rows


@contextmanager
def action_csv(
    app: App, *, as_of: dt.date, flt: ActionFilter, mine: bool = False
) -> Iterator[TupleRows | CsvText | None]:
    """`action_stream` as CSV cells, or the CSV itself from PostgreSQL (store/direct_csv.py)."""
    from improveplan.store.direct_csv import action_csv as read

    with _opened(app) as plan:
        found = _resolved(plan, flt, app.user if mine else None) if plan else None
        rows = None
        if plan is not None and found is not None:
            rows = read(plan, as_of=as_of, amber_days=app.settings.amber_days, flt=found)
        yield rows


def action_list(
    app: App, *, as_of: dt.date, flt: ActionFilter, mine: bool = False
) -> list[ActionRow] | None:
    """services/action_reads.py's `list_actions` (under `mine_filter` with `mine`), or
    None when the direct read does not apply: a table of a few thousand rows need not
    wait for SQLAlchemy's import."""
    with _opened(app) as plan:
        found = _records(app, plan, as_of, flt, mine) if plan else None
        return found[1] if found else None


def _records(
    app: App, plan: direct.Plan, as_of: dt.date, flt: ActionFilter, mine: bool
) -> tuple[str, list[ActionRow]] | None:
    """The plan's name and the listing as records, or None (a name not found once, a
    filter the direct read does not take)."""
    from improveplan.store.direct_records import action_records

    found = _resolved(plan, flt, app.user if mine else None)
    if found is None:
        return None
    rows = action_records(plan, as_of=as_of, amber_days=app.settings.amber_days, flt=found)
    return None if rows is None else (plan.name, rows)


def _resolved(plan: direct.Plan, flt: ActionFilter, me: str | None) -> ActionFilter | None:
    """The filter with the stored owner's and theme's names (services/action_reads.py
    `_check_filter`; `me`, the acting user, as `mine_filter` finds them), or None when a
    name does not find exactly one."""
    owner = me if me is not None else flt.owner
    if owner is not None:
        person = direct.named(plan.people, owner)
        if person is None:
            return None
        flt = dataclasses.replace(flt, owner=person[1])
    if flt.theme is not None:
        theme = direct.named(direct.plan_themes(plan), flt.theme)
        if theme is None:
            return None
        flt = dataclasses.replace(flt, theme=theme[1])
    return flt


def my_open_actions(app: App, *, as_of: dt.date) -> tuple[str, list[ActionRow]] | None:
    """The plan's name and the acting user's open actions, soonest due first, as
    services/action_reads.py's `list_actions` under `mine_filter` gives them; None when
    the direct read does not apply or the user is nobody's owner (the services then say
    why)."""
    with _opened(app) as plan:
        flt = ActionFilter(status=sorted(OPEN_STATUSES))
        return _records(app, plan, as_of, flt, mine=True) if plan else None
