"""Sending the day's reminders (docs/design.md §3 Email); `services/reminders.py` plans them.

Every message is *claimed* in the Notification table (unique per plan, recipient, kind
and day) in its own committed transaction before it is sent, and the claim is removed if
sending fails: a rerun on the same day, or two runs at once, never send anything twice.
A message that says what the last one sent said (its `digest_key`) waits until
`resend_unchanged_days` have passed, so a quiet plan is not a daily nag.
"""

from __future__ import annotations

import datetime as dt
from email.utils import formataddr

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from improveplan.domain.reminders import resend_due
from improveplan.errors import ImproveplanError
from improveplan.io.mail import Mailer, no_server, smtp_session
from improveplan.services.context import App
from improveplan.services.reminders import (
    Delivery,
    Outcome,
    Planned,
    Reminder,
    plan_messages,
    selected_plans,
)
from improveplan.store.models import Notification

__all__ = ["Delivery", "Outcome", "Reminder", "notify", "plan_notifications", "selected_plans"]


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


def _unchanged(session: Session, app: App, planned: Planned, as_of: dt.date) -> bool:
    """The last message of this kind sent to them before today said the same, recently."""
    last = session.exec(
        select(col(Notification.sent_on), col(Notification.digest_key))
        .where(
            col(Notification.plan_id) == planned.plan_id,
            col(Notification.recipient).in_((_recipient(planned), planned.to)),
            col(Notification.kind) == planned.kind,
            col(Notification.sent_on) < as_of,
        )
        .order_by(col(Notification.sent_on).desc())
        .limit(1)
    ).first()
    return last is not None and not resend_due(
        key=planned.key,
        last_key=last[1],
        last_sent=last[0],
        as_of=as_of,
        resend_unchanged_days=app.settings.resend_unchanged_days,
    )


def plan_notifications(app: App, *, as_of: dt.date) -> Outcome:
    """Who would get what today, marking messages already sent or unchanged (read only)."""
    out = Outcome(as_of=as_of)
    with app.read() as session:
        plans = selected_plans(app, session)
        out.plans = len(plans)
        for plan in plans:
            plan_messages(session, app=app, plan=plan, as_of=as_of, out=out)
        for planned in out.messages:
            if _already_sent(session, planned, as_of):
                planned.status = Delivery.already_sent
            elif _unchanged(session, app, planned, as_of):
                planned.status = Delivery.unchanged
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
                    digest_key=planned.key,
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
