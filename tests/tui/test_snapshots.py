"""Each view as it looks at 80×24 (SSH, a small terminal) and at 120×40.

The pictures are SVGs under __snapshots__/, looked at by eye when accepted
(`pytest tests/tui/test_snapshots.py --snapshot-update`); a change to any view shows here
as a failed comparison with a before-and-after report.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.conftest import make_invoker
from tests.tui.screen import AS_OF, build_plan, settle

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
# The keys that bring each view up: tab steps through them in order.
VIEWS = {"my-actions": [], "all-actions": ["tab"], "overdue": ["tab"] * 2,
         "timeline": ["tab"] * 3, "status": ["tab"] * 4}  # fmt: skip


@pytest.fixture(scope="module")
def plan_file(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("snapshots") / "plan.db"
    shutil.copyfile(sqlite_template, path)
    run = make_invoker(str(path))
    build_plan(run)
    for args in (
        ("inspection", "add", "--type", "standard", "--start", "2024-11-04", "--end",
         "2024-11-15", "--received", "2024-12-20"),
        ("notice", "set", "--issued", "2025-01-10", "--first-board", "2025-02-04",
         "--board-every-weeks", "8"),
        ("milestone", "add", "Monitoring visit", "--date", "2025-05-13"),
    ):  # fmt: skip
        done = run(*args, env={"IMPROVEPLAN_TODAY": AS_OF.isoformat()})
        assert done.exit_code == 0, (args, done.output)
    return path


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("view", VIEWS)
def test_view(
    view: str, size: str, plan_file: Path, snap_compare: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from improveplan.services.context import App as Context
    from improveplan.tui.app import PlanScreen
    from improveplan.tui.data import Board

    # Today as well as the as-of date: the timeline's expected milestones run to a
    # horizon counted from today, so the wall clock would change the picture.
    monkeypatch.setenv("IMPROVEPLAN_TODAY", AS_OF.isoformat())
    context = Context.from_options(db=str(plan_file), user="Priya Natarajan")
    ui = PlanScreen(Board(context, as_of=AS_OF))

    async def opened(pilot: Pilot[Any]) -> None:
        await settle(ui, pilot)
        for key in VIEWS[view]:
            await pilot.press(key)
            await settle(ui, pilot)

    try:
        assert snap_compare(ui, terminal_size=SIZES[size], run_before=opened)
    finally:
        context.close()
