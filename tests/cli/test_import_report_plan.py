"""import-report before a plan exists: the dry run reads the report in an empty database,
and `--create-plan` makes the plan the report names and imports into it, in one
transaction, audited; a plan of that name already there is refused.

Generated reports (`tests/pdfs.py`) run in any clone on both databases; one report Ofsted
published runs where ../shared is beside the clone and skips elsewhere.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import REPORTS, Invoke, expected_reports, needs_reports, sql
from tests.pdfs import PETERBOROUGH, Report
from tests.pdfs import write_report as write_generated

TABLES = ("plan", "inspection", "judgement", "recommendation", "milestone", "audit_event")
FOUND = "Found 5 judgements, 8 recommendations (R1–R8)."


def counts(url: str) -> dict[str, int]:
    return {t: int(sql(url, f'SELECT count(*) FROM "{t}"')[0][0]) for t in TABLES}


@pytest.fixture
def empty(run_fresh: Invoke) -> Invoke:
    """A database just made by `improveplan init`: no plan, no people."""
    result = run_fresh("init")
    assert result.exit_code == 0, result.output
    return run_fresh


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    return write_generated(tmp_path / "peterborough.pdf", PETERBOROUGH)


def test_dry_run_reads_the_report_before_any_plan(
    empty: Invoke, fresh_db_url: str, pdf: Path
) -> None:
    before = counts(fresh_db_url)
    assert before == dict.fromkeys(TABLES, 0)
    result = empty("inspection", "import-report", str(pdf), "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"Dry run: nothing written. {FOUND} No plan yet: --create-plan would create plan "
        '"Peterborough".\n'
    )
    for fragment in ("Local authority", "Peterborough", "(dry run)", "2023-11-27", "2023-12-08",
                     "Russel Breyer", "Inadequate", "R8", "missing from care"):  # fmt: skip
        assert fragment in result.stdout
    as_json = empty("inspection", "import-report", str(pdf), "--dry-run", "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.stdout)
    assert (data["id"], data["start"], data["lead_inspector"]) == (None, "2023-11-27",
                                                                   "Russel Breyer")  # fmt: skip
    assert [r["ref"] for r in data["recommendations"]] == [f"R{n}" for n in range(1, 9)]
    assert data["judgements"] == PETERBOROUGH.expected()["judgements"]
    assert counts(fresh_db_url) == before


def test_an_import_with_no_plan_says_how_to_make_one(
    empty: Invoke, fresh_db_url: str, pdf: Path
) -> None:
    result = empty("inspection", "import-report", str(pdf))
    assert result.exit_code == 1
    assert result.stderr == (
        'Error: no plan in the database — add --create-plan to create plan "Peterborough" '
        "from the report, or create one with improveplan plan add NAME --authority TEXT\n"
    )
    assert counts(fresh_db_url) == dict.fromkeys(TABLES, 0)


def test_create_plan_dry_run_shows_the_plan_and_writes_nothing(
    empty: Invoke, fresh_db_url: str, pdf: Path
) -> None:
    result = empty("inspection", "import-report", str(pdf), "--create-plan", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f'Dry run: nothing written. Would create plan "Peterborough". {FOUND}\n'
    )
    assert counts(fresh_db_url) == dict.fromkeys(TABLES, 0)


def test_create_plan_makes_the_plan_and_imports_into_it_audited(
    empty: Invoke, fresh_db_url: str, pdf: Path
) -> None:
    result = empty("inspection", "import-report", str(pdf), "--create-plan",
                   "--received", "2024-01-30", "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        'Created plan "Peterborough". Imported inspection 1: 5 judgements, 8 recommendations'
        " (R1–R8).\n"
    )
    assert json.loads(result.stdout)["id"] == 1
    (plan,) = json.loads(empty("plan", "list", "--format", "json").stdout)
    assert {k: plan[k] for k in ("name", "authority", "la_code", "recommendations")} == {
        "name": "Peterborough", "authority": "Peterborough", "la_code": None,
        "recommendations": 8,
    }  # fmt: skip
    shown = json.loads(empty("inspection", "show", "1", "--format", "json").stdout)
    assert shown["received"] == "2024-01-30"
    assert [r["text"] for r in shown["recommendations"]] == list(PETERBOROUGH.recommendations)
    audited = sql(fresh_db_url, "SELECT entity, field, new_value FROM audit_event "
                  "WHERE entity = 'plan' ORDER BY id")  # fmt: skip
    assert audited == [("plan", "name", "Peterborough"), ("plan", "authority", "Peterborough")]
    by_entity = dict(sql(fresh_db_url, "SELECT entity, count(*) FROM audit_event GROUP BY entity"))
    assert by_entity.keys() >= {"plan", "inspection", "judgement", "recommendation"}
    assert counts(fresh_db_url)["milestone"] > 0  # the report's received date starts the clock


def test_create_plan_refuses_a_plan_of_that_name(
    empty: Invoke, fresh_db_url: str, pdf: Path
) -> None:
    assert empty("inspection", "import-report", str(pdf), "--create-plan").exit_code == 0
    before = counts(fresh_db_url)
    for args in ((), ("--dry-run",)):
        again = empty("inspection", "import-report", str(pdf), "--create-plan", *args)
        assert again.exit_code == 1
        assert again.stderr == (
            'Error: a plan named "Peterborough" already exists — drop --create-plan to import '
            'into it (--plan "Peterborough"), or name a new plan with --plan NAME\n'
        )
    assert counts(fresh_db_url) == before


def test_create_plan_with_plan_names_it_beside_the_others(
    plan_run: Invoke, db_url: str, pdf: Path
) -> None:
    """plan_run holds "Peterborough" (Peterborough City Council): --plan names the new one."""
    clash = plan_run("inspection", "import-report", str(pdf), "--create-plan")
    assert clash.exit_code == 1
    assert clash.stderr.startswith('Error: a plan named "Peterborough" already exists')
    other = write_generated(pdf.with_name("northshire.pdf"), Report())
    made = plan_run("--plan", "Northshire 2024", "inspection", "import-report", str(other),
                    "--create-plan")  # fmt: skip
    assert made.exit_code == 0, made.output
    assert made.stderr.startswith('Created plan "Northshire 2024" for Northshire. Imported ')
    plans = json.loads(plan_run("plan", "list", "--format", "json").stdout)
    assert [(p["name"], p["authority"], p["recommendations"]) for p in plans] == [
        ("Northshire 2024", "Northshire", len(Report().recommendations)),
        ("Peterborough", "Peterborough City Council", 0),
    ]
    assert sql(db_url, "SELECT count(*) FROM inspection") == [(1,)]


def test_a_failed_create_plan_leaves_no_plan(empty: Invoke, fresh_db_url: str, pdf: Path) -> None:
    """The plan is made in the import's transaction: a refused date takes it back too."""
    result = empty("inspection", "import-report", str(pdf), "--create-plan",
                   "--received", "2023-11-01")  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert len(result.stderr.splitlines()) == 1
    assert counts(fresh_db_url) == dict.fromkeys(TABLES, 0)


def test_create_plan_and_replace_are_a_usage_error(empty: Invoke, pdf: Path) -> None:
    result = empty("inspection", "import-report", str(pdf), "--create-plan", "--replace")
    assert result.exit_code == 2
    assert "give --replace or --create-plan, not both" in result.stderr


@needs_reports
def test_a_published_report_creates_its_plan(empty: Invoke, fresh_db_url: str) -> None:
    expected = next(e for e in expected_reports() if e["file"] == "essex-2023-08-11.pdf")
    path = str(REPORTS / expected["file"])
    dry = empty("inspection", "import-report", path, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.stderr.endswith('No plan yet: --create-plan would create plan "Essex".\n')
    assert counts(fresh_db_url) == dict.fromkeys(TABLES, 0)
    made = empty("inspection", "import-report", path, "--create-plan",
                 "--published", expected["published"], "--format", "json")  # fmt: skip
    assert made.exit_code == 0, made.output
    data = json.loads(made.stdout)
    assert data["judgements"] == expected["judgements"]
    assert [r["text"] for r in data["recommendations"]] == expected["recommendations"]
    (plan,) = json.loads(empty("plan", "list", "--format", "json").stdout)
    assert (plan["name"], plan["authority"]) == ("Essex", "Essex")
