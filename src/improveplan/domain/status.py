"""What the `status` dashboard holds: RAG totals, groups, the next milestone, measures,
recent changes (the JSON shape of docs/design.md §3).

Typed here, apart from the queries, because two reads make them: services/status.py
through SQLAlchemy, and services/direct.py with the driver alone (issue 14); both hand
the same counts to `totals_and_groups` and the same milestones to `next_milestone`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from improveplan.domain.measures import MeasureRecord
from improveplan.domain.records import RagCounts
from improveplan.domain.vocab import RAG_ORDER, MilestoneKind, Rag
from improveplan.serialize import json_field

if TYPE_CHECKING:  # a type only: the status read loads the rules where it uses them
    from improveplan.domain.milestone_sync import MilestoneFacts

NO_GROUP = {"theme": "(no theme)", "owner": "(no owner)", "recommendation": "(no recommendation)"}

MeasureRows = list[MeasureRecord]


def pct(done: int, total: int) -> int:
    """Whole-number percentage; 0 of 0 is 0%."""
    return round(100 * done / total) if total else 0


class _ByColour:
    """`of(rag)` and `colours` for a counts type with one int field per RAG colour, so
    templates and charts walk RAG_ORDER instead of naming colours."""

    __slots__ = ()

    def of(self, rag: Rag) -> int:
        """The count for one colour."""
        return int(getattr(self, rag.value))

    @property
    def colours(self) -> tuple[tuple[Rag, int], ...]:
        """(colour, count) in the board's order."""
        return tuple((rag, self.of(rag)) for rag in RAG_ORDER)


@dataclass(frozen=True, slots=True, kw_only=True)
class Totals(_ByColour):
    """The whole plan's counts. The JSON `totals` holds the colours and the total; the
    overdue, complete and % complete figures sit beside it in the status JSON (§3)."""

    blue: int
    green: int
    amber: int
    red: int
    total: int
    overdue: int = json_field(hidden=True)
    complete: int = json_field(hidden=True)
    pct_complete: int = json_field(hidden=True)

    @classmethod
    def from_counts(cls, c: RagCounts) -> Totals:
        """The plan's RAG counts with their % complete."""
        return cls(blue=c.blue, green=c.green, amber=c.amber, red=c.red, total=c.total,
                   overdue=c.overdue, complete=c.complete,
                   pct_complete=pct(c.complete, c.total))  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupCounts(_ByColour):
    """One group's counts (a theme, an owner or a recommendation; never unnamed)."""

    name: str
    blue: int
    green: int
    amber: int
    red: int
    total: int
    complete: int
    pct_complete: int
    overdue: int

    @classmethod
    def from_counts(cls, c: RagCounts, name: str) -> GroupCounts:
        """A group's RAG counts under its shown name, with their % complete."""
        return cls(name=name, blue=c.blue, green=c.green, amber=c.amber, red=c.red,
                   total=c.total, complete=c.complete, pct_complete=pct(c.complete, c.total),
                   overdue=c.overdue)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class NextMilestone:
    """The first milestone ahead, not done, and how many days away it is."""

    name: str
    date: dt.date
    days: int
    kind: MilestoneKind
    expected: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class RecentChange:
    """One status change or moved due date from the audit trail."""

    at: dt.datetime
    actor: str
    ref: str
    title: str
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Changes:
    """What moved between two dates: counts, and the latest changes themselves."""

    since: dt.date
    status_changes: int
    new_actions: int
    notes_added: int
    due_dates_moved: int
    recent: list[RecentChange]


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusReport:
    """The `status` dashboard: the JSON shape of docs/design.md §3, plus extras after it;
    `changes` appears only when asked for with `--since`."""

    as_of: dt.date
    plan: str
    totals: Totals
    groups: list[GroupCounts]
    next_milestone: NextMilestone | None
    by: str
    overdue: int
    complete: int
    pct_complete: int
    measures: MeasureRows
    changes: Changes | None = json_field(omit_none=True, default=None)  # noqa: RUF009


def totals_and_groups(found: list[RagCounts], by: str, total: RagCounts | None = None
) -> tuple[Totals, list[GroupCounts]]:  # fmt: skip
    """The plan's totals and its groups from the grouped counts. An action has one theme
    and one owner, so those totals are the groups' sums; recommendations may share an
    action, so their totals are counted apart (`total`)."""
    groups = [GroupCounts.from_counts(c, c.name or NO_GROUP[by]) for c in found]
    return Totals.from_counts(total if total is not None else _summed(found)), groups


def _summed(found: list[RagCounts]) -> RagCounts:
    """Counts of groups that share no action, added up field by field."""
    keys = [f.name for f in dataclasses.fields(RagCounts) if f.name != "name"]
    return RagCounts(name=None, **{key: sum(getattr(c, key) for c in found) for key in keys})


def next_milestone(milestones: Iterable[MilestoneFacts], as_of: dt.date) -> NextMilestone | None:
    """The first milestone on or after `as_of` that is neither done nor recorded as missed,
    of the milestones as the timeline shows them (defaults not yet stored included)."""
    ahead = [
        m for m in milestones if m.done is None and m.missed_reason is None and m.date >= as_of
    ]
    if not ahead:
        return None
    found = min(ahead, key=lambda m: (m.date, m.name))
    return NextMilestone(
        name=found.name,
        date=found.date,
        days=(found.date - as_of).days,
        kind=found.kind,
        expected=found.expected,
    )


def pivot_counts(rows: Iterable[Any], *, grouped: bool) -> list[RagCounts]:
    """RagCounts from a count's (name, rag, done, n, late) rows, by name, unnamed last;
    ungrouped, one row even for a plan without actions. Each row's RAG was evaluated once
    in SQL and counted by (group, rag, done): a few rows whatever the plan's size."""
    colours: dict[Any, Counter[Rag]] = {} if grouped else {None: Counter()}
    total: Counter[Any] = Counter()
    overdue: Counter[Any] = Counter()
    done_total: Counter[Any] = Counter()
    for name, rag, done, n, late in rows:
        colours.setdefault(name, Counter())[Rag(rag)] += n
        total[name] += n
        overdue[name] += int(late or 0)
        done_total[name] += n if done else 0
    names = sorted(colours, key=lambda name: (name is None, str(name or "")))
    return [
        RagCounts(
            name=name, **{rag.value: colours[name][rag] for rag in Rag},
            total=total[name], overdue=overdue[name], complete=done_total[name],
        )
        for name in names
    ]  # fmt: skip
