"""Driving the screen in tests: a plan built through the command line, the screen run
headless on it (Textual's pilot), and what it shows read back as plain text."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from rich.console import Console
from textual.app import App
from textual.pilot import Pilot

from tests.conftest import Invoke

AS_OF = dt.date(2025, 3, 31)
TODAY = {"IMPROVEPLAN_TODAY": AS_OF.isoformat()}


def build_plan(run: Invoke) -> None:
    """Two people, two themes, two recommendations and four actions: two are Priya's."""
    for args in (
        ("plan", "add", "Peterborough", "--authority", "Peterborough City Council"),
        ("person", "add", "Priya Natarajan", "--email", "priya@example.org"),
        ("person", "add", "Tom Okafor", "--email", "tom@example.org"),
        ("theme", "add", "Care leavers", "--lead", "Tom Okafor"),
        ("theme", "add", "Front door"),
        ("rec", "add", "R1", "Care leavers' pathway plans are up to date and useful.",
         "--theme", "Care leavers"),
        ("rec", "add", "R2", "Management oversight and supervision are regular and recorded."),
        ("action", "add", "Audit every care leaver's pathway plan", "--owner",
         "Priya Natarajan", "--due", "2025-04-30", "--rec", "R1", "--theme", "Care leavers"),
        ("action", "add", "Supervision audit across the front door", "--owner",
         "Priya Natarajan", "--due", "2025-06-30", "--rec", "R2", "--theme", "Front door"),
        ("action", "add", "Personal advisers' caseloads under 20", "--owner", "Tom Okafor",
         "--due", "2025-03-14", "--theme", "Care leavers"),
        ("action", "add", "MASH threshold guidance", "--owner", "Tom Okafor", "--due",
         "2025-04-11", "--theme", "Front door"),
    ):  # fmt: skip
        done = run(*args, env=TODAY)
        assert done.exit_code == 0, (args, done.output)


@asynccontextmanager
async def driven(
    db_url: str, *, user: str, size: tuple[int, int] = (100, 30)
) -> AsyncIterator[tuple[Any, Pilot[None]]]:
    """The screen on `db_url` as `user`, headless, opened and settled."""
    from improveplan.services.context import App as Context
    from improveplan.tui.app import PlanScreen
    from improveplan.tui.data import Board

    context = Context.from_options(db=db_url, user=user)
    ui = PlanScreen(Board(context, as_of=AS_OF))
    try:
        async with ui.run_test(size=size) as pilot:
            await settle(ui, pilot)
            yield ui, pilot
    finally:
        context.close()


async def settle(ui: App[Any], pilot: Pilot[Any]) -> None:
    """Wait until every read and write the keys started is done and shown."""
    for _ in range(4):
        await pilot.pause()
        # A worker waiting on an open question ("ask") ends only when it is answered.
        busy = [worker for worker in ui.workers if worker.group != "ask"]
        if busy:
            await ui.workers.wait_for_complete(busy)
    await pilot.pause()


def shown_text(ui: App[Any]) -> str:
    """The screen as plain text, as Textual's own screenshot renders it."""
    width, height = ui.size
    console = Console(
        width=width, height=height, file=io.StringIO(), force_terminal=True,
        color_system=None, record=True, legacy_windows=False, safe_box=False,
    )  # fmt: skip
    console.print(
        ui.screen._compositor.render_update(full=True, screen_stack=ui._background_screens)
    )
    return console.export_text()
