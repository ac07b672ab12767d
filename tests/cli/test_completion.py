"""Shell completion: `completion SHELL` prints the script; Tab completes from the database.

Every completion runs the installed `improveplan` in a process of its own with click's
protocol (`_IMPROVEPLAN_COMPLETE`, `COMP_WORDS`, `COMP_CWORD`), as the shell does, on a
real database of each backend.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.shell_completion import split_arg_string
from click.testing import CliRunner

from improveplan.cli.main import cli
from tests.cli.test_actions import TODAY, add
from tests.conftest import Invoke

ENTRY = Path(sys.executable).with_name("improveplan")  # the console script pip installed


def complete(words: str, shell: str = "bash") -> subprocess.CompletedProcess[str]:
    """What the shell's completion function gets for the command line `words` (the word
    being completed is the last one, or a new one after a trailing space)."""
    count = len(split_arg_string(words))  # as click splits COMP_WORDS
    new_word = words.endswith(" ") and not words.endswith("\\ ")
    cword = str(count if new_word else count - 1)
    env = {
        **os.environ,
        "_IMPROVEPLAN_COMPLETE": f"{shell}_complete",
        "COMP_WORDS": words,
        # fish sends the word being completed itself
        "COMP_CWORD": words.rsplit(" ", 1)[1] if shell == "fish" else cword,
    }
    return subprocess.run(
        [str(ENTRY)], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def offered(words: str) -> list[str]:
    """The bash completions, asserting the protocol's success: exit 0, nothing on stderr."""
    done = complete(words)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert done.stdout.endswith("\n")  # click prints the lines, or one empty line: none
    return done.stdout.removesuffix("\n").splitlines()


@pytest.fixture
def world(plan_run: Invoke, db_url: str) -> str:
    """Peterborough with themes, four actions, recommendations, a milestone, a measure
    and an inspection; returns the database to complete from."""
    for args in (
        ("theme", "add", "Care leavers"),
        ("theme", "add", "Children in care"),
        ("rec", "add", "R1", "Improve the  quality of supervision."),
        ("rec", "add", "R2", "Strengthen multi-agency working."),
        ("milestone", "add", "Board 1", "--date", "2025-04-01"),
        ("measure", "add", "Supervision in time", "--unit", "%", "--baseline", "50",
         "--target", "90"),
        ("inspection", "add", "--type", "standard", "--start", "2024-01-08", "--end",
         "2024-01-19"),
    ):  # fmt: skip
        result = plan_run(*args, env=TODAY)
        assert result.exit_code == 0, result.output
    add(plan_run, "Audit case files", "--due", "2025-04-01", "--theme", "Care leavers")
    add(plan_run, "Recruit staff", "--due", "2025-03-20", owner="Tom Okafor")
    add(plan_run, "Train managers", "--due", "2025-05-01")
    add(plan_run, "Review placements", "--due", "2025-05-01", "--ref", "10")
    return db_url


def test_action_refs_complete_with_their_titles(world: str) -> None:
    assert offered(f"improveplan --db {world} action show ") == [
        "plain,1",
        "plain,2",
        "plain,3",
        "plain,10",
    ]
    assert offered(f"improveplan --db {world} action update 1") == ["plain,1", "plain,10"]
    zsh = complete(f"improveplan --db {world} action done 1", shell="zsh")
    assert (zsh.returncode, zsh.stderr) == (0, "")
    assert zsh.stdout == "plain\n1\nAudit case files\nplain\n10\nReview placements\n"
    fish = complete(f"improveplan --db {world} action note 1", shell="fish")
    assert (fish.returncode, fish.stderr) == (0, "")
    assert fish.stdout == "plain,1\tAudit case files\nplain,10\tReview placements\n"


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("action list --owner ", ["Priya Natarajan", "Tom Okafor"]),
        ("action add Title --owner t", ["Tom Okafor"]),
        ("person show PRI", ["Priya Natarajan"]),
        ("overdue --owner ", ["Priya Natarajan", "Tom Okafor"]),
        ("theme update c", ["Care leavers", "Children in care"]),
        ("action update 1 --theme car", ["Care leavers"]),
        ("plan show ", ["Peterborough"]),
        ("action list --rec ", ["R1", "R2"]),
        ("rec show r2", ["R2"]),
        ("milestone done ", ["Board 1"]),
        ("action add T --milestone b", ["Board 1"]),
        ("measure record ", ["Supervision in time"]),
        ("inspection show ", ["1"]),
        ("access grant Priya", ["Priya Natarajan"]),
        ("action update 1 --status in", ["in-progress"]),
        ("action list --status signed_", ["signed-off"]),
        ("action update 1 --rag ", ["blue", "green", "amber", "red", "auto"]),
        ("action list --rag a", ["amber"]),
        ("status --by ", ["theme", "owner", "recommendation"]),
        ("action list --user ", ["Priya Natarajan", "Tom Okafor"]),
    ],
)
def test_each_kind_of_name_completes(world: str, words: str, expected: list[str]) -> None:
    assert offered(f"improveplan --db {world} {words}") == [f"plain,{e}" for e in expected]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_bash_script_quotes_names_as_bash_inserts_them(world: str, tmp_path: Path) -> None:
    """bash inserts a completion as it is: "Priya Natarajan" must come back as one word,
    after a space typed as `Priya\\ ` or an opening quote too."""
    script = tmp_path / "improveplan.bash"
    printed = CliRunner().invoke(cli, ["completion", "bash"], prog_name="improveplan")
    script.write_text(printed.stdout)
    tab = (
        f'source {script}; COMP_WORDS=(improveplan --db {world} person remove "$1"); '
        'COMP_CWORD=5; _improveplan_completion improveplan; printf "[%s]" "${COMPREPLY[@]}"'
    )
    path = {"PATH": f"{ENTRY.parent}{os.pathsep}{os.environ['PATH']}"}
    for typed, expected in [
        ("", r"[Priya\ Natarajan][Tom\ Okafor]"),
        ("Priya\\ ", r"[Priya\ Natarajan]"),
        ('"tom', r"[Tom\ Okafor]"),
    ]:
        done = subprocess.run(
            ["bash", "-c", tab, "bash", typed],
            env={**os.environ, **path},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert (done.returncode, done.stderr, done.stdout) == (0, "", expected), typed


def test_zsh_shows_the_help_beside_each_name(world: str) -> None:
    done = complete(f"improveplan --db {world} --plan ", shell="zsh")
    assert done.stdout == "plain\nPeterborough\nPeterborough City Council\n"
    recs = complete(f"improveplan --db {world} rec remove ", shell="zsh")
    assert recs.stdout == (
        "plain\nR1\nImprove the quality of supervision.\n"
        "plain\nR2\nStrengthen multi-agency working.\n"
    )


def test_the_database_and_plan_given_after_the_command_are_used(
    world: str, plan_run: Invoke
) -> None:
    assert offered(f"improveplan action show --db {world} ") == [
        *("plain,1", "plain,2", "plain,3", "plain,10")
    ]
    assert plan_run("plan", "add", "Luton", "--authority", "Luton").exit_code == 0
    assert offered(f"improveplan --db {world} action show ") == []  # two plans: which?
    assert offered(f"improveplan --db {world} action show --plan peterborough 1") == [
        "plain,1",
        "plain,10",
    ]
    assert offered(f"improveplan --plan Luton action show --db {world} ") == []
    assert offered(f"improveplan --db {world} access list --plan ") == [
        "plain,Luton",
        "plain,Peterborough",
    ]


def test_the_database_comes_from_the_environment_too(
    world: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMPROVEPLAN_DB", world)
    assert offered("improveplan milestone remove ") == ["plain,Board 1"]


def test_db_completes_file_names() -> None:
    assert offered("improveplan --db ") == ["file,"]
    assert offered("improveplan person list --db pb") == ["file,pb"]


def test_a_missing_or_unreadable_database_completes_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    assert offered(f"improveplan --db {missing} action show ") == []
    assert not missing.exists()  # read-only: never created
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    assert offered(f"improveplan --db {other} person show ") == []
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all" * 100)
    assert offered(f"improveplan --db {garbage} theme remove ") == []
    assert offered("improveplan --db postgresql://nobody@127.0.0.1:1/none plan show ") == []


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_locked_database_completes_nothing(world: str) -> None:
    with sqlite3.connect(world, isolation_level=None) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("BEGIN EXCLUSIVE")
        try:
            assert offered(f"improveplan --db {world} action show ") == []
        finally:
            conn.execute("ROLLBACK")
    assert offered(f"improveplan --db {world} action show 3") == ["plain,3"]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_completion_imports_no_sqlalchemy(world: str) -> None:
    probe = (
        "import sys\n"
        "from improveplan.cli.main import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = ('sqlalchemy', 'sqlmodel', 'alembic', 'rich', 'pydantic', 'jinja2')\n"
        "print(sorted(name for name in heavy if name in sys.modules), file=sys.stderr)\n"
    )
    words = f"improveplan --db {world} action show "
    env = {**os.environ, "_IMPROVEPLAN_COMPLETE": "bash_complete", "COMP_WORDS": words}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env={**env, "COMP_CWORD": "5"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout.splitlines() == ["plain,1", "plain,2", "plain,3", "plain,10"]
    assert done.stderr == "[]\n"


@pytest.mark.parametrize(
    ("shell", "function"),
    [
        ("bash", "_improveplan_completion() {"),
        ("zsh", "#compdef improveplan"),
        ("fish", "function _improveplan_completion;"),
    ],
)
def test_completion_prints_the_shells_script(shell: str, function: str) -> None:
    result = CliRunner().invoke(cli, ["completion", shell], prog_name="improveplan")
    assert result.exit_code == 0, result.output
    assert function in result.stdout
    assert "_IMPROVEPLAN_COMPLETE" in result.stdout


def test_completion_help_says_how_to_install_it() -> None:
    result = CliRunner().invoke(cli, ["completion", "--help"], prog_name="improveplan")
    assert result.exit_code == 0
    assert 'eval "$(improveplan completion bash)"   in ~/.bashrc' in result.stdout
    assert (
        "  fish:  improveplan completion fish > FILE, where FILE is\n"
        "         ~/.config/fish/completions/improveplan.fish\n"
    ) in result.stdout


def test_an_unknown_shell_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["completion", "tcsh"], prog_name="improveplan")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '{bash|zsh|fish}': 'tcsh' is not one of 'bash', 'zsh', 'fish'."
    )
