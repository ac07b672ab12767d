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
            "lead": None,
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


def test_plan_update_corrects_and_names_the_lead(plan_run: Invoke, db_url: str) -> None:
    result = plan_run(
        "plan", "update", "PETERBOROUGH", "--name", "Peterborough 2025", "--la-code", "",
        "--lead", "priya  natarajan", user="Sam Director",
    )  # fmt: skip
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (
        "Plan Peterborough 2025: name Peterborough → Peterborough 2025; la_code 874 → —; "
        "lead — → Priya Natarajan.\n"
    )
    assert _audit(db_url)[-3:] == [
        ("Sam Director", "plan", "name", "Peterborough", "Peterborough 2025"),
        ("Sam Director", "plan", "la_code", "874", None),
        ("Sam Director", "plan", "lead", None, "Priya Natarajan"),
    ]
    shown = json.loads(run_json(plan_run, "plan", "show", "peterborough  2025"))
    assert (shown["name"], shown["la_code"], shown["lead"]) == (
        "Peterborough 2025",
        None,
        "Priya Natarajan",
    )
    assert list(shown)[-2:] == ["lead", "allow_self_signoff"]
    table = plan_run("plan", "list").stdout.splitlines()
    assert (
        table[1]
        == "┃ Plan              ┃ Local authority           ┃ LA code ┃ Recs ┃ Actions ┃ Lead            ┃"
    )
    assert (
        table[3]
        == "│ Peterborough 2025 │ Peterborough City Council │         │ 0    │ 0       │ Priya Natarajan │"
    )
    cleared = plan_run("plan", "update", "Peterborough 2025", "--lead", "none")
    assert cleared.stderr == "Plan Peterborough 2025: lead Priya Natarajan → —.\n"
    assert plan_run("plan", "list", "--format", "csv").stdout.splitlines()[0] == (
        "name,authority,la_code,recommendations,actions,lead"
    )


def test_plan_update_refusals_change_nothing(plan_run: Invoke, db_url: str) -> None:
    plan_run("plan", "add", "Luton", "--authority", "Luton Borough Council")
    before = len(_audit(db_url))
    dup = plan_run("plan", "update", "Luton", "--name", "peterBOROUGH")
    assert (dup.exit_code, dup.stderr) == (
        1,
        'Error: a plan named "Peterborough" already exists — choose another name\n',
    )
    lead = plan_run("plan", "update", "Luton", "--lead", "Tom Okafr")
    assert lead.stderr == (
        'Error: no person named "Tom Okafr" — Did you mean "Tom Okafor"? '
        "Add them with improveplan person add\n"
    )
    nothing = plan_run("plan", "update", "Luton")
    assert nothing.stderr == (
        'Error: nothing to change for plan "Luton" — give --name, --authority, --la-code or '
        "--lead\n"
    )
    unknown = plan_run("plan", "update", "Lutom", "--authority", "X")
    assert unknown.stderr == (
        'Error: no plan named "Lutom" — Did you mean "Luton"? See improveplan plan list\n'
    )
    assert len(_audit(db_url)) == before


def test_plan_names_are_found_and_refused_folded(run: Invoke) -> None:
    run("plan", "add", "Île de  Wight", "--authority", "Isle of Wight Council")
    assert run("plan", "add", "Île de Wight", "--authority", "X").stderr == (
        'Error: a plan named "Île de Wight" already exists — choose another name\n'
    )
    assert run("plan", "add", "ÎLE DE WIGHT", "--authority", "X").exit_code == 1
    run("plan", "add", "Luton", "--authority", "Luton Borough Council")
    chosen = run("--plan", "île  DE wight", "plan", "show", "--format", "json")
    assert json.loads(chosen.stdout)["name"] == "Île de Wight"
    env = run("theme", "list", env={"IMPROVEPLAN_PLAN": "LUTON"})
    assert env.exit_code == 0, env.output


def run_json(run: Invoke, *args: str) -> str:
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return result.stdout
