"""benchmarks/run.py gives Taskwarrior the same actions, due where ours are due."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

RUN = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


def _run_module() -> Any:
    spec = importlib.util.spec_from_file_location("bench_run", RUN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module
    spec.loader.exec_module(module)
    return module


ACTIONS: list[dict[str, object]] = [
    {"ref": "1", "title": "Audit the front door", "owner": "Priya Natarajan",
     "due": "2025-05-31", "status": "in_progress", "theme": "Front door and MASH",
     "updated_at": "2025-01-02T10:00:00+00:00"},
    {"ref": "2", "title": "Train managers", "owner": None, "due": "2025-06-01",
     "status": "not_started", "theme": None, "updated_at": "2025-01-02T10:00:00+00:00"},
    {"ref": "3", "title": "Publish the QA framework", "owner": "Tom Okafor",
     "due": "2025-03-01", "status": "signed_off", "theme": "Workforce",
     "updated_at": "2025-04-01T10:00:00+00:00"},
    {"ref": "4", "title": "Superseded", "owner": "Tom Okafor", "due": "2025-03-01",
     "status": "cancelled", "theme": "Workforce", "updated_at": "2025-02-01T10:00:00+00:00"},
]  # fmt: skip


def test_tasks_carry_the_actions_with_their_dates_moved() -> None:
    run = _run_module()
    lines = run.taskwarrior_tasks(ACTIONS, dt.timedelta(days=10))
    tasks = [json.loads(line) for line in lines]
    assert [t["status"] for t in tasks] == ["pending", "pending", "completed", "deleted"]
    assert tasks[0]["due"] == "20250610T235900Z"
    assert tasks[0]["tags"] == ["in_progress"] and tasks[0]["project"] == "Front_door_and_MASH"
    assert tasks[1]["owner"] == "" and tasks[1]["project"] == ""
    assert all(t["entry"] <= t["due"] for t in tasks)
    assert all("end" in t for t in tasks[2:]) and len({t["uuid"] for t in tasks}) == 4


@pytest.mark.skipif(shutil.which("task") is None, reason="Taskwarrior (task) is not installed")
def test_taskwarrior_finds_overdue_what_we_find_overdue(tmp_path: Path) -> None:
    run = _run_module()
    shift = dt.timedelta(days=(dt.date.today() - dt.date(2025, 6, 1)).days)
    source = tmp_path / "import.json"
    source.write_text("\n".join(run.taskwarrior_tasks(ACTIONS, shift)) + "\n", encoding="utf-8")
    (tmp_path / "taskrc").write_text(f"data.location={tmp_path}\nconfirmation=off\n")
    env = run.taskwarrior_env(tmp_path, {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    subprocess.run(["task", "import", str(source)], env=env, capture_output=True, check=True)
    done = subprocess.run(
        ["task", "rc.verbose=nothing", "status:pending", "+OVERDUE", "export"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    overdue = json.loads(done.stdout)
    assert [t["description"] for t in overdue] == ["Audit the front door"]
