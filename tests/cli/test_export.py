"""export --format json|csv|xlsx|ics, and the JSON round trip through import."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from improveplan.store.engine import to_url
from tests.conftest import Invoke, make_invoker

TODAY = {"IMPROVEPLAN_TODAY": "2024-06-01"}
EVIL = '=HYPERLINK("http://x")'


def ok(run: Invoke, *args: str, user: str = "tester") -> str:
    result = run(*args, user=user, env=TODAY)
    assert result.exit_code == 0, result.output
    return result.stdout


def build_plan(run: Invoke, url: str) -> None:
    """A plan touching every table: the round trip must carry all of it."""
    ok(run, "inspection", "add", "--type", "standard", "--start", "2024-01-08", "--end",
       "2024-01-19", "--received", "2024-01-30", "--lead-inspector", "Jo Smith",
       "--grade", "overall_effectiveness=inadequate", "--grade", "care_leavers=RI")  # fmt: skip
    ok(run, "theme", "add", "Help and protection", "--lead", "Tom Okafor")
    ok(run, "rec", "add", "R1", "Improve the quality of supervision.")
    ok(run, "rec", "add", "R2", "Strengthen management oversight.")
    ok(run, "milestone", "add", "Board review", "--date", "2024-06-20")
    ok(run, "action", "add", EVIL, "--owner", "Priya Natarajan", "--due", "2024-05-01",
       "--rec", "R1", "--rec", "R2", "--theme", "Help and protection")  # fmt: skip
    ok(run, "action", "add", "Audit case files", "--owner", "Tom Okafor", "--due", "2024-07-01",
       "--milestone", "Board review", "--start", "2024-04-01", "--measure", "90% audited")  # fmt: skip
    ok(run, "action", "add", "Recruit staff", "--owner", "Tom Okafor", "--due", "2024-06-10",
       "--ref", "2.4")  # fmt: skip
    ok(run, "action", "note", "1", "Started the audit", user="Priya Natarajan")
    ok(run, "action", "note", "1", "Half done", user="Sam Director")
    ok(run, "action", "update", "2", "--status", "in-progress", "--due", "2024-08-01",
       "--reason", "staff sickness")  # fmt: skip
    ok(run, "action", "update", "2.4", "--rag", "red", "--reason", "no applicants")
    ok(run, "action", "done", "2.4", "--evidence", "Two appointed")
    ok(run, "notice", "set", "--issued", "2024-02-01", "--chair", "Alex Chair")
    ok(run, "measure", "add", "Caseload", "--unit", "cases", "--baseline", "21.5", "--target",
       "15", "--lower-is-better")  # fmt: skip
    ok(run, "measure", "record", "Caseload", "19.25", "--date", "2024-05-01")
    engine = create_engine(to_url(url))
    with engine.begin() as conn:  # nightly tables have no command of their own yet
        pid = conn.execute(text("SELECT id FROM plan")).scalar_one()
        conn.execute(
            text("INSERT INTO notification (plan_id, recipient, kind, sent_on, sent_at, subject,"
                 " action_refs) VALUES (:p, 'priya@example.org', 'digest', '2024-05-31',"
                 " :at, 'Your actions', '1')"),
            {"p": pid, "at": dt.datetime(2024, 5, 31, 6, 0, tzinfo=dt.UTC)},
        )  # fmt: skip
        conn.execute(
            text("INSERT INTO daily_count (plan_id, day, blue, green, amber, red, total, overdue)"
                 " VALUES (:p, '2024-05-31', 0, 1, 1, 1, 3, 1)"),
            {"p": pid},
        )  # fmt: skip
    engine.dispose()


def export_json(run: Invoke) -> dict[str, object]:
    document: dict[str, object] = json.loads(ok(run, "export", "--format", "json"))
    return document


def test_json_round_trip_reproduces_the_plan(
    plan_run: Invoke, db_url: str, run_fresh: Invoke, tmp_path: Path
) -> None:
    build_plan(plan_run, db_url)
    first = ok(plan_run, "export", "--format", "json")
    path = tmp_path / "plan.json"
    path.write_text(first)
    assert run_fresh("init").exit_code == 0
    imported = run_fresh("import", str(path), user="importer", env=TODAY)
    assert imported.exit_code == 0, imported.output
    assert imported.stderr.startswith(
        'Imported plan "Peterborough" from plan.json: 3 actions, 2 notes'
    )
    second = ok(run_fresh, "export", "--format", "json")
    assert second == first
    doc = json.loads(second)
    assert doc["format"] == "improveplan-plan" and doc["schema"] == 1
    assert [a["ref"] for a in doc["actions"]] == ["1", "2", "2.4"]
    one, two, three = doc["actions"]
    assert one["recommendations"] == ["R1", "R2"] and one["theme"] == "Help and protection"
    assert [(n["author"], n["text"]) for n in one["notes"]] == [
        ("Priya Natarajan", "Started the audit"), ("Sam Director", "Half done"),
    ]  # fmt: skip
    assert (two["due"], two["original_due"], two["status"]) == (
        "2024-08-01",
        "2024-07-01",
        "in_progress",
    )
    assert (three["rag_override"], three["rag_override_reason"], three["evidence"]) == (
        "red", "no applicants", "Two appointed",
    )  # fmt: skip
    assert doc["inspections"][0]["judgements"] == {
        "care_leavers": "requires_improvement", "overall_effectiveness": "inadequate",
    }  # fmt: skip
    assert doc["measures"][0]["values"] == [{"date": "2024-05-01", "value": 19.25}]
    assert doc["notice"]["chair"] == "Alex Chair"
    assert doc["notifications"][0]["subject"] == "Your actions"
    assert doc["daily_counts"][0]["total"] == 3
    assert {p["name"] for p in doc["people"]} == {"Priya Natarajan", "Tom Okafor"}
    actors = {e["actor"] for e in doc["audit"]}
    assert {"tester", "Priya Natarajan", "Sam Director"} <= actors and "importer" not in actors
    assert all(e["key"] is not None for e in doc["audit"])


def test_import_of_an_existing_plan_is_a_conflict(plan_run: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(ok(plan_run, "export"))
    result = plan_run("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith('Error: a plan named "Peterborough" already exists in ')
    assert result.stderr.rstrip().endswith(
        "import into an empty database, or one without that plan"
    )


def test_import_reuses_people_with_the_same_name(
    plan_run: Invoke, db_url: str, run_fresh: Invoke, tmp_path: Path
) -> None:
    build_plan(plan_run, db_url)
    path = tmp_path / "plan.json"
    path.write_text(ok(plan_run, "export"))
    assert run_fresh("init").exit_code == 0
    ok(run_fresh, "person", "add", "tom okafor", "--email", "t@x.org")
    result = run_fresh("import", str(path), env=TODAY)
    assert result.exit_code == 0, result.output
    assert "Added people: Priya Natarajan\n" in result.stderr
    assert (
        json.loads(ok(run_fresh, "person", "list", "--format", "json"))[1]["name"] == "tom okafor"
    )


def test_import_dry_run_and_bad_json_write_nothing(
    plan_run: Invoke, run_fresh: Invoke, tmp_path: Path
) -> None:
    path = tmp_path / "plan.json"
    path.write_text(ok(plan_run, "export"))
    assert run_fresh("init").exit_code == 0
    dry = run_fresh("import", str(path), "--dry-run")
    assert dry.exit_code == 0 and dry.stderr.startswith('Would import plan "Peterborough"')
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something-else"}')
    result = run_fresh("import", str(bad))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: bad.json is not a plan export: not an improveplan")
    assert json.loads(ok(run_fresh, "plan", "list", "--format", "json")) == []


def test_csv_export_neutralises_formulas(plan_run: Invoke, db_url: str) -> None:
    build_plan(plan_run, db_url)
    rows = list(csv.DictReader(io.StringIO(ok(plan_run, "export", "--format", "csv"))))
    assert [r["ref"] for r in rows] == ["1", "2", "2.4"]
    assert rows[0]["title"] == "'" + EVIL
    assert rows[0]["recommendations"] == "R1, R2"
    assert rows[0]["rag"] == "red" and rows[0]["days_overdue"] == "31"
    assert rows[0]["latest_note"] == "Half done"
    assert rows[1]["start"] == "2024-04-01" and rows[1]["success_measure"] == "90% audited"
    assert rows[2]["evidence"] == "Two appointed"
    assert rows[2]["rag_override_reason"] == "no applicants"


def test_xlsx_has_sheets_frozen_header_filters_dates_and_no_formula(
    plan_run: Invoke, db_url: str, tmp_path: Path
) -> None:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    build_plan(plan_run, db_url)
    refused = plan_run("export", "--format", "xlsx")
    assert refused.exit_code == 1
    assert refused.stderr == "Error: xlsx is binary — give -o FILE\n"
    path = tmp_path / "plan.xlsx"
    result = plan_run("export", "-o", str(path), env=TODAY)
    assert result.exit_code == 0, result.output
    assert result.stderr == f'Exported plan "Peterborough" as xlsx to {path}.\n'
    book = load_workbook(path)
    assert book.sheetnames == [
        "Actions", "Recommendations", "Themes", "People", "Milestones", "Measures", "Notes", "Audit",
    ]  # fmt: skip
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        last = get_column_letter(sheet.max_column)
        assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}"  # the header and every row
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)
    actions = book["Actions"]
    header = [c.value for c in actions[1]]
    title = actions.cell(2, header.index("title") + 1)
    assert title.value == "'" + EVIL and title.data_type == "s"
    assert actions.cell(2, header.index("due") + 1).value == dt.datetime(2024, 5, 1)
    rag = actions.cell(2, header.index("rag") + 1)
    assert rag.value == "red" and rag.fill.fgColor.rgb.endswith("FFC7CE")
    assert book["Notes"].max_row == 3


def test_ics_has_open_actions_and_milestones_with_stable_uids(
    plan_run: Invoke, db_url: str
) -> None:
    from icalendar import Calendar

    build_plan(plan_run, db_url)
    first = ok(plan_run, "export", "--format", "ics")
    assert ok(plan_run, "export", "--format", "ics") == first
    events = Calendar.from_ical(first).walk("VEVENT")
    uids = sorted(str(e["UID"]) for e in events)
    # 2.4 is complete (not open): no event; the notice adds the DfE review milestones.
    # The plan and the ref are percent-encoded (capitals too), never flattened.
    assert "action-%50eterborough-1@improveplan" in uids
    assert "action-%50eterborough-2@improveplan" in uids
    assert not any(u.startswith("action-%50eterborough-2.4") for u in uids)
    assert "milestone-%50eterborough-%42oard%20review@improveplan" in uids
    one = next(e for e in events if str(e["UID"]) == "action-%50eterborough-1@improveplan")
    assert one.decoded("DTSTART") == dt.date(2024, 5, 1)
    ok(plan_run, "action", "note", "2", "more")  # a change elsewhere keeps every UID
    again = Calendar.from_ical(ok(plan_run, "export", "--format", "ics")).walk("VEVENT")
    assert sorted(str(e["UID"]) for e in again) == uids


@pytest.mark.parametrize("fmt", ["json", "csv", "ics"])
def test_export_to_a_file(plan_run: Invoke, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"plan.{fmt}"
    result = plan_run("export", "-o", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == f'Exported plan "Peterborough" as {fmt} to {path}.\n'
    assert path.read_text() == plan_run("export", "--format", fmt).stdout


def test_export_without_a_plan(run: Invoke) -> None:
    result = run("export")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no plan in the database")


def test_imported_copy_into_another_sqlite_db(plan_run: Invoke, tmp_path: Path) -> None:
    """A plan moves between backends too: here, into a brand-new SQLite file."""
    path = tmp_path / "plan.json"
    path.write_text(ok(plan_run, "export"))
    other = make_invoker(str(tmp_path / "copy.db"))
    assert other("init").exit_code == 0
    assert other("import", str(path)).exit_code == 0
    assert ok(other, "export") == path.read_text()


def test_the_trail_names_notes_by_their_place_and_removed_actions_by_ref(
    plan_run: Invoke, db_url: str
) -> None:
    """The audit trail names a note `ref#n` by its place among its action's notes (by
    time, then by id when two share a time), and a removed action by the ref it kept."""
    ok(plan_run, "action", "add", "Noted", "--owner", "Tom Okafor", "--due", "2024-07-01")
    ok(plan_run, "action", "add", "By mistake", "--owner", "Tom Okafor", "--due", "2024-07-01")
    for text_ in ("First", "Second", "Third"):
        ok(plan_run, "action", "note", "1", text_)
    engine = create_engine(to_url(db_url))
    with engine.begin() as conn:  # the first two at one moment: their ids decide
        ids = [r[0] for r in conn.execute(text("SELECT id FROM progress_note ORDER BY id"))]
        conn.execute(
            text("UPDATE progress_note SET created_at = :at WHERE id IN (:a, :b)"),
            {"at": dt.datetime(2024, 5, 1, 9, 0), "a": ids[0], "b": ids[1]},
        )
    engine.dispose()
    ok(plan_run, "action", "remove", "2", "--reason", "Entered twice")
    doc = json.loads(ok(plan_run, "export", "--format", "json"))
    noted = [n["text"] for n in doc["actions"][0]["notes"]]
    assert noted == ["First", "Second", "Third"]
    by_id = {e["key"] for e in doc["audit"] if e["entity"] == "progress_note"}
    assert by_id >= {"1#1", "1#2", "1#3"}
    removed = [e for e in doc["audit"] if e["entity"] == "action" and e["key"] == "2"]
    assert removed and all(e["entity_id"] is None for e in removed)
