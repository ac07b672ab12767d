"""Output that cannot be written or encoded is one line on stderr, never a traceback.

These run improveplan as a real process (the stream handling lives in `main()`, which
CliRunner bypasses): stdout closed, on a full disk, in an ASCII-only encoding, and a
pipe its reader closed early.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Invoke


def _argv(db_url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "improveplan", "--db", db_url, "--user", "tester", *args]


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", "IMPROVEPLAN_TODAY": "2025-03-31", **extra}


@pytest.fixture
def named_plan(plan_run: Invoke, db_url: str) -> str:
    assert plan_run("plan", "add", "Siân’s plan", "--authority", "Ñ council").exit_code == 0
    added = plan_run("--plan", "Siân’s plan", "action", "add", "Pathway plans — all of them",
                     "--owner", "Tom Okafor", "--due", "2025-01-31")  # fmt: skip
    assert added.exit_code == 0, added.output
    return db_url


def _one_error(done: subprocess.CompletedProcess[str], start: str) -> None:
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {start}"), done.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_full_disk_is_one_line(named_plan: str) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            _argv(named_plan, "--plan", "Siân’s plan", "export", "--format", "json"),
            stdout=full, stderr=subprocess.PIPE, text=True, env=_env(), check=False,
        )  # fmt: skip
    _one_error(done, "cannot write the output (No space left on device) — free some space")


def test_closed_stdout_is_one_line(named_plan: str) -> None:
    done = subprocess.run(
        [*_argv(named_plan, "--plan", "Siân’s plan", "action", "list", "--format", "json")],
        stdin=subprocess.DEVNULL, capture_output=True, text=True,
        env=_env(), check=False, preexec_fn=lambda: os.close(1),
    )  # fmt: skip
    _one_error(done, "cannot write the output (standard output is closed) — run the command")


def test_an_ascii_terminal_gets_escaped_json_and_a_clear_table_error(named_plan: str) -> None:
    args = ("--plan", "Siân’s plan", "plan", "show")
    json_out = subprocess.run(
        _argv(named_plan, *args, "--format", "json"), capture_output=True, text=True,
        env=_env(PYTHONIOENCODING="ascii"), check=False,
    )  # fmt: skip
    assert json_out.returncode == 0, json_out.stderr
    assert '"name": "Si\\u00e2n\\u2019s plan"' in json_out.stdout
    table = subprocess.run(
        _argv(named_plan, *args), capture_output=True, text=True,
        env=_env(PYTHONIOENCODING="ascii"), check=False,
    )  # fmt: skip
    _one_error(table, "the output holds characters the ascii encoding cannot show — set")


def test_a_reader_that_stops_early_ends_quietly(plan_run: Invoke, named_plan: str) -> None:
    for n in range(30):  # ~150 kB of JSON: more than a pipe's buffer holds
        title = f"Action {n} " + "x" * 5000
        assert plan_run("--plan", "Siân’s plan", "action", "add", title, "--owner", "Tom Okafor",
                        "--due", "2025-01-31").exit_code == 0  # fmt: skip
    proc = subprocess.Popen(
        _argv(named_plan, "--plan", "Siân’s plan", "export", "--format", "json"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(),
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()
    proc.wait(timeout=60)
    assert b"Traceback" not in proc.stderr.read()
    assert proc.returncode in (0, 1)
