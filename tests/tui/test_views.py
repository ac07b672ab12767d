"""The views a manager moves between: filters, search, the read-only views, the mouse."""

from __future__ import annotations

import asyncio

from tests.conftest import Invoke
from tests.tui.screen import build_plan, driven, settle, shown_text


def _refs(ui: object, table: str) -> list[str]:
    from improveplan.tui.app import PlanScreen
    from improveplan.tui.tables import ActionTable

    assert isinstance(ui, PlanScreen)
    return [a.ref for a in ui.query_one(f"#{table}", ActionTable).actions]


def test_all_actions_filter_by_owner_theme_and_search_notes(run: Invoke, db_url: str) -> None:
    build_plan(run)
    noted = run("action", "note", "4", "Draft shared with the police and health partners")
    assert noted.exit_code == 0, noted.output

    async def drive() -> None:
        async with driven(db_url, user="Priya Natarajan") as (ui, pilot):
            await pilot.press("tab")
            await settle(ui, pilot)
            assert _refs(ui, "all-table") == ["3", "4", "1", "2"]
            assert "4 actions — f filters, / searches" in shown_text(ui)
            # f, then "theme", then "Front door" (the list offers "any" first)
            await pilot.press("f", "down", "enter")
            await settle(ui, pilot)
            await pilot.press("down", "down", "enter")
            await settle(ui, pilot)
            assert _refs(ui, "all-table") == ["4", "2"]
            assert "2 actions — theme Front door" in shown_text(ui)
            await pilot.press("slash", *"POLICE", "enter")  # a note's words, any case
            await settle(ui, pilot)
            assert _refs(ui, "all-table") == ["4"]
            assert '1 action — theme Front door, search "POLICE"' in shown_text(ui)
            await pilot.press("f", *["down"] * 5, "enter")  # clear every filter
            await settle(ui, pilot)
            assert _refs(ui, "all-table") == ["3", "4", "1", "2"]
            await pilot.press("slash", *"100%", "enter")  # LIKE's wildcards are literal
            await settle(ui, pilot)
            assert _refs(ui, "all-table") == []
            assert "No action matches." in shown_text(ui)

    asyncio.run(drive())


def test_the_read_only_views_offer_no_action_keys(run: Invoke, db_url: str) -> None:
    build_plan(run)

    async def drive() -> None:
        async with driven(db_url, user="Priya Natarajan", size=(120, 30)) as (ui, pilot):
            assert "n Note" in shown_text(ui)
            await pilot.press("tab", "tab", "tab")
            await settle(ui, pilot)
            text = shown_text(ui)
            assert "Peterborough: the timeline as of 2025-03-31" in text
            assert "n Note" not in text
            await pilot.press("n")  # nothing to note on: no question opens
            await settle(ui, pilot)
            assert type(ui.screen).__name__ == "Screen"
            await pilot.press("tab")
            await settle(ui, pilot)
            assert "Peterborough as of 2025-03-31: 4 actions" in shown_text(ui)
            await pilot.press("tab")  # round again to My actions
            await settle(ui, pilot)
            assert ui.view == "mine"

    asyncio.run(drive())


def test_a_click_picks_the_action_and_escape_comes_back(run: Invoke, db_url: str) -> None:
    build_plan(run)

    async def drive() -> None:
        async with driven(db_url, user="Priya Natarajan") as (ui, pilot):
            from improveplan.tui.tables import ActionTable

            table = ui.query_one("#mine-table", ActionTable)
            await pilot.click(table, offset=(30, 3))  # the second row (rows are two high)
            await settle(ui, pilot)
            assert table.highlighted is not None and table.highlighted.ref == "2"
            await pilot.press("enter")
            await settle(ui, pilot)
            assert "Action 2  Supervision audit across the front door" in shown_text(ui)
            await pilot.press("escape")
            await settle(ui, pilot)
            assert "2 open actions, soonest due first" in shown_text(ui)

    asyncio.run(drive())


def test_someone_who_owns_nothing_is_told_why(run: Invoke, db_url: str) -> None:
    build_plan(run)

    async def drive() -> None:
        async with driven(db_url, user="Chris Visitor", size=(120, 30)) as (ui, _):
            text = shown_text(ui)
            assert 'you are "Chris Visitor", who owns no actions' in text
            assert "You have no open actions." in text

    asyncio.run(drive())
