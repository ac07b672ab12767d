"""An iCalendar of the plan: an all-day event per open action (on its due date) and per
milestone. UIDs come from the plan and the action ref or milestone name, so a calendar
that subscribes to repeated exports updates events instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
import re

from improveplan.domain.dates import shift_days
from improveplan.domain.vocab import OPEN_STATUSES
from improveplan.io.export_json import PlanExport


def slug(text: str) -> str:
    """Lower case letters, digits, dots and dashes: `Peterborough CC` → `peterborough-cc`."""
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-") or "x"


def action_uid(plan: str, ref: str) -> str:
    return f"action-{slug(plan)}-{slug(ref)}@improveplan"


def milestone_uid(plan: str, name: str) -> str:
    return f"milestone-{slug(plan)}-{slug(name)}@improveplan"


def _stamp(value: dt.datetime | None) -> dt.datetime:
    stamp = value if isinstance(value, dt.datetime) else dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    return stamp.astimezone(dt.UTC)


def calendar_bytes(document: PlanExport) -> bytes:
    """The whole calendar; DTSTAMP is the row's last change, so unchanged plans give equal bytes."""
    from icalendar import Calendar, Event

    plan = document.plan.name
    cal = Calendar()
    cal.add("prodid", "-//improveplan//improvement plan//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{plan} improvement plan")
    for action in document.actions:
        if action.status not in OPEN_STATUSES or action.due is None:
            continue
        event = Event()
        event.add("uid", action_uid(plan, action.ref))
        event.add("dtstamp", _stamp(action.updated_at))
        event.add("dtstart", action.due)
        event.add("dtend", shift_days(action.due, 1))
        event.add("summary", f"Action {action.ref} due: {action.title}")
        owner = action.owner or "no owner"
        event.add("description", f"Owner: {owner}\nStatus: {action.status}")
        event.add("categories", ["improvement plan", "action"])
        cal.add_component(event)
    for milestone in document.milestones:
        event = Event()
        event.add("uid", milestone_uid(plan, milestone.name))
        event.add("dtstamp", _stamp(document.plan.created_at))
        event.add("dtstart", milestone.date)
        event.add("dtend", milestone.date + dt.timedelta(days=1))
        expected = " (expected)" if milestone.expected else ""
        event.add("summary", f"{milestone.name}{expected}")
        event.add("categories", ["improvement plan", "milestone"])
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data
