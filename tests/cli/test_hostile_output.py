"""Output that cannot be written or encoded is one line on stderr, never a traceback.

These run improveplan as a real process (the stream handling lives in `main()`, which
CliRunner bypasses): stdout closed, on a full disk, in an ASCII-only encoding, and a
pipe its reader closed early.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Invoke, make_invoker


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


@pytest.fixture
def sqlite_plan(sqlite_template: Path, tmp_path: Path) -> tuple[Invoke, Path]:
    """A SQLite database (the kind with a file an output could overwrite) with a plan."""
    path = tmp_path / "improveplan.db"
    shutil.copyfile(sqlite_template, path)
    run = make_invoker(str(path))
    assert run("plan", "add", "Peterborough", "--authority", "PCC").exit_code == 0
    return run, path


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
@pytest.mark.parametrize(
    "command", [("report", "--format", "md"), ("export", "--format", "json"),
                ("export", "--format", "xlsx"), ("export", "--format", "csv")],
)  # fmt: skip
def test_no_output_replaces_the_database(
    sqlite_plan: tuple[Invoke, Path], suffix: str, command: tuple[str, ...]
) -> None:
    run, db = sqlite_plan
    target = Path(f"{db}{suffix}")
    before = target.read_bytes() if target.exists() else None
    result = run(*command, "-o", str(target))
    assert result.exit_code == 1, result.output
    assert (
        result.stderr == f"Error: {target} is the database — choose another file for the output\n"
    )
    assert (target.read_bytes() if target.exists() else None) == before
    assert run("plan", "list").exit_code == 0


def test_a_link_to_the_database_is_refused(
    sqlite_plan: tuple[Invoke, Path], tmp_path: Path
) -> None:
    run, db = sqlite_plan
    link = tmp_path / "board-report.html"
    link.symlink_to(db)
    result = run("report", "-o", str(link))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {link} is the database (through a link) — choose another file for the output\n"
    )


def test_a_failed_report_keeps_the_last_good_one(plan_run: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "board.md"
    assert (
        plan_run("report", "--format", "md", "-o", str(target), "--as-of", "2025-03-31").exit_code
        == 0
    )
    good = target.read_text("utf-8")
    assert target.stat().st_mode & 0o777 == 0o600
    broken = tmp_path / "broken.j2"
    broken.write_text("{{ plan.name }} {{ 1 / 0 }}\n")
    result = plan_run("report", "--template", str(broken), "-o", str(target))
    assert result.exit_code == 1
    assert target.read_text("utf-8") == good
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_template_error_names_its_line(plan_run: Invoke, tmp_path: Path) -> None:
    broken = tmp_path / "board.md.j2"
    broken.write_text("# {{ plan.name }}\n\n{{ totals.total / 0 }}\n")
    result = plan_run("report", "--template", str(broken), "--as-of", "2025-03-31")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (
        f"Error: template {broken} line 3 failed: ZeroDivisionError: division by zero"
        " — fix the template\n"
    )


def test_a_runaway_template_is_stopped(
    plan_run: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from improveplan.render import templating

    monkeypatch.setattr(templating, "TIME_LIMIT_SECONDS", 1)
    monkeypatch.setattr(templating, "OUTPUT_LIMIT", 100_000)
    silent = tmp_path / "silent.md.j2"
    silent.write_text(
        "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
    )
    result = plan_run("report", "--template", str(silent))
    assert (result.exit_code, result.stderr) == (
        1, "Error: the template ran for more than 1 seconds — check it for a runaway loop\n"
    )  # fmt: skip
    loud = tmp_path / "loud.md.j2"
    loud.write_text("{% for i in range(99999) %}{{ plan.name }}{% endfor %}")
    target = tmp_path / "out.md"
    result = plan_run("report", "--template", str(loud), "-o", str(target))
    assert (result.exit_code, result.stderr) == (
        1, "Error: the template wrote more than 100,000 characters — check it for a runaway loop\n"
    )  # fmt: skip
    assert not target.exists()
