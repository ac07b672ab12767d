"""action add/update/note/done/signoff/reopen: messages, rules, versions, audit trail."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from improveplan.store.engine import to_url
from tests.conftest import Invoke, sql

TODAY = {"IMPROVEPLAN_TODAY": "2025-03-01"}


def audit_count(url: str) -> int:
    return int(sql(url, "SELECT count(*) FROM audit_event")[0][0])


def action_db(url: str, ref: str) -> dict[str, Any]:
    engine = create_engine(to_url(url))
    with engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM action WHERE ref = :ref"), {"ref": ref}).one()
    engine.dispose()
    return dict(row._mapping)


def add_rec(url: str, ref: str, seq: int = 1) -> None:
    sql(
        url,
        "INSERT INTO recommendation (plan_id, ref, text, priority_action, seq) "
        "VALUES ((SELECT id FROM plan), :ref, :t, false, :seq)",
        ref=ref,
        t=f"Text of {ref}",
        seq=seq,
    )


def add_milestone(url: str, name: str, date: str) -> None:
    sql(
        url,
        "INSERT INTO milestone (plan_id, name, kind, date, user_set, expected) "
        "VALUES ((SELECT id FROM plan), :name, 'custom', :date, false, false)",
        name=name,
        date=dt.date.fromisoformat(date),
    )


def add(run: Invoke, title: str, *args: str, owner: str = "Priya Natarajan") -> None:
    result = run("action", "add", title, "--owner", owner, *args, env=TODAY)
    assert result.exit_code == 0, result.output


def shown(run: Invoke, ref: str, as_of: str = "2025-03-01") -> dict[str, Any]:
    result = run("action", "show", ref, "--format", "json", "--as-of", as_of)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_add_prints_what_was_added_and_stores_it(plan_run: Invoke, db_url: str) -> None:
    assert plan_run("theme", "add", "Care leavers", "--lead", "Tom Okafor").exit_code == 0
    add_rec(db_url, "R1")
    add_rec(db_url, "R2", seq=2)
    add_milestone(db_url, "Action plan due", "2025-06-30")
    result = plan_run(
        "action", "add", "Pathway plans reviewed", "--owner", "priya natarajan",
        "--due", "2025-03-31", "--rec", "R2", "--rec", "r1", "--theme", "care LEAVERS",
        "--milestone", "action plan due", "--start", "01/02/2025", "--measure", "90% in date",
        user="Sam Lead", env=TODAY,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == (
        "Added action 1: Pathway plans reviewed (owner Priya Natarajan, due 2025-03-31).\n"
    )
    row = action_db(db_url, "1")
    assert (row["due"], row["original_due"], row["start"]) in {
        (dt.date(2025, 3, 31), dt.date(2025, 3, 31), dt.date(2025, 2, 1)),
        ("2025-03-31", "2025-03-31", "2025-02-01"),  # SQLite returns text through raw SQL
    }
    assert (row["status"], row["version"], row["seq"]) == ("not_started", 1, 1)
    assert row["success_measure"] == "90% in date"
    trail = sql(db_url, "SELECT actor, field, new_value FROM audit_event WHERE entity='action'")
    assert trail == [
        ("Sam Lead", "ref", "1"),
        ("Sam Lead", "title", "Pathway plans reviewed"),
        ("Sam Lead", "owner", "Priya Natarajan"),
        ("Sam Lead", "due", "2025-03-31"),
        ("Sam Lead", "original_due", "2025-03-31"),
        ("Sam Lead", "status", "not_started"),
        ("Sam Lead", "start", "2025-02-01"),
        ("Sam Lead", "success_measure", "90% in date"),
        ("Sam Lead", "recommendations", "R1, R2"),
        ("Sam Lead", "theme", "Care leavers"),
        ("Sam Lead", "milestone", "Action plan due"),
    ]


def test_action_json_key_by_key(plan_run: Invoke, db_url: str) -> None:
    plan_run("theme", "add", "Care leavers")
    add_rec(db_url, "R1")
    add_milestone(db_url, "Board", "2025-06-30")
    add(plan_run, "Pathway plans", "--due", "2025-03-31", "--rec", "R1", "--theme", "Care leavers",
        "--milestone", "Board")  # fmt: skip
    result = plan_run("action", "list", "--format", "json", "--as-of", "2025-04-03")
    assert result.exit_code == 0
    assert result.stderr == ""
    (data,) = json.loads(result.stdout)
    assert list(data) == [
        "ref", "title", "owner", "due", "original_due", "status", "rag", "rag_computed",
        "days_overdue", "recommendations", "theme", "milestone", "version", "updated_at",
    ]  # fmt: skip
    updated = dt.datetime.fromisoformat(data.pop("updated_at"))
    assert updated.utcoffset() == dt.timedelta(0)
    assert data == {
        "ref": "1",
        "title": "Pathway plans",
        "owner": "Priya Natarajan",
        "due": "2025-03-31",
        "original_due": "2025-03-31",
        "status": "not_started",
        "rag": "red",
        "rag_computed": "red",
        "days_overdue": 3,
        "recommendations": ["R1"],
        "theme": "Care leavers",
        "milestone": "Board",
        "version": 1,
    }


def test_refs_are_the_next_integer_or_given_and_never_reused(plan_run: Invoke, db_url: str) -> None:
    add(plan_run, "a", "--due", "2025-03-31")
    add(plan_run, "b", "--due", "2025-03-31", "--ref", "2.4")
    add(plan_run, "c", "--due", "2025-03-31")
    add(plan_run, "d", "--due", "2025-03-31", "--ref", "10")
    add(plan_run, "e", "--due", "2025-03-31")
    rows = sql(db_url, "SELECT ref, seq FROM action ORDER BY seq")
    assert rows == [("1", 1), ("2.4", 2), ("2", 3), ("10", 4), ("11", 5)]
    before = audit_count(db_url)
    taken = plan_run("action", "add", "f", "--owner", "Tom Okafor", "--due", "2025-03-31",
                     "--ref", "2.4")  # fmt: skip
    assert taken.exit_code == 1
    assert taken.stderr == (
        'Error: action 2.4 already exists in plan "Peterborough" — '
        "choose another --ref, or leave it out for the next number\n"
    )
    assert audit_count(db_url) == before


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ("--owner", "Priya Natarajn"),
            'Error: no person named "Priya Natarajn" — Did you mean "Priya Natarajan"? '
            "Add them with improveplan person add\n",
        ),
        (
            ("--owner", "Natarajan"),
            'Error: no person named "Natarajan" — Did you mean "Priya Natarajan"? '
            "Add them with improveplan person add\n",
        ),
        (
            ("--owner", "Tom Okafor", "--rec", "R9"),
            'Error: no recommendation R9 in plan "Peterborough" — see improveplan rec list\n',
        ),
        (
            ("--owner", "Tom Okafor", "--milestone", "Bored"),
            'Error: no milestone named "Bored" in plan "Peterborough" — '
            'Did you mean "Board"? See improveplan milestone list\n',
        ),
        (
            ("--owner", "Tom Okafor", "--theme", "Leavers"),
            'Error: no theme named "Leavers" — add it first with improveplan theme add NAME\n',
        ),
        (
            ("--owner", "Tom Okafor", "--start", "2025-04-01"),
            "Error: the start date 2025-04-01 is after the due date 2025-03-31 — "
            "check --start and --due\n",
        ),
    ],
)
def test_add_errors_name_the_problem_and_write_nothing(
    plan_run: Invoke, db_url: str, args: tuple[str, ...], error: str
) -> None:
    add_rec(db_url, "R1")
    add_milestone(db_url, "Board", "2025-06-30")
    before = audit_count(db_url)
    result = plan_run("action", "add", "A title", "--due", "2025-03-31", *args)
    assert result.exit_code == 1
    assert result.stderr == error
    assert sql(db_url, "SELECT count(*) FROM action") == [(0,)]
    assert audit_count(db_url) == before


@pytest.mark.parametrize("value", ["31/02/2025", "2025-13-01", "someday"])
def test_impossible_date_is_a_usage_error_naming_it(plan_run: Invoke, value: str) -> None:
    result = plan_run("action", "add", "A", "--owner", "Tom Okafor", "--due", value)
    assert result.exit_code == 2
    assert value in result.stderr
    assert "Traceback" not in result.output


def test_unknown_action_ref(plan_run: Invoke) -> None:
    for args in (
        ("show", "99"),
        ("history", "99"),
        ("update", "99", "--title", "x"),
        ("note", "99", "hello"),
        ("done", "99"),
        ("signoff", "99"),
        ("reopen", "99", "--reason", "x"),
    ):
        result = plan_run("action", *args)
        assert result.exit_code == 1, args
        assert result.stderr == (
            'Error: no action 99 in plan "Peterborough" — see improveplan action list\n'
        )


def test_update_bumps_version_and_audits_each_field(plan_run: Invoke, db_url: str) -> None:
    add(plan_run, "Supervision audit", "--due", "2025-03-31")
    result = plan_run("action", "update", "1", "--status", "In progress", "--owner", "tom okafor",
                      "--title", "Audit, all teams", user="Priya Natarajan")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "Action 1: status not started → in progress; owner Priya Natarajan → Tom Okafor; "
        "title Supervision audit → Audit, all teams.\n"
    )
    assert action_db(db_url, "1")["version"] == 2
    trail = sql(
        db_url,
        "SELECT actor, field, old_value, new_value FROM audit_event "
        "WHERE entity='action' AND old_value IS NOT NULL ORDER BY id",
    )
    assert trail == [
        ("Priya Natarajan", "status", "not_started", "in_progress"),
        ("Priya Natarajan", "owner", "Priya Natarajan", "Tom Okafor"),
        ("Priya Natarajan", "title", "Supervision audit", "Audit, all teams"),
    ]
    same = plan_run("action", "update", "1", "--status", "in-progress")
    assert same.stderr == "Action 1: nothing changed.\n"
    assert action_db(db_url, "1")["version"] == 2


def test_update_with_nothing_to_change_is_an_error(plan_run: Invoke) -> None:
    add(plan_run, "A", "--due", "2025-03-31")
    result = plan_run("action", "update", "1")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: nothing to change for action 1 — "
        "give --status, --due, --owner, --title, --rag, --clear-rag or --note "
        "(or another option of improveplan action update --help)\n"
    )


def test_unknown_status_is_a_usage_error(plan_run: Invoke) -> None:
    add(plan_run, "A", "--due", "2025-03-31")
    result = plan_run("action", "update", "1", "--status", "finished-ish")
    assert result.exit_code == 2
    assert "finished-ish" in result.stderr


def test_done_signoff_reopen_cycle(plan_run: Invoke, db_url: str) -> None:
    add(plan_run, "A", "--due", "2025-03-31")
    early = plan_run("action", "signoff", "1")
    assert early.exit_code == 1
    assert early.stderr == (
        "Error: action 1 is not complete — mark it done first: improveplan action done 1\n"
    )
    done = plan_run("action", "done", "1", "--evidence", "Audit report, March")
    assert (done.exit_code, done.stderr) == (0, "Action 1: status not started → complete.\n")
    assert action_db(db_url, "1")["evidence"] == "Audit report, March"
    again = plan_run("action", "done", "1")
    assert again.stderr == (
        "Error: action 1 is already complete — sign it off with improveplan action signoff 1\n"
    )
    signed = plan_run("action", "signoff", "1")
    assert signed.stderr == "Action 1: status complete → signed off.\n"
    twice = plan_run("action", "signoff", "1")
    assert twice.stderr == "Error: action 1 is already signed off — nothing to do\n"
    reopened = plan_run("action", "reopen", "1", "--reason", "Board found gaps")
    assert reopened.stderr == "Action 1: status signed off → in progress.\n"
    row = action_db(db_url, "1")
    assert (row["status"], row["status_reason"], row["version"]) == (
        "in_progress", "Board found gaps", 4,
    )  # fmt: skip
    open_ = plan_run("action", "reopen", "1", "--reason", "x")
    assert (
        open_.stderr == "Error: action 1 is in progress, not closed — there is nothing to reopen\n"
    )


@pytest.mark.parametrize(
    ("setup", "args", "error"),
    [
        ((("done", "1"),), ("reopen", "1"), "reopening action 1"),
        ((("done", "1"),), ("reopen", "1", "--reason", "  "), "reopening action 1"),
        ((), ("update", "1", "--status", "cancelled"), "cancelling action 1"),
        (
            (("done", "1"),),
            ("update", "1", "--status", "in-progress"),
            "moving action 1 from complete back to in_progress",
        ),
        (
            (),
            ("update", "1", "--due", "2025-04-30"),
            "moving action 1's due date later (2025-03-31 → 2025-04-30)",
        ),
        ((), ("update", "1", "--rag", "green"), "setting action 1's RAG by hand"),
    ],
)
def test_missing_reason_is_one_line_and_writes_nothing(
    plan_run: Invoke, db_url: str, setup: tuple[tuple[str, ...], ...], args: tuple[str, ...],
    error: str,
) -> None:  # fmt: skip
    add(plan_run, "A", "--due", "2025-03-31")
    for step in setup:
        assert plan_run("action", *step).exit_code == 0
    before = (audit_count(db_url), action_db(db_url, "1"))
    result = plan_run("action", *args)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {error} needs a reason — add --reason TEXT\n"
    assert (audit_count(db_url), action_db(db_url, "1")) == before


def test_cancel_keeps_the_reason_and_audits_it(plan_run: Invoke, db_url: str) -> None:
    add(plan_run, "A", "--due", "2025-03-31")
    result = plan_run(
        "action", "update", "1", "--status", "cancelled", "--reason", "Duplicate of 2"
    )
    assert result.stderr == "Action 1: status not started → cancelled.\n"
    assert action_db(db_url, "1")["status_reason"] == "Duplicate of 2"
    history = json.loads(plan_run("action", "history", "1", "--format", "json").stdout)
    assert [(h["what"], h["from"], h["to"]) for h in history[-2:]] == [
        ("status", "not_started", "cancelled"),
        ("reason", None, "Duplicate of 2"),
    ]
    assert shown(plan_run, "1")["rag"] is None


def test_due_later_keeps_original_due_earlier_needs_no_reason(
    plan_run: Invoke, db_url: str
) -> None:
    add(plan_run, "A", "--due", "2025-03-31")
    later = plan_run("action", "update", "1", "--due", "30/04/2025", "--reason", "Recruitment")
    assert later.stderr == "Action 1: due 2025-03-31 → 2025-04-30.\n"
    earlier = plan_run("action", "update", "1", "--due", "2025-04-15")
    assert earlier.stderr == "Action 1: due 2025-04-30 → 2025-04-15.\n"
    data = shown(plan_run, "1", as_of="2025-01-01")
    assert (data["due"], data["original_due"], data["version"]) == ("2025-04-15", "2025-03-31", 3)
    assert (data["rag"], data["rag_computed"]) == ("amber", "amber")  # slipped


def test_rag_override_and_clearing(plan_run: Invoke, db_url: str) -> None:
    add(plan_run, "A", "--due", "2025-12-31")
    set_ = plan_run("action", "update", "1", "--rag", "RED", "--reason", "Staffing gap")
    assert set_.stderr == "Action 1: rag override — → red.\n"
    data = shown(plan_run, "1")
    assert (data["rag"], data["rag_computed"], data["rag_override_reason"]) == (
        "red", "green", "Staffing gap",
    )  # fmt: skip
    table = plan_run("action", "list", "--as-of", "2025-03-01")
    assert "red*" in table.stdout
    assert "* RAG set by hand" in table.stderr
    cleared = plan_run("action", "update", "1", "--rag", "auto")
    assert cleared.stderr == "Action 1: rag override red → —.\n"
    row = action_db(db_url, "1")
    assert (row["rag_override"], row["rag_override_reason"], row["version"]) == (None, None, 3)
    plan_run("action", "update", "1", "--rag", "amber", "--reason", "Watch")
    assert plan_run("action", "update", "1", "--clear-rag").exit_code == 0
    assert action_db(db_url, "1")["rag_override"] is None


def test_note_is_append_only_and_does_not_bump_version(plan_run: Invoke, db_url: str) -> None:
    add(plan_run, "A", "--due", "2025-03-31")
    before = action_db(db_url, "1")
    result = plan_run("action", "note", "1", "Met the team; plan agreed", user="Priya Natarajan")
    assert (result.exit_code, result.stderr) == (0, "Noted on action 1 by Priya Natarajan.\n")
    after = action_db(db_url, "1")
    assert after["version"] == 1
    assert after["updated_at"] != before["updated_at"]
    both = plan_run("action", "update", "1", "--status", "blocked", "--note", "Waiting on HR")
    assert both.stderr == "Action 1: status not started → blocked.\nNoted on action 1.\n"
    data = shown(plan_run, "1")
    assert data["version"] == 2
    assert [(n["author"], n["text"]) for n in data["notes"]] == [
        ("Priya Natarajan", "Met the team; plan agreed"),
        ("tester", "Waiting on HR"),
    ]
    assert sql(db_url, "SELECT count(*) FROM progress_note") == [(2,)]


def test_if_version_detects_a_concurrent_change(plan_run: Invoke, db_url: str) -> None:
    add(plan_run, "A", "--due", "2025-03-31")
    plan_run("action", "update", "1", "--status", "in-progress")
    before = audit_count(db_url)
    stale = plan_run("action", "update", "1", "--status", "blocked", "--if-version", "1")
    assert stale.exit_code == 1
    assert stale.stderr == (
        "Error: action 1 changed since you read it (version 2, expected 1) — "
        "show it again and retry\n"
    )
    assert audit_count(db_url) == before
    ok = plan_run("action", "update", "1", "--status", "blocked", "--if-version", "2")
    assert ok.exit_code == 0
    assert action_db(db_url, "1")["version"] == 3


def test_history_lists_who_when_what_from_to(plan_run: Invoke) -> None:
    add(plan_run, "A", "--due", "2025-03-31")
    plan_run("action", "update", "1", "--status", "in-progress", user="Priya Natarajan")
    plan_run("action", "note", "1", "Half way", user="Tom Okafor")
    plan_run("action", "done", "1", user="Priya Natarajan")
    result = plan_run("action", "history", "1", "--format", "json")
    events = json.loads(result.stdout)
    assert all(list(e) == ["when", "who", "what", "from", "to", "login"] for e in events)
    whens = [dt.datetime.fromisoformat(e["when"]) for e in events]
    assert whens == sorted(whens)
    assert [(e["who"], e["what"], e["from"], e["to"]) for e in events][-3:] == [
        ("Priya Natarajan", "status", "not_started", "in_progress"),
        ("Tom Okafor", "note", None, "Half way"),
        ("Priya Natarajan", "status", "in_progress", "complete"),
    ]
    assert events[0][("who")] == "tester"
    assert (events[0]["what"], events[0]["to"]) == ("ref", "1")
    table = plan_run("action", "history", "1")
    assert "History of action 1" in table.stdout
    assert "Half way" in table.stdout
    csv_out = plan_run("action", "history", "1", "--format", "csv").stdout
    assert csv_out.splitlines()[0] == "when,who,what,from,to"
    assert csv_out.splitlines()[-1].endswith(",Priya Natarajan,status,in_progress,complete")


def test_show_table_has_the_panel_and_notes(plan_run: Invoke) -> None:
    add(plan_run, "Pathway plans", "--due", "2025-03-31", "--measure", "90% in date")
    plan_run("action", "note", "1", "Started")
    result = plan_run("action", "show", "1", "--as-of", "2025-04-02")
    assert result.exit_code == 0
    for expected in ("Action 1", "Pathway plans", "Priya Natarajan", "red", "2 ", "90% in date",
                     "Notes", "Started"):  # fmt: skip
        assert expected in result.stdout


def test_refs_differing_only_in_case_are_the_same_ref(plan_run: Invoke, db_url: str) -> None:
    add(plan_run, "a", "--due", "2025-03-31", "--ref", "2.4a")
    taken = plan_run("action", "add", "b", "--owner", "Tom Okafor", "--due", "2025-03-31",
                     "--ref", "2.4A")  # fmt: skip
    assert taken.exit_code == 1
    assert taken.stderr == (
        'Error: action 2.4A already exists in plan "Peterborough" — '
        "choose another --ref, or leave it out for the next number\n"
    )
    spaced = plan_run("action", "add", "c", "--owner", "Tom Okafor", "--due", "2025-03-31",
                      "--ref", " 2 5 ")  # fmt: skip
    assert spaced.stderr == (
        'Error: "2 5" is not a usable reference — use up to 20 characters, no spaces: 3, 2.4\n'
    )
    assert sql(db_url, "SELECT ref FROM action") == [("2.4a",)]
