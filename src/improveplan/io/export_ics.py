"""An iCalendar of the plan: an all-day event per open action (on its due date) and per
milestone. UIDs come from the plan and the action ref or milestone name, so a calendar
that subscribes to repeated exports updates events instead of duplicating them.

A UID must name one event only, or a subscribed calendar silently drops the others: the
plan and the ref are percent-encoded byte for byte, never flattened, so `A1` and `a1`,
or `2-4` and `2/4`, stay apart (a client comparing UIDs without case still tells them
apart: letters other than a-z are encoded too). Text passes through `xml_text`, which
drops the control characters an iCalendar TEXT value cannot hold.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from improveplan.domain.vocab import OPEN_STATUSES
from improveplan.io.export_json import PlanExport, action_records
from improveplan.io.xml_text import xml_text

# Bytes written as themselves; every other byte (capitals, `-`, `@`, `%`...) is %XX.
_KEPT = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789.")


def encoded(text: str) -> str:
    """`text` as UID characters, reversibly: `Peterborough CC` → `%50eterborough%20%43%43`."""
    return "".join(chr(b) if b in _KEPT else f"%{b:02X}" for b in text.encode("utf-8"))


def action_uid(plan: str, ref: str) -> str:
    return f"action-{encoded(plan)}-{encoded(ref)}@improveplan"


def milestone_uid(plan: str, name: str) -> str:
    return f"milestone-{encoded(plan)}-{encoded(name)}@improveplan"


def _stamp(value: dt.datetime | None) -> dt.datetime:
    stamp = value if isinstance(value, dt.datetime) else dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    return stamp.astimezone(dt.UTC)


def _all_day(event: Any, day: dt.date) -> None:
    """DTSTART and the exclusive DTEND of a one-day event; on 9999-12-31, which has no
    next day, DTEND is left out (RFC 5545: an all-day DTSTART alone lasts one day)."""
    event.add("dtstart", day)
    if day < dt.date.max:
        event.add("dtend", day + dt.timedelta(days=1))


def calendar_bytes(document: PlanExport) -> bytes:
    """The whole calendar; DTSTAMP is the row's last change, so unchanged plans give equal bytes."""
    from icalendar import Calendar, Event

    plan = document.plan.name
    cal = Calendar()
    cal.add("prodid", "-//improveplan//improvement plan//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", xml_text(f"{plan} improvement plan"))
    for action in action_records(document):
        if action.status not in OPEN_STATUSES or action.due is None:
            continue
        event = Event()
        event.add("uid", action_uid(plan, action.ref))
        event.add("dtstamp", _stamp(action.updated_at))
        _all_day(event, action.due)
        event.add("summary", xml_text(f"Action {action.ref} due: {action.title}"))
        owner = action.owner or "no owner"
        event.add("description", xml_text(f"Owner: {owner}\nStatus: {action.status}"))
        event.add("categories", ["improvement plan", "action"])
        cal.add_component(event)
    for milestone in document.milestones:
        event = Event()
        event.add("uid", milestone_uid(plan, milestone.name))
        event.add("dtstamp", _stamp(document.plan.created_at))
        _all_day(event, milestone.date)
        # Default visit names already say "(expected)"; a user's own expected one may not.
        said = milestone.expected and "(expected)" not in milestone.name
        expected = " (expected)" if said else ""
        event.add("summary", xml_text(f"{milestone.name}{expected}"))
        event.add("categories", ["improvement plan", "milestone"])
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data
