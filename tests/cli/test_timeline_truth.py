"""A timeline without false alarms: past meetings held, missed with a reason, deadlines
overdue, visits expected until recorded; milestone done/missed/update/remove; the window."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import Invoke, sql

TODAY = {"IMPROVEPLAN_TODAY": "2024-03-01"}


def ok(run: Invoke, *args: str) -> Any:
    result = run(*args, env=TODAY)
    assert result.exit_code == 0, result.output
    return result


def refused(run: Invoke, *args: str, code: int = 1) -> str:
    result = run(*args, env=TODAY)
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    return str(result.stderr)


def seed(run: Invoke) -> None:
    """Received 2024-01-30 (inadequate): plan due 2024-05-10, visits from 2024-08-10;
    a notice of 2023-08-31 with boards every six weeks from 2023-09-15."""
    ok(run, "inspection", "add", "--type", "standard", "--start", "2023-12-04",
       "--end", "2023-12-15", "--received", "2024-01-30",
       "--grade", "overall_effectiveness=inadequate")  # fmt: skip
    ok(run, "notice", "set", "--issued", "2023-08-31", "--board-every-weeks", "6",
       "--first-board", "2023-09-15")  # fmt: skip


def rows(run: Invoke, *extra: str) -> dict[str, dict[str, Any]]:
    data = json.loads(ok(run, "timeline", "--format", "json", "--all", *extra).stdout)
    return {r["name"]: r for r in data}


def statuses(run: Invoke, *extra: str) -> list[tuple[str, str, str]]:
    data = json.loads(ok(run, "timeline", "--format", "json", *extra).stdout)
    return [(r["date"], r["name"], r["status"]) for r in data]


def milestone_audit(url: str, field: str) -> list[tuple[Any, ...]]:
    return sql(
        url,
        "SELECT old_value, new_value FROM audit_event WHERE entity = 'milestone' "
        "AND field = :field ORDER BY id",
        field=field,
    )


def test_past_meetings_are_held_and_only_deadlines_turn_overdue(plan_run: Invoke) -> None:
    seed(plan_run)
    window = ("--as-of", "2024-06-01", "--from", "2024-02-01", "--to", "2024-08-15")
    assert statuses(plan_run, *window) == [
        ("2024-02-29", "DfE review 1", "held"),
        ("2024-03-01", "Improvement board 5", "held"),
        ("2024-03-12", "Report published locally", "overdue"),
        ("2024-04-12", "Improvement board 6", "held"),
        ("2024-05-10", "Action plan due", "overdue"),
        ("2024-05-24", "Improvement board 7", "held"),
        ("2024-07-05", "Improvement board 8", "upcoming"),
        ("2024-08-10", "Monitoring visit 1 (expected)", "expected"),  # never overdue
    ]
    ok(plan_run, "milestone", "add", "Peer review", "--date", "2024-04-01")
    assert rows(plan_run, "--as-of", "2024-06-01")["Peer review"]["status"] == "overdue"


def test_the_table_and_what_the_window_leaves_out(plan_run: Invoke) -> None:
    seed(plan_run)
    result = ok(plan_run, "timeline", "--as-of", "2024-06-01", "--from", "2024-05-01",
                "--to", "2024-06-30")  # fmt: skip
    assert result.stdout.splitlines()[4:7] == [
        "│ 2024-05-10 │ Action plan due     │ overdue │  -22 │    0 │ "
        "received 2024-01-30 + 70 working days │",
        "│ 2024-05-24 │ Improvement board 7 │ held    │   -8 │    0 │ first board 2023-09-15 + "
        "36 weeks     │",
        "└────────────┴─────────────────────┴─────────┴──────┴──────┴──────────────────────────"
        "─────────────┘",
    ]
    assert result.stderr == "8 earlier and 29 later not shown (--all shows them).\n"
    # By default: the last 3 months and the next 12 around the as-of date.
    default = ok(plan_run, "timeline", "--format", "json")
    dates = [r["date"] for r in json.loads(default.stdout)]
    assert (dates[0], dates[-1]) == ("2023-12-08", "2025-02-28")
    assert default.stderr == "2 earlier and 15 later not shown (--all shows them).\n"
    everything = ok(plan_run, "timeline", "--all", "--format", "json")
    assert len(json.loads(everything.stdout)) == len(dates) + 2 + 15
    assert everything.stderr == ""
    later_only = ok(plan_run, "timeline", "--from", "2023-01-01", "--format", "csv")
    assert later_only.stderr == "15 later not shown (--all shows them).\n"
    empty = ok(plan_run, "timeline", "--from", "2030-01-01", "--to", "2030-02-01")
    assert empty.stderr == (
        "No milestones from 2030-01-01 to 2030-02-01.\n36 earlier not shown (--all shows them).\n"
    )


def test_window_options_that_do_not_fit(plan_run: Invoke) -> None:
    seed(plan_run)
    assert "give --all or --from/--to, not both" in refused(
        plan_run, "timeline", "--all", "--from", "2024-01-01", code=2
    )
    assert refused(plan_run, "timeline", "--from", "2024-06-01", "--to", "2024-01-01") == (
        "Error: --from 2024-06-01 is after --to 2024-01-01 — give the earlier date first\n"
    )


def test_a_meeting_recorded_missed_and_then_moved(plan_run: Invoke, db_url: str) -> None:
    seed(plan_run)
    result = ok(plan_run, "milestone", "missed", "improvement board 4", "--reason", "Chair ill")
    assert result.stderr == 'Milestone "Improvement board 4" on 2024-01-19 recorded as missed.\n'
    row = rows(plan_run)["Improvement board 4"]
    assert (row["status"], row["missed_reason"]) == ("missed", "Chair ill")
    assert list(row)[-2:] == ["open_actions", "missed_reason"]  # a new key goes at the end
    assert milestone_audit(db_url, "missed_reason") == [(None, "Chair ill")]
    moved = ok(plan_run, "milestone", "update", "Improvement board 4", "--date", "2024-01-26")
    assert moved.stderr == (
        'Updated milestone "Improvement board 4": date 2024-01-19 → 2024-01-26.\n'
    )
    row = rows(plan_run)["Improvement board 4"]
    assert (row["status"], row["missed_reason"], row["user_set"]) == ("held", None, True)
    assert row["rule"] == "set by the user (was first board 2023-09-15 + 18 weeks)"
    assert milestone_audit(db_url, "missed_reason") == [(None, "Chair ill"), ("Chair ill", None)]


def test_missed_is_for_meetings_not_deadlines_or_what_was_done(plan_run: Invoke) -> None:
    seed(plan_run)
    assert refused(plan_run, "milestone", "missed", "Action plan due", "--reason", "late") == (
        'Error: "Action plan due" is a deadline, not a meeting: it is overdue until it is done'
        ' — record it met with improveplan milestone done "Action plan due"\n'
    )
    ok(plan_run, "milestone", "done", "DfE review 1")
    assert refused(plan_run, "milestone", "missed", "DfE review 1", "--reason", "x") == (
        'Error: "DfE review 1" is recorded as done on 2024-03-01 — move it with improveplan '
        'milestone update "DfE review 1" --date DATE\n'
    )
    assert "Missing option '--reason'" in refused(
        plan_run, "milestone", "missed", "DfE review 1", code=2
    )


def test_a_recorded_monitoring_visit_marks_the_nearest_expected_one_held(
    plan_run: Invoke, db_url: str
) -> None:
    seed(plan_run)
    assert rows(plan_run)["Monitoring visit 1 (expected)"]["status"] == "expected"
    ok(plan_run, "inspection", "add", "--type", "monitoring_visit", "--start", "2024-07-30",
       "--end", "2024-07-31")  # fmt: skip
    found = rows(plan_run, "--as-of", "2024-12-01")
    visit = found["Monitoring visit 1 (expected)"]
    assert {k: visit[k] for k in ("date", "done", "status", "user_set", "rule")} == {
        "date": "2024-07-30",
        "done": "2024-07-31",
        "status": "done",
        "user_set": True,
        "rule": "visit recorded 2024-07-30 to 2024-07-31 (was plan due 2024-05-10 + 3 months)",
    }
    assert found["Monitoring visit 2 (expected)"]["status"] == "expected"
    assert found["Action plan due"]["date"] == "2024-05-10"  # a visit asks for no new plan
    ok(plan_run, "inspection", "add", "--type", "monitoring_visit", "--start", "2024-11-19",
       "--end", "2024-11-20")  # fmt: skip
    second = rows(plan_run)["Monitoring visit 2 (expected)"]
    assert (second["date"], second["done"]) == ("2024-11-19", "2024-11-20")
    assert milestone_audit(db_url, "done") == [(None, "2024-07-31"), (None, "2024-11-20")]


def test_done_takes_several_names_or_through_a_date(plan_run: Invoke, db_url: str) -> None:
    seed(plan_run)
    result = ok(plan_run, "milestone", "done", "Improvement board 1", "improvement board 2",
                "--date", "2023-11-01")  # fmt: skip
    assert result.stderr == (
        'Milestone "Improvement board 1" done on 2023-11-01.\n'
        'Milestone "Improvement board 2" done on 2023-11-01.\n'
    )
    ok(plan_run, "milestone", "missed", "Improvement board 4", "--reason", "Chair ill")
    result = ok(plan_run, "milestone", "done", "--through", "2024-02-29")
    assert result.stderr == (  # each on its own date; the missed board stays missed
        'Milestone "Improvement board 3" done on 2023-12-08.\n'
        'Milestone "DfE review 1" done on 2024-02-29.\n'
    )
    result = ok(plan_run, "milestone", "done", "--through", "2024-02-29")
    assert result.stderr == (
        "Nothing to mark done: every milestone up to 2024-02-29 is done or missed.\n"
    )
    assert len(milestone_audit(db_url, "done")) == 4
    assert "give one or more NAMEs, or --through DATE (not both)" in refused(
        plan_run, "milestone", "done", code=2
    )
    assert "give one or more NAMEs" in refused(
        plan_run, "milestone", "done", "DfE review 2", "--through", "2024-09-01", code=2
    )
    message = refused(plan_run, "milestone", "done", "DfE review 2", "Nope")
    assert message.startswith('Error: no milestone named "Nope" in plan "Peterborough"')
    assert rows(plan_run)["DfE review 2"]["done"] is None  # one unknown name: nothing done


def test_update_and_remove_the_users_own_milestones(plan_run: Invoke, db_url: str) -> None:
    seed(plan_run)
    ok(plan_run, "milestone", "add", "Peer review", "--date", "2024-04-01")
    result = ok(plan_run, "milestone", "update", "peer review", "--name", "LGA peer review",
                "--date", "2024-04-08")  # fmt: skip
    assert result.stderr == (
        'Updated milestone "LGA peer review": name Peer review → LGA peer review, '
        "date 2024-04-01 → 2024-04-08.\n"
    )
    unchanged = ok(plan_run, "milestone", "update", "LGA peer review", "--date", "2024-04-08")
    assert unchanged.stderr == 'Milestone "LGA peer review" unchanged.\n'
    assert refused(plan_run, "milestone", "update", "LGA peer review") == (
        "Error: nothing to change — give --name NAME or --date DATE\n"
    )
    assert refused(plan_run, "milestone", "update", "DfE review 1", "--name", "Review") == (
        'Error: "DfE review 1" is a default milestone and keeps its name — add your own with '
        "improveplan milestone add NAME --date DATE\n"
    )
    assert refused(
        plan_run, "milestone", "update", "LGA peer review", "--name", "dfe REVIEW 1"
    ) == ('Error: milestone "DfE review 1" already exists — choose another name\n')
    assert refused(plan_run, "milestone", "remove", "DfE review 1") == (
        'Error: "DfE review 1" is a default milestone: it follows its source — move it with '
        'improveplan milestone update "DfE review 1" --date DATE, or record a meeting not held '
        "with milestone missed\n"
    )
    ok(plan_run, "person", "add", "Ann Lee")
    ok(plan_run, "action", "add", "Brief the peers", "--owner", "Ann Lee", "--due", "2024-04-01",
       "--milestone", "LGA peer review")  # fmt: skip
    assert refused(plan_run, "milestone", "remove", "LGA peer review") == (
        'Error: 1 action is linked to "LGA peer review" — link them elsewhere with '
        "improveplan action update REF --milestone NAME|none\n"
    )
    sql(db_url, "UPDATE action SET milestone_id = NULL")
    result = ok(plan_run, "milestone", "remove", "LGA peer review")
    assert result.stderr == 'Removed milestone "LGA peer review" (2024-04-08).\n'
    assert "LGA peer review" not in rows(plan_run)
    assert milestone_audit(db_url, "name")[-2:] == [
        ("Peer review", "LGA peer review"),
        ("LGA peer review", None),
    ]


def test_the_next_milestone_skips_a_meeting_recorded_missed(plan_run: Invoke) -> None:
    seed(plan_run)

    def upcoming() -> tuple[str, str]:
        data = json.loads(
            ok(plan_run, "status", "--as-of", "2024-04-01", "--format", "json").stdout
        )
        return data["next_milestone"]["name"], data["next_milestone"]["date"]

    assert upcoming() == ("Improvement board 6", "2024-04-12")
    ok(plan_run, "milestone", "missed", "Improvement board 6", "--reason", "Chair's diary")
    assert upcoming() == ("Action plan due", "2024-05-10")
