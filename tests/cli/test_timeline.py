"""notice set/show, milestone add/list/done/reset and timeline: derived dates that follow."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import Invoke, sql

TODAY = {"IMPROVEPLAN_TODAY": "2024-03-01"}


def ok(run: Invoke, *args: str) -> str:
    result = run(*args, env=TODAY)
    assert result.exit_code == 0, result.output
    return result.stdout


def inspect(
    run: Invoke,
    received: str,
    grade: str = "inadequate",
    fieldwork: tuple[str, str] = ("2023-12-04", "2023-12-15"),
) -> None:
    start, end = fieldwork
    ok(
        run, "inspection", "add", "--type", "standard", "--start", start,
        "--end", end, "--received", received,
        "--grade", f"overall_effectiveness={grade}",
    )  # fmt: skip


def timeline(run: Invoke, *extra: str) -> list[dict[str, Any]]:
    data = json.loads(ok(run, "timeline", "--format", "json", *extra))
    assert isinstance(data, list)
    return data


def by_name(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in rows}


def test_worked_example_plan_due_and_publication(plan_run: Invoke) -> None:
    inspect(plan_run, "2024-01-30", grade="requires_improvement")
    rows = timeline(plan_run)
    assert [(r["name"], r["date"]) for r in rows] == [
        ("Report published locally", "2024-03-12"),
        ("Action plan due", "2024-05-10"),
    ]
    first = rows[0]
    assert list(first)[:6] == ["name", "kind", "date", "rule", "done", "status"]
    assert first == first | {
        "kind": "published_locally",
        "rule": "received 2024-01-30 + 30 working days",
        "done": None,
        "status": "due",  # 11 days to go: inside the 14-day window
        "days_to_go": 11,
    }
    assert by_name(rows)["Action plan due"]["status"] == "upcoming"
    assert timeline(plan_run, "--as-of", "2024-05-11")[1]["status"] == "overdue"
    assert timeline(plan_run, "--as-of", "2024-05-11")[1]["days_to_go"] == -1


def test_notice_reviews_end_of_month_boards_and_expected_visits(plan_run: Invoke) -> None:
    inspect(plan_run, "2023-09-26", fieldwork=("2023-09-04", "2023-09-15"))
    ok(
        plan_run, "notice", "set", "--issued", "2023-08-31", "--board-every-weeks", "6",
        "--first-board", "2023-09-15", "--chair", "Dame Sue Fox", "--lifted", "2025-03-31",
    )  # fmt: skip
    rows = by_name(timeline(plan_run, "--all"))
    # Calendar months, end-of-month safe: 31 Aug + 6 months is 29 Feb in a leap year.
    assert rows["DfE review 1"]["date"] == "2024-02-29"
    assert rows["DfE review 2"]["date"] == "2024-08-31"
    assert rows["DfE review 3"]["date"] == "2025-02-28"
    assert "DfE review 4" not in rows  # stops at the lift date
    assert rows["DfE review 1"]["rule"] == "notice issued 2023-08-31 + 6 months"
    assert rows["Improvement board 1"]["date"] == "2023-09-15"
    assert rows["Improvement board 2"]["date"] == "2023-10-27"
    assert rows["Improvement board 2"]["status"] == "held"  # a past meeting, not overdue
    visit = rows["Monitoring visit 1 (expected)"]
    assert visit["kind"] == "monitoring_visit"
    assert visit["status"] == "expected"
    shown = json.loads(ok(plan_run, "notice", "show", "--format", "json"))
    assert shown == {
        "kind": "improvement_notice",
        "issued": "2023-08-31",
        "plan_due": None,
        "review_months": 6,
        "board_every_weeks": 6,
        "first_board": "2023-09-15",
        "chair": "Dame Sue Fox",
        "lifted": "2025-03-31",
        "plan": "Peterborough",
    }


def test_notice_update_moves_reviews_and_is_audited(plan_run: Invoke, db_url: str) -> None:
    ok(plan_run, "notice", "set", "--issued", "2024-01-15")
    assert by_name(timeline(plan_run))["DfE review 1"]["date"] == "2024-07-15"
    ok(plan_run, "notice", "set", "--review-months", "3")
    assert by_name(timeline(plan_run))["DfE review 1"]["date"] == "2024-04-15"
    changes = sql(
        db_url,
        "SELECT field, old_value, new_value FROM audit_event WHERE entity = 'notice' "
        "AND old_value IS NOT NULL",
    )
    assert changes == [("review_months", "6", "3")]


def test_milestones_follow_a_changed_received_date(plan_run: Invoke, db_url: str) -> None:
    inspect(plan_run, "2024-01-30")
    assert by_name(timeline(plan_run))["Action plan due"]["date"] == "2024-05-10"
    sql(db_url, "UPDATE inspection SET received = '2024-02-06'")
    rows = by_name(timeline(plan_run))
    assert rows["Action plan due"]["date"] == "2024-05-17"
    assert rows["Action plan due"]["rule"] == "received 2024-02-06 + 70 working days"
    stored = "SELECT date FROM milestone WHERE name = 'Action plan due'"
    assert [str(d) for (d,) in sql(db_url, stored)] == ["2024-05-10"]  # a read never stores
    ok(plan_run, "milestone", "add", "Peer review", "--date", "2024-04-01")  # a write stores
    assert [str(d) for (d,) in sql(db_url, stored)] == ["2024-05-17"]
    audited = sql(
        db_url,
        "SELECT old_value, new_value FROM audit_event WHERE entity = 'milestone' "
        "AND field = 'date' AND old_value = '2024-05-10'",
    )
    assert audited == [("2024-05-10", "2024-05-17")]


def test_user_set_date_wins_and_reset_returns_to_the_rule(plan_run: Invoke, db_url: str) -> None:
    inspect(plan_run, "2024-01-30")
    result = plan_run("milestone", "add", "Action plan due", "--date", "2024-05-03", env=TODAY)
    assert result.exit_code == 0
    assert result.stderr == 'Set milestone "Action plan due" on 2024-05-03.\n'
    sql(db_url, "UPDATE inspection SET received = '2024-02-06'")
    row = by_name(timeline(plan_run))["Action plan due"]
    assert row["date"] == "2024-05-03"
    assert row["user_set"] is True
    ok(plan_run, "milestone", "reset", "Action plan due")
    assert by_name(timeline(plan_run))["Action plan due"]["date"] == "2024-05-17"


def test_custom_milestone_done_and_list(plan_run: Invoke) -> None:
    result = plan_run("milestone", "add", "Peer review", "--date", "2024-04-01", env=TODAY)
    assert result.stderr == 'Added milestone "Peer review" on 2024-04-01.\n'
    ok(plan_run, "milestone", "done", "peer review", "--date", "2024-03-28")
    rows = json.loads(ok(plan_run, "milestone", "list", "--format", "json"))
    assert rows[0] | {"days_to_go": 0} == rows[0] | {
        "name": "Peer review",
        "kind": "custom",
        "date": "2024-04-01",
        "rule": "set by the user",
        "done": "2024-03-28",
        "status": "done",
    } | {"days_to_go": 0}


def test_timeline_counts_open_actions_due_by_each_milestone(plan_run: Invoke) -> None:
    inspect(plan_run, "2024-01-30")
    ok(plan_run, "action", "add", "Audit", "--owner", "Tom Okafor", "--due", "2024-03-05")
    ok(plan_run, "action", "add", "Train", "--owner", "Tom Okafor", "--due", "2024-04-30")
    ok(plan_run, "action", "add", "Later", "--owner", "Tom Okafor", "--due", "2024-06-30",
       "--milestone", "Action plan due")  # fmt: skip
    rows = by_name(timeline(plan_run))
    assert rows["Report published locally"]["open_actions"] == 1
    assert rows["Action plan due"]["open_actions"] == 3  # two due by it, one linked
    table = ok(plan_run, "timeline")
    assert "Timeline of Peterborough as of 2024-03-01" in table
    assert "│ 2024-05-10 │ Action plan due" in table


def test_errors(plan_run: Invoke) -> None:
    result = plan_run("notice", "set", "--chair", "X", env=TODAY)
    assert result.exit_code == 1
    assert result.stderr == (
        'Error: plan "Peterborough" has no improvement notice yet — '
        "give the date it was issued with --issued DATE\n"
    )
    result = plan_run("notice", "set", "--issued", "2024-01-01", "--board-every-weeks", "6")
    assert result.exit_code == 1
    assert "add --first-board DATE" in result.stderr
    result = plan_run("notice", "show", env=TODAY)
    assert result.exit_code == 1
    assert result.stderr.startswith('Error: plan "Peterborough" has no improvement notice')
    result = plan_run("milestone", "done", "Nope", env=TODAY)
    assert result.exit_code == 1
    assert 'no milestone named "Nope"' in result.stderr
    result = plan_run("timeline", "--as-of", "31/02/2024", env=TODAY)
    assert result.exit_code == 2
    result = plan_run("timeline", env=TODAY)
    assert result.exit_code == 0
    assert "No milestones yet" in result.stderr
