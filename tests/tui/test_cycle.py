"""The screen driven by key presses through a whole cycle, against the command line.

The same changes are made on two identical plans, one through the screen and one through
`improveplan action ...`; the two databases then hold the same actions, notes and audit
events (times and ids aside).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from tests.conftest import Invoke, make_invoker, sql
from tests.tui.screen import AS_OF, build_plan, driven, settle, shown_text

AUDIT = (
    "SELECT a.actor, a.entity, a.field, a.old_value, a.new_value FROM audit_event a"
    " WHERE a.entity IN ('action', 'progress_note') ORDER BY a.id"
)
ACTIONS = "SELECT ref, title, status, due, original_due, evidence, version FROM action ORDER BY ref"
DUE = "SELECT CAST(due AS TEXT) FROM action WHERE ref = '1'"
NOTES = "SELECT n.author, n.text FROM progress_note n ORDER BY n.id"


@pytest.fixture
def twin(fresh_db_url: str) -> Iterator[tuple[str, Invoke]]:
    """A second database holding the same plan, changed through the command line."""
    run = make_invoker(fresh_db_url)
    assert run("init").exit_code == 0
    build_plan(run)
    yield fresh_db_url, run


def test_a_whole_cycle_writes_what_the_command_line_writes(
    run: Invoke, db_url: str, twin: tuple[str, Invoke]
) -> None:
    build_plan(run)

    async def drive() -> None:
        async with driven(db_url, user="Priya Natarajan") as (ui, pilot):
            assert "2 open actions, soonest due first" in shown_text(ui)
            await pilot.press("enter")  # the first (soonest) action opens
            await settle(ui, pilot)
            assert "Action 1  Audit every care leaver's pathway plan" in shown_text(ui)
            await pilot.press("s")
            await settle(ui, pilot)
            await pilot.press("enter")  # not started is current: in progress is first
            await settle(ui, pilot)
            await pilot.press("n", *"Twelve plans audited", "enter")
            await settle(ui, pilot)
            await pilot.press("u", *"2025-05-30", "enter")
            await settle(ui, pilot)
            await pilot.press(*"Audit team short of two auditors", "enter")
            await settle(ui, pilot)
            await pilot.press("d", *"Audit report to the board", "enter")
            await settle(ui, pilot)
            assert ui.said == [
                "Action 1 is now in progress.",
                "Noted on action 1.",
                "Action 1 is now due 2025-05-30.",
                "Action 1 is complete, awaiting sign-off.",
            ]
            text = shown_text(ui)
            assert "Status          complete" in text
            assert "Twelve plans audited — Priya Natarajan" in text

    asyncio.run(drive())
    cli_url, cli = twin
    for args in (
        ("action", "update", "1", "--status", "in-progress"),
        ("action", "note", "1", "Twelve plans audited"),
        ("action", "update", "1", "--due", "2025-05-30", "--reason",
         "Audit team short of two auditors"),
        ("action", "done", "1", "--evidence", "Audit report to the board"),
    ):  # fmt: skip
        done = cli(*args, user="Priya Natarajan", env={"IMPROVEPLAN_TODAY": AS_OF.isoformat()})
        assert done.exit_code == 0, done.output
    for query in (ACTIONS, NOTES, AUDIT):
        assert sql(db_url, query) == sql(cli_url, query), query


def test_a_change_made_elsewhere_meanwhile_is_refused(run: Invoke, db_url: str) -> None:
    build_plan(run)

    async def drive() -> None:
        async with driven(db_url, user="Priya Natarajan") as (ui, pilot):
            moved = run(
                "action", "update", "1", "--title", "Audit pathway plans", user="Tom Okafor"
            )
            assert moved.exit_code == 0, moved.output
            before = sql(db_url, "SELECT count(*) FROM audit_event")
            await pilot.press("u", *"+2w", "enter", *"Waiting for the audit", "enter")
            await settle(ui, pilot)
            assert "Action 1 changed since you opened it — reload" in notices(ui)
            assert sql(db_url, "SELECT count(*) FROM audit_event") == before
            assert sql(db_url, DUE) == [("2025-04-30",)]
            # The list was read again: the next try works on the action as it now is.
            assert "Audit pathway plans" in shown_text(ui)
            await pilot.press("u", *"2025-05-14", "enter", *"Waiting for the audit", "enter")
            await settle(ui, pilot)
            assert sql(db_url, DUE) == [("2025-05-14",)]

    asyncio.run(drive())


def test_a_refused_step_is_a_notice_and_changes_nothing(run: Invoke, db_url: str) -> None:
    build_plan(run)

    async def drive() -> None:
        async with driven(db_url, user="Priya Natarajan") as (ui, pilot):
            before = sql(db_url, AUDIT)
            await pilot.press("u", *"next blue moon", "enter")
            await settle(ui, pilot)
            assert "'next blue moon' is not a date — use YYYY-MM-DD" in notices(ui)
            await pilot.press("n", "enter")  # an empty note is not taken: the question stays
            await settle(ui, pilot)
            assert "An answer is needed" in shown_text(ui)
            await pilot.press("escape")
            await settle(ui, pilot)
            assert sql(db_url, AUDIT) == before

    asyncio.run(drive())


def notices(ui: object) -> str:
    from improveplan.tui.app import PlanScreen

    assert isinstance(ui, PlanScreen)
    return "\n".join(ui.said)
