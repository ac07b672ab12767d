"""When open work puts a milestone at risk (docs/design.md §2), as one pure rule.

`overdue`, `check` and the board report all ask this one function, so a milestone is at
risk in one place exactly when it is at risk in the others.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from improveplan.domain.records import MilestoneAtRisk
from improveplan.domain.timeline import is_meeting

REFS_LIMIT = 8  # refs per milestone at risk in the summary (the table)

if TYPE_CHECKING:
    from improveplan.domain.milestone_sync import MilestoneFacts

__all__ = ["REFS_LIMIT", "Ahead", "Work", "ahead_of", "at_risk", "risk_rule"]


@dataclass(frozen=True, slots=True)
class Ahead:
    """A milestone not done or missed, on or after the as-of date. `meeting`: a board, a
    DfE review or an expected visit, which only work linked to it can put at risk."""

    key: int
    date: dt.date
    meeting: bool
    name: str = ""  # what a listing calls it; the rule goes by key


@dataclass(frozen=True, slots=True)
class Work:
    """An open action as the rule sees it: the milestone it links to (a key), its due
    date, and whether its RAG says it is off track (red or amber)."""

    milestone: int | None
    due: dt.date | None
    off_track: bool


def risk_rule(ahead: Sequence[Ahead]) -> Callable[[Work], int | None]:
    """rule(work): the key of the milestone `work` puts at risk, or None.

    Work linked to a milestone ahead threatens it when off track or due after it. Other
    off-track work with a due date threatens the first *deadline* on or after that date
    (an overdue action: the next deadline), so a list names the work that could make
    that deadline slip. Green work that will be done in time threatens nothing.
    """
    by_key = {m.key: m for m in ahead}
    deadlines = sorted((m for m in ahead if not m.meeting), key=lambda m: (m.date, m.key))
    dates = [m.date for m in deadlines]

    def rule(work: Work) -> int | None:
        own = by_key.get(work.milestone) if work.milestone is not None else None
        if own is not None:
            late = work.due is not None and work.due > own.date
            return own.key if work.off_track or late else None
        if not work.off_track or work.due is None or not dates or work.due > dates[-1]:
            return None
        return deadlines[bisect.bisect_left(dates, work.due)].key

    return rule


def ahead_of(found: Sequence[MilestoneFacts], as_of: dt.date) -> list[Ahead]:
    """The milestones on or after `as_of`, not done or missed, as the rule sees them:
    stored ones keyed by id, ones not yet stored by a negative key."""
    ahead = [m for m in found if m.done is None and m.missed_reason is None and m.date >= as_of]
    return [
        Ahead(
            key=m.id if m.id is not None else -n,
            date=m.date,
            meeting=is_meeting(m.kind) or m.expected,
            name=m.name,
        )
        for n, m in enumerate(ahead, start=1)
    ]


def at_risk(ahead: Sequence[Ahead], works: Iterable[tuple[str, Work]]) -> list[MilestoneAtRisk]:
    """Each milestone ahead that some of `works` (ref, work; in listing order) put at
    risk, by the rule, with their refs."""
    rule = risk_rule(ahead)
    refs: dict[int, list[str]] = {m.key: [] for m in ahead}
    for ref, work in works:
        found = rule(work)
        if found is not None:
            refs[found].append(ref)
    return [
        MilestoneAtRisk(name=m.name, date=m.date, open_actions=refs[m.key])
        for m in ahead
        if refs[m.key]
    ]
