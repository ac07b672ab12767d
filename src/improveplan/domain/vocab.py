"""The domain's vocabulary: every enumerated value improveplan stores, shows or accepts.

Each enum is defined here once (docs/design.md §2). The database stores the enum's string
value through `store.types.EnumText`, so a row read back is the enum member and a literal
such as "blocked" never needs to appear outside `domain/`. The sets and defaults that
rules share (which statuses are open, which count as done, the amber window) are here
too, so a rule changed once holds everywhere.
"""

from __future__ import annotations

import re
from enum import StrEnum

__all__ = [
    "AMBER_DAYS",
    "DONE_STATUSES",
    "OPEN_STATUSES",
    "RAG_ORDER",
    "Area",
    "Grade",
    "InspectionType",
    "MilestoneKind",
    "NoticeKind",
    "Rag",
    "Role",
    "Status",
    "listed",
    "normal_key",
    "spoken",
]


class Status(StrEnum):
    """Where an action stands; `complete` still awaits the board's sign-off."""

    not_started = "not_started"
    in_progress = "in_progress"
    blocked = "blocked"
    complete = "complete"
    signed_off = "signed_off"
    cancelled = "cancelled"


# Open actions can be late; done ones count towards "% complete" on the board.
OPEN_STATUSES: frozenset[Status] = frozenset(
    {Status.not_started, Status.in_progress, Status.blocked}
)
DONE_STATUSES: frozenset[Status] = frozenset({Status.complete, Status.signed_off})


class Rag(StrEnum):
    """Red, amber, green, plus blue for work the board has signed off."""

    blue = "blue"
    green = "green"
    amber = "amber"
    red = "red"


# The order boards read counts in: finished work first, trouble last.
RAG_ORDER: tuple[Rag, ...] = (Rag.blue, Rag.green, Rag.amber, Rag.red)

# An open action due within this many days (inclusive) is amber (config `amber_days`).
AMBER_DAYS = 14


class Grade(StrEnum):
    """Ofsted's four-point scale for a judgement."""

    outstanding = "outstanding"
    good = "good"
    requires_improvement = "requires_improvement"
    inadequate = "inadequate"


class Area(StrEnum):
    """The judgements of an ILACS report (the SIF framework combined two of them)."""

    impact_of_leaders = "impact_of_leaders"
    help_and_protection = "help_and_protection"
    children_in_care = "children_in_care"
    care_leavers = "care_leavers"
    overall_effectiveness = "overall_effectiveness"
    children_in_care_and_care_leavers = "children_in_care_and_care_leavers"
    # The single inspection framework's (SIF, 2013–2018) own judgements.
    children_looked_after_and_permanence = "children_looked_after_and_permanence"
    adoption_performance = "adoption_performance"
    leadership_management_governance = "leadership_management_governance"
    lscb = "lscb"


class InspectionType(StrEnum):
    """Which kind of Ofsted visit an inspection record is."""

    standard = "standard"
    short = "short"
    focused_visit = "focused_visit"
    monitoring_visit = "monitoring_visit"
    jtai = "jtai"
    other = "other"
    sif = "sif"


class MilestoneKind(StrEnum):
    """What produced a milestone: a statutory or DfE rule, or the user (`custom`)."""

    plan_due = "plan_due"
    draft_plan_due = "draft_plan_due"
    published_locally = "published_locally"
    dfe_review = "dfe_review"
    board = "board"
    monitoring_visit = "monitoring_visit"
    custom = "custom"


class NoticeKind(StrEnum):
    """The DfE intervention a plan is delivered under."""

    improvement_notice = "improvement_notice"


def normal_key(text: str) -> str:
    """`In progress`, `in-progress` and ` IN_PROGRESS ` all become `in_progress`."""
    return re.sub(r"[\s_-]+", "_", text.strip().lower())


def listed(values: list[str]) -> str:
    """ "a, b or c": how an error message names the valid choices."""
    if len(values) == 1:
        return values[0]
    return ", ".join(values[:-1]) + " or " + values[-1]


def spoken(value: str) -> str:
    """How a person reads a stored key: `not_started` is "not started". Tables, mail and
    messages print this; JSON and CSV keep the key."""
    return value.replace("_", " ")


class Role(StrEnum):
    """What a person may do in one plan (docs/design.md §5, "Who may do what").

    viewer reads everything and changes nothing; manager updates, notes and completes the
    actions they own; lead does everything on the actions of the themes they lead,
    assigning and sign-off included; admin does everything in the plan.
    """

    viewer = "viewer"
    manager = "manager"
    lead = "lead"
    admin = "admin"
