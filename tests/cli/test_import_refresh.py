"""import FILE --update: a refreshed tracker updates the actions it already holds, field by
field and audited; without --update an existing ref is refused with what to add; a removed
ref is refused in both modes; actions due after their milestone are warned about."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli.test_import import actions, count, write
from tests.conftest import Invoke, sql

TODAY = {"IMPROVEPLAN_TODAY": "2024-06-01"}
FIRST = (
    "Ref,Action,Owner,Due,Status,RAG,Recommendation,Milestone,Progress update\n"
    "1,Audit files,Priya Natarajan,30/9/24,In progress,,R1,Board,Audits begun\n"
    "2,Train staff,Tom Okafor,31/8/24,Not started,,R2,,\n"
    "3,Review caseloads,Tom Okafor,31/7/24,In progress,,R1,,Half done\n"
)
# After the monitoring visit: 1 is complete a month late, with news; 2 has a new owner, is
# linked to the board and moved past it, and the council calls it red; 3 is as it was
# ("tom okafor" is Tom Okafor); a new row, due after the board it is linked to.
REFRESHED = (
    "Ref,Action,Owner,Due,Status,RAG,Recommendation,Milestone,Progress update\n"
    "1,Audit files,Priya Natarajan,31/10/24,Complete,,R1,Board,Audits done\n"
    '2,Train staff,priya  natarajan,31/10/24,Not started,Red,"R2, R3",Board,\n'
    "3,Review caseloads,tom okafor,31/7/24,In progress,,R1,,Half done\n"
    "4,Recruit social workers,Tom Okafor,31/12/24,,,R3,Board,\n"
)
LATE_2 = (
    'Warning: action 2 is due 2024-10-31, after its milestone "Board" on 2024-09-30 — bring'
    " the due date forward or link it to a later milestone\n"
)
LATE_4 = (
    'Warning: action 4 is due 2024-12-31, after its milestone "Board" on 2024-09-30 — bring'
    " the due date forward or link it to a later milestone\n"
)


def tracked(plan_run: Invoke, tmp_path: Path) -> Path:
    """A plan with a board milestone and the first tracker imported; the refreshed file."""
    assert plan_run("milestone", "add", "Board", "--date", "2024-09-30").exit_code == 0
    first = plan_run("import", str(write(tmp_path, "tracker.csv", FIRST)), env=TODAY)
    assert first.exit_code == 0, first.output
    return write(tmp_path, "refreshed.csv", REFRESHED)


def state(db_url: str) -> list[tuple[Any, ...]]:
    """Every action's fields and version, and the counts of what an import writes."""
    rows = sql(
        db_url,
        "SELECT ref, title, owner_id, due, original_due, status, status_reason, rag_override,"
        " rag_override_reason, milestone_id, version, updated_at FROM action ORDER BY ref",
    )
    tables = ("audit_event", "progress_note", "action_recommendation", "person", "recommendation")
    return [*rows, tuple(count(db_url, t) for t in tables)]


def history(run: Invoke, ref: str) -> list[tuple[str, str | None, str | None]]:
    shown = run("action", "history", ref, "--format", "json", env=TODAY)
    assert shown.exit_code == 0, shown.output
    return [(e["what"], e["from"], e["to"]) for e in json.loads(shown.stdout)]


def test_a_dry_run_says_what_the_refresh_would_do_and_writes_nothing(
    plan_run: Invoke, db_url: str, tmp_path: Path
) -> None:
    path = tracked(plan_run, tmp_path)
    before = state(db_url)
    result = plan_run("import", str(path), "--update", "--dry-run", env=TODAY)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == (
        'Would import 1 action into plan "Peterborough" from refreshed.csv.\n'
        "RAG overrides that would be kept from the tracker: 1.\n"
        "Progress notes: 1.\n"
        "Would update 2 actions: 1 (status, due, progress note),"
        " 2 (due, owner, recommendations, milestone, RAG override).\n"
        "Unchanged actions: 1.\n"
        "Would add recommendations (ref only — add their text): R3\n" + LATE_2 + LATE_4
    )
    assert state(db_url) == before


def test_update_refreshes_the_actions_field_by_field(
    plan_run: Invoke, db_url: str, tmp_path: Path
) -> None:
    path = tracked(plan_run, tmp_path)
    [unchanged] = [r for r in state(db_url) if r[0] == "3"]
    result = plan_run("import", str(path), "--update", user="Sam Lead", env=TODAY)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        'Imported 1 action into plan "Peterborough" from refreshed.csv.\n'
        "RAG overrides kept from the tracker: 1.\n"
        "Progress notes: 1.\n"
        "Updated 2 actions from refreshed.csv (7 fields, 1 progress note).\n"
        "Unchanged actions: 1.\n"
        "Added recommendations (ref only — add their text): R3\n" + LATE_2 + LATE_4
    )
    found = {a["ref"]: a for a in actions(plan_run)}
    assert [(r, a["status"], a["due"], a["owner"], a["rag"], a["recommendations"], a["version"])
            for r, a in found.items()] == [
        ("1", "complete", "2024-10-31", "Priya Natarajan", "green", ["R1"], 2),
        ("2", "not_started", "2024-10-31", "Priya Natarajan", "red", ["R2", "R3"], 2),
        ("3", "in_progress", "2024-07-31", "Tom Okafor", "green", ["R1"], 1),
        ("4", "not_started", "2024-12-31", "Tom Okafor", "green", ["R3"], 1),
    ]  # fmt: skip
    assert [r for r in state(db_url) if r[0] == "3"] == [unchanged]
    reason = "refreshed from the tracker refreshed.csv"
    assert history(plan_run, "1")[-5:] == [
        ("due", "2024-09-30", "2024-10-31"),
        ("status", "in_progress", "complete"),
        ("reason", None, reason),
        ("import", None, "refreshed.csv row 2"),
        ("note", None, "Audits done"),
    ]
    assert history(plan_run, "2")[-7:] == [
        ("due", "2024-08-31", "2024-10-31"),
        ("owner", "Tom Okafor", "Priya Natarajan"),
        ("recommendations", "R2", "R2, R3"),
        ("milestone", None, "Board"),
        ("rag_override", None, "red"),
        ("reason", None, reason),
        ("import", None, "refreshed.csv row 3"),
    ]
    assert history(plan_run, "3")[-1] == ("note", None, "Half done")
    shown = json.loads(plan_run("action", "show", "2", "--format", "json", env=TODAY).stdout)
    assert (shown["original_due"], shown["rag_override_reason"]) == ("2024-08-31", reason)


def test_an_unchanged_tracker_changes_nothing(
    plan_run: Invoke, db_url: str, tmp_path: Path
) -> None:
    tracked(plan_run, tmp_path)
    before = state(db_url)
    again = write(tmp_path, "again.csv", FIRST)
    result = plan_run("import", str(again), "--update", env=TODAY)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        'Imported 0 actions into plan "Peterborough" from again.csv.\n'
        "RAG overrides kept from the tracker: 0.\n"
        "Progress notes: 0.\n"
        "Updated no actions.\n"
        "Unchanged actions: 3.\n"
    )
    after = state(db_url)
    assert after[:-1] == before[:-1]
    assert after[-1][1:] == before[-1][1:]  # no note, link, person or rec; one plan event
    assert after[-1][0] == before[-1][0] + 1


def test_without_update_an_existing_ref_is_refused_with_what_to_add(
    plan_run: Invoke, db_url: str, tmp_path: Path
) -> None:
    path = tracked(plan_run, tmp_path)
    before = state(db_url)
    for dry in ((), ("--dry-run",)):
        result = plan_run("import", str(path), *dry, env=TODAY)
        assert result.exit_code == 1
        assert result.stderr == "".join(
            f'row {n}: action {n - 1} already exists in plan "Peterborough" — add --update to'
            " refresh existing actions from the tracker\n"
            for n in (2, 3, 4)
        ) + (
            "Error: 3 bad rows in refreshed.csv; nothing was imported — fix them (or use --map)"
            " and run the import again\n"
        )
    assert state(db_url) == before


def test_a_removed_ref_is_refused_in_both_modes(
    plan_run: Invoke, db_url: str, tmp_path: Path
) -> None:
    path = tracked(plan_run, tmp_path)
    removed = plan_run("action", "remove", "3", "--reason", "Added twice, see 1", user="Sam Lead")
    assert removed.exit_code == 0, removed.output
    sql(db_url, "UPDATE removed_action SET removed_at = '2024-05-20 10:00:00+00:00'")
    before = state(db_url)
    for update in ((), ("--update",)):
        result = plan_run("import", str(path), *update, env=TODAY)
        assert result.exit_code == 1
        assert (
            "row 4: action 3 was removed on 2024-05-20 by Sam Lead: Added twice, see 1 — a"
            " removed action's ref is never reused; give the row another ref, or leave it"
            " blank for the next number\n"
        ) in result.stderr
    assert result.stderr.endswith(
        "Error: 1 bad row in refreshed.csv; nothing was imported — fix them (or use --map)"
        " and run the import again\n"
    )
    assert state(db_url) == before


def test_a_status_move_the_workflow_refuses_is_a_bad_row(
    plan_run: Invoke, db_url: str, tmp_path: Path
) -> None:
    tracked(plan_run, tmp_path)
    before = state(db_url)
    path = write(
        tmp_path,
        "signed.csv",
        "Ref,Action,Owner,Due,Status\n3,Review caseloads,Tom Okafor,31/7/24,Signed off\n",
    )
    result = plan_run("import", str(path), "--update", env=TODAY)
    assert result.exit_code == 1
    assert result.stderr == (
        "row 2: action 3 is not complete, so it cannot become signed off — mark it done first:"
        " improveplan action done 3\n"
        "Error: 1 bad row in signed.csv; nothing was imported — fix them (or use --map) and run"
        " the import again\n"
    )
    assert state(db_url) == before


def test_a_cancellation_and_a_better_rag_take_the_refresh_reason_and_a_note(
    plan_run: Invoke, tmp_path: Path
) -> None:
    """Cancelling needs a reason (the refresh gives one); a Green on an overdue action is a
    note, once: the same tracker again notes nothing more."""
    tracked(plan_run, tmp_path)
    path = write(
        tmp_path,
        "later.csv",
        "Ref,Action,Owner,Due,Status,RAG\n"
        "2,Train staff,Tom Okafor,31/8/24,Cancelled,\n"
        "3,Review caseloads,Tom Okafor,31/5/24,In progress,Green\n",
    )
    result = plan_run("import", str(path), "--update", "--dry-run", env=TODAY)
    assert "Would update 2 actions: 2 (status), 3 (due, progress note).\n" in result.stderr
    result = plan_run("import", str(path), "--update", env=TODAY)
    assert result.exit_code == 0, result.output
    assert "Updated 2 actions from later.csv (2 fields, 1 progress note).\n" in result.stderr
    assert (
        "Tracker RAGs better than the computed one, kept as a progress note instead: 1.\n"
        in result.stderr
    )
    assert history(plan_run, "2")[-3:] == [
        ("status", "not_started", "cancelled"),
        ("reason", None, "refreshed from the tracker later.csv"),
        ("import", None, "later.csv row 2"),
    ]
    assert history(plan_run, "3")[-1] == (
        "note", None, "The tracker showed Green on 2024-06-01; the computed RAG is red, so Green"
        " was not kept as an override.",
    )  # fmt: skip
    again = plan_run("import", str(path), "--update", env={"IMPROVEPLAN_TODAY": "2024-06-08"})
    assert "Updated no actions.\nUnchanged actions: 2.\n" in again.stderr
