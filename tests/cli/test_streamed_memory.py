"""Full outputs stream: their memory does not grow with the number of actions (issue 14).

Each command runs in its own process with stdout to /dev/null and reports its own peak
RSS (VmHWM, Linux). A plan of 50,000 actions must cost
no more than one of 5,000 plus a little, and stay under a ceiling.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_streamed_outputs import generate

GROWTH_MIB = 12  # 45,000 more actions may cost this much more at most
CEILING_MIB = 120
COMMANDS = (
    ("overdue", "--format", "json"),
    ("overdue", "--format", "csv"),
    ("action", "list", "--format", "csv"),
    ("action", "list", "--format", "json"),
    ("export", "--format", "json"),
    ("export", "--format", "csv"),
)


# The child reports its own high-water mark: VmHWM starts afresh at exec, whereas a
# forked child's ru_maxrss starts from the test process's RSS (benchmarks/README.md).
CHILD = """
import atexit, runpy, sys
path = sys.argv[1]
def report():
    with open("/proc/self/status") as status, open(path, "w") as out:
        out.write(next(line for line in status if line.startswith("VmHWM:")))
atexit.register(report)
sys.argv = ["improveplan", *sys.argv[2:]]
runpy.run_module("improveplan", run_name="__main__")
"""


def peak_mib(db: Path, args: tuple[str, ...], tmp: Path) -> float:
    env = {**os.environ, "IMPROVEPLAN_TODAY": "2025-06-01", "IMPROVEPLAN_USER": "tester"}
    report = tmp / "hwm.txt"
    with open(os.devnull, "wb") as sink:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(report), "--db", str(db), *args],
            stdout=sink,
            stderr=subprocess.PIPE,
            env=env,
            check=False,
        )
    assert done.returncode in (0, 3), (args, done.stderr.decode())
    return int(report.read_text().split()[1]) / 1024  # "VmHWM:   123456 kB"


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> dict[int, Path]:
    import shutil

    made = {}
    for actions in (5_000, 50_000):
        path = tmp_path_factory.mktemp(f"plan{actions}") / "plan.db"
        shutil.copyfile(sqlite_template, path)
        generate(str(path), plans=1, actions=actions, events_per_action=2)
        made[actions] = path
    return made


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss in KiB: Linux")
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_memory_is_flat_in_the_number_of_rows(
    plans: dict[int, Path], args: tuple[str, ...], tmp_path: Path
) -> None:
    small = peak_mib(plans[5_000], args, tmp_path)
    large = peak_mib(plans[50_000], args, tmp_path)
    assert large - small <= GROWTH_MIB, f"{small:.0f} MiB at 5k actions, {large:.0f} at 50k"
    assert large <= CEILING_MIB
