"""rec update and rec remove: corrections audited field by field, removal only when no
action answers it."""

from __future__ import annotations

import pytest

from tests.cli.test_actions import TODAY, audit_count
from tests.conftest import Invoke, sql


@pytest.fixture
def recs(plan_run: Invoke) -> Invoke:
    assert plan_run("theme", "add", "Care leavers").exit_code == 0
    assert plan_run("theme", "add", "Front door").exit_code == 0
    assert plan_run("rec", "add", "R1", "Text not yet recorded").exit_code == 0
    assert plan_run("rec", "add", "R2", "Return interviews", "--theme", "Front door").exit_code == 0
    return plan_run


def test_update_text_theme_priority_is_audited(recs: Invoke, db_url: str) -> None:
    result = recs("rec", "update", "r1", "--text", "  Timely  pathway\n plans ", "--theme",
                  "care LEAVERS", "--priority", user="Sam Lead")  # fmt: skip
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (
        "Recommendation R1: text changed; theme — → Care leavers; priority action no → yes.\n"
    )
    assert sql(db_url, "SELECT text, priority_action FROM recommendation WHERE ref = 'R1'") in (
        [("Timely pathway plans", True)],
        [("Timely pathway plans", 1)],
    )
    trail = sql(db_url, "SELECT actor, field, old_value, new_value FROM audit_event "
                        "WHERE entity = 'recommendation' AND actor = 'Sam Lead' ORDER BY id")  # fmt: skip
    assert trail == [
        ("Sam Lead", "text", "Text not yet recorded", "Timely pathway plans"),
        ("Sam Lead", "theme", None, "Care leavers"),
        ("Sam Lead", "priority_action", "false", "true"),
    ]
    shown = recs("rec", "show", "R1", env=TODAY).stdout
    assert "Timely pathway plans" in shown and "theme: Care leavers" in shown


def test_theme_none_and_nothing_changed(recs: Invoke, db_url: str) -> None:
    cleared = recs("rec", "update", "2", "--theme", "none", "--no-priority")
    assert cleared.stderr == "Recommendation R2: theme Front door → —.\n"
    assert sql(db_url, "SELECT theme_id FROM recommendation WHERE ref = 'R2'") == [(None,)]
    before = audit_count(db_url)
    same = recs("rec", "update", "R2", "--text", "Return interviews", "--theme", "none")
    assert (same.exit_code, same.stderr) == (0, "Recommendation R2: nothing changed.\n")
    assert audit_count(db_url) == before


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ("R1",),
            "Error: nothing to change for recommendation R1 — "
            "give --text, --theme or --priority/--no-priority\n",
        ),
        (("R1", "--text", "  "), "Error: recommendation R1 needs text — give its text in quotes\n"),
        (
            ("R1", "--theme", "Housing"),
            'Error: no theme named "Housing" — add it first with improveplan theme add NAME\n',
        ),
        (
            ("R9", "--priority"),
            'Error: no recommendation R9 in plan "Peterborough" — see improveplan rec list\n',
        ),
    ],
)
def test_update_errors_write_nothing(
    recs: Invoke, db_url: str, args: tuple[str, ...], error: str
) -> None:
    before = (audit_count(db_url), sql(db_url, "SELECT * FROM recommendation ORDER BY id"))
    result = recs("rec", "update", *args)
    assert (result.exit_code, result.stderr) == (1, error)
    assert (audit_count(db_url), sql(db_url, "SELECT * FROM recommendation ORDER BY id")) == before


def test_remove_only_without_actions(recs: Invoke, db_url: str) -> None:
    for title in ("One", "Two"):
        added = recs("action", "add", title, "--owner", "Tom Okafor", "--due", "2025-03-31",
                     "--rec", "R2", env=TODAY)  # fmt: skip
        assert added.exit_code == 0
    recs("action", "update", "2", "--status", "cancelled", "--reason", "Duplicate")
    before = audit_count(db_url)
    refused = recs("rec", "remove", "r2")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "Error: 2 actions answer recommendation R2, so it cannot be removed — see them with "
        "improveplan rec show R2, then move each with improveplan action update REF "
        "--remove-rec R2\n"
    )
    assert audit_count(db_url) == before
    recs("action", "update", "1", "--remove-rec", "R2")
    one = recs("rec", "remove", "R2")
    assert one.stderr.startswith("Error: 1 action answers recommendation R2, so it cannot")
    recs("action", "update", "2", "--rec", "R1")
    gone = recs("rec", "remove", "R2", user="Sam Lead")
    assert (gone.exit_code, gone.stderr) == (0, "Removed recommendation R2.\n")
    assert sql(db_url, "SELECT ref FROM recommendation") == [("R1",)]
    trail = sql(db_url, "SELECT field, old_value, new_value FROM audit_event "
                        "WHERE actor = 'Sam Lead' ORDER BY id")  # fmt: skip
    assert trail == [
        ("ref", "R2", None),
        ("text", "Return interviews", None),
        ("theme", "Front door", None),
        ("priority_action", "false", None),
        ("seq", "2", None),
    ]
    again = recs("rec", "remove", "R2")
    assert again.stderr == (
        'Error: no recommendation R2 in plan "Peterborough" — see improveplan rec list\n'
    )
