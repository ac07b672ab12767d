"""Run improveplan as real processes, several at once, as managers and cron would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WORKER = Path(__file__).with_name("worker.py")

TODAY = "2024-06-03"


@dataclass(frozen=True)
class Done:
    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str


def env(**extra: str) -> dict[str, str]:
    """The test's environment (already isolated by conftest) with a pinned today."""
    return {**os.environ, "IMPROVEPLAN_TODAY": TODAY, "NO_COLOR": "1", **extra}


def start(url: str, *args: str, user: str = "tester", **kw: Any) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "improveplan", "--db", url, "--user", user, *args]
    return subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(),
        **kw,
    )


def finish(procs: list[subprocess.Popen[str]], timeout: float = 180) -> list[Done]:
    """Wait for every process; a hang fails the test instead of blocking CI."""
    done = []
    for proc in procs:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            for other in procs:
                other.kill()
            raise
        args = tuple(str(a) for a in proc.args[3:])  # type: ignore[index]
        done.append(Done(args, proc.returncode, out, err))
    return done


def start_worker(url: str, user: str, commands: list[list[str]]) -> subprocess.Popen[str]:
    """One process running several commands in a row (see worker.py)."""
    argv = [sys.executable, str(WORKER), url, user, json.dumps(commands)]
    return subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env()
    )


def worker_results(done: Done) -> list[Done]:
    """The per-command results a worker printed (its own exit must be 0)."""
    assert done.code == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return [Done(tuple(r["args"]), r["code"], "", r["stderr"]) for r in rows]
