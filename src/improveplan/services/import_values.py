"""A plan export's values, checked before `import` restores any of them.

A hand-edited export, or one from a database that checked less, may hold what the tables
cannot store on one database or the other: NUL, a value longer than its column, a number
that is not finite. Every such value is found first, named by its place in the file
(`person 3: the name can be at most 200 characters (this one has 201)`), and the import
refuses the file before it reads or writes the database.
"""

from __future__ import annotations

from typing import Any

from improveplan.errors import ImproveplanError
from improveplan.services.export import table
from improveplan.services.inputs import unstorable
from improveplan.store.models import (
    Action,
    AuditEvent,
    DailyCount,
    Inspection,
    Measure,
    MeasureValue,
    Milestone,
    Notice,
    Notification,
    Person,
    Plan,
    ProgressNote,
    Recommendation,
    RemovedAction,
    Theme,
)

# Each list of a plan export, the table its items fill, and how an error names an item.
SECTION_TABLES: tuple[tuple[str, type[Any], str], ...] = (
    ("people", Person, "person"),
    ("themes", Theme, "theme"),
    ("inspections", Inspection, "inspection"),
    ("recommendations", Recommendation, "recommendation"),
    ("milestones", Milestone, "milestone"),
    ("actions", Action, "action"),
    ("measures", Measure, "measure"),
    ("audit", AuditEvent, "audit event"),
    ("notifications", Notification, "notification"),
    ("daily_counts", DailyCount, "daily count"),
    ("removed_actions", RemovedAction, "removed action"),
)
NESTED: dict[str, tuple[str, type[Any], str]] = {
    "actions": ("notes", ProgressNote, "note"),
    "measures": ("values", MeasureValue, "value"),
}


class PlanRejected(ImproveplanError):
    """Values in an export that no database could store: `lines` holds one `where: why`
    each; the error's own line names the first and how many more."""

    def __init__(self, lines: list[str], file: str) -> None:
        more = len(lines) - 1
        others = f", and {more} more problem{'s' if more != 1 else ''}" if more else ""
        super().__init__(
            f"{file}: {lines[0]}{others}; nothing was imported",
            "fix the file, or export the plan again",
        )
        self.lines = lines


def check_values(doc: dict[str, Any], file: str) -> None:
    """Refuse, before anything is read or written, an export holding what the tables
    cannot store (a hand-edited file, or one from a database that checked less)."""
    try:
        lines = [f"the plan: {why}" for why in unstorable(table(Plan), doc["plan"])]
        if doc["notice"] is not None:
            lines += [f"the notice: {why}" for why in unstorable(table(Notice), doc["notice"])]
        for section, model, label in SECTION_TABLES:
            for n, item in enumerate(doc[section], 1):
                lines += [f"{label} {n}: {why}" for why in unstorable(table(model), item)]
                lines += _nested(section, label, n, item)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ImproveplanError(
            f"{file} is not a complete plan export ({type(exc).__name__}: {exc})",
            "export it again with improveplan export --format json",
        ) from exc
    if lines:
        raise PlanRejected(lines, file)


def _nested(section: str, label: str, n: int, item: dict[str, Any]) -> list[str]:
    """An action's notes and a measure's values, named by their place in their owner."""
    if section not in NESTED:
        return []
    key, model, what = NESTED[section]
    return [
        f"{what} {m} of {label} {n}: {why}"
        for m, sub in enumerate(item[key], 1)
        for why in unstorable(table(model), sub)
    ]
