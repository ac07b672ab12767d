"""`status`: RAG totals, groups, next milestone, measures and what changed since a date.

The plan is seeded through the store models so each action's status, dates and audit
times are exactly what the assertions need (as of 2025-03-31).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlmodel import Session, select

from improveplan.services import audit
from improveplan.store.engine import make_engine, to_url
from improveplan.store.models import (
    Action,
    DailyCount,
    Milestone,
    Person,
    Plan,
    ProgressNote,
    Theme,
)
from tests.conftest import Invoke

AS_OF = "2025-03-31"
TODAY = {"IMPROVEPLAN_TODAY": AS_OF}
SCRIPT_TITLE = "<script>document.title='pwned'</script>"


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=dt.UTC)


def d(day: str) -> dt.date:
    return dt.date.fromisoformat(day)


ACTIONS: list[dict[str, Any]] = [
    {"ref": "1", "title": "Audit of strategy meetings", "owner": "Priya Natarajan",
     "theme": "Help and protection", "status": "in_progress", "due": "2025-02-28"},
    {"ref": "2", "title": "Recruit permanent social workers", "owner": "Tom Okafor",
     "theme": "Children in care", "status": "not_started", "due": "2025-04-05"},
    {"ref": "3", "title": "Refresh the care leavers offer", "owner": "Tom Okafor",
     "theme": "Children in care", "status": "signed_off", "due": "2025-01-31"},
    {"ref": "4", "title": "Supervision policy", "owner": "Priya Natarajan",
     "theme": "Help and protection", "status": "complete", "due": "2025-03-15"},
    {"ref": "5", "title": "Return home interviews", "owner": "Priya Natarajan",
     "theme": "Help and protection", "status": "in_progress", "due": "2025-06-30",
     "original_due": "2025-04-30"},
    {"ref": "6", "title": "Dropped idea", "owner": "Tom Okafor", "theme": None,
     "status": "cancelled", "due": "2025-02-01"},
    {"ref": "7", "title": SCRIPT_TITLE, "owner": "Tom Okafor", "theme": None,
     "status": "blocked", "due": "2025-03-20", "created": "2025-03-12"},
]  # fmt: skip


def seed(url: str) -> None:
    """Peterborough (from plan_run) gets themes, 7 actions, milestones, notes, trail, counts."""
    engine = make_engine(to_url(url))
    with Session(engine) as s:
        plan = s.exec(select(Plan)).one()
        assert plan.id is not None
        people = {p.name: p.id for p in s.exec(select(Person)).all()}
        themes = {}
        for name, lead in (
            ("Help and protection", "Priya Natarajan"),
            ("Children in care", "Tom Okafor"),
        ):
            theme = Theme(plan_id=plan.id, name=name, lead_id=people[lead])
            s.add(theme)
            s.flush()
            assert theme.id is not None
            themes[name] = theme.id
        actions = {}
        for i, a in enumerate(ACTIONS, start=1):
            action = Action(
                plan_id=plan.id, seq=i, ref=a["ref"], title=a["title"],
                owner_id=people[a["owner"]], theme_id=themes.get(a["theme"]),
                status=a["status"], due=d(a["due"]),
                original_due=d(a.get("original_due", a["due"])),
                created_at=at(a.get("created", "2025-01-10")),
            )  # fmt: skip
            s.add(action)
            s.flush()
            assert action.id is not None
            actions[a["ref"]] = action.id
        for name, day, done, expected in (
            ("Action plan due", "2025-02-10", "2025-02-07", False),
            ("Improvement board 3", "2025-04-10", None, False),
            ("Monitoring visit 1", "2025-05-10", None, True),
            ("DfE review 1", "2025-06-15", None, False),
        ):
            s.add(Milestone(plan_id=plan.id, name=name, date=d(day), expected=expected,
                            done=d(done) if done else None, rule="test"))  # fmt: skip
        s.add(ProgressNote(action_id=actions["1"], author="Priya Natarajan",
                           created_at=at("2025-03-20"), text="Audit of 40 cases under way."))  # fmt: skip
        s.add(ProgressNote(action_id=actions["2"], author="Tom Okafor",
                           created_at=at("2025-01-05"), text="An old note."))  # fmt: skip
        trail = (
            ("4", "2025-02-15", {"status": ("not_started", "in_progress")}),
            ("4", "2025-03-10", {"status": ("in_progress", "complete")}),
            ("5", "2025-03-05", {"due": ("2025-04-30", "2025-06-30"),
                                 "reason": (None, "Recruitment of the team delayed")}),
            ("2", "2025-04-05", {"status": ("not_started", "in_progress")}),
        )  # fmt: skip
        for ref, day, changes in trail:
            audit.record(s, actor="Priya Natarajan", plan_id=plan.id, entity="action",
                         entity_id=actions[ref], changes=changes, at=at(day))  # fmt: skip
        for day, red, overdue in (("2025-03-29", 1, 1), ("2025-03-30", 2, 2), ("2025-03-31", 2, 2)):
            s.add(DailyCount(plan_id=plan.id, day=d(day), blue=1, green=1, amber=2, red=red,
                             total=6, overdue=overdue))  # fmt: skip
        s.commit()
    engine.dispose()


def status_json(run: Invoke, *args: str) -> dict[str, Any]:
    result = run("status", "--format", "json", *args, env=TODAY)
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_status_json_key_by_key(plan_run: Invoke, db_url: str) -> None:
    seed(db_url)
    data = status_json(plan_run)
    assert list(data)[:5] == ["as_of", "plan", "totals", "groups", "next_milestone"]
    assert data["as_of"] == AS_OF
    assert data["plan"] == "Peterborough"
    assert data["totals"] == {"blue": 1, "green": 1, "amber": 2, "red": 2, "total": 6}
    assert data["groups"] == [
        {"name": "Children in care", "blue": 1, "green": 0, "amber": 1, "red": 0, "total": 2,
         "complete": 1, "pct_complete": 50, "overdue": 0},
        {"name": "Help and protection", "blue": 0, "green": 1, "amber": 1, "red": 1, "total": 3,
         "complete": 1, "pct_complete": 33, "overdue": 1},
        {"name": "(no theme)", "blue": 0, "green": 0, "amber": 0, "red": 1, "total": 1,
         "complete": 0, "pct_complete": 0, "overdue": 1},
    ]  # fmt: skip
    assert data["next_milestone"] == {
        "name": "Improvement board 3", "date": "2025-04-10", "days": 10,
        "kind": "custom", "expected": False,
    }  # fmt: skip
    assert data["overdue"] == 2
    assert data["pct_complete"] == 33
    assert data["measures"] == []
    assert "changes" not in data


def test_status_as_of_moves_rag_and_milestone(plan_run: Invoke, db_url: str) -> None:
    seed(db_url)
    data = status_json(plan_run, "--as-of", "2025-04-11")
    # Action 2 (due 5 April) is now red too; the next milestone is the expected visit.
    assert data["totals"] == {"blue": 1, "green": 1, "amber": 1, "red": 3, "total": 6}
    assert data["next_milestone"]["name"] == "Monitoring visit 1"
    assert data["next_milestone"]["days"] == 29


def test_status_by_owner_and_recommendation(plan_run: Invoke, db_url: str) -> None:
    seed(db_url)
    by_owner = status_json(plan_run, "--by", "owner")["groups"]
    assert [(g["name"], g["total"], g["red"], g["overdue"]) for g in by_owner] == [
        ("Priya Natarajan", 3, 1, 1),
        ("Tom Okafor", 3, 1, 1),
    ]
    by_rec = status_json(plan_run, "--by", "recommendation")["groups"]
    assert [(g["name"], g["total"]) for g in by_rec] == [("(no recommendation)", 6)]


def test_status_since_counts_changes_from_the_audit_trail(plan_run: Invoke, db_url: str) -> None:
    seed(db_url)
    changes = status_json(plan_run, "--since", "2025-03-01")["changes"]
    assert {k: v for k, v in changes.items() if k != "recent"} == {
        "since": "2025-03-01",
        "status_changes": 1,
        "new_actions": 1,
        "notes_added": 1,
        "due_dates_moved": 1,
    }
    assert [(c["ref"], c["field"], c["old"], c["new"]) for c in changes["recent"]] == [
        ("4", "status", "in_progress", "complete"),
        ("5", "due", "2025-04-30", "2025-06-30"),
    ]
    wider = status_json(plan_run, "--since", "2025-02-01", "--as-of", "2025-04-30")["changes"]
    assert (wider["status_changes"], wider["due_dates_moved"]) == (3, 1)


def test_status_table(plan_run: Invoke, db_url: str) -> None:
    seed(db_url)
    plan_run("measure", "add", "Visits on time", "--unit", "%", "--baseline", "60",
             "--target", "90", env=TODAY)  # fmt: skip
    result = plan_run("status", "--since", "2025-03-01", env=TODAY)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Peterborough — status as of 2025-03-31"
    out = result.stdout
    assert "RAG totals" in out and "By theme" in out
    assert "│    1 │     1 │     2 │   2 │     6 │        33% │       2 │" in out
    assert (
        "│ Help and protection │    0 │     1 │     1 │   1 │     3 │        33% │       1 │" in out
    )
    assert "Next milestone: Improvement board 3 on 2025-04-10 — in 10 days." in out
    assert "Visits on time" in out and "no data" in out
    assert "Since 2025-03-01: 1 status change, 1 new action, 1 note added, 1 due date moved." in out
    assert "in progress → complete" in out


def test_status_with_no_actions_and_no_milestone(plan_run: Invoke) -> None:
    data = status_json(plan_run)
    assert data["totals"] == {"blue": 0, "green": 0, "amber": 0, "red": 0, "total": 0}
    assert data["groups"] == []
    assert data["next_milestone"] is None
    table = plan_run("status", env=TODAY)
    assert table.exit_code == 0
    assert "Next milestone: none ahead." in table.stdout
    assert "No actions yet." in table.stderr


def test_status_rejects_unknown_formats_and_bad_dates(plan_run: Invoke) -> None:
    unknown = plan_run("status", "--format", "xlsx")
    assert unknown.exit_code == 2
    assert "'table', 'json', 'csv'" in unknown.stderr
    bad = plan_run("status", "--since", "31/02/2025", env=TODAY)
    assert bad.exit_code == 2
    assert "Traceback" not in bad.stderr
