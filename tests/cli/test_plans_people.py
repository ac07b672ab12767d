"""plan and person commands, their formats, and the audit trail they write."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, text

from improveplan.store.engine import to_url
from tests.conftest import Invoke


def _audit(url: str) -> list[tuple[str, str, str, str | None, str | None]]:
    engine = create_engine(to_url(url))
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT actor, entity, field, old_value, new_value FROM audit_event ORDER BY id")
        ).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_plan_add_list_show(run: Invoke) -> None:
    added = run(
        "plan",
        "add",
        "Peterborough",
        "--authority",
        "Peterborough City Council",
        "--la-code",
        "874",
    )
    assert added.exit_code == 0
    assert added.stderr == 'Added plan "Peterborough" for Peterborough City Council.\n'
    data = json.loads(run("plan", "list", "--format", "json").stdout)
    assert [{k: v for k, v in d.items() if k != "created_at"} for d in data] == [
        {
            "name": "Peterborough",
            "authority": "Peterborough City Council",
            "la_code": "874",
            "recommendations": 0,
            "actions": 0,
        }
    ]
    shown = json.loads(run("plan", "show", "--format", "json").stdout)
    assert shown["name"] == "Peterborough"
    table = run("plan", "list")
    assert "Peterborough City Council" in table.stdout


def test_plan_add_records_the_audit_trail(run: Invoke, db_url: str) -> None:
    assert run("plan", "add", "P", "--authority", "A", user="Sam Director").exit_code == 0
    assert _audit(db_url) == [
        ("Sam Director", "plan", "name", None, "P"),
        ("Sam Director", "plan", "authority", None, "A"),
    ]


def test_duplicate_plan_is_a_conflict(run: Invoke, db_url: str) -> None:
    run("plan", "add", "P", "--authority", "A")
    result = run("plan", "add", "P", "--authority", "B")
    assert result.exit_code == 1
    assert result.stderr == 'Error: a plan named "P" already exists — choose another name\n'
    assert len(_audit(db_url)) == 2


def test_no_plan_and_several_plans(run: Invoke) -> None:
    empty = run("plan", "show")
    assert empty.exit_code == 1
    assert (
        empty.stderr
        == "Error: no plan in the database — create one with improveplan plan add NAME --authority TEXT\n"
    )
    run("plan", "add", "A", "--authority", "X")
    run("plan", "add", "B", "--authority", "Y")
    several = run("plan", "show")
    assert several.exit_code == 1
    assert (
        several.stderr
        == "Error: 2 plans in the database — choose one with --plan NAME or IMPROVEPLAN_PLAN\n"
    )
    chosen = run("--plan", "B", "plan", "show", "--format", "json")
    assert chosen.exit_code == 0, chosen.output
    assert json.loads(chosen.stdout)["authority"] == "Y"
    unknown = run("plan", "show", "Z")
    assert unknown.stderr == 'Error: no plan named "Z" — see improveplan plan list\n'


def test_plan_from_environment(run: Invoke) -> None:
    run("plan", "add", "A", "--authority", "X")
    run("plan", "add", "B", "--authority", "Y")
    result = run("plan", "show", "--format", "json", env={"IMPROVEPLAN_PLAN": "A"})
    assert json.loads(result.stdout)["authority"] == "X"


def test_person_add_list(run: Invoke, db_url: str) -> None:
    result = run(
        "person",
        "add",
        "Priya Natarajan",
        "--email",
        "priya@example.org",
        "--role",
        "Head of Service",
    )
    assert result.exit_code == 0
    assert result.stderr == "Added Priya Natarajan.\n"
    csv = run("person", "list", "--format", "csv")
    assert (
        csv.stdout == "name,email,role,team\nPriya Natarajan,priya@example.org,Head of Service,\n"
    )
    dup = run("person", "add", "priya natarajan")
    assert dup.exit_code == 1
    assert (
        dup.stderr == 'Error: a person named "Priya Natarajan" already exists — names are unique\n'
    )
    assert ("tester", "person", "email", None, "priya@example.org") in _audit(db_url)


def test_empty_listing_says_so(run: Invoke) -> None:
    result = run("person", "list")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "No people yet — add one with improveplan person add NAME.\n"


def test_csv_neutralises_formulas(run: Invoke) -> None:
    run("person", "add", '=HYPERLINK("x")', "--team", "+44 team")
    out = run("person", "list", "--format", "csv").stdout
    assert out.splitlines()[1] == '"\'=HYPERLINK(""x"")",,,\'+44 team'
