"""--db, --plan and --user before the command or after it: the same precedence either way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from improveplan.cli.main import cli
from tests.conftest import make_invoker, sql

CLASH = (
    "Error: {opt} is given before the command and after it, with different values — give it once"
)


def bare(*args: str, env: dict[str, str] | None = None) -> Result:
    """improveplan with exactly these arguments (no --db or --user put first)."""
    return CliRunner().invoke(cli, list(args), env=env, prog_name="improveplan")


@pytest.fixture
def two_plans(db_url: str) -> str:
    """Plans A (authority X) and B (authority Y) and one person, Priya Natarajan."""
    run = make_invoker(db_url)
    for args in (
        ("plan", "add", "A", "--authority", "X"),
        ("plan", "add", "B", "--authority", "Y"),
        ("person", "add", "Priya Natarajan"),
    ):
        assert run(*args).exit_code == 0
    return db_url


def authority(result: Result) -> str:
    assert result.exit_code == 0, result.output
    found: str = json.loads(result.stdout)["authority"]
    return found


def test_db_and_plan_after_the_command(two_plans: str) -> None:
    before = bare("--db", two_plans, "plan", "list", "--format", "csv")
    after = bare("plan", "list", "--format", "csv", "--db", two_plans)
    assert after.exit_code == 0, after.output
    assert (
        after.stdout
        == before.stdout
        == ("name,authority,la_code,recommendations,actions,lead\nA,X,,0,0,\nB,Y,,0,0,\n")
    )
    after_plan = bare("plan", "show", "--plan", "B", "--db", two_plans, "--format", "json")
    assert authority(after_plan) == "Y"
    before_plan = bare("--plan", "B", "plan", "show", "--db", two_plans, "--format", "json")
    assert authority(before_plan) == "Y"
    people = bare("person", "list", "--plan", "B", "--db", two_plans, "--format", "csv")
    assert (people.exit_code, people.stdout) == (0, "name,email,role,team\nPriya Natarajan,,,\n")


def test_mixed_positions_write_where_and_as_who_they_say(two_plans: str) -> None:
    result = bare(
        "--db", two_plans, "action", "add", "Audit case files", "--owner", "Priya Natarajan",
        "--due", "2025-04-01", "--plan", "B", "--user", "Ann Admin",
        env={"IMPROVEPLAN_TODAY": "2025-03-01"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sql(
        two_plans, "SELECT p.name, a.title FROM action a JOIN plan p ON p.id = a.plan_id"
    ) == [("B", "Audit case files")]
    assert sql(two_plans, "SELECT DISTINCT actor FROM audit_event WHERE entity = 'action'") == [
        ("Ann Admin",)
    ]


def test_the_same_value_in_both_places_is_fine(two_plans: str) -> None:
    result = bare("--db", two_plans, "--plan", "A", "plan", "show", "--format", "json",
                  "--plan", "A", "--db", two_plans)  # fmt: skip
    assert authority(result) == "X"


@pytest.mark.parametrize(
    ("before", "after"),
    [(("--plan", "A"), ("--plan", "B")), (("--user", "Ann"), ("--user", "Bob"))],
)
def test_a_clash_is_a_usage_error_and_changes_nothing(
    two_plans: str, before: tuple[str, str], after: tuple[str, str]
) -> None:
    count = sql(two_plans, "SELECT count(*) FROM audit_event")
    result = bare("--db", two_plans, *before, "person", "add", "Sam Reed", *after)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == CLASH.format(opt=before[0])
    assert sql(two_plans, "SELECT count(*) FROM person WHERE name = 'Sam Reed'") == [(0,)]
    assert sql(two_plans, "SELECT count(*) FROM audit_event") == count


def test_a_db_clash_names_neither_database(two_plans: str, tmp_path: Path) -> None:
    """A URL may hold a password: the error names the option, not the values."""
    other = "postgresql://u:Secret99@127.0.0.1:1/x"
    result = bare("--db", two_plans, "plan", "list", "--db", other)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == CLASH.format(opt="--db")
    assert "Secret99" not in result.stderr


def test_the_environment_loses_to_either_flag(two_plans: str, tmp_path: Path) -> None:
    env = {"IMPROVEPLAN_DB": str(tmp_path / "elsewhere.db"), "IMPROVEPLAN_PLAN": "A"}
    assert authority(bare("plan", "show", "--format", "json", "--db", two_plans, env=env)) == "X"
    after = bare("plan", "show", "--format", "json", "--plan", "B", "--db", two_plans, env=env)
    assert authority(after) == "Y"
    before = bare("--plan", "B", "--db", two_plans, "plan", "show", "--format", "json", env=env)
    assert authority(before) == "Y"
    assert not (tmp_path / "elsewhere.db").exists()


def test_every_command_lists_them_in_its_help() -> None:
    text = bare("action", "list", "--help").stdout
    assert "  --db PATH|URL              Same as the global --db.\n" in text
    assert "  --plan NAME                Same as the global --plan.\n" in text
    assert "  --user NAME                Same as the global --user.\n" in text
    grants = bare("access", "list", "--help").stdout  # its own --plan, not a second one
    assert grants.count("  --plan NAME ") == 1
    assert "Same as the global --db." in grants
    demo = bare("demo", "--help").stdout  # its --db is where the demo is built
    assert demo.count("  --db ") == 1
    assert "Same as the global" not in demo
