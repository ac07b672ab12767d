"""How long `improveplan tui` takes to open on a 500-action plan: interpreter start,
imports, the first read and My actions filled, as a manager waits for it.

    python benchmarks/tui_open.py                 # builds /tmp/improveplan-bench/bench-500.db
    python benchmarks/tui_open.py --runs 9

The screen runs headless (Textual's pilot), so the figure leaves out only the terminal's
own drawing. Not a test; the target (under a second) is the issue's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TODAY = "2025-06-01"


def _owner(db: Path) -> str:
    """The person owning most actions: whose My actions is the fullest."""
    with sqlite3.connect(db) as connection:
        row = connection.execute(
            "SELECT p.name FROM action a JOIN person p ON p.id = a.owner_id"
            " GROUP BY p.name ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    return str(row[0])


async def _open(db: str, user: str) -> int:
    """Open the screen, wait for My actions and All actions, quit; the rows shown."""
    from improveplan.services.context import App
    from improveplan.tui.app import PlanScreen
    from improveplan.tui.data import Board
    from improveplan.tui.tables import ActionTable

    ui = PlanScreen(Board(App.from_options(db=db, user=user)))
    async with ui.run_test(size=(120, 40)) as pilot:
        os.write(1, b"up\n")  # not print(): Textual captures it while the screen runs
        # Waited for without polling the screen: a busy loop here would slow the very
        # database thread being timed (they share the interpreter).
        while not ui.opened:  # set once My actions is filled from the first read
            await asyncio.sleep(0.02)
        mine = len(ui.query_one("#mine-table", ActionTable).actions)
        os.write(1, f"{mine}\n".encode())
        await pilot.press("tab")
        while "all" in ui.stale:
            await ui.workers.wait_for_complete()
            await asyncio.sleep(0.02)
        rows = mine + len(ui.query_one("#all-table", ActionTable).actions)
        os.write(1, f"{rows}\n".encode())
        return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db-dir", type=Path, default=Path(tempfile.gettempdir()) / "improveplan-bench"
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", nargs=2, metavar=("DB", "USER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        asyncio.run(_open(*args.child))
        return
    sys.path.insert(0, str(Path(__file__).parent))
    import generate

    args.db_dir.mkdir(parents=True, exist_ok=True)
    db = args.db_dir / "bench-500.db"
    if not db.exists():
        generate.build(str(db), "500", quiet=True)
    user = _owner(db)
    env = {"IMPROVEPLAN_TODAY": TODAY, "PATH": "/usr/bin:/bin"}
    up, mine, filled, rows = [], [], [], ""
    for _ in range(args.runs):
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, __file__, "--child", str(db), user],
                                 env=env, stdout=subprocess.PIPE, text=True)  # fmt: skip
        assert child.stdout is not None
        child.stdout.readline()  # "up": the screen is drawn
        up.append(time.perf_counter() - started)
        child.stdout.readline()  # My actions filled
        mine.append(time.perf_counter() - started)
        rows = child.stdout.readline().strip()  # both lists filled
        filled.append(time.perf_counter() - started)
        child.wait()
    print(
        f"tui on 500 actions, as {user}, median of {args.runs}: screen drawn "
        f"{statistics.median(up):.2f} s; My actions filled {statistics.median(mine):.2f} s; "
        f"tab, All actions filled ({rows} rows in both) {statistics.median(filled):.2f} s"
    )


if __name__ == "__main__":
    main()
