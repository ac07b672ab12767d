"""Values are checked once, at the door, and fail alike on SQLite and PostgreSQL.

A name longer than its column, NUL or another control character in free text, an email
that is not one, a measure that is not a number: one `Error:` line naming the field,
exit 1, nothing written — where PostgreSQL used to print a traceback and SQLite to keep
what PostgreSQL cannot hold. References are found in any case.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from improveplan.store.models import metadata
from tests.conftest import Invoke, make_invoker, sql

TODAY = {"IMPROVEPLAN_TODAY": "2025-03-31"}
LONG = "x" * 201
SHORTEN = "can be at most 200 characters (this one has 201) — shorten it"
CONTROLS = "cannot hold control characters (U+0000) — remove them (paste it as plain text)"
INSPECTION = ("inspection", "add", "--type", "standard", "--start", "2025-01-06",
              "--end", "2025-01-17")  # fmt: skip
MEASURE = ("--unit", "%", "--baseline", "10", "--target", "20")


def counts(url: str) -> tuple[Any, ...]:
    """Rows in every table: what a refused command must leave as it was."""
    tables = ", ".join(f'(SELECT count(*) FROM "{t.name}")' for t in metadata.sorted_tables)
    return sql(url, f"SELECT {tables}")[0]


def refused(run: Invoke, url: str, args: tuple[str, ...], error: str) -> None:
    before = counts(url)
    result = run(*args, env=TODAY)
    assert (result.exit_code, result.stderr) == (1, f"Error: {error}\n"), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert counts(url) == before


def ok(run: Invoke, *args: str) -> str:
    result = run(*args, env=TODAY)
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


@pytest.fixture
def with_action(plan_run: Invoke) -> Invoke:
    ok(plan_run, "action", "add", "Audit supervision", "--owner", "Tom Okafor", "--due", "+1m")
    ok(plan_run, *INSPECTION)
    ok(plan_run, "measure", "add", "Visits on time", *MEASURE)
    return plan_run


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("person", "add", LONG), f"the person's name {SHORTEN}"),
        (("person", "add", "Ann", "--role", LONG), f"the role {SHORTEN}"),
        (("person", "add", "Ann", "--team", LONG), f"the team {SHORTEN}"),
        (("plan", "add", LONG, "--authority", "A"), f"the plan's name {SHORTEN}"),
        (("plan", "add", "P", "--authority", LONG), f"the local authority's name {SHORTEN}"),
        (("plan", "add", "P", "--authority", "A", "--la-code", "8" * 21),
         "the LA code can be at most 20 characters (this one has 21) — shorten it"),
        (("theme", "add", LONG), f"the theme's name {SHORTEN}"),
        (("milestone", "add", LONG, "--date", "2025-06-30"), f"the milestone's name {SHORTEN}"),
        (("measure", "add", LONG, *MEASURE), f"the measure's name {SHORTEN}"),
        (("measure", "add", "M", "--unit", "u" * 41, "--baseline", "1", "--target", "2"),
         "the unit can be at most 40 characters (this one has 41) — shorten it"),
        ((*INSPECTION, "--lead-inspector", LONG), f"the lead inspector's name {SHORTEN}"),
        (("inspection", "update", "1", "--lead-inspector", LONG),
         f"the lead inspector's name {SHORTEN}"),
        (("notice", "set", "--issued", "2025-02-01", "--chair", LONG),
         f"the chair's name {SHORTEN}"),
    ],
)  # fmt: skip
def test_a_name_longer_than_its_column_is_one_line_on_both_databases(
    with_action: Invoke, db_url: str, args: tuple[str, ...], error: str
) -> None:
    refused(with_action, db_url, args, error)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("action", "add", "Fix\x00it", "--owner", "Tom Okafor", "--due", "+1m"),
         f"the title {CONTROLS}"),
        (("action", "add", "Fix", "--owner", "Tom Okafor", "--due", "+1m", "--measure", "\x00"),
         f"the success measure {CONTROLS}"),
        (("action", "add", "Fix", "--owner", "Tom\x00", "--due", "+1m"),
         f"the owner's name {CONTROLS}"),
        (("action", "add", "Fix", "--owner", "Tom Okafor", "--due", "+1m", "--ref", "3\x00"),
         f"the reference {CONTROLS}"),
        (("action", "note", "1", "Half\x00done"), f"the note {CONTROLS}"),
        (("action", "update", "1", "--title", "\x00"), f"the title {CONTROLS}"),
        (("action", "update", "1", "--status", "cancelled", "--reason", "no\x00"),
         f"the reason {CONTROLS}"),
        (("action", "update", "1", "--note", "a\x00"), f"the note {CONTROLS}"),
        (("action", "done", "1", "--evidence", "\x1b[31mred"),
         "the evidence cannot hold control characters (U+001B) — remove them (paste it as plain"
         " text)"),
        (("action", "show", "1\x00"), f"the reference {CONTROLS}"),
        (("action", "list", "--owner", "Tom\x00"), f"the owner's name {CONTROLS}"),
        (("rec", "add", "R9", "Improve\x00"), f"the recommendation's text {CONTROLS}"),
        (("rec", "add", "R\x009", "Improve"), f"the reference {CONTROLS}"),
        (("measure", "record", "Visits\x00", "3"), f"the measure's name {CONTROLS}"),
        (("person", "add", "Ann\nSmith"), "the person's name must be one line — write it on one line"),
        (("person", "add", "Ann", "--email", "ann"),
         "'ann' is not an email address — give one address, such as ann@example.org"),
        (("measure", "add", "M", "--unit", "%", "--baseline", "nan", "--target", "5"),
         "the baseline nan is not a number a measure can hold — give a number, e.g. 12.5"),
        (("measure", "add", "M", "--unit", "%", "--baseline", "1", "--target", "-inf"),
         "the target -inf is not a number a measure can hold — give a number, e.g. 12.5"),
        (("measure", "record", "Visits on time", "inf"),
         "the value inf is not a number a measure can hold — give a number, e.g. 12.5"),
    ],
)  # fmt: skip
def test_control_characters_emails_and_numbers_are_refused_naming_the_field(
    with_action: Invoke, db_url: str, args: tuple[str, ...], error: str
) -> None:
    refused(with_action, db_url, args, error)


def test_what_is_accepted_is_stored_as_cleaned(plan_run: Invoke) -> None:
    ok(plan_run, "person", "add", "  Siân \t O’Neill  ", "--email", " sian@example.org ")
    people = json.loads(ok(plan_run, "person", "list", "--format", "json"))
    assert {"name": "Siân O’Neill", "email": "sian@example.org", "role": None, "team": None} in (
        people
    )
    ok(plan_run, "action", "add", "Recruit\x0bsix\r\nworkers ", "--owner", "siân o’neill",
       "--due", "+1m", "--measure", "\u200fنور\u200f")  # fmt: skip
    shown = json.loads(ok(plan_run, "action", "show", "1", "--format", "json"))
    assert (shown["title"], shown["owner"], shown["success_measure"]) == (
        "Recruit\nsix\nworkers", "Siân O’Neill", "\u200fنور\u200f",
    )  # fmt: skip


def test_action_refs_are_found_in_any_case(plan_run: Invoke, db_url: str) -> None:
    ok(plan_run, "action", "add", "Audit", "--owner", "Tom Okafor", "--due", "+1m", "--ref", "2.4A")
    assert json.loads(ok(plan_run, "action", "show", "2.4a", "--format", "json"))["ref"] == "2.4A"
    updated = plan_run("action", "update", "2.4a", "--title", "Audit again", env=TODAY)
    assert (updated.exit_code, updated.stderr) == (
        0, "Action 2.4A: title Audit → Audit again.\n"
    )  # fmt: skip
    ok(plan_run, "action", "note", "2.4a", "Started")
    assert len(json.loads(ok(plan_run, "action", "history", "2.4A", "--format", "json"))) > 3
    done = plan_run("action", "done", " 2.4a ", env=TODAY)
    assert (done.exit_code, done.stderr) == (0, "Action 2.4A: status not started → complete.\n")
    assert sql(db_url, "SELECT ref, title, status FROM action") == [
        ("2.4A", "Audit again", "complete")
    ]


def test_tracker_rows_with_values_that_cannot_be_stored_are_listed(
    plan_run: Invoke, db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "tracker.csv"
    path.write_text(
        "Ref,Action,Owner,Due,Recommendation,Progress update,Theme\n"
        '1,Audit,"Ann\nSmith",31/03/2025,R1,,\n'
        "2,Train\x07staff,Tom Okafor,31/03/2025,R\x012,,\n"
        "3,Review,Tom Okafor,31/03/2025,,Half\x1bdone,Work\x0bforce\n"
        "4,Fine,Tom Okafor,31/03/2025,,,\n",
        encoding="utf-8",
    )
    before = counts(db_url)
    result = plan_run("import", str(path), env=TODAY)
    assert result.exit_code == 1
    assert result.stderr == (
        "row 2: the owner (Owner) must be one line\n"
        "row 3: the title (Action) cannot hold control characters (U+0007)\n"
        "row 3: the recommendation (Recommendation) cannot hold control characters (U+0001)\n"
        "row 4: the theme (Theme) must be one line\n"
        "row 4: the progress update (Progress update) cannot hold control characters (U+001B)\n"
        "Error: 3 bad rows in tracker.csv; nothing was imported — fix them (or use --map) and"
        " run the import again\n"
    )
    assert counts(db_url) == before


def test_a_plan_export_holding_what_no_database_can_store_writes_nothing(
    with_action: Invoke, db_url: str, tmp_path: Path
) -> None:
    doc: dict[str, Any] = json.loads(ok(with_action, "export", "--format", "json"))
    doc["plan"]["name"] = "Copy"
    doc["people"][0]["name"] = LONG
    doc["actions"][0]["title"] = "Audit\x00"
    doc["measures"][0]["baseline"] = float("nan")
    doc["actions"][0]["seq"] = 2**40
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    refused(
        with_action, db_url, ("import", str(path)),
        "plan.json: person 1: the name can be at most 200 characters (this one has 201), and 3"
        " more problems; nothing was imported — fix the file, or export the plan again",
    )  # fmt: skip


def _longest_plan(run: Invoke) -> None:
    """A plan whose every name is as long as its column allows, in unicode."""
    name = ("Siân’s plan نور 👩🏽‍💼 " * 20)[:199] + "x"
    person = "P" * 199 + "é"
    email = "a" * 64 + "@" + "b" * 251 + ".org"  # 320 characters
    ok(run, "plan", "add", name, "--authority", "Å" * 200, "--la-code", "ñ" * 20)
    ok(run, "person", "add", person, "--email", email, "--role", "r" * 200, "--team", "t" * 200)
    ok(run, "theme", "add", "T" * 200, "--lead", "p" * 199 + "é")
    ok(run, "milestone", "add", "M" * 200, "--date", "2025-06-30")
    ok(run, "measure", "add", "K" * 200, "--unit", "u" * 40, "--baseline", "1e300",
       "--target", "-1.5e-300", "--lower-is-better")  # fmt: skip
    ok(run, "measure", "record", "k" * 200, "12.25")
    ok(run, *INSPECTION, "--lead-inspector", "L" * 200, "--received", "2025-01-30")
    ok(run, "rec", "add", "R" + "9" * 19, "Ofsted’s words\nover two lines — ‘quoted’ \u200f")
    ok(run, "action", "add", "--owner", person, "--due", "2025-06-30", "--ref", "Ä" * 20,
       "--theme", "t" * 200, "--milestone", "m" * 200, "--rec", "r" + "9" * 19,
       "--measure", "=SUM(A1) +1 -1 @x", "--",
       "-Pathway plans\tfor all\n— every one 🙂 " + "z" * 10_000)  # fmt: skip
    ok(run, "action", "note", "Ä" * 20, "Siân said: “done” \u202e")
    ok(run, "notice", "set", "--issued", "2025-02-01", "--chair", "C" * 200)


def test_a_plan_with_the_longest_names_moves_from_sqlite_to_either_database(
    run: Invoke, tmp_path: Path
) -> None:
    source = make_invoker(str(tmp_path / "source.db"))
    ok(source, "init")
    _longest_plan(source)
    exported = ok(source, "export", "--format", "json")
    path = tmp_path / "plan.json"
    path.write_text(exported, encoding="utf-8")
    imported = run("import", str(path), env=TODAY)
    assert imported.exit_code == 0, imported.output
    assert ok(run, "export", "--format", "json") == exported


def test_a_name_is_found_as_written_on_both_databases(plan_run: Invoke, db_url: str) -> None:
    """SQLite's lower() folds ASCII only: comparing it with Python's lower() missed "Émile"."""
    ok(plan_run, "person", "add", "Émile Zola")
    ok(plan_run, "theme", "add", "Éducation", "--lead", "Émile Zola")
    ok(plan_run, "action", "add", "Audit", "--owner", "Émile Zola", "--due", "+1m",
       "--theme", "Éducation")  # fmt: skip
    ok(plan_run, "measure", "add", "Élèves", *MEASURE)
    ok(plan_run, "measure", "record", "Élèves", "12")
    assert sql(db_url, "SELECT p.name, t.name FROM action a JOIN person p ON p.id = a.owner_id"
                       " JOIN theme t ON t.id = a.theme_id") == [("Émile Zola", "Éducation")]  # fmt: skip
