"""import FILE (CSV/XLSX trackers): synonyms, human values, all-or-nothing, --dry-run, --map."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from improveplan.store.engine import to_url
from tests.conftest import Invoke, sql

TODAY = {"IMPROVEPLAN_TODAY": "2024-06-01"}
TRACKER = """Peterborough improvement tracker,,,,,,,,,
No.,What?,Lead officer,When?,Status,RAG,Recommendation,Priority,Progress update,Start date
1.1,Audit supervision,Priya Natarajan,31/03/2025,In progress,Red,"R1, R2",Help and protection,Started audits,1/4/24
1.2,Train staff,Jane Doe,31 March 2025,Not started,,Rec 3,Workforce,,
,Review caseloads,priya natarajan,2024-05-31,Complete,Green,,workforce,,
"""


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def actions(run: Invoke) -> list[dict[str, Any]]:
    result = run("action", "list", "--format", "json", env=TODAY)
    assert result.exit_code == 0, result.output
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return sorted(found, key=lambda a: a["ref"])


def count(url: str, table: str) -> int:
    engine = create_engine(to_url(url))
    with engine.connect() as conn:
        number = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    engine.dispose()
    return int(number)


def test_tracker_with_synonyms_and_human_values(
    plan_run: Invoke, db_url: str, tmp_path: Path
) -> None:
    path = write(tmp_path, "tracker.csv", TRACKER)
    result = plan_run("import", str(path), user="Sam Lead", env=TODAY)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        'Imported 3 actions into plan "Peterborough" from tracker.csv.\n'
        "RAG overrides kept from the tracker: 1.\n"
        "Progress notes: 1.\n"
        "Added people: Jane Doe\n"
        "Added themes: Help and protection, Workforce\n"
        "Added recommendations (ref only — add their text): R1, R2, R3\n"
    )
    found = actions(plan_run)
    assert [(a["ref"], a["owner"], a["due"], a["status"], a["theme"]) for a in found] == [
        ("1", "Priya Natarajan", "2024-05-31", "complete", "Workforce"),
        ("1.1", "Priya Natarajan", "2025-03-31", "in_progress", "Help and protection"),
        ("1.2", "Jane Doe", "2025-03-31", "not_started", "Workforce"),
    ]
    assert [(a["rag"], a["rag_computed"]) for a in found] == [
        ("green", "green"), ("red", "green"), ("green", "green"),
    ]  # fmt: skip
    assert found[1]["recommendations"] == ["R1", "R2"] and found[2]["recommendations"] == ["R3"]
    shown = plan_run("action", "show", "1.1", "--format", "json", env=TODAY)
    detail = json.loads(shown.stdout)
    assert detail["rag_override_reason"] == "imported from tracker"
    assert detail["start"] == "2024-04-01"
    assert [(n["author"], n["text"]) for n in detail["notes"]] == [("Sam Lead", "Started audits")]
    engine = create_engine(to_url(db_url))
    with engine.connect() as conn:
        events = conn.execute(
            text("SELECT actor, field, new_value FROM audit_event WHERE entity = 'action'"
                 " AND field = 'import' ORDER BY new_value")
        ).all()  # fmt: skip
    engine.dispose()
    assert [tuple(e) for e in events] == [
        ("Sam Lead", "import", "tracker.csv row 3"),
        ("Sam Lead", "import", "tracker.csv row 4"),
        ("Sam Lead", "import", "tracker.csv row 5"),
    ]


def test_bad_rows_are_listed_and_nothing_is_written(
    plan_run: Invoke, db_url: str, tmp_path: Path
) -> None:
    before = count(db_url, "audit_event")
    path = write(
        tmp_path,
        "bad.csv",
        "Ref,Action,Owner,Due date,Status\n"
        "1,Fine,New Person,1/1/25,Done\n"
        "2,,Priya Natarajan,31/02/2025,Sort of\n"
        "3,Thing,,2025-01-01,Complete\n"
        "1,Again,Tom Okafor,1/1/25,done\n",
    )
    result = plan_run("import", str(path), env=TODAY)
    assert result.exit_code == 1
    assert result.stderr == (
        "row 3: missing title (Action)\n"
        'row 3: impossible date "31/02/2025" in Due date (write 31/03/2025)\n'
        'row 3: unknown status "Sort of" in Status (use Not started, In progress, Blocked,'
        " Complete, Signed off or Cancelled)\n"
        "row 4: missing owner (Owner)\n"
        "row 5: duplicate ref 1 (also on row 2)\n"
        "Error: 3 bad rows in bad.csv; nothing was imported — fix them (or use --map) and run"
        " the import again\n"
    )
    assert actions(plan_run) == []
    assert count(db_url, "person") == 2 and count(db_url, "audit_event") == before


def test_missing_owner_column_then_map(plan_run: Invoke, tmp_path: Path) -> None:
    path = write(
        tmp_path, "t.csv", "Action,Manager,Deadline,Notes\nAudit files,Tom Okafor,30/6/24,x\n"
    )
    result = plan_run("import", str(path), env=TODAY)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        'row 1: no owner column — name one with --map "Your header=owner"\n'
    )
    mapped = plan_run(
        "import", str(path), "--map", "Manager=owner", "--map", "notes=ignore", env=TODAY
    )
    assert mapped.exit_code == 0, mapped.output
    assert [(a["ref"], a["owner"], a["due"]) for a in actions(plan_run)] == [
        ("1", "Tom Okafor", "2024-06-30")
    ]
    bad_map = plan_run("import", str(path), "--map", "Manager=boss")
    assert bad_map.exit_code == 2
    assert "is not a field" in bad_map.stderr


def test_dry_run_writes_nothing(plan_run: Invoke, db_url: str, tmp_path: Path) -> None:
    before = count(db_url, "audit_event")
    path = write(tmp_path, "tracker.csv", TRACKER)
    result = plan_run("import", str(path), "--dry-run", env=TODAY)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(
        'Would import 3 actions into plan "Peterborough" from tracker.csv.\n'
        "RAG overrides that would be kept from the tracker: 1.\n"
        "Progress notes: 1.\n"
        "Would add people: Jane Doe\n"
    )
    assert actions(plan_run) == []
    assert count(db_url, "person") == 2 and count(db_url, "theme") == 0
    assert count(db_url, "audit_event") == before


def test_refs_already_in_the_plan_are_bad_rows(plan_run: Invoke, tmp_path: Path) -> None:
    added = plan_run(
        "action", "add", "Existing", "--owner", "Tom Okafor", "--due", "2024-07-01", env=TODAY
    )
    assert added.exit_code == 0, added.output
    path = write(
        tmp_path,
        "t.csv",
        "Ref,Action,Owner,Due\n1,Clash,Tom Okafor,1/7/24\n,New,Tom Okafor,1/7/24\n",
    )
    result = plan_run("import", str(path), env=TODAY)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        'row 2: action 1 already exists in plan "Peterborough" — add --update to refresh'
        " existing actions from the tracker\n"
    )
    path = write(tmp_path, "t.csv", "Ref,Action,Owner,Due\n,New,Tom Okafor,1/7/24\n")
    assert plan_run("import", str(path), env=TODAY).exit_code == 0
    assert [a["ref"] for a in actions(plan_run)] == ["1", "2"]


def test_xlsx_tracker_with_date_cells(plan_run: Invoke, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Ref", "Action", "Responsible", "Target date", "RAG", "Workstream", "Evidence"])
    sheet.append([1, "Audit", "Priya Natarajan", dt.datetime(2024, 5, 20), "A", "Quality", "Log"])
    sheet.append([2, "Plan", "Tom Okafor", "30/06/2024", "g", None, None])
    path = tmp_path / "tracker.xlsx"
    book.save(path)
    result = plan_run("import", str(path), env=TODAY)
    assert result.exit_code == 0, result.output
    found = actions(plan_run)
    # Amber on an action overdue on the day is better than the rule's red: a note, not an
    # override that would hide it for good.
    assert [(a["ref"], a["due"], a["rag"], a["theme"]) for a in found] == [
        ("1", "2024-05-20", "red", "Quality"), ("2", "2024-06-30", "green", None),
    ]  # fmt: skip
    shown = json.loads(plan_run("action", "show", "1", "--format", "json").stdout)
    assert shown["evidence"] == "Log"
    assert [n["text"] for n in shown["notes"]] == [
        "The tracker showed Amber on 2024-06-01; the computed RAG is red, so Amber was not"
        " kept as an override."
    ]


def test_own_csv_export_imports_into_another_plan(plan_run: Invoke, tmp_path: Path) -> None:
    title = '=HYPERLINK("http://x")'
    for args in (
        ("action", "add", title, "--owner", "Priya Natarajan", "--due", "2024-05-01"),
        ("action", "add", "Second", "--owner", "Tom Okafor", "--due", "2024-09-01"),
        ("action", "note", "2", "On track"),
    ):
        assert plan_run(*args, env=TODAY).exit_code == 0
    exported = plan_run("export", "--format", "csv", env=TODAY).stdout
    path = write(tmp_path, "actions.csv", exported)
    assert plan_run("plan", "add", "Copy", "--authority", "PCC").exit_code == 0
    result = plan_run("--plan", "Copy", "import", str(path), env=TODAY)
    assert result.exit_code == 0, result.output
    copied = json.loads(
        plan_run("--plan", "Copy", "action", "list", "--format", "json", env=TODAY).stdout
    )
    assert sorted((a["ref"], a["title"], a["rag"]) for a in copied) == [
        ("1", title, "red"), ("2", "Second", "green"),
    ]  # fmt: skip
    rows = list(
        csv.DictReader(io.StringIO(plan_run("--plan", "Copy", "export", "--format", "csv").stdout))
    )
    assert rows[1]["latest_note"] == "On track"


def test_many_rows_in_chunks(plan_run: Invoke, db_url: str, tmp_path: Path) -> None:
    lines = ["Ref,Action,Owner,Due,Status,Progress update"]
    lines += [
        f"{n},Action {n},Owner {n % 7},{1 + n % 28}/3/2025,In progress,note {n}"
        for n in range(1, 2501)
    ]
    path = write(tmp_path, "big.csv", "\n".join(lines) + "\n")
    result = plan_run("import", str(path), env=TODAY)
    assert result.exit_code == 0, result.output
    assert count(db_url, "action") == 2500 and count(db_url, "progress_note") == 2500
    assert count(db_url, "person") == 2 + 7


def test_unknown_extension_needs_format(plan_run: Invoke, tmp_path: Path) -> None:
    path = write(tmp_path, "tracker.dat", "Action,Owner,Due\n")
    result = plan_run("import", str(path))
    assert result.exit_code == 2
    assert "cannot tell the format of tracker.dat — give --format csv|xlsx|json" in result.stderr
    empty = plan_run("import", str(path), "--format", "csv")
    assert empty.exit_code == 1
    assert empty.stderr == (
        "Error: tracker.dat has no action rows below its header — check the file and sheet\n"
    )
    path.write_text("")
    blank = plan_run("import", str(path), "--format", "csv")
    assert blank.exit_code == 1
    assert blank.stderr.startswith("row 1: no header row — the file is empty\n")


def test_an_imported_action_records_its_creation_as_action_add_does(
    plan_run: Invoke, tmp_path: Path
) -> None:
    path = write(tmp_path, "tracker.csv", TRACKER)
    assert plan_run("import", str(path), user="Sam Lead", env=TODAY).exit_code == 0
    added = plan_run(
        "action", "add", "Audit supervision", "--owner", "Priya Natarajan", "--due",
        "2025-03-31", "--start", "2024-04-01", "--rec", "R1", "--rec", "R2", "--theme",
        "Help and protection", user="Sam Lead", env=TODAY,
    )  # fmt: skip
    assert added.exit_code == 0, added.output

    def trail(ref: str) -> list[tuple[str, str | None, str | None]]:
        shown = plan_run("action", "history", ref, "--format", "json")
        return [(e["what"], e["from"], e["to"]) for e in json.loads(shown.stdout)]

    imported, by_hand = trail("1.1"), trail("2")
    assert by_hand[0] == ("ref", None, "2") and imported[0] == ("ref", None, "1.1")
    assert imported[1:8] == [*by_hand[1:5], ("status", None, "in_progress"), *by_hand[6:8]]
    assert imported[8:] == [
        ("theme", None, "Help and protection"),
        ("import", None, "tracker.csv row 3"),
        ("rag_override", None, "red"),
        ("reason", None, "imported from tracker"),
        ("note", None, "Started audits"),
    ]
    assert by_hand[8:] == [("theme", None, "Help and protection")]


def test_rules_for_new_actions_hold_for_tracker_rows(plan_run: Invoke, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "rules.csv",
        "Ref,Action,Owner,Due,Start,RAG\n"
        "2 4,Spaced,Tom Okafor,1/7/24,,\n"
        "A1,Late start,Tom Okafor,1/7/24,2/7/24,Purple\n"
        "a1,Same ref,Tom Okafor,1/7/24,,\n",
    )
    result = plan_run("import", str(path), env=TODAY)
    assert result.exit_code == 1
    assert result.stderr == (
        'row 2: unusable ref "2 4" (up to 20 characters, no spaces: 3, 2.4)\n'
        'row 3: unknown RAG "Purple" in RAG (use Red, Amber, Green or Blue)\n'
        "row 3: the start date 02/07/2024 is after the due date 01/07/2024\n"
        "row 4: duplicate ref a1 (also on row 3)\n"
        "Error: 3 bad rows in rules.csv; nothing was imported — fix them (or use --map) and run"
        " the import again\n"
    )


def test_a_plan_export_brings_its_own_trail(
    plan_run: Invoke, db_url: str, run_fresh: Invoke, fresh_db_url: str, tmp_path: Path
) -> None:
    for args in (
        ("action", "add", "A", "--owner", "Tom Okafor", "--due", "2024-07-01"),
        ("action", "update", "1", "--status", "blocked", "--note", "Waiting"),
    ):
        assert plan_run(*args, env=TODAY).exit_code == 0
    path = write(tmp_path, "plan.json", plan_run("export", "--format", "json").stdout)
    assert run_fresh("init").exit_code == 0
    assert run_fresh("import", str(path), user="importer", env=TODAY).exit_code == 0
    trail = "SELECT entity, field, old_value, new_value FROM audit_event WHERE plan_id IS NOT NULL"
    original = [tuple(r) for r in sql(db_url, trail + " ORDER BY id")]
    copied = [tuple(r) for r in sql(fresh_db_url, trail + " ORDER BY id")]
    assert copied == original and ("action", "ref", None, "1") in copied
