"""How a person looks (`person show`) and what their removal did (`person remove`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from improveplan.services.people import PersonDetail
    from improveplan.services.person_removal import PersonRemoved


def _plans_named(p: PersonDetail) -> bool:
    """Name each theme's and action's plan only when they are in more than one."""
    return len({a.plan for a in p.actions} | {t.plan for t in p.themes}) > 1


def _panel(p: PersonDetail) -> list[dict[str, Any]]:
    several = _plans_named(p)
    themes = [f"{t.name} ({t.plan})" if several else t.name for t in p.themes]
    pairs = [
        ("Email", p.email or "none — no reminders reach them"),
        ("Role", p.role),
        ("Team", p.team),
        ("Login", p.login),
        ("Leads themes", ", ".join(themes)),
        ("Leads plans", ", ".join(p.plans)),
    ]
    return [{"field": k, "value": v} for k, v in pairs if v]


def render_person(p: PersonDetail, fmt: str) -> None:
    import sys

    from improveplan.domain.vocab import spoken
    from improveplan.render.csv_out import csv_text
    from improveplan.render.output import Column, emit_json, table
    from improveplan.serialize import as_record, record_keys
    from improveplan.services.people import OwnedAction

    if fmt == "json":
        emit_json(p)
        return
    if fmt == "csv":
        sys.stdout.write(csv_text(p.actions, record_keys(OwnedAction)))
        return
    table(
        _panel(p),
        [Column("field", "Person", style="heading", no_wrap=True), Column("value", p.name)],
    )
    rows = [{**as_record(a), "status": spoken(a.status)} for a in p.actions]
    columns = [
        *([Column("plan", "Plan")] if _plans_named(p) else []),
        Column("ref", "Ref", style="ref", no_wrap=True),
        Column("title", "Title"),
        Column("status", "Status", no_wrap=True),
        Column("due", "Due", no_wrap=True),
    ]
    table(rows, columns, title="Actions", empty=f"{p.name} owns no actions.")


def render_removal(r: PersonRemoved) -> None:
    from improveplan.cli.action_views import say

    if r.actions_moved:
        s = "s" if r.actions_moved != 1 else ""
        say(f"Moved {r.actions_moved} action{s} to {r.reassigned_to}.", "success")
    for lead in r.leads:
        what = f'Theme "{lead.name}"' if lead.kind == "theme" else f'Plan "{lead.name}"'
        if lead.lead is not None:
            say(f"{what} is now led by {lead.lead}.", "success")
            continue
        fix = (
            f'improveplan theme update "{lead.name}"'
            if lead.kind == "theme"
            else (f'improveplan plan update "{lead.name}"')
        )
        say(f"Warning: {what} has no lead now — name one with {fix} --lead PERSON.", "warning")
    say(f"Removed {r.name}.", "success")
