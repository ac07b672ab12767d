"""The `tui` command itself: where it cannot run, and a plan it cannot open."""

from __future__ import annotations

import asyncio

from tests.conftest import Invoke
from tests.tui.screen import AS_OF, build_plan


def test_without_a_terminal_it_says_so_and_opens_nothing(run: Invoke) -> None:
    build_plan(run)
    done = run("tui")  # CliRunner's input and output are not terminals
    assert done.exit_code == 1
    assert done.stderr == (
        "Error: the screen needs a terminal, and this input or output is not one — run "
        "improveplan tui in a terminal, or serve it to a browser with --serve\n"
    )
    assert done.stdout == ""


def test_a_plan_it_cannot_open_closes_it_with_the_one_line(run: Invoke, db_url: str) -> None:
    from improveplan.services.context import App
    from improveplan.tui.app import PlanScreen
    from improveplan.tui.data import Board

    build_plan(run)
    context = App.from_options(db=db_url, user="Priya Natarajan", plan="Norfolk")
    ui = PlanScreen(Board(context, as_of=AS_OF))

    async def drive() -> None:
        async with ui.run_test() as pilot:
            await pilot.pause(0.5)

    try:
        asyncio.run(drive())
    finally:
        context.close()
    assert ui.failure == 'no plan named "Norfolk" — see improveplan plan list'
    assert ui.return_code == 1
