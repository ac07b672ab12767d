"""Roles decide which keys do anything: the screen refuses what the command line refuses,
with the same words, and writes nothing (docs/design.md §5)."""

from __future__ import annotations

import asyncio

import pytest

from tests import access_world
from tests.access_world import PEOPLE, World
from tests.conftest import sql
from tests.tui.screen import settle

access = access_world.access
pg_world_db = access_world.pg_world_db

NOTES = "SELECT count(*) FROM progress_note"


def _context(world: World, key: str) -> object:
    from improveplan.services.context import App

    if world.server:  # the login is who acts
        return App.from_options(db=world.login_url(world.logins[key]))
    return App.from_options(db=world.url, user=PEOPLE[key])


def _note_on(world: World, key: str, ref: str, text: str) -> list[str]:
    """As `key`, open All actions, highlight `ref`, add a note: what the screen said."""
    from improveplan.services.context import App
    from improveplan.tui.app import PlanScreen
    from improveplan.tui.data import Board
    from improveplan.tui.tables import ActionTable

    context = _context(world, key)
    assert isinstance(context, App)
    ui = PlanScreen(Board(context))

    async def drive() -> None:
        async with ui.run_test(size=(120, 30)) as pilot:
            await settle(ui, pilot)
            await pilot.press("tab")
            await settle(ui, pilot)
            table = ui.query_one("#all-table", ActionTable)
            assert ui.failure is None, ui.failure
            assert [a.ref for a in table.actions], (ui.said, ui.view)
            table.move_cursor(row=[a.ref for a in table.actions].index(ref))
            await pilot.press("n", *text, "enter")
            await settle(ui, pilot)

    try:
        asyncio.run(drive())
    finally:
        context.close()
    return ui.said


@pytest.mark.parametrize(("key", "ref"), [("viewer", "1"), ("manager", "2")])
def test_a_note_the_role_may_not_add_is_refused_as_on_the_command_line(
    access: World, key: str, ref: str
) -> None:
    refused = access.as_(key)("action", "note", ref, "From the command line")
    assert refused.exit_code == 1
    before = sql(access.url, NOTES)
    said = _note_on(access, key, ref, "From the screen")
    assert said == [refused.stderr.removeprefix("Error: ").rstrip("\n")]
    assert sql(access.url, NOTES) == before


def test_a_manager_notes_their_own_action(access: World) -> None:
    before = sql(access.url, NOTES)[0][0]
    assert _note_on(access, "manager", "1", "Visited the front door team") == ["Noted on action 1."]
    assert sql(access.url, NOTES) == [(before + 1,)]
