"""Email reminders: one digest per owner, an escalation copy to theme leads (docs/design.md §3).

Every message is *claimed* in the Notification table (unique per plan, recipient, kind
and day) in its own committed transaction before it is sent, and the claim is removed if
sending fails: a rerun on the same day, or two runs at once, never send anything twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import formataddr
from enum import StrEnum
from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from improveplan.domain.dates import shift_days
from improveplan.domain.records import ActionRow
from improveplan.domain.vocab import Status
from improveplan.errors import ImproveplanError
from improveplan.io.mail import Email, Mailer, no_server, smtp_session
from improveplan.services.context import App
from improveplan.store import queries
from improveplan.store.models import Notification, Person, Plan, Theme

Kind = Literal["digest", "escalation"]
DIGEST: Kind = "digest"
ESCALATION: Kind = "escalation"


class Delivery(StrEnum):
    """Where one message stands in today's run."""

    to_send = "to send"
    sent = "sent"
    already_sent = "already sent"
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
    themes: list[str]
    escalate_after_days: int
    due_soon_days: int
    next_status: Status = Status.in_progress  # the update the text part suggests


def selected_plans(app: App, session: Session) -> list[Plan]:
    """`--plan` (or IMPROVEPLAN_PLAN) narrows to one plan; otherwise every plan, by name."""
    if app.plan_name:
        return [app.plan(session)]
    plans = list(session.exec(select(Plan).order_by(col(Plan.name))))
    return plans or [app.plan(session)]  # app.plan says clearly that there is none


def _render(digest: Digest) -> tuple[str, str]:
    from improveplan.render.templating import context_of, environment

    env = environment()
    context = context_of(digest)
    text = env.get_template("email/digest.txt.j2").render(context)
    html = env.get_template("email/digest.html.j2").render(context)
    return text, html


def _subject(plan: str, kind: Kind, overdue: int, soon: int) -> str:
    if kind == ESCALATION:
        noun = "action" if overdue == 1 else "actions"
        return f"Escalation: {overdue} {noun} overdue in improvement plan {plan}"
    parts = [f"{overdue} overdue"] if overdue else []
    parts += [f"{soon} due soon"] if soon else []
    return f"Improvement plan {plan}: {', '.join(parts)}"


def _message(
    app: App,
    plan: Plan,
    person: Person,
    kind: Kind,
    acts: Sequence[ActionRow],
    *,
    as_of: dt.date,
    themes: list[str],
) -> Planned:
    assert plan.id is not None and person.email
    overdue = [a for a in acts if a.days_overdue > 0]
    soon = [a for a in acts if a.days_overdue == 0]
    subject = _subject(plan.name, kind, len(overdue), len(soon))
    text, html = _render(
        Digest(
            plan=plan.name,
            recipient=person.name,
            subject=subject,
            as_of=as_of,
            overdue=overdue,
            due_soon=soon,
            escalation=kind == ESCALATION,
            themes=themes,
            escalate_after_days=app.settings.escalate_after_days,
            due_soon_days=app.settings.due_soon_days,
        )
    )
    return Planned(
        plan_id=plan.id,
        plan=plan.name,
        name=person.name,
        to=person.email,
        kind=kind,
        subject=subject,
        refs=[a.ref for a in acts],
        email=Email(to=person.email, subject=subject, text=text, html=html),
    )


def plan_messages(session: Session, *, app: App, plan: Plan, as_of: dt.date, out: Outcome) -> None:
    """The day's digests and escalations for one plan, added to `out` (warnings too)."""
    assert plan.id is not None
    flt = queries.ActionFilter(due_by=shift_days(as_of, app.settings.due_soon_days))
    rows = queries.action_rows(
        session, plan_id=plan.id, as_of=as_of, amber_days=app.settings.amber_days, flt=flt
    )
    people = {p.name: p for p in session.exec(select(Person))}
    by_owner: dict[str, list[ActionRow]] = defaultdict(list)
    for row in rows:
        if row.owner is not None:
            by_owner[row.owner].append(row)
    for name, acts in sorted(by_owner.items()):
        person = people[name]
        if not person.email:
            out.warnings.append(_no_email(name, len(acts), plan.name))
            continue
        out.messages.append(_message(app, plan, person, DIGEST, acts, as_of=as_of, themes=[]))
    _escalations(session, app=app, plan=plan, rows=rows, people=people, as_of=as_of, out=out)


def _escalations(
    session: Session,
    *,
    app: App,
    plan: Plan,
    rows: Sequence[ActionRow],
    people: dict[str, Person],
    as_of: dt.date,
    out: Outcome,
) -> None:
    leads = dict(
        session.exec(
            select(Theme.name, Person.name)
            .join(Person, col(Person.id) == col(Theme.lead_id))
            .where(col(Theme.plan_id) == plan.id)
        ).all()
    )
    late: dict[str, list[ActionRow]] = defaultdict(list)
    themes: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row.theme is None or row.days_overdue <= app.settings.escalate_after_days:
            continue
        lead = leads.get(row.theme)
        if lead:
            late[lead].append(row)
            themes[lead].add(row.theme)
    for name, acts in sorted(late.items()):
        person = people[name]
        if not person.email:
            out.warnings.append(_no_email(name, len(acts), plan.name, lead=True))
            continue
        chosen = sorted(themes[name])
        out.messages.append(
            _message(app, plan, person, ESCALATION, acts, as_of=as_of, themes=chosen)
        )


def _no_email(name: str, count: int, plan: str, *, lead: bool = False) -> str:
    what = "escalation" if lead else "reminder"
    noun = "action" if count == 1 else "actions"
    return (
        f"{name} has no email address, so gets no {what} about {count} {noun} in plan {plan}"
        " — add one to their person record"
    )


def _recipient(planned: Planned) -> str:
    """The claim's key: the person and their address, so two people sharing a mailbox
    each get their digest (a claim per address marked the second one sent)."""
    return formataddr((planned.name, planned.to))[:320]


def _already_sent(session: Session, planned: Planned, as_of: dt.date) -> bool:
    return (
        session.exec(
            select(Notification.id).where(
                col(Notification.plan_id) == planned.plan_id,
                col(Notification.recipient).in_((_recipient(planned), planned.to)),
                col(Notification.kind) == planned.kind,
                col(Notification.sent_on) == as_of,
            )
        ).first()
        is not None
    )


def plan_notifications(app: App, *, as_of: dt.date) -> Outcome:
    """Who would get what today, marking messages already sent (read only)."""
    out = Outcome(as_of=as_of)
    with app.read() as session:
        for plan in selected_plans(app, session):
            plan_messages(session, app=app, plan=plan, as_of=as_of, out=out)
        for planned in out.messages:
            if _already_sent(session, planned, as_of):
                planned.status = Delivery.already_sent
    return out


def _claim(app: App, planned: Planned, as_of: dt.date) -> bool:
    """Record the message before sending; False when a run today already has."""
    try:
        with app.write() as session:
            session.add(
                Notification(
                    plan_id=planned.plan_id,
                    recipient=_recipient(planned),
                    kind=planned.kind,
                    sent_on=as_of,
                    subject=planned.subject[:300],
                    action_refs=",".join(planned.refs),
                )
            )
    except IntegrityError:
        return False
    return True


def _unclaim(app: App, planned: Planned, as_of: dt.date) -> None:
    with app.write() as session:
        session.exec(
            delete(Notification).where(
                col(Notification.plan_id) == planned.plan_id,
                col(Notification.recipient) == _recipient(planned),
                col(Notification.kind) == planned.kind,
                col(Notification.sent_on) == as_of,
            )
        )


def notify(app: App, *, as_of: dt.date, dry_run: bool = False) -> Outcome:
    """Send today's reminders (or, dry run, say who would get what); never twice a day."""
    out = plan_notifications(app, as_of=as_of)
    pending = [m for m in out.messages if m.status == Delivery.to_send]
    if dry_run:
        for planned in pending:
            planned.status = Delivery.would_send
        return out
    if not app.settings.smtp.host:
        raise no_server()
    if not pending:
        return out
    with smtp_session(app.settings.smtp) as mailer:
        for planned in pending:
            if not _claim(app, planned, as_of):
                planned.status = Delivery.already_sent
                continue
            _send_one(app, mailer, planned, as_of, out)
    return out


def _send_one(app: App, mailer: Mailer, planned: Planned, as_of: dt.date, out: Outcome) -> None:
    """Send one claimed message. A failure for this recipient (a refused or malformed
    address, a subject the server rejects) is reported and the run goes on, so one bad
    record never stops everyone after it from being reminded."""
    try:
        mailer.send(planned.email)
    except ImproveplanError as exc:
        _unclaim(app, planned, as_of)
        planned.status = Delivery.failed
        out.warnings.append(f"the {planned.kind} to {planned.name} was not sent: {exc.what}")
        return
    except BaseException:
        _unclaim(app, planned, as_of)
        raise
    planned.status = Delivery.sent
