"""Make docs/tui-my-actions.svg, the README's picture of `improveplan tui`.

    python docs/screenshot.py

Builds the demo in a temporary folder and exports My actions as Sarah Whitfield sees it
on 31 March 2025, at 100×30, with Textual's own SVG screenshot.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
import tempfile
from pathlib import Path

AS_OF = dt.date(2025, 3, 31)
OUT = Path(__file__).with_name("tui-my-actions.svg")


async def _export(db: str) -> str:
    from improveplan.services.context import App
    from improveplan.tui.app import PlanScreen
    from improveplan.tui.data import Board

    ui = PlanScreen(Board(App.from_options(db=db, user="Sarah Whitfield"), as_of=AS_OF))
    async with ui.run_test(size=(100, 30)) as pilot:
        while "mine" in ui.stale:
            await pilot.pause(0.05)
        await pilot.pause(0.2)
        return ui.export_screenshot(title="improveplan tui")


def main() -> None:
    os.environ.pop("NO_COLOR", None)
    env = {**os.environ, "IMPROVEPLAN_TODAY": AS_OF.isoformat()}
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "demo.db")
        subprocess.run([sys.executable, "-m", "improveplan", "demo", "--db", db], env=env,
                       check=True, capture_output=True)  # fmt: skip
        OUT.write_text(asyncio.run(_export(db)), encoding="utf-8")
    print(f"Wrote {OUT}")


if __name__ == "__main__":
    main()
