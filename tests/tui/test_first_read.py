"""The screen's first read: My actions with the driver alone, the same rows as the services'."""

from __future__ import annotations

import asyncio
import subprocess
import sys

from tests.conftest import Invoke
from tests.tui.screen import AS_OF, TODAY, build_plan, driven

PRIYA = "Priya Natarajan"


def _board(db_url: str, user: str) -> object:
    from improveplan.services.context import App
    from improveplan.tui.data import Board

    return Board(App.from_options(db=db_url, user=user), as_of=AS_OF)


def _lived_in(run: Invoke) -> None:
    """build_plan's, with what a row carries besides: a RAG set with its reason, a moved
    date, a start, a milestone-less done action, a cancelled one (not listed)."""
    build_plan(run)
    for args in (
        ("action", "update", "1", "--rag", "red", "--reason", "Provider pulled out"),
        ("action", "update", "2", "--due", "2025-07-31", "--reason", "Audit team on leave"),
        ("action", "update", "2", "--start", "2025-01-06"),
        ("action", "add", "Care leaver hub opens", "--owner", PRIYA, "--due", "2025-02-28",
         "--rec", "R1", "--rec", "R2"),
        ("action", "add", "Duplicate audit", "--owner", PRIYA, "--due", "2025-05-01"),
        ("action", "update", "6", "--status", "cancelled", "--reason", "Duplicate of 1"),
        ("action", "done", "3", "--evidence", "Caseload report, March"),
    ):  # fmt: skip
        done = run(*args, env=TODAY)
        assert done.exit_code == 0, (args, done.output)


def test_the_first_read_is_the_services_list(run: Invoke, db_url: str) -> None:
    from improveplan.tui.data import Board

    _lived_in(run)
    board = _board(db_url, PRIYA)
    assert isinstance(board, Board)
    name, mine, direct = board.first()
    assert (name, direct, mine.problem) == ("Peterborough", True, None)
    assert [(r.ref, r.rag, r.days_overdue) for r in mine.rows] == [
        ("5", "red", 31), ("1", "red", 0), ("2", "amber", 0),
    ]  # fmt: skip
    assert mine == board.mine()  # every field, times and versions included
    board.app.close()


def test_where_it_does_not_apply_the_services_read(run: Invoke, db_url: str) -> None:
    from improveplan.tui.data import Board

    _lived_in(run)
    nobody = _board(db_url, "Nobody Here")
    assert isinstance(nobody, Board)
    name, mine, direct = nobody.first()
    assert (name, direct, mine.rows) == ("Peterborough", False, [])
    assert mine.problem is not None and mine.problem.startswith('you are "Nobody Here"')
    nobody.app.close()
    granted = run("access", "grant", PRIYA, "admin")
    assert granted.exit_code == 0, granted.output
    board = _board(db_url, PRIYA)
    assert isinstance(board, Board)
    _, mine, direct = board.first()  # grants: the roles are checked on the services' path
    assert direct is False and [r.ref for r in mine.rows] == ["5", "1", "2"]
    board.app.close()


def test_the_first_read_imports_no_sqlalchemy(run: Invoke, db_url: str) -> None:
    """What makes it fast: the list is filled before SQLModel is imported at all."""
    build_plan(run)
    code = (
        "import sys, datetime as dt\n"
        "from improveplan.services.context import App\n"
        "from improveplan.tui.data import Board\n"
        f"board = Board(App.from_options(db={db_url!r}, user={PRIYA!r}),"
        f" as_of=dt.date.fromisoformat({AS_OF.isoformat()!r}))\n"
        "name, mine, direct = board.first()\n"
        "print(name, direct, len(mine.rows), 'sqlalchemy' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Peterborough True 2 False\n"


def test_the_screen_fills_from_the_first_read_then_opens_the_plan(run: Invoke, db_url: str) -> None:
    from improveplan.tui.tables import ActionTable

    _lived_in(run)

    async def drive() -> None:
        async with driven(db_url, user=PRIYA) as (ui, pilot):
            table = ui.query_one("#mine-table", ActionTable)
            assert [a.ref for a in table.actions] == ["5", "1", "2"]
            assert ui.sub_title == f"Peterborough · as of {AS_OF.isoformat()}"
            assert ui.board.open() == "Peterborough"  # opened meanwhile, for the keys
            await pilot.press("n", *"Panel booked", "enter")
            await pilot.pause()
            await ui.workers.wait_for_complete()

    asyncio.run(drive())
    shown = run("action", "show", "5", "--format", "json")
    assert '"text": "Panel booked"' in shown.stdout
