"""`demo` in a fresh directory, rebuilding it, refusing other files, and `init --demo`."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from improveplan.cli.main import cli
from improveplan.io.demo_data import load as demo_data
from tests.conftest import (
    NO_SIF,
    PG_ENV,
    SIF_EXPECTED,
    Invoke,
    expected_reports,
    needs_reports,
    sql,
)

AS_OF = "2025-03-31"
RECS = 8 + 19 + 5  # 2023's, then the history's: 2015 (SIF) and 2018


def _demo(*args: str) -> Result:
    """`improveplan demo` exactly as a user types it: no global --db."""
    return CliRunner().invoke(cli, ["demo", *args], prog_name="improveplan")


def _at(db: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", db, *args], prog_name="improveplan")


def _count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Result]]:
    """One demo built in a fresh directory, shared by the tests that only read it."""
    where = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith("IMPROVEPLAN_") and name != PG_ENV:
                mp.delenv(name)
        mp.setenv("IMPROVEPLAN_CONFIG", str(where / "no-config.toml"))
        mp.setenv("NO_COLOR", "1")
        mp.setenv("COLUMNS", "120")
        mp.chdir(where)
        result = _demo()
        assert result.exit_code == 0, result.output
        yield where, result


def test_demo_writes_its_own_file_and_shows_status_and_overdue(
    built: tuple[Path, Result],
) -> None:
    where, result = built
    db = where / "improveplan-demo.db"
    assert db.exists()
    assert _count(db, "recommendation") == RECS  # 2023's eight, then 2015's and 2018's
    assert 24 <= _count(db, "action") <= 30
    assert _count(db, "progress_note") >= 25
    assert _count(db, "inspection") == 5
    assert result.stdout.startswith(
        "Public record: Ofsted's inspections of 2015, 2018 and 2023, the 2023 focused visit, "
    )
    assert "\nInvented: the people, actions, notes and dates of the plan" in result.stdout
    assert "As of 31 March 2025:" in result.stdout
    assert "Whole plan" in result.stdout
    overdue = result.stdout.split("Overdue action", 1)[1].split("Explore it:", 1)[0]
    assert "Daniel Okoye" in overdue and "2024-12-31" in overdue and "90" in overdue
    assert "improveplan --db improveplan-demo.db action list --as-of 2025-03-31" in result.stdout
    assert "improveplan --db improveplan-demo.db action history 3" in result.stdout
    assert result.stderr.startswith("Built the Peterborough City Council demo plan in ")
    assert (
        ": 5 inspections, 8 recommendations to answer, 28 actions, 9 people, 7 themes, "
        "dated through the story to 2025-03-31." in " ".join(result.stderr.split())
    )


def test_demo_overdue_list_matches_the_overdue_filter(built: tuple[Path, Result]) -> None:
    db = str(built[0] / "improveplan-demo.db")
    listed = _at(db, "action", "list", "--overdue", "--as-of", AS_OF,
                 "--format", "json")  # fmt: skip
    assert listed.exit_code == 0, listed.output
    overdue = sorted(json.loads(listed.stdout), key=lambda a: -a["days_overdue"])
    assert [(a["ref"], a["days_overdue"]) for a in overdue] == [
        ("8", 90), ("28", 59), ("20", 31), ("3", 17), ("15", 10),
    ]  # fmt: skip


def test_demo_actions_are_a_realistic_mix(built: tuple[Path, Result]) -> None:
    db = str(built[0] / "improveplan-demo.db")
    listed = _at(db, "action", "list", "--all", "--as-of", AS_OF,
                 "--format", "json")  # fmt: skip
    actions: list[dict[str, Any]] = json.loads(listed.stdout)
    statuses = {a["status"] for a in actions}
    assert statuses == {"signed_off", "complete", "in_progress", "blocked", "not_started",
                        "cancelled"}  # fmt: skip
    assert all(a["recommendations"] and a["owner"] and a["theme"] for a in actions)
    assert {r for a in actions for r in a["recommendations"]} == {f"R{n}" for n in range(1, 9)}
    slipped = [a for a in actions if a["original_due"] and a["original_due"] != a["due"]]
    assert len(slipped) >= 3
    assert {a["rag"] for a in actions} == {"blue", "green", "amber", "red", None}
    dues = sorted(a["due"] for a in actions)
    assert dues[0].startswith("2024") and dues[-1].startswith("2025")


def test_demo_history_names_who_did_what(built: tuple[Path, Result]) -> None:
    db = str(built[0] / "improveplan-demo.db")
    history = _at(db, "action", "history", "1", "--format", "json")
    assert history.exit_code == 0, history.output
    text = history.stdout
    assert "Sarah Whitfield" in text and "Helen Marsh" in text and "signed_off" in text


def test_demo_twice_rebuilds_fresh(workdir: Path) -> None:
    assert _demo().exit_code == 0
    again = _demo()
    assert again.exit_code == 0, again.output
    db = workdir / "improveplan-demo.db"
    assert _count(db, "plan") == 1
    assert _count(db, "recommendation") == RECS


def test_demo_refuses_a_database_that_is_not_a_demo(workdir: Path) -> None:
    real = workdir / "council.db"
    assert _at(str(real), "init").exit_code == 0
    assert _at(str(real), "plan", "add", "Peterborough", "--authority", "PCC").exit_code == 0
    result = _demo("--db", str(real))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {real} holds plans that are not the improveplan demo"
        " — choose another file with improveplan demo --db PATH\n"
    )
    assert _count(real, "plan") == 1


def test_demo_refuses_a_demo_someone_has_worked_in(workdir: Path) -> None:
    assert _demo().exit_code == 0
    db = workdir / "improveplan-demo.db"
    # The demo stamps only its story's dates; a note on the wall clock is after them.
    note = _at(str(db), "--user", "Sarah Whitfield", "action", "note", "3", "Met the housing team")
    assert note.exit_code == 0, note.output
    result = _demo()
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {db.resolve()} is a demo someone has worked in since it was built"
        " — keep it, or delete it yourself before building a fresh demo\n"
    )
    assert _count(db, "progress_note") > 0
    with sqlite3.connect(db) as conn:
        assert conn.execute(
            "SELECT count(*) FROM progress_note WHERE text = 'Met the housing team'"
        ).fetchone() == (1,)


@pytest.mark.postgres
def test_demo_refuses_a_shared_server_database() -> None:
    """A database of its own: the session's shared one may hold other tests' rows."""
    from tests.conftest import create_pg_database, drop_pg_database, make_invoker

    if not os.environ.get(PG_ENV):
        pytest.skip(f"PostgreSQL tests need {PG_ENV}")
    url = create_pg_database()
    try:
        run = make_invoker(url)
        assert run("init").exit_code == 0
        added = run("person", "add", "Claire Donovan", "--email", "claire@example.org")
        assert added.exit_code == 0, added.output
        result = _demo("--db", url)
        assert result.exit_code == 1
        assert result.stderr.startswith("Error: postgresql+psycopg://")
        assert "already holds 0 plan(s) and 1 people — build the demo in a file" in result.stderr
        assert run("plan", "list", "--format", "json").stdout == "[]\n"
    finally:
        drop_pg_database(url)


def test_demo_refuses_a_file_that_is_not_a_database(workdir: Path) -> None:
    notes = workdir / "improveplan-demo.db"
    notes.write_text("my notes\n", "utf-8")
    result = _demo()
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {notes.resolve()} is not an improveplan demo database")
    assert notes.read_text("utf-8") == "my notes\n"


def test_demo_ignores_the_global_database(workdir: Path) -> None:
    real = workdir / "real.db"
    result = CliRunner().invoke(cli, ["--db", str(real), "demo"], prog_name="improveplan")
    assert result.exit_code == 0, result.output
    assert not real.exists()
    assert (workdir / "improveplan-demo.db").exists()


def test_demo_db_option_and_as_of(workdir: Path) -> None:
    result = _demo("--db", "elsewhere.db", "--as-of", "2024-12-01")
    assert result.exit_code == 0, result.output
    assert "As of 1 December 2024:" in result.stdout
    assert "improveplan --db elsewhere.db rec list" in result.stdout
    assert not (workdir / "improveplan-demo.db").exists()


def test_init_demo_loads_the_plan(run_fresh: Invoke) -> None:
    result = run_fresh("init", "--demo")
    assert result.exit_code == 0, result.output
    assert 'Loaded the demo plan "Peterborough": 8 recommendations' in result.stderr
    recs = json.loads(run_fresh("rec", "list", "--format", "json").stdout)
    assert len(recs) == RECS
    assert [r["ref"] for r in recs[:9]] == [*(f"R{n}" for n in range(1, 9)), "2015-R01"]
    assert recs[1]["theme"] == "Workforce and capacity"
    inspection = json.loads(run_fresh("inspection", "show", "1", "--format", "json").stdout)
    assert inspection["judgements"]["overall_effectiveness"] == "inadequate"
    assert [r["ref"] for r in inspection["recommendations"]] == [f"R{n}" for n in range(1, 9)]


def test_init_demo_refuses_a_second_peterborough(plan_run: Invoke) -> None:
    result = plan_run("init", "--demo")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        'Error: the database already holds a plan called "Peterborough"'
        " — run improveplan demo for a separate demo database (improveplan-demo.db)"
    )
    assert json.loads(plan_run("rec", "list", "--format", "json").stdout) == []


def test_init_demo_that_fails_midway_leaves_nothing(
    run: Invoke, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo is ~300 service calls in one transaction: a failure in the last part
    (the measures, after every plan, person, action and note) rolls all of it back."""
    from improveplan.services import measures

    def disk_full(*args: Any, **kwargs: Any) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(measures, "add_measure", disk_full)
    tables = ("plan", "person", "action", "progress_note", "audit_event", "milestone")
    before = {t: sql(db_url, f'SELECT count(*) FROM "{t}"')[0][0] for t in tables}
    result = run("init", "--demo")
    assert result.exit_code != 0
    assert isinstance(result.exception, OSError)
    assert {t: sql(db_url, f'SELECT count(*) FROM "{t}"')[0][0] for t in tables} == before
    monkeypatch.undo()
    assert run("init", "--demo").exit_code == 0
    assert sql(db_url, 'SELECT count(*) FROM "action"')[0][0] == len(demo_data()["actions"])


def _inspection(data: dict[str, Any], type_: str, year: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        i for i in data["inspections"] if i["type"] == type_ and i["start"].startswith(year)
    )
    return found


def _same_facts(spec: dict[str, Any], expected: dict[str, Any]) -> None:
    keys = ("type", "start", "end", "published", "lead_inspector", "judgements")
    assert {k: spec[k] for k in keys} == {k: expected[k] for k in keys}
    assert [r["text"] for r in spec["recommendations"]] == expected["recommendations"]


@needs_reports
def test_demo_data_copies_the_inspection_facts() -> None:
    """The 2018 and 2023 ILACS reports as expected.json reads them, verbatim."""
    data = demo_data()
    for file, year in (("peterborough-2024-01-30.pdf", "2023"), ("peterborough-2018-08-06.pdf",
                                                                  "2018")):  # fmt: skip
        expected = next(e for e in expected_reports() if e["file"] == file)
        _same_facts(_inspection(data, "standard", year), expected)
    people = {p["name"] for p in data["people"]}
    assert all(p["email"].endswith("@example.org") for p in data["people"])
    assert {a["owner"] for a in data["actions"]} <= people


@pytest.mark.skipif(not SIF_EXPECTED.is_file(), reason=NO_SIF)
def test_demo_data_copies_the_2015_sif_facts() -> None:
    reports = json.loads(SIF_EXPECTED.read_text("utf-8"))["reports"]
    expected = next(e for e in reports if e["file"] == "peterborough-2015-09-18.pdf")
    spec = _inspection(demo_data(), "sif", "2015")
    _same_facts(spec, expected)
    assert spec["lscb_recommendations"] == expected["lscb_recommendations"]


def test_demo_data_says_what_is_public_and_what_invented() -> None:
    data = demo_data()
    assert data["public"] and data["invented"]
    assert all(i["public"] for i in data["inspections"])
    cp = next(m for m in data["measures"] if m["name"] == "Children on child-protection plans")
    assert (cp["baseline"], cp["baseline_date"][:7], cp["values"]) == (
        280, "2017-08", [["2018-05-31", 230]],
    )  # fmt: skip
    assert "public" in cp and all(m.get("invented") for m in data["measures"] if m is not cp)
