"""A table longer than the screen goes through the pager on a terminal, as git's does.

The command runs in a pseudo-terminal (stdin and stdout a tty, the screen 12 lines), and
the pager is a script that records what it was given.
"""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path

import pytest

from improveplan.render import pager

RECORDER = "import sys; open(sys.argv[1], 'w').write(sys.stdin.read())"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("pager") / "demo.db"
    done = subprocess.run(
        [sys.executable, "-m", "improveplan", "demo", "--db", str(path)],
        capture_output=True, text=True, check=False, env=_env(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return str(path)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("IMPROVEPLAN_") and k not in ("PAGER", "LESS", "LINES")}  # fmt: skip
    env.update(NO_COLOR="1", COLUMNS="100", IMPROVEPLAN_USER="tester", TERM="xterm")
    env.update(IMPROVEPLAN_CONFIG=os.devnull)
    env.update(extra)
    return env


def _recorder(tmp_path: Path, name: str = "paged.txt") -> tuple[str, Path]:
    script = tmp_path / "recorder.py"
    script.write_text(RECORDER, encoding="utf-8")
    record = tmp_path / name
    return f"{sys.executable} {script} {record}", record


def _in_terminal(argv: list[str], env: dict[str, str], rows: int = 12) -> tuple[int, str]:
    """Run with stdin and stdout on a pseudo-terminal of `rows` lines; what it showed."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, 100, 0, 0))
    shown = bytearray()

    def read() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            shown.extend(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=subprocess.PIPE, env=env)
    os.close(slave)
    _, err = proc.communicate(timeout=120)
    reader.join(timeout=10)
    os.close(master)
    assert proc.returncode == 0, err.decode()
    return proc.returncode, shown.decode("utf-8", "replace")


def _list(db: str, *options: str) -> list[str]:
    return [sys.executable, "-m", "improveplan", *options, "--db", db, "action", "list", "--all"]


def test_a_long_table_on_a_terminal_goes_through_the_pager(demo_db: str, tmp_path: Path) -> None:
    command, record = _recorder(tmp_path)
    _, shown = _in_terminal(_list(demo_db), _env(PAGER=command))
    paged = record.read_text(encoding="utf-8")
    assert paged.startswith("┏") and paged.rstrip().endswith("┘")
    assert paged.count("\n") > 12
    assert "┏" not in shown  # the terminal got nothing straight


def test_improveplan_pager_comes_before_pager(demo_db: str, tmp_path: Path) -> None:
    ours, ours_record = _recorder(tmp_path, "ours.txt")
    theirs, theirs_record = _recorder(tmp_path, "theirs.txt")
    _in_terminal(_list(demo_db), _env(PAGER=theirs, IMPROVEPLAN_PAGER=ours))
    assert ours_record.exists() and not theirs_record.exists()


@pytest.mark.parametrize("setting", [{"PAGER": ""}, {"PAGER": "cat"}, {"IMPROVEPLAN_PAGER": ""}])
def test_an_empty_pager_or_cat_prints_straight(
    demo_db: str, tmp_path: Path, setting: dict[str, str]
) -> None:
    command, record = _recorder(tmp_path)
    env = _env(PAGER=command) | setting
    _, shown = _in_terminal(_list(demo_db), env)
    assert not record.exists()
    assert "┏" in shown


def test_no_pager_prints_straight_to_the_terminal(demo_db: str, tmp_path: Path) -> None:
    command, record = _recorder(tmp_path)
    _, shown = _in_terminal(_list(demo_db, "--no-pager"), _env(PAGER=command))
    assert not record.exists()
    assert "┏" in shown and "┘" in shown


def test_a_table_that_fits_the_screen_is_not_paged(demo_db: str, tmp_path: Path) -> None:
    command, record = _recorder(tmp_path)
    _, shown = _in_terminal(_list(demo_db), _env(PAGER=command), rows=200)
    assert not record.exists()
    assert "┏" in shown


def test_piped_output_is_never_paged_and_is_what_no_pager_prints(
    demo_db: str, tmp_path: Path
) -> None:
    command, record = _recorder(tmp_path)
    env = _env(PAGER=command, LINES="5")
    piped = subprocess.run(_list(demo_db), capture_output=True, text=True, env=env, check=True)
    plain = subprocess.run(
        _list(demo_db, "--no-pager"), capture_output=True, text=True, env=env, check=True
    )
    assert not record.exists()
    assert piped.stdout == plain.stdout and piped.stdout.count("\n") > 12


def test_pager_command_follows_git_s_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAGER", raising=False)
    monkeypatch.delenv("IMPROVEPLAN_PAGER", raising=False)
    assert pager.pager_command() == "less"
    monkeypatch.setenv("PAGER", "most -s")
    assert pager.pager_command() == "most -s"
    monkeypatch.setenv("IMPROVEPLAN_PAGER", " cat ")
    assert pager.pager_command() is None
