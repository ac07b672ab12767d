"""action update's corrections: theme, recommendations, milestone, start, measure and
evidence — messages, versions, --if-version, the trail, and the due-after-milestone warning."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.cli.test_actions import TODAY, action_db, add, add_milestone, add_rec, audit_count
from tests.conftest import Invoke, sql

WARNING = (
    'Warning: action 1 is due 2025-07-31, after its milestone "Board" on 2025-06-30 — '
    "bring the due date forward or link it to a later milestone\n"
)


@pytest.fixture
def ready(plan_run: Invoke, db_url: str) -> Invoke:
    """Two themes, R1–R3, milestones Board (30 June) and Review (30 September), action 1."""
    assert plan_run("theme", "add", "Care leavers").exit_code == 0
    assert plan_run("theme", "add", "Front door").exit_code == 0
    for n in (1, 2, 3):
        add_rec(db_url, f"R{n}", seq=n)
    add_milestone(db_url, "Board", "2025-06-30")
    add_milestone(db_url, "Review", "2025-09-30")
    add(plan_run, "Pathway plans", "--due", "2025-05-31", "--rec", "R2")
    return plan_run


def last_event(url: str) -> int:
    return int(sql(url, "SELECT max(id) FROM audit_event")[0][0])


def trail(url: str, after: int) -> list[tuple[Any, ...]]:
    """The action's events after event `after`: field, from, to."""
    return sql(
        url,
        "SELECT field, old_value, new_value FROM audit_event "
        "WHERE entity = 'action' AND id > :after ORDER BY id",
        after=after,
    )


def links(url: str) -> list[tuple[Any, ...]]:
    return sql(
        url,
        "SELECT r.ref FROM action_recommendation l JOIN recommendation r "
        "ON r.id = l.recommendation_id ORDER BY r.seq",
    )


def test_each_correction_is_a_field_bumps_version_and_is_audited(
    ready: Invoke, db_url: str
) -> None:
    after = last_event(db_url)
    result = ready(
        "action", "update", "1", "--theme", "care LEAVERS", "--milestone", "board",
        "--start", "01/04/2025", "--measure", "90% in date", "--evidence", "Audit, May",
        "--add-rec", "r1", "--add-rec", "R3", "--remove-rec", "2", user="Sam Lead",
    )  # fmt: skip
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (
        "Action 1: theme — → Care leavers; milestone — → Board; start — → 2025-04-01; "
        "success measure — → 90% in date; evidence — → Audit, May; "
        "recommendations R2 → R1, R3.\n"
    )
    row = action_db(db_url, "1")
    assert (row["version"], row["success_measure"], row["evidence"]) == (
        2, "90% in date", "Audit, May",
    )  # fmt: skip
    assert links(db_url) == [("R1",), ("R3",)]
    assert trail(db_url, after) == [
        ("theme", None, "Care leavers"),
        ("milestone", None, "Board"),
        ("start", None, "2025-04-01"),
        ("success_measure", None, "90% in date"),
        ("evidence", None, "Audit, May"),
        ("recommendations", "R2", "R1, R3"),
    ]
    assert sql(db_url, "SELECT DISTINCT actor FROM audit_event WHERE old_value = 'R2'") == [
        ("Sam Lead",)
    ]
    history = json.loads(ready("action", "history", "1", "--format", "json").stdout)
    assert (history[-1]["what"], history[-1]["from"], history[-1]["to"]) == (
        "recommendations", "R2", "R1, R3",
    )  # fmt: skip


def test_none_empties_and_rec_sets_the_links_exactly(ready: Invoke, db_url: str) -> None:
    ready("action", "update", "1", "--theme", "Front door", "--milestone", "Review",
          "--start", "2025-04-01", "--measure", "m", "--evidence", "e")  # fmt: skip
    result = ready(
        "action", "update", "1", "--theme", "none", "--milestone", "NONE", "--start", "none",
        "--measure", "", "--evidence", " ", "--rec", "R3", "--rec", "r1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "Action 1: theme Front door → —; milestone Review → —; start 2025-04-01 → —; "
        "success measure m → —; evidence e → —; recommendations R2 → R1, R3.\n"
    )
    row = action_db(db_url, "1")
    assert (row["theme_id"], row["milestone_id"], row["start"], row["success_measure"],
            row["evidence"], row["version"]) == (None, None, None, None, None, 3)  # fmt: skip
    cleared = ready("action", "update", "1", "--rec", "none")
    assert cleared.stderr == "Action 1: recommendations R1, R3 → —.\n"
    assert links(db_url) == []
    data = json.loads(ready("action", "show", "1", "--format", "json").stdout)
    assert (data["recommendations"], data["theme"], data["milestone"]) == ([], None, None)


def test_the_same_links_change_nothing(ready: Invoke, db_url: str) -> None:
    before = audit_count(db_url)
    for args in (("--rec", "R2"), ("--add-rec", "r2"), ("--remove-rec", "R1")):
        result = ready("action", "update", "1", *args)
        assert (result.exit_code, result.stderr) == (0, "Action 1: nothing changed.\n"), args
    assert (audit_count(db_url), action_db(db_url, "1")["version"]) == (before, 1)


def test_if_version_guards_the_corrections(ready: Invoke, db_url: str) -> None:
    ready("action", "update", "1", "--theme", "Front door")
    before = (audit_count(db_url), links(db_url))
    stale = ready("action", "update", "1", "--add-rec", "R1", "--if-version", "1")
    assert stale.exit_code == 1
    assert stale.stderr == (
        "Error: action 1 changed since you read it (version 2, expected 1) — "
        "show it again and retry\n"
    )
    assert (audit_count(db_url), links(db_url)) == before
    fresh = ready("action", "update", "1", "--add-rec", "R1", "--if-version", "2")
    assert fresh.stderr == "Action 1: recommendations R2 → R1, R2.\n"
    assert action_db(db_url, "1")["version"] == 3


@pytest.mark.parametrize(
    ("args", "code", "error"),
    [
        (
            ("--theme", "Housing"),
            1,
            'Error: no theme named "Housing" — add it first with improveplan theme add NAME\n',
        ),
        (
            ("--milestone", "Bored"),
            1,
            'Error: no milestone named "Bored" in plan "Peterborough" — '
            'Did you mean "Board"? See improveplan milestone list\n',
        ),
        (
            ("--add-rec", "R1", "--add-rec", "R9"),
            1,
            'Error: no recommendation R9 in plan "Peterborough" — see improveplan rec list\n',
        ),
        (
            ("--start", "2025-06-01"),
            1,
            "Error: the start date 2025-06-01 is after the due date 2025-05-31 of action 1 — "
            "check --start and --due\n",
        ),
        (
            ("--rec", "R1", "--add-rec", "R3"),
            2,
            "Usage: improveplan action update [OPTIONS] REF\n"
            "Try 'improveplan action update --help' for help.\n\n"
            "Error: --rec sets the links exactly: give it alone, or --add-rec/--remove-rec\n",
        ),
        (
            ("--start", "someday"),
            2,
            None,
        ),
    ],
)
def test_bad_corrections_write_nothing(
    ready: Invoke, db_url: str, args: tuple[str, ...], code: int, error: str | None
) -> None:
    before = (audit_count(db_url), action_db(db_url, "1"), links(db_url))
    result = ready("action", "update", "1", *args)
    assert result.exit_code == code
    if error is not None:
        assert result.stderr == error
    else:
        assert "someday" in result.stderr and "Traceback" not in result.output
    assert (audit_count(db_url), action_db(db_url, "1"), links(db_url)) == before


def test_add_due_after_its_milestone_warns_and_adds(plan_run: Invoke, db_url: str) -> None:
    add_milestone(db_url, "Board", "2025-06-30")
    result = plan_run("action", "add", "Late", "--owner", "Tom Okafor", "--due", "2025-07-31",
                      "--milestone", "board", env=TODAY)  # fmt: skip
    assert result.exit_code == 0
    assert result.stderr == ("Added action 1: Late (owner Tom Okafor, due 2025-07-31).\n" + WARNING)
    on_time = plan_run("action", "add", "On time", "--owner", "Tom Okafor",
                       "--due", "2025-06-30", "--milestone", "Board", env=TODAY)  # fmt: skip
    assert "Warning" not in on_time.stderr
    assert sql(db_url, "SELECT count(*) FROM action") == [(2,)]


def test_update_due_or_milestone_after_it_warns(ready: Invoke) -> None:
    linked = ready("action", "update", "1", "--milestone", "Board")
    assert linked.stderr == "Action 1: milestone — → Board.\n"
    moved = ready("action", "update", "1", "--due", "2025-07-31", "--reason", "Recruitment")
    assert moved.exit_code == 0
    assert moved.stderr == "Action 1: due 2025-05-31 → 2025-07-31.\n" + WARNING
    title = ready("action", "update", "1", "--title", "Pathway plans, all")
    assert "Warning" not in title.stderr  # only a change of due date or milestone warns
    relinked = ready("action", "update", "1", "--milestone", "Review")
    assert relinked.stderr == "Action 1: milestone Board → Review.\n"
    back = ready("action", "update", "1", "--milestone", "Board")
    assert back.stderr == "Action 1: milestone Review → Board.\n" + WARNING
    ready("action", "done", "1")
    closed = ready("action", "update", "1", "--due", "2025-08-31", "--reason", "x")
    assert "Warning" not in closed.stderr  # a complete action is no longer at risk
