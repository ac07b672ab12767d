"""Names as people type them: milestones and measures found in any case and spacing
(beyond ASCII, which SQLite's lower() cannot fold), and refused as duplicates so."""

from __future__ import annotations

import json

from tests.cli.test_actions import TODAY, add, add_milestone
from tests.conftest import Invoke, sql


def test_milestones_are_found_folded(plan_run: Invoke, db_url: str) -> None:
    add_milestone(db_url, "Écrit  review", "2025-06-30")
    add(plan_run, "Audit", "--due", "2025-04-01", "--milestone", "ÉCRIT REVIEW")
    assert sql(db_url, "SELECT m.name FROM action a JOIN milestone m ON m.id = a.milestone_id") == [
        ("Écrit  review",)
    ]
    done = plan_run("milestone", "done", "écrit review", "--date", "2025-03-01", env=TODAY)
    assert done.exit_code == 0, done.output


def test_measures_are_found_and_refused_folded(plan_run: Invoke) -> None:
    added = plan_run("measure", "add", "Évaluations on time", "--unit", "%", "--baseline",
                     "60", "--target", "90")  # fmt: skip
    assert added.exit_code == 0, added.output
    dup = plan_run("measure", "add", "ÉVALUATIONS  ON TIME", "--unit", "%", "--baseline",
                   "60", "--target", "90")  # fmt: skip
    assert (dup.exit_code, dup.stderr) == (
        1,
        'Error: a measure named "Évaluations on time" already exists — choose another name\n',
    )
    recorded = plan_run("measure", "record", "évaluations   on time", "70", "--date",
                        "2025-03-01")  # fmt: skip
    assert recorded.exit_code == 0, recorded.output
    listed = json.loads(plan_run("measure", "list", "--format", "json", env=TODAY).stdout)
    assert [(m["name"], m["latest"]) for m in listed] == [("Évaluations on time", 70.0)]


def test_an_owner_typed_with_two_spaces_is_the_same_person(plan_run: Invoke, db_url: str) -> None:
    add(plan_run, "Audit", "--due", "2025-04-01", owner="priya  NATARAJAN")
    assert sql(db_url, "SELECT count(*) FROM person") == [(2,)]
    assert sql(db_url, "SELECT p.name FROM action a JOIN person p ON p.id = a.owner_id") == [
        ("Priya Natarajan",)
    ]
