"""Who a reminder goes to, when an unchanged one is sent again, and who was not reached.

Pure rules (docs/design.md §3 Email) the notify service applies to the rows it reads:
an escalation never goes to the action's owner, an unchanged digest is resent only every
`resend_unchanged_days`, and everyone owed a reminder who cannot get one is named.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "NotReached",
    "digest_key",
    "escalation_candidates",
    "frequency",
    "lead_role",
    "resend_due",
]


def escalation_candidates(
    *, owner: str | None, theme_lead: str | None, plan_lead: str | None
) -> list[tuple[str, str]]:
    """Who may hear that an action is long overdue, best first, as (name, role): the
    theme lead, then the plan lead — never the owner, who already has it in their digest.
    Empty when nobody but the owner leads (the owner is told already)."""
    found: list[tuple[str, str]] = []
    if theme_lead is not None and theme_lead != owner:
        found.append((theme_lead, "theme"))
    if plan_lead is not None and plan_lead != owner and plan_lead != theme_lead:
        found.append((plan_lead, "plan"))
    return found


def lead_role(themes: Iterable[str], *, plan_lead: bool) -> str:
    """How an escalation addresses its reader: "lead for Front door and the plan lead"."""
    names = sorted(set(themes))
    parts = [f"lead for {', '.join(names)}"] if names else []
    parts += ["the plan lead"] if plan_lead else []
    return " and ".join(parts)


def digest_key(kind: str, facts: Iterable[Iterable[object]]) -> str:
    """A hash of what a message lists (ref, due, RAG, status, owner per action, and who was
    not reached): equal keys mean the reader would learn nothing new. Order-free."""
    lines = sorted("\x1f".join("" if v is None else str(v) for v in fact) for fact in facts)
    payload = "\x1e".join([kind, *lines])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def resend_due(
    *,
    key: str,
    last_key: str | None,
    last_sent: dt.date | None,
    as_of: dt.date,
    resend_unchanged_days: int,
) -> bool:
    """Send unless the last message sent before `as_of` said the same thing fewer than
    `resend_unchanged_days` days ago (0 or 1: every day)."""
    if last_sent is None or last_key is None or last_key != key or last_sent >= as_of:
        return True
    return (as_of - last_sent).days >= resend_unchanged_days


def frequency(resend_unchanged_days: int) -> str:
    """The footer's promise, true to the setting."""
    if resend_unchanged_days <= 1:
        return "You get this reminder every day something in it is due or overdue."
    every = "once a week" if resend_unchanged_days == 7 else f"every {resend_unchanged_days} days"
    return (
        "You get this reminder on a day something in it changes (at most once a day);"
        f" while nothing changes, {every}."
    )


def _actions(count: int) -> str:
    return f"{count} action" if count == 1 else f"{count} actions"


@dataclass(frozen=True, slots=True, kw_only=True)
class NotReached:
    """Someone owed a reminder today who cannot be sent one, and what it would have held.

    `name` None means nobody holds the role: an action with no owner, or an escalation
    that only the plan lead could receive, in a plan without one."""

    plan: str
    name: str | None
    reason: str  # "no email", or with no name "no owner", "no plan lead"
    kind: str  # "digest" or "escalation"
    actions: list[str]

    @property
    def line(self) -> str:
        """`Tom Okafor (no email) — 3 actions`, as notify, check and the plan lead's
        digest say it."""
        what = _actions(len(self.actions))
        if self.kind == "escalation":
            what = f"escalation of {what}"
        if self.name is None:
            return f"{self.reason} — {what}"
        return f"{self.name} ({self.reason}) — {what}"
