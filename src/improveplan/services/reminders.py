"""Who is owed which reminder today (docs/design.md §3 Email); `services/notify.py` sends.

Each owner gets one digest of their overdue and due-soon actions. An action overdue more
than `escalate_after_days` also goes to its theme lead or, when the owner leads the theme
or it has none, to the plan lead — never to the owner. Whoever is owed a message and
cannot be sent one (no email, no owner, no plan lead) is *not reached*: the run names them
and the plan lead's digest lists them, so no action is ever silently lost.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from sqlmodel import Session, col, select

from improveplan.domain import reminders as rules
from improveplan.domain.dates import shift_days
from improveplan.domain.records import ActionRow
from improveplan.domain.reminders import NotReached
from improveplan.domain.vocab import Status
from improveplan.io.mail import Email
from improveplan.services import access
from improveplan.services.context import App
from improveplan.store import queries
from improveplan.store.models import Person, Plan, Theme

Kind = Literal["digest", "escalation"]
DIGEST: Kind = "digest"
ESCALATION: Kind = "escalation"


class Delivery(StrEnum):
    """Where one message stands in today's run."""

    to_send = "to send"
    sent = "sent"
    already_sent = "already sent"
    unchanged = "unchanged"  # the same as the last one sent, within resend_unchanged_days
    would_send = "would send"
    failed = "not sent"


@dataclass
class Planned:
    """One message that the day's actions call for; `status` moves as the run sends it."""

    plan_id: int
    plan: str
    name: str
    to: str
    kind: Kind
    subject: str
    refs: list[str]
    email: Email
    key: str  # rules.digest_key of what it lists
    status: Delivery = Delivery.to_send


@dataclass(frozen=True, slots=True, kw_only=True)
class Reminder:
    """One message of the run as `notify` and `check --format json` show it."""

    plan: str
    to: str
    name: str
    kind: Kind
    subject: str
    actions: list[str]
    status: Delivery


@dataclass
class Outcome:
    """What a run planned and did, filled in as it goes, and who could not be reached."""

    as_of: dt.date
    messages: list[Planned] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    not_reached: list[NotReached] = field(default_factory=list)
    plans: int = 0  # how many plans the run covered (lines name the plan when several)

    @property
    def failed(self) -> int:
        """Messages that could not be sent (each also has a warning)."""
        return sum(1 for m in self.messages if m.status == Delivery.failed)

    def rows(self) -> list[Reminder]:
        return [
            Reminder(
                plan=m.plan,
                to=m.to,
                name=m.name,
                kind=m.kind,
                subject=m.subject,
                actions=m.refs,
                status=m.status,
            )
            for m in self.messages
        ]

    def not_reached_lines(self) -> list[str]:
        """`Not reached: Tom Okafor (no email) — 3 actions` (` in PLAN` when several)."""
        where = self.plans > 1
        return [
            f"Not reached: {n.line}" + (f" in {n.plan}" if where else "") for n in self.not_reached
        ]


@dataclass(frozen=True, slots=True, kw_only=True)
class Digest:
    """What the email templates (`templates/email/digest.*.j2`) lay out."""

    plan: str
    recipient: str
    subject: str
    as_of: dt.date
    overdue: list[ActionRow]
    due_soon: list[ActionRow]
    escalation: bool
    lead_for: str  # an escalation's reader: "lead for Front door", "the plan lead"
    escalate_after_days: int
    due_soon_days: int
    not_reached: list[NotReached]  # in the plan lead's digest only
    frequency: str  # the footer: how often this reminder comes
    next_status: Status = Status.in_progress  # the update the text part suggests


def selected_plans(app: App, session: Session) -> list[Plan]:
    """`--plan` (or IMPROVEPLAN_PLAN) narrows to one plan; otherwise every plan, by name."""
    if app.plan_name:
        return [app.plan(session)]
    plans = list(session.exec(select(Plan).order_by(col(Plan.name))))
    for plan in plans:  # with grants, every plan must allow the command (or use --plan)
        access.enter_plan(app, session, plan)
    return plans or [app.plan(session)]  # app.plan says clearly that there is none


def _render(digest: Digest) -> tuple[str, str]:
    from improveplan.render.templating import context_of, environment

    env = environment()
    context = context_of(digest)
    text = env.get_template("email/digest.txt.j2").render(context)
    html = env.get_template("email/digest.html.j2").render(context)
    return text, html


def _subject(plan: str, kind: Kind, overdue: int, soon: int, lost: int) -> str:
    if kind == ESCALATION:
        noun = "action" if overdue == 1 else "actions"
        return f"Escalation: {overdue} {noun} overdue in improvement plan {plan}"
    parts = [f"{overdue} overdue"] if overdue else []
    parts += [f"{soon} due soon"] if soon else []
    parts += [f"{lost} not reached"] if lost else []
    return f"Improvement plan {plan}: {', '.join(parts)}"


@dataclass
class _Owed:
    """One person's share of the day: their message's actions and, for a lead, why."""

    acts: list[ActionRow] = field(default_factory=list)
    themes: set[str] = field(default_factory=set)
    plan_lead: bool = False
    not_reached: list[NotReached] = field(default_factory=list)


def _message(
    app: App, plan: Plan, person: Person, kind: Kind, owed: _Owed, as_of: dt.date
) -> Planned:
    assert plan.id is not None and person.email
    overdue = [a for a in owed.acts if a.days_overdue > 0]
    soon = [a for a in owed.acts if a.days_overdue == 0]
    subject = _subject(plan.name, kind, len(overdue), len(soon), len(owed.not_reached))
    settings = app.settings
    text, html = _render(
        Digest(
            plan=plan.name,
            recipient=person.name,
            subject=subject,
            as_of=as_of,
            overdue=overdue,
            due_soon=soon,
            escalation=kind == ESCALATION,
            lead_for=rules.lead_role(owed.themes, plan_lead=owed.plan_lead),
            escalate_after_days=settings.escalate_after_days,
            due_soon_days=settings.due_soon_days,
            not_reached=owed.not_reached,
            frequency=rules.frequency(settings.resend_unchanged_days),
        )
    )
    facts: list[tuple[object, ...]] = [(a.ref, a.due, a.rag, a.status, a.owner) for a in owed.acts]
    facts += [("not reached", n.line, ",".join(n.actions)) for n in owed.not_reached]
    return Planned(
        plan_id=plan.id,
        plan=plan.name,
        name=person.name,
        to=person.email,
        kind=kind,
        subject=subject,
        refs=[a.ref for a in owed.acts],
        email=Email(to=person.email, subject=subject, text=text, html=html),
        key=rules.digest_key(kind, facts),
    )


@dataclass
class _Day:
    """One plan's reminders as they are worked out: who is owed what, who cannot be told."""

    people: dict[str, Person]
    plan_lead: Person | None
    digests: dict[str, _Owed] = field(default_factory=lambda: defaultdict(_Owed))
    escalations: dict[str, _Owed] = field(default_factory=lambda: defaultdict(_Owed))
    lost: dict[tuple[str | None, str, Kind], list[str]] = field(
        default_factory=lambda: defaultdict(list)
    )


def plan_messages(session: Session, *, app: App, plan: Plan, as_of: dt.date, out: Outcome) -> None:
    """The day's digests and escalations for one plan, and who is not reached, into `out`."""
    assert plan.id is not None
    flt = queries.ActionFilter(due_by=shift_days(as_of, app.settings.due_soon_days))
    rows = queries.action_rows(
        session, plan_id=plan.id, as_of=as_of, amber_days=app.settings.amber_days, flt=flt
    )
    people = {p.name: p for p in session.exec(select(Person))}
    lead = session.get(Person, plan.lead_id) if plan.lead_id is not None else None
    day = _Day(people=people, plan_lead=lead)
    for row in rows:
        owner = people[row.owner] if row.owner is not None else None
        if owner is None:
            day.lost[(None, "no owner", DIGEST)].append(row.ref)
        elif owner.email:
            day.digests[owner.name].acts.append(row)
        else:
            day.lost[(owner.name, "no email", DIGEST)].append(row.ref)
    _route_escalations(session, app=app, plan=plan, rows=rows, day=day)
    lost = [
        NotReached(plan=plan.name, name=name, reason=reason, kind=kind, actions=refs)
        for (name, reason, kind), refs in sorted(day.lost.items(), key=_lost_order)
    ]
    out.not_reached += lost
    if lead is not None and lead.email and lost:
        day.digests[lead.name].not_reached = lost
    for name, owed in sorted(day.digests.items()):
        out.messages.append(_message(app, plan, people[name], DIGEST, owed, as_of))
    for name, owed in sorted(day.escalations.items()):
        out.messages.append(_message(app, plan, people[name], ESCALATION, owed, as_of))


def _lost_order(item: tuple[tuple[str | None, str, Kind], list[str]]) -> tuple[object, ...]:
    """Digests before escalations; named people by name, then the roles nobody holds."""
    (name, reason, kind), _refs = item
    return (kind, name is None, name or "", reason)


def _route_escalations(
    session: Session, *, app: App, plan: Plan, rows: Sequence[ActionRow], day: _Day
) -> None:
    """Each long-overdue action to the first lead (theme, then plan) who is not its owner
    and has an email; leads passed over for want of an email are not reached."""
    leads = dict(
        session.exec(
            select(Theme.name, Person.name)
            .join(Person, col(Person.id) == col(Theme.lead_id))
            .where(col(Theme.plan_id) == plan.id)
        ).all()
    )
    plan_lead = day.plan_lead.name if day.plan_lead is not None else None
    for row in rows:
        if row.days_overdue <= app.settings.escalate_after_days:
            continue
        theme_lead = leads.get(row.theme) if row.theme is not None else None
        found = rules.escalation_candidates(
            owner=row.owner, theme_lead=theme_lead, plan_lead=plan_lead
        )
        if not found and plan_lead is None:
            day.lost[(None, "no plan lead", ESCALATION)].append(row.ref)
        for name, role in found:
            if not day.people[name].email:
                day.lost[(name, "no email", ESCALATION)].append(row.ref)
                continue
            owed = day.escalations[name]
            owed.acts.append(row)
            if role == "theme" and row.theme is not None:
                owed.themes.add(row.theme)
            else:
                owed.plan_lead = True
            break
