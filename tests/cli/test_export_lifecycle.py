"""The plan export carries what keeps a plan true: its lead, meetings missed and why,
actions removed by mistake, digest keys, a SIF report's LSCB recommendations; and files
written before them still import."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from tests.cli.test_actions import add_milestone
from tests.cli.test_export import TODAY, build_plan, ok
from tests.conftest import Invoke, sql

REMOVED_AT = dt.datetime(2024, 5, 2, 9, 30, tzinfo=dt.UTC)
LSCB = "Revise the threshold document.\nImplement a multi-agency neglect strategy."


def lived_in(run: Invoke, url: str) -> None:
    """build_plan's plan with a lead, a missed board, a removed action, a digest key."""
    build_plan(run, url)
    ok(run, "plan", "update", "Peterborough", "--lead", "Priya Natarajan")
    add_milestone(url, "Board 3", "2024-04-10")
    sql(url, "UPDATE milestone SET missed_reason = 'Not quorate' WHERE name = 'Board 3'")
    sql(url, "UPDATE notification SET digest_key = 'abc123'")
    sql(url, "UPDATE inspection SET lscb_recommendations = :texts", texts=LSCB)
    sql(
        url,
        "INSERT INTO removed_action (plan_id, ref, title, reason, actor, removed_at, action_id)"
        " VALUES ((SELECT id FROM plan), '7', 'Duplicate of 1', 'made by mistake', 'tester',"
        " :at, 9001)",
        at=REMOVED_AT,
    )
    _append_event(url, entity_id=9001, field="title", old_value="Duplicate of 1", at=REMOVED_AT)


def _append_event(url: str, **event: Any) -> None:
    """An audit event of the plan's, appended to its hash chain as the services do."""
    from sqlmodel import Session

    from improveplan.services import audit
    from improveplan.store.engine import make_engine, to_url

    row = {"plan_id": sql(url, "SELECT id FROM plan")[0][0], "actor": "tester"}
    row |= {"entity": "action", "new_value": None, **event}
    engine = make_engine(to_url(url))
    with Session(engine) as session:
        audit.append(session, [row])
        session.commit()
    engine.dispose()


def test_round_trip_carries_lead_missed_and_removed(
    plan_run: Invoke, db_url: str, run_fresh: Invoke, tmp_path: Path
) -> None:
    lived_in(plan_run, db_url)
    first = ok(plan_run, "export", "--format", "json")
    doc = json.loads(first)
    assert list(doc["plan"])[-1] == "lead" and doc["plan"]["lead"] == "Priya Natarajan"
    board = next(m for m in doc["milestones"] if m["name"] == "Board 3")
    assert board["missed_reason"] == "Not quorate"
    assert doc["notifications"][0]["digest_key"] == "abc123"
    assert [i["lscb_recommendations"] for i in doc["inspections"]] == [LSCB]
    assert list(doc)[-1] == "removed_actions"
    assert doc["removed_actions"] == [
        {"ref": "7", "title": "Duplicate of 1", "reason": "made by mistake", "actor": "tester",
         "removed_at": "2024-05-02T09:30:00+00:00"},
    ]  # fmt: skip
    assert [e["key"] for e in doc["audit"] if e["old_value"] == "Duplicate of 1"] == ["7"]
    path = tmp_path / "plan.json"
    path.write_text(first)
    assert run_fresh("init").exit_code == 0
    assert run_fresh("import", str(path), env=TODAY).exit_code == 0
    assert ok(run_fresh, "export", "--format", "json") == first
    shown = json.loads(ok(run_fresh, "plan", "show", "--format", "json"))
    assert shown["lead"] == "Priya Natarajan"


def test_removed_action_trail_gets_an_id_no_action_has(
    plan_run: Invoke, db_url: str, run_fresh: Invoke, fresh_db_url: str, tmp_path: Path
) -> None:
    lived_in(plan_run, db_url)
    path = tmp_path / "plan.json"
    path.write_text(ok(plan_run, "export", "--format", "json"))
    assert run_fresh("init").exit_code == 0
    assert run_fresh("import", str(path), env=TODAY).exit_code == 0
    ((action_id,),) = sql(fresh_db_url, "SELECT action_id FROM removed_action")
    assert action_id < 0
    assert sql(
        fresh_db_url,
        "SELECT entity_id FROM audit_event WHERE old_value = 'Duplicate of 1'",
    ) == [(action_id,)]


def test_an_export_written_before_these_fields_still_imports(
    plan_run: Invoke, db_url: str, run_fresh: Invoke, fresh_db_url: str, tmp_path: Path
) -> None:
    lived_in(plan_run, db_url)
    doc = json.loads(ok(plan_run, "export", "--format", "json"))
    del doc["plan"]["lead"], doc["removed_actions"]
    for milestone in doc["milestones"]:
        del milestone["missed_reason"]
    for sent in doc["notifications"]:
        del sent["digest_key"]
    for inspection in doc["inspections"]:
        del inspection["lscb_recommendations"]
    doc["audit"] = [e for e in doc["audit"] if e["key"] != "7"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc))
    assert run_fresh("init").exit_code == 0
    result = run_fresh("import", str(path), env=TODAY)
    assert result.exit_code == 0, result.output
    assert sql(fresh_db_url, "SELECT lead_id FROM plan") == [(None,)]
    assert sql(fresh_db_url, "SELECT count(*) FROM removed_action") == [(0,)]
    assert sql(fresh_db_url, "SELECT count(*) FROM milestone WHERE missed_reason IS NOT NULL") == [
        (0,)
    ]


def test_import_reuses_people_named_in_another_case_and_spacing(
    plan_run: Invoke, db_url: str, run_fresh: Invoke, fresh_db_url: str, tmp_path: Path
) -> None:
    lived_in(plan_run, db_url)
    path = tmp_path / "plan.json"
    path.write_text(ok(plan_run, "export", "--format", "json"))
    assert run_fresh("init").exit_code == 0
    assert run_fresh("person", "add", "PRIYA  natarajan").exit_code == 0
    result = run_fresh("import", str(path), env=TODAY)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == "Added people: Tom Okafor"
    assert sql(fresh_db_url, "SELECT p.name FROM plan JOIN person p ON p.id = plan.lead_id") == [
        ("PRIYA natarajan",)
    ]
    again = run_fresh("import", str(path), env=TODAY)
    assert again.exit_code == 1
    assert again.stderr.startswith('Error: a plan named "Peterborough" already exists in ')
