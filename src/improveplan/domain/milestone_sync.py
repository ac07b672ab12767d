"""Stored milestones against the ones the rules imply: one reconciliation, two uses.

Writes store the result (docs/design.md §2); reads apply it in memory, so `timeline`,
`milestone list`, `overdue` and the board report show what the rules say today without
writing a row — on a read-only database too, and for any `--as-of`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from improveplan.domain import timeline as rules
from improveplan.domain.dates import shift_days
from improveplan.domain.inputs import folded
from improveplan.domain.timeline import ComputedMilestone
from improveplan.domain.vocab import InspectionType, MilestoneKind

__all__ = ["DERIVED", "MilestoneFacts", "Reconciliation", "effective", "reconcile"]

# The fields the rules own on a default milestone; the rest (done, missed) are the user's.
DERIVED = ("kind", "date", "rule", "source_date", "expected")


@dataclass(frozen=True, slots=True, kw_only=True)
class MilestoneFacts:
    """A milestone as stored, or as the rules would store it (`id` None: not stored)."""

    id: int | None
    name: str
    kind: MilestoneKind
    date: dt.date
    rule: str | None
    source_date: dt.date | None
    user_set: bool
    expected: bool
    done: dt.date | None = None
    missed_reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Reconciliation:
    """What bringing stored defaults in line with the rules does: rows to add, rows to
    update (with the new values of DERIVED fields) and stored defaults no longer implied."""

    added: list[ComputedMilestone]
    updated: list[tuple[MilestoneFacts, dict[str, Any]]]
    retired: list[MilestoneFacts]


def reconcile(
    stored: Sequence[MilestoneFacts], wanted: Sequence[ComputedMilestone]
) -> Reconciliation:
    """Match by folded name: a default the user set (`user_set`) is never touched, and a
    row with no source date was made by a user, so it is never retired."""
    by_name = {folded(m.name): m for m in stored}
    wanted_names = {folded(m.name) for m in wanted}
    added: list[ComputedMilestone] = []
    updated: list[tuple[MilestoneFacts, dict[str, Any]]] = []
    for new in wanted:
        row = by_name.get(folded(new.name))
        if row is None:
            added.append(new)
        elif not row.user_set:
            changes = {f: getattr(new, f) for f in DERIVED if getattr(row, f) != getattr(new, f)}
            if changes:
                updated.append((row, changes))
    retired = [
        row
        for key, row in by_name.items()
        if key not in wanted_names and not row.user_set and row.source_date is not None
    ]
    return Reconciliation(added=added, updated=updated, retired=retired)


def effective(
    stored: Sequence[MilestoneFacts],
    wanted: Sequence[ComputedMilestone],
    linked: Collection[int],
) -> list[MilestoneFacts]:
    """The milestones as a refresh would leave them, by date then name, in memory.

    `linked` holds the ids of stored milestones actions link to: a retired default that
    actions link to is kept (as the user's), the others go.
    """
    plan = reconcile(stored, wanted)
    changed = {row.id: changes for row, changes in plan.updated}
    gone = {row.id for row in plan.retired if row.id not in linked}
    kept_as_set = {row.id for row in plan.retired if row.id in linked}
    found: list[MilestoneFacts] = []
    for row in stored:
        if row.id in gone:
            continue
        changes: dict[str, Any] = dict(changed.get(row.id, {}))
        if row.id in kept_as_set:
            changes["user_set"] = True
        found.append(dataclasses.replace(row, **changes))
    found += [
        MilestoneFacts(
            id=None,
            name=new.name,
            kind=new.kind,
            date=new.date,
            rule=new.rule,
            source_date=new.source_date,
            user_set=False,
            expected=new.expected,
        )
        for new in plan.added
    ]
    return sorted(found, key=lambda m: (m.date, m.name))


HORIZON_DAYS = 730  # repeating milestones stop at the lift date, else two years ahead


def horizon(lifted: dt.date | None, *, today: dt.date, as_of: dt.date) -> dt.date:
    """Where repeating milestones stop: the lift date, else two years past today/as-of
    (each series stops REPEAT_YEARS after it starts in any case: domain/timeline.py)."""
    return lifted if lifted is not None else shift_days(max(today, as_of), HORIZON_DAYS)


@dataclass(frozen=True, slots=True, kw_only=True)
class MilestoneSources:
    """What the default milestones follow from: the latest inspection that asks for a
    plan (its type and the date its report was received; its overall grade inadequate)
    and the improvement notice's terms, read by either kind of read (SQLAlchemy's or the
    driver's own)."""

    inspection_type: InspectionType | None = None
    received: dt.date | None = None
    inadequate: bool = False
    notice: bool = False  # whether there is a notice; its terms follow
    notice_issued: dt.date | None = None
    review_months: int = 6
    lifted: dt.date | None = None
    first_board: dt.date | None = None
    board_every_weeks: int | None = None
    plan_due: dt.date | None = None


def implied_milestones(src: MilestoneSources, *, until: dt.date) -> list[ComputedMilestone]:
    """The default milestones the sources imply, repeating ones up to `until`, by date."""
    focused = src.inspection_type == InspectionType.focused_visit
    monitoring = src.notice or src.inadequate
    found = rules.default_milestones(
        received=None if focused else src.received,
        notice_issued=src.notice_issued,
        review_months=src.review_months,
        lifted=src.lifted,
        first_board=src.first_board,
        board_every_weeks=src.board_every_weeks,
        horizon=until,
        plan_due=src.plan_due,
        monitoring_every_months=rules.MONITORING_EVERY_MONTHS if monitoring else None,
    )
    if focused and src.received is not None:
        names = {m.name for m in found}
        found += [m for m in rules.focused_visit_milestones(src.received) if m.name not in names]
    return sorted(found, key=lambda m: (m.date, m.name))
