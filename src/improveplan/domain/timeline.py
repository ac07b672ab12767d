"""The statutory and DfE timeline that follows an inspection (docs/design.md §2).

Each milestone carries the rule that produced it and its source date, so a board can see
why a date is what it is and the dates can be recomputed when a source date changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from improveplan.domain.dates import add_months, add_working_days
from improveplan.domain.vocab import AMBER_DAYS, MilestoneKind, NoticeKind

__all__ = [
    "MEETINGS",
    "REPEAT_YEARS",
    "ComputedMilestone",
    "MilestoneKind",
    "MilestoneRecord",
    "MilestoneStatus",
    "NoticeTerms",
    "Timeline",
    "TimelineEntry",
    "default_milestones",
    "focused_visit_milestones",
    "is_meeting",
    "milestone_status",
]

PLAN_DUE_WORKING_DAYS = 70  # written statement of action after an inspection
PUBLISHED_LOCALLY_WORKING_DAYS = 30
DRAFT_PLAN_WORKING_DAYS = 20  # focused visit with areas for priority action
MONITORING_EVERY_MONTHS = 3
# A repeating series stops this long after it starts, lifted or not: no notice stays in
# force for ten years, and `--as-of 9999-12-31` must not make 85,000 boards.
REPEAT_YEARS = 10
# Meetings happen to the council on a date: once passed they are held, never overdue.
MEETINGS = frozenset({MilestoneKind.board, MilestoneKind.dfe_review})


def is_meeting(kind: MilestoneKind) -> bool:
    """A board or a DfE review: held once its date has passed, unless recorded missed."""
    return kind in MEETINGS


class MilestoneStatus(StrEnum):
    """Where a milestone stands on a date, as the timeline shows it."""

    done = "done"
    held = "held"  # a meeting whose date has passed (docs/design.md §2)
    missed = "missed"  # a meeting recorded as not held (`milestone missed`)
    upcoming = "upcoming"
    due = "due"  # within the due window (the amber window, by default)
    overdue = "overdue"
    expected = "expected"  # Ofsted's date to keep (a monitoring visit), never overdue


@dataclass(frozen=True)
class ComputedMilestone:
    """A milestone computed from a source date by a rule described in `rule`."""

    name: str
    kind: MilestoneKind
    date: dt.date
    rule: str
    source_date: dt.date
    expected: bool = False  # an expected date (a monitoring visit), not a deadline


@dataclass(frozen=True, slots=True, kw_only=True)
class MilestoneRecord:
    """A stored milestone as on a date: the JSON of docs/design.md §3 (name to status),
    extras after. The timeline, `milestone` commands and the board report show these."""

    name: str
    kind: MilestoneKind
    date: dt.date
    rule: str | None
    done: dt.date | None
    status: MilestoneStatus
    days_to_go: int
    source_date: dt.date | None
    user_set: bool
    expected: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineEntry(MilestoneRecord):
    """A row of the timeline: the milestone and the open actions due by it, then why a
    meeting was not held (`milestone missed`), after the keys scripts already read."""

    open_actions: int
    missed_reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Timeline:
    """The plan's milestones by date (`timeline` and `milestone list` print `milestones`)."""

    plan: str
    as_of: dt.date
    milestones: list[TimelineEntry]
    start: dt.date | None = None  # the window shown (None: from the first / to the last)
    end: dt.date | None = None
    earlier: int = 0  # milestones before `start` and after `end`, not shown
    later: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class NoticeTerms:
    """The DfE improvement notice's terms: the source of the board and review dates."""

    kind: NoticeKind
    issued: dt.date
    plan_due: dt.date | None
    review_months: int
    board_every_weeks: int | None
    first_board: dt.date | None
    chair: str | None
    lifted: dt.date | None


def _working_days_after(
    name: str, kind: MilestoneKind, received: dt.date, days: int
) -> ComputedMilestone:
    """received + `days` working days, held at 9999-12-31 (and saying so) when the count
    runs past the end of the calendar: any date a user can type derives a timeline."""
    rule = f"received {received.isoformat()} + {days} working days"
    try:
        date = add_working_days(received, days)
    except OverflowError:
        date, rule = dt.date.max, f"{rule}, held at the end of the calendar"
    return ComputedMilestone(name=name, kind=kind, date=date, rule=rule, source_date=received)


def focused_visit_milestones(received: dt.date) -> list[ComputedMilestone]:
    """A focused visit with areas for priority action: draft plan in 20 working days, final 70."""
    return [
        _working_days_after(
            "Draft action plan due", MilestoneKind.draft_plan_due, received, DRAFT_PLAN_WORKING_DAYS
        ),
        _working_days_after(
            "Action plan due", MilestoneKind.plan_due, received, PLAN_DUE_WORKING_DAYS
        ),
    ]


def _plan_due(received: dt.date | None, plan_due: dt.date | None) -> ComputedMilestone | None:
    """The action plan deadline: a date set on the notice wins over received + 70."""
    if plan_due is not None:
        return ComputedMilestone(
            name="Action plan due",
            kind=MilestoneKind.plan_due,
            date=plan_due,
            rule="set on the improvement notice",
            source_date=plan_due,
        )
    if received is None:
        return None
    return _working_days_after(
        "Action plan due", MilestoneKind.plan_due, received, PLAN_DUE_WORKING_DAYS
    )


def _every_months(
    *, label: str, kind: MilestoneKind, source: str, start: dt.date, months: int, end: dt.date
) -> list[ComputedMilestone]:
    """start + k*months for k = 1, 2... up to end, each counted from start (never chained)."""
    if months < 1:
        raise ValueError(f"an interval of {months} months is not positive")
    end = min(end, _series_end(start))
    expected = kind == MilestoneKind.monitoring_visit
    found: list[ComputedMilestone] = []
    for number, when in enumerate(_repeat(start, end, months=months), start=1):
        found.append(
            ComputedMilestone(
                name=f"{label} {number}" + (" (expected)" if expected else ""),
                kind=kind,
                date=when,
                rule=f"{source} {start.isoformat()} + {months * number} months",
                source_date=start,
                expected=expected,
            )
        )
    return found


def _series_end(start: dt.date) -> dt.date:
    """The last date a series begun on `start` may reach (REPEAT_YEARS on)."""
    try:
        return add_months(start, 12 * REPEAT_YEARS)
    except OverflowError:
        return dt.date.max


def _repeat(start: dt.date, end: dt.date, *, months: int = 0, weeks: int = 0) -> list[dt.date]:
    """start + k intervals for k = 1, 2... while on or before end (and before year 10000)."""
    dates: list[dt.date] = []
    try:
        while True:
            k = len(dates) + 1
            when = add_months(start, months * k) + dt.timedelta(weeks=weeks * k)
            if when > end:
                return dates
            dates.append(when)
    except OverflowError:
        return dates


def _boards(first: dt.date, every_weeks: int | None, end: dt.date) -> list[ComputedMilestone]:
    """The first improvement board, then one every N weeks (just the first when N is None)."""
    if every_weeks is not None and every_weeks < 1:
        raise ValueError(f"a board every {every_weeks} weeks is not positive")
    end = min(end, _series_end(first))
    if first > end:
        return []
    later = [] if every_weeks is None else _repeat(first, end, weeks=every_weeks)
    return [
        ComputedMilestone(
            name=f"Improvement board {number}",
            kind=MilestoneKind.board,
            date=when,
            rule=f"first board {first.isoformat()}"
            + (f" + {(every_weeks or 0) * (number - 1)} weeks" if number > 1 else ""),
            source_date=first,
        )
        for number, when in enumerate([first, *later], start=1)
    ]


def default_milestones(
    *,
    received: dt.date | None,
    notice_issued: dt.date | None = None,
    review_months: int = 6,
    lifted: dt.date | None = None,
    first_board: dt.date | None = None,
    board_every_weeks: int | None = None,
    horizon: dt.date,
    plan_due: dt.date | None = None,
    monitoring_every_months: int | None = MONITORING_EVERY_MONTHS,
) -> list[ComputedMilestone]:
    """The timeline of docs/design.md §2, sorted by date; repeating ones stop at lifted or horizon.

    `plan_due` (set on a notice) replaces received + 70 working days; monitoring visits,
    which follow an inadequate judgement, are left out when `monitoring_every_months` is None.
    """
    end = horizon if lifted is None else min(lifted, horizon)
    found: list[ComputedMilestone] = []
    due = _plan_due(received, plan_due)
    if due is not None:
        found.append(due)
    if received is not None:
        found.append(
            _working_days_after(
                "Report published locally",
                MilestoneKind.published_locally,
                received,
                PUBLISHED_LOCALLY_WORKING_DAYS,
            )
        )
    if notice_issued is not None:
        found += _every_months(
            label="DfE review",
            kind=MilestoneKind.dfe_review,
            source="notice issued",
            start=notice_issued,
            months=review_months,
            end=end,
        )
    if first_board is not None:
        found += _boards(first_board, board_every_weeks, end)
    if due is not None and monitoring_every_months is not None:
        found += _every_months(
            label="Monitoring visit",
            kind=MilestoneKind.monitoring_visit,
            source="plan due",
            start=due.date,
            months=monitoring_every_months,
            end=end,
        )
    return sorted(found, key=lambda milestone: milestone.date)


def milestone_status(
    *,
    date: dt.date,
    done: dt.date | None,
    as_of: dt.date,
    expected: bool,
    due_window_days: int = AMBER_DAYS,
    kind: MilestoneKind = MilestoneKind.custom,
    missed: bool = False,
) -> MilestoneStatus:
    """done, missed, expected, held, overdue, due (within the window) or upcoming.

    An expected date (a monitoring visit) is Ofsted's to keep, so it never turns overdue;
    a meeting (board, DfE review) in the past was held unless recorded missed. Only
    deadlines turn overdue.
    """
    if done is not None:
        return MilestoneStatus.done
    if missed:
        return MilestoneStatus.missed
    if expected:
        return MilestoneStatus.expected
    if date < as_of:
        return MilestoneStatus.held if is_meeting(kind) else MilestoneStatus.overdue
    if (date - as_of).days <= due_window_days:
        return MilestoneStatus.due
    return MilestoneStatus.upcoming
