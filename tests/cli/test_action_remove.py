"""action remove: a reason required, links and notes go, every field stays in the trail,
the ref is never reused (add, --ref, tracker import) and every command says why it went."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.cli.test_actions import TODAY, add, add_milestone, add_rec, audit_count
from tests.conftest import Invoke, sql

# After the wall clock (the trail is read in time order); in BST, so 1 July in London.
REMOVED_AT = dt.datetime(2030, 6, 30, 23, 30, tzinfo=dt.UTC)
GONE = (
    "Error: action 1 was removed on 2030-07-01 by Sam Lead: Added twice, see 2 — "
    "what it held is in improveplan action history 1\n"
)


@pytest.fixture
def removed(plan_run: Invoke, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """Action 1 (theme, R1 and R2, milestone, two notes) removed by Sam Lead; action 2 stays."""
    monkeypatch.setattr("improveplan.services.action_removal.utcnow", lambda: REMOVED_AT)
    assert plan_run("theme", "add", "Care leavers").exit_code == 0
    add_rec(db_url, "R1")
    add_rec(db_url, "R2", seq=2)
    add_milestone(db_url, "Board", "2025-06-30")
    add(plan_run, "Pathway plans", "--due", "2025-03-31", "--rec", "R2", "--rec", "R1",
        "--theme", "Care leavers", "--milestone", "Board", "--start", "2025-02-01",
        "--measure", "90% in date")  # fmt: skip
    add(plan_run, "Pathway plans (again)", "--due", "2025-03-31", "--rec", "R1")
    plan_run("action", "update", "1", "--rag", "red", "--reason", "Staffing")
    plan_run("action", "note", "1", "Met the team", user="Priya Natarajan")
    plan_run("action", "note", "1", "Plan agreed", user="Tom Okafor")
    result = plan_run("action", "remove", "1", "--reason", "Added twice, see 2", user="Sam Lead")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == (
        "Removed action 1: Pathway plans (and its 2 notes). Its ref is not reused; "
        "improveplan action history 1 shows what it held.\n"
    )
    return plan_run


def test_remove_deletes_the_action_links_and_notes(removed: Invoke, db_url: str) -> None:
    assert sql(db_url, "SELECT ref FROM action") == [("2",)]
    assert sql(db_url, "SELECT count(*) FROM action_recommendation") == [(1,)]
    assert sql(db_url, "SELECT count(*) FROM progress_note") == [(0,)]
    (row,) = sql(db_url, "SELECT ref, title, reason, actor FROM removed_action")
    assert row == ("1", "Pathway plans", "Added twice, see 2", "Sam Lead")


def test_remove_audits_every_field_and_each_note_as_going(removed: Invoke, db_url: str) -> None:
    gone = sql(
        db_url,
        "SELECT entity, field, old_value, new_value FROM audit_event "
        "WHERE actor = 'Sam Lead' ORDER BY id",
    )
    assert gone == [
        ("action", "ref", "1", None),
        ("action", "title", "Pathway plans", None),
        ("action", "owner", "Priya Natarajan", None),
        ("action", "due", "2025-03-31", None),
        ("action", "original_due", "2025-03-31", None),
        ("action", "status", "not_started", None),
        ("action", "start", "2025-02-01", None),
        ("action", "success_measure", "90% in date", None),
        ("action", "recommendations", "R1, R2", None),
        ("action", "theme", "Care leavers", None),
        ("action", "milestone", "Board", None),
        ("action", "rag_override", "red", None),
        ("action", "rag_override_reason", "Staffing", None),
        ("action", "reason", None, "Added twice, see 2"),
        ("progress_note", "action_id", "1", None),
        ("progress_note", "author", "Priya Natarajan", None),
        ("progress_note", "text", "Met the team", None),
        ("progress_note", "action_id", "1", None),
        ("progress_note", "author", "Tom Okafor", None),
        ("progress_note", "text", "Plan agreed", None),
    ]


def test_history_of_a_removed_ref_reads_it_whole(removed: Invoke) -> None:
    result = removed("action", "history", "1", "--format", "json")
    assert result.exit_code == 0, result.output
    events = [(e["who"], e["what"], e["from"], e["to"]) for e in json.loads(result.stdout)]
    assert events[:2] == [("tester", "ref", None, "1"), ("tester", "title", None, "Pathway plans")]
    assert ("Priya Natarajan", "note", None, "Met the team") in events
    assert events[-4:] == [
        ("Sam Lead", "rag_override_reason", "Staffing", None),
        ("Sam Lead", "reason", None, "Added twice, see 2"),
        ("Sam Lead", "note", "Met the team", None),
        ("Sam Lead", "note", "Plan agreed", None),
    ]
    other = json.loads(removed("action", "history", "2", "--format", "json").stdout)
    assert {e["who"] for e in other} == {"tester"}


@pytest.mark.parametrize(
    "args",
    [
        ("show", "1"),
        ("update", "1", "--title", "x"),
        ("note", "1", "hello"),
        ("done", "1"),
        ("signoff", "1"),
        ("reopen", "1", "--reason", "x"),
        ("remove", "1", "--reason", "again"),
    ],
)
def test_every_command_on_a_removed_ref_says_when_by_whom_why(
    removed: Invoke, db_url: str, args: tuple[str, ...]
) -> None:
    before = audit_count(db_url)
    result = removed("action", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", GONE)
    assert audit_count(db_url) == before


def test_a_removed_ref_is_refused_with_why(removed: Invoke) -> None:
    again = removed("action", "add", "x", "--owner", "Tom Okafor", "--due", "2025-03-31",
                    "--ref", "1")  # fmt: skip
    assert again.exit_code == 1
    assert again.stderr == (
        "Error: action 1 was removed on 2030-07-01 by Sam Lead: Added twice, see 2 — "
        "a removed action's ref is never reused; choose another --ref, "
        "or leave it out for the next number\n"
    )


def test_the_next_number_skips_removed_refs_and_their_trail(plan_run: Invoke, db_url: str) -> None:
    add(plan_run, "a", "--due", "2025-03-31")
    add(plan_run, "b", "--due", "2025-03-31")
    plan_run("action", "note", "2", "A note on b")
    assert plan_run("action", "remove", "2", "--reason", "Wrong plan").exit_code == 0
    add(plan_run, "c", "--due", "2025-03-31")
    plan_run("action", "note", "3", "A note on c")
    assert sql(db_url, "SELECT ref FROM action ORDER BY seq") == [("1",), ("3",)]
    # SQLite gives the new action the removed one's id: its trail must not show through.
    history = json.loads(plan_run("action", "history", "3", "--format", "json").stdout)
    assert [(e["what"], e["to"]) for e in history] == [
        ("ref", "3"), ("title", "c"), ("owner", "Priya Natarajan"), ("due", "2025-03-31"),
        ("original_due", "2025-03-31"), ("status", "not_started"), ("note", "A note on c"),
    ]  # fmt: skip
    old = json.loads(plan_run("action", "history", "2", "--format", "json").stdout)
    assert [(e["what"], e["from"], e["to"]) for e in old][-3:] == [
        ("status", "not_started", None), ("reason", None, "Wrong plan"),
        ("note", "A note on b", None),
    ]  # fmt: skip


def test_tracker_import_numbers_on_past_removed_refs(removed: Invoke, tmp_path: Path) -> None:
    removed("action", "remove", "2", "--reason", "Wrong plan")
    tracker = tmp_path / "tracker.csv"
    tracker.write_text("Action,Owner,Due\nFrom the tracker,Tom Okafor,31/03/2025\n", "utf-8")
    result = removed("import", str(tracker), env=TODAY)
    assert result.exit_code == 0, result.output
    listed = json.loads(removed("action", "list", "--format", "json").stdout)
    assert [a["ref"] for a in listed] == ["3"]


def test_remove_needs_a_reason_and_an_action(plan_run: Invoke, db_url: str) -> None:
    add(plan_run, "A", "--due", "2025-03-31")
    before = audit_count(db_url)
    for reason in ((), ("--reason", "  ")):
        result = plan_run("action", "remove", "1", *reason)
        assert result.exit_code == 1
        assert result.stderr == "Error: removing action 1 needs a reason — add --reason TEXT\n"
    missing = plan_run("action", "remove", "9", "--reason", "x")
    assert missing.stderr == (
        'Error: no action 9 in plan "Peterborough" — see improveplan action list\n'
    )
    assert (audit_count(db_url), sql(db_url, "SELECT count(*) FROM action")) == (before, [(1,)])
