"""action list: RAG at every boundary, filters, --mine, the manager's table, JSON and CSV."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.cli.test_actions import add, add_rec
from tests.conftest import Invoke, sql

AS_OF = "2025-03-31"


def listed(run: Invoke, *args: str, user: str = "tester") -> list[dict[str, Any]]:
    result = run("action", "list", "--format", "json", "--as-of", AS_OF, *args, user=user)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    data: list[dict[str, Any]] = json.loads(result.stdout)
    return data


def ok(run: Invoke, *args: str) -> None:
    result = run("action", *args)
    assert result.exit_code == 0, result.output


@pytest.fixture
def rag_plan(plan_run: Invoke) -> Invoke:
    """One action per RAG case, relative to 2025-03-31."""
    due = {
        "1": "2025-03-30",  # yesterday
        "2": "2025-03-31",  # today
        "3": "2025-04-01",  # tomorrow
        "4": "2025-04-14",  # +14 days: last amber day
        "5": "2025-04-15",  # +15 days: green
        "6": "2025-04-30",  # blocked
        "7": "2025-04-30",  # slipped later
        "8": "2025-05-30",  # overridden red
        "9": "2025-03-01",  # complete, past due
        "10": "2025-03-01",  # signed off
        "11": "2025-03-01",  # cancelled
        "12": "2025-03-30",  # overdue, overridden green
    }
    for ref, day in due.items():
        add(plan_run, f"Action {ref}", "--due", day)
    ok(plan_run, "update", "6", "--status", "blocked")
    ok(plan_run, "update", "7", "--due", "2025-05-30", "--reason", "Recruitment")
    ok(plan_run, "update", "8", "--rag", "red", "--reason", "Staffing gap")
    ok(plan_run, "done", "9")
    ok(plan_run, "done", "10")
    ok(plan_run, "signoff", "10")
    ok(plan_run, "update", "11", "--status", "cancelled", "--reason", "Duplicate")
    ok(plan_run, "update", "12", "--status", "in-progress")
    ok(plan_run, "update", "12", "--rag", "green", "--reason", "Done bar the paperwork")
    return plan_run


def test_rag_at_every_boundary(rag_plan: Invoke) -> None:
    rows = {
        r["ref"]: (r["rag"], r["rag_computed"], r["days_overdue"])
        for r in listed(rag_plan, "--all")
    }
    assert rows == {
        "1": ("red", "red", 1),
        "2": ("amber", "amber", 0),
        "3": ("amber", "amber", 0),
        "4": ("amber", "amber", 0),
        "5": ("green", "green", 0),
        "6": ("amber", "amber", 0),
        "7": ("amber", "amber", 0),
        "8": ("red", "green", 0),
        "9": ("green", "green", 0),
        "10": ("blue", "blue", 0),
        "11": (None, None, 0),
        "12": ("green", "red", 1),
    }


def test_sorted_by_due_and_cancelled_only_when_asked(rag_plan: Invoke) -> None:
    refs = [r["ref"] for r in listed(rag_plan)]
    assert refs == ["9", "10", "1", "12", "2", "3", "4", "5", "6", "7", "8"]
    assert "11" in [r["ref"] for r in listed(rag_plan, "--all")]
    assert [r["ref"] for r in listed(rag_plan, "--status", "cancelled")] == ["11"]


@pytest.mark.parametrize(
    ("args", "refs"),
    [
        (("--status", "In progress"), ["12"]),
        (("--status", "complete", "--status", "signed-off"), ["9", "10"]),
        (("--rag", "AMBER"), ["2", "3", "4", "6", "7"]),
        (("--rag", "red"), ["1", "8"]),
        (("--overdue",), ["1", "12"]),
        (("--owner", "tom okafor"), ["5"]),
        (("--theme", "Care leavers"), ["5"]),
        (("--rec", "r1"), ["3", "5"]),
    ],
)
def test_filters(rag_plan: Invoke, db_url: str, args: tuple[str, ...], refs: list[str]) -> None:
    assert rag_plan("theme", "add", "Care leavers").exit_code == 0
    add_rec(db_url, "R1")
    ok(rag_plan, "update", "5", "--owner", "Tom Okafor")
    sql(db_url, "UPDATE action SET theme_id = (SELECT id FROM theme) WHERE ref = '5'")
    sql(
        db_url,
        "INSERT INTO action_recommendation (action_id, recommendation_id) "
        "SELECT a.id, r.id FROM action a, recommendation r WHERE a.ref IN ('3', '5')",
    )
    assert [r["ref"] for r in listed(rag_plan, *args)] == refs


def test_mine_lists_the_acting_users_actions(plan_run: Invoke) -> None:
    add(plan_run, "Hers", "--due", "2025-04-30")
    add(plan_run, "His", "--due", "2025-04-30", owner="Tom Okafor")
    assert [r["title"] for r in listed(plan_run, "--mine", user="Tom Okafor")] == ["His"]
    assert [r["title"] for r in listed(plan_run, "--mine", user="priya natarajan")] == ["Hers"]
    stranger = plan_run("action", "list", "--mine", user="Tom Okafr")
    assert stranger.exit_code == 1
    assert stranger.stderr == (
        'Error: you are "Tom Okafr", who owns no actions (no person by that name) — '
        'Did you mean "Tom Okafor"? Add them with improveplan person add; '
        "or run as yourself with --user NAME or IMPROVEPLAN_USER\n"
    )
    both = plan_run("action", "list", "--mine", "--owner", "Tom Okafor")
    assert both.exit_code == 2


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ("--owner", "Tom Okafr"),
            'Error: no person named "Tom Okafr" — Did you mean "Tom Okafor"? '
            "Add them with improveplan person add\n",
        ),
        (
            ("--theme", "Nope"),
            'Error: no theme named "Nope" — add it first with improveplan theme add NAME\n',
        ),
        (
            ("--rec", "R9"),
            'Error: no recommendation R9 in plan "Peterborough" — see improveplan rec list\n',
        ),
    ],
)
def test_unknown_filter_names_are_errors(
    plan_run: Invoke, args: tuple[str, ...], error: str
) -> None:
    result = plan_run("action", "list", *args)
    assert (result.exit_code, result.stderr) == (1, error)


def test_unknown_rag_is_a_usage_error(plan_run: Invoke) -> None:
    result = plan_run("action", "list", "--rag", "purple")
    assert result.exit_code == 2
    assert "purple" in result.stderr


MANAGER_AT_80 = """\
┏━━━━━┳━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┓
┃ Ref ┃ RAG    ┃ Due        ┃ Status      ┃ Owner           ┃ Title            ┃
┡━━━━━╇━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━┩
│ 9   │ green  │ 2025-03-01 │ complete    │ Priya Natarajan │ Action 9         │
│ 10  │ blue   │ 2025-03-01 │ signed off  │ Priya Natarajan │ Action 10        │
│ 1   │ red    │ 2025-03-30 │ not started │ Priya Natarajan │ Action 1         │
│ 12  │ green* │ 2025-03-30 │ in progress │ Priya Natarajan │ Action 12        │
│ 2   │ amber  │ 2025-03-31 │ not started │ Priya Natarajan │ Action 2         │
│ 3   │ amber  │ 2025-04-01 │ not started │ Priya Natarajan │ Action 3         │
│ 4   │ amber  │ 2025-04-14 │ not started │ Priya Natarajan │ Every care…      │
│ 5   │ green  │ 2025-04-15 │ not started │ Priya Natarajan │ Action 5         │
│ 6   │ amber  │ 2025-04-30 │ blocked     │ Priya Natarajan │ Action 6         │
│ 7   │ amber  │ 2025-05-30 │ not started │ Priya Natarajan │ Action 7         │
│ 8   │ red*   │ 2025-05-30 │ not started │ Priya Natarajan │ Action 8         │
└─────┴────────┴────────────┴─────────────┴─────────────────┴──────────────────┘
"""


def test_table_for_a_manager_at_80_columns(
    rag_plan: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ref, RAG, due, status (as words) and owner stay; the title ends in … at a space."""
    ok(rag_plan, "update", "4", "--title",
       "Every care leaver has an up-to-date pathway plan reviewed with them")  # fmt: skip
    monkeypatch.setenv("COLUMNS", "80")
    result = rag_plan("action", "list", "--as-of", AS_OF)
    assert (result.exit_code, result.stdout) == (0, MANAGER_AT_80)
    assert result.stderr == (
        "11 actions: 2 red, 5 amber, 3 green, 1 blue (as of 2025-03-31)\n"
        "* RAG set by hand — see improveplan action show REF for why.\n"
    )
    wide = rag_plan("action", "list", "--as-of", AS_OF, env={"COLUMNS": "100"})
    row_1 = next(line for line in wide.stdout.splitlines() if line.startswith("│ 1 "))
    assert row_1.split("│")[4].strip() == "1d"  # the Late column, from 100 columns
    everything = rag_plan("action", "list", "--all", "--as-of", AS_OF)
    assert everything.stderr.splitlines()[0] == (
        "11 actions: 2 red, 5 amber, 3 green, 1 blue (as of 2025-03-31); 1 cancelled, not counted"
    )


def test_csv_has_the_json_keys(plan_run: Invoke) -> None:
    add(plan_run, "=cmd|' /C calc'!A0", "--due", "2025-03-30")
    result = plan_run("action", "list", "--format", "csv", "--as-of", AS_OF)
    header, row = result.stdout.splitlines()
    assert header == (
        "ref,title,owner,due,original_due,status,rag,rag_computed,days_overdue,"
        "recommendations,theme,milestone,version,updated_at"
    )
    assert row.startswith("1,'=cmd|' /C calc'!A0,Priya Natarajan,2025-03-30,2025-03-30,")
    assert ",not_started,red,red,1,,,,1," in row
    empty = plan_run("action", "list", "--format", "csv", "--status", "blocked")
    assert empty.stdout.startswith("ref,title,owner,due,")


def test_empty_list_says_so(plan_run: Invoke) -> None:
    result = plan_run("action", "list")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "No actions match — see improveplan action list --all.\n"
    assert plan_run("action", "list", "--format", "json").stdout == "[]\n"
