"""The whole schema of docs/design.md §2 as SQLModel tables.

One class per table: services validate input themselves and return their own typed
results (frozen dataclasses, docs/design.md §4), so the tables need no Create/Public
ladder of models beside them. Enumerated values (status, RAG, grade) are stored as short
strings so migrations stay portable between SQLite and PostgreSQL; `EnumText` hands them
back as the domain's enums. Timestamps are aware UTC (sqlmodel's UTCDateTime stores them
as UTC on both databases).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import Column, Index, MetaData, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from improveplan.domain.vocab import (
    Area,
    Grade,
    InspectionType,
    MilestoneKind,
    NoticeKind,
    Rag,
    Role,
    Status,
)
from improveplan.store.types import EnumText

# Stable constraint names let Alembic's batch mode alter SQLite tables reliably.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


Clock = Callable[[], dt.datetime]  # aware UTC now, on each call
# The clock of the transaction open in this thread (`App.clock`); None: the wall clock.
_CLOCK: ContextVar[Clock | None] = ContextVar("improveplan_clock", default=None)


def wall_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def utcnow() -> dt.datetime:
    """Aware UTC now: the one timestamp convention for every table. The wall clock, or
    the one injected for the open transaction (the demo stamps its story's dates), so
    default factories and audit events follow it without each taking a clock."""
    clock = _CLOCK.get()
    return wall_clock() if clock is None else clock()


@contextmanager
def stamped_by(clock: Clock | None) -> Iterator[None]:
    """Rows and audit events stamped in this block take their time from `clock`."""
    if clock is None:
        yield
        return
    token = _CLOCK.set(clock)
    try:
        yield
    finally:
        _CLOCK.reset(token)


class Plan(SQLModel, table=True):
    name: str = Field(max_length=200, unique=True)
    authority: str = Field(max_length=200)
    la_code: str | None = Field(default=None, max_length=20)
    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(default_factory=utcnow)
    # The person accountable for the whole plan: escalations with no other lead reach them.
    lead_id: int | None = Field(default=None, foreign_key="person.id")
    # Very small teams: the owner or completer of an action may also sign it off.
    allow_self_signoff: bool = Field(default=False)


class Person(SQLModel, table=True):
    __table_args__ = (Index("ix_person_login", "login", unique=True),)
    name: str = Field(max_length=200, unique=True)
    email: str | None = Field(default=None, max_length=320)
    role: str | None = Field(default=None, max_length=200)
    team: str | None = Field(default=None, max_length=200)
    id: int | None = Field(default=None, primary_key=True)
    # The PostgreSQL login (session_user) that acts as this person; 63 is its limit.
    login: str | None = Field(default=None, max_length=63)


class AccessGrant(SQLModel, table=True):
    """One role of one person in one plan; a lead's grant names the theme they lead.
    A database with no grants at all runs without access checks (single-user SQLite)."""

    __tablename__ = "access_grant"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: Role = Field(sa_type=EnumText(Role, 10))
    theme_id: int | None = Field(default=None, foreign_key="theme.id")


class Theme(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("plan_id", "name"),)
    name: str = Field(max_length=200)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    lead_id: int | None = Field(default=None, foreign_key="person.id")


class Inspection(SQLModel, table=True):
    type: InspectionType = Field(sa_type=EnumText(InspectionType, 30))
    start: dt.date | None = None
    end: dt.date | None = None
    received: dt.date | None = None
    published: dt.date | None = None
    lead_inspector: str | None = Field(default=None, max_length=200)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    created_at: dt.datetime = Field(default_factory=utcnow)
    # A SIF report's recommendations to its LSCB, one a line, as printed (0006); they are
    # plan recommendations only when imported with --include-lscb.
    lscb_recommendations: str | None = Field(default=None, sa_column=Column(Text))


class Judgement(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("inspection_id", "area"),)
    id: int | None = Field(default=None, primary_key=True)
    inspection_id: int = Field(foreign_key="inspection.id")
    area: Area = Field(sa_type=EnumText(Area, 60))
    grade: Grade = Field(sa_type=EnumText(Grade, 40))


class Recommendation(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("plan_id", "ref"),)
    ref: str = Field(max_length=20)
    text: str = Field(sa_column=Column(Text, nullable=False))
    priority_action: bool = False
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    seq: int = 0
    inspection_id: int | None = Field(default=None, foreign_key="inspection.id")
    theme_id: int | None = Field(default=None, foreign_key="theme.id")


class ActionRecommendation(SQLModel, table=True):
    """Many-to-many link: an action may answer several recommendations."""

    __tablename__ = "action_recommendation"
    action_id: int = Field(foreign_key="action.id", primary_key=True)
    recommendation_id: int = Field(foreign_key="recommendation.id", primary_key=True)


class Action(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("plan_id", "ref"),
        # Covering: RAG counts by theme or owner, and open actions by milestone, read
        # these indexes alone (migration 0002).
        Index(
            "ix_action_plan_status_due_rag",
            *("plan_id", "status", "due", "original_due", "rag_override"),
            *("theme_id", "owner_id", "milestone_id"),
        ),
        Index(
            "ix_action_plan_owner_due_rag",
            *("plan_id", "owner_id", "due", "status", "original_due", "rag_override", "theme_id"),
        ),
        Index("ix_action_plan_id_due", "plan_id", "due"),
        # The dashboard's count by theme groups as it reads (migration 0007).
        Index(
            "ix_action_plan_theme_status_rag",
            *("plan_id", "theme_id", "status", "due", "original_due", "rag_override"),
        ),
    )
    ref: str = Field(max_length=20)
    title: str = Field(sa_column=Column(Text, nullable=False))
    start: dt.date | None = None
    due: dt.date | None = None
    original_due: dt.date | None = None
    status: Status = Field(default=Status.not_started, sa_type=EnumText(Status, 20))
    rag_override: Rag | None = Field(default=None, sa_type=EnumText(Rag, 10))
    rag_override_reason: str | None = Field(default=None, sa_column=Column(Text))
    status_reason: str | None = Field(default=None, sa_column=Column(Text))
    success_measure: str | None = Field(default=None, sa_column=Column(Text))
    evidence: str | None = Field(default=None, sa_column=Column(Text))
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id")
    seq: int = 0
    owner_id: int | None = Field(default=None, foreign_key="person.id")
    theme_id: int | None = Field(default=None, foreign_key="theme.id", index=True)
    milestone_id: int | None = Field(default=None, foreign_key="milestone.id", index=True)
    version: int = 1
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class ProgressNote(SQLModel, table=True):
    """Append-only: notes are evidence and are never edited or deleted."""

    __tablename__ = "progress_note"
    __table_args__ = (Index("ix_progress_note_action_id_created_at", "action_id", "created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id")
    author: str = Field(max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow)
    text: str = Field(sa_column=Column(Text, nullable=False))


class Notice(SQLModel, table=True):
    kind: NoticeKind = Field(
        default=NoticeKind.improvement_notice, sa_type=EnumText(NoticeKind, 30)
    )
    issued: dt.date
    plan_due: dt.date | None = None
    review_months: int = 6
    board_every_weeks: int | None = None
    first_board: dt.date | None = None
    chair: str | None = Field(default=None, max_length=200)
    lifted: dt.date | None = None
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", unique=True)


class Milestone(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("plan_id", "name"),
        Index("ix_milestone_plan_id_date", "plan_id", "date"),
    )
    name: str = Field(max_length=200)
    kind: MilestoneKind = Field(default=MilestoneKind.custom, sa_type=EnumText(MilestoneKind, 30))
    date: dt.date
    rule: str | None = Field(default=None, max_length=300)
    source_date: dt.date | None = None
    user_set: bool = False
    expected: bool = False
    done: dt.date | None = None
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id")
    # A meeting (board, review) whose date has passed is held unless this says why not.
    missed_reason: str | None = Field(default=None, sa_column=Column(Text))


class Measure(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("plan_id", "name"),)
    name: str = Field(max_length=200)
    unit: str = Field(max_length=40)
    baseline: float
    baseline_date: dt.date | None = None
    target: float
    target_date: dt.date | None = None
    higher_is_better: bool = True
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)


class MeasureValue(SQLModel, table=True):
    __tablename__ = "measure_value"
    __table_args__ = (UniqueConstraint("measure_id", "date"),)
    id: int | None = Field(default=None, primary_key=True)
    measure_id: int = Field(foreign_key="measure.id")
    date: dt.date
    value: float


class AuditEvent(SQLModel, table=True):
    """Append-only: one row per changed field of every write through the services."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_plan_id_at", "plan_id", "at"),
        Index("ix_audit_event_entity_entity_id", "entity", "entity_id"),
        Index("ix_audit_event_plan_id_id", "plan_id", "id"),  # each chain's tail
    )
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int | None = Field(default=None, foreign_key="plan.id")
    actor: str = Field(max_length=200)
    at: dt.datetime = Field(default_factory=utcnow)
    entity: str = Field(max_length=40)
    entity_id: int
    field: str = Field(max_length=60)
    old_value: str | None = Field(default=None, sa_column=Column(Text))
    new_value: str | None = Field(default=None, sa_column=Column(Text))
    # The login behind the actor (OS login on SQLite, session_user on PostgreSQL), kept
    # only when it differs from the actor; hashed when present.
    login: str | None = Field(default=None, max_length=200)
    # SHA-256 over the fields above and the previous event's hash (domain/audit_chain.py)
    hash: str = Field(max_length=64)


class Notification(SQLModel, table=True):
    """What was sent to whom, so a rerun on the same day sends nothing twice."""

    __table_args__ = (UniqueConstraint("plan_id", "recipient", "kind", "sent_on"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id")
    recipient: str = Field(max_length=320)
    kind: str = Field(max_length=30)
    sent_on: dt.date
    sent_at: dt.datetime = Field(default_factory=utcnow)
    subject: str = Field(max_length=300)
    action_refs: str = Field(default="", sa_column=Column(Text, nullable=False))
    # What the reminder said, hashed: an unchanged digest is resent only weekly.
    digest_key: str | None = Field(default=None, max_length=64)


class DailyCount(SQLModel, table=True):
    """RAG counts recorded by the nightly check: the trend the board report plots."""

    __tablename__ = "daily_count"
    __table_args__ = (UniqueConstraint("plan_id", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id")
    day: dt.date
    blue: int = 0
    green: int = 0
    amber: int = 0
    red: int = 0
    total: int = 0
    overdue: int = 0


class RemovedAction(SQLModel, table=True):
    """An action removed by mistake: its ref is never reused, and `action show` says why.
    Every field it had is in the audit trail (entity "action", its old id)."""

    __tablename__ = "removed_action"
    __table_args__ = (UniqueConstraint("plan_id", "ref"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id")
    ref: str = Field(max_length=20)
    title: str = Field(sa_column=Column(Text, nullable=False))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    actor: str = Field(max_length=200)
    removed_at: dt.datetime = Field(default_factory=utcnow)
    action_id: int
