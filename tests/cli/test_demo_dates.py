"""The demo lives through its dates: every change, note and audit event on its story day,
the nightly counts weekly, `status --since` and the board report's recent notes, on
SQLite and PostgreSQL (`init --demo` into the backend's database)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import Invoke, sql

AS_OF = "2025-03-31"
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def demo(run: Invoke) -> Invoke:
    built = run("init", "--demo")
    assert built.exit_code == 0, built.output
    return run


def _json(run: Invoke, *args: str) -> Any:
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _utc(value: object) -> dt.datetime:
    """A stored timestamp: aware on PostgreSQL, naive UTC text on SQLite."""
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def test_an_actions_history_is_dated_on_its_story_days(demo: Invoke) -> None:
    history = _json(demo, "action", "history", "3")
    assert history[0]["what"] == "ref" and history[10]["what"] == "status"
    created = {e["when"] for e in history[:10]}  # its fields from nothing, one moment
    assert created == {"2024-02-05T09:00:45+00:00"}  # added with the first actions
    changes = [(e["when"][:10], e["who"], e["what"], e["from"], e["to"]) for e in history
               if e["from"] is not None or e["what"] in ("note", "reason")]  # fmt: skip
    assert changes == [
        ("2024-02-05", "Sarah Whitfield", "status", "not_started", "in_progress"),
        ("2024-02-05", "Sarah Whitfield", "note", None, "Weekly accommodation panel set up "
         "with Housing Needs; 11 young people in unsuitable accommodation."),
        ("2024-11-04", "Sarah Whitfield", "note", None, "Down to 4 young people in unsuitable "
         "accommodation; no 18-21s placed in B&B since August."),
        ("2024-12-16", "Sarah Whitfield", "due", "2024-12-31", "2025-03-14"),
        ("2024-12-16", "Sarah Whitfield", "reason", None,
         "Supported lodgings provider delayed opening until February 2025"),
        ("2025-03-10", "Sarah Whitfield", "note", None,
         "Provider open; 2 young people still waiting for a supported lodgings match."),
    ]  # fmt: skip


def test_a_sign_off_is_on_its_board_day_by_the_director(demo: Invoke) -> None:
    history = _json(demo, "action", "history", "1")
    moves = [(e["when"][:10], e["who"], e["to"]) for e in history if e["what"] == "status"]
    assert moves == [
        ("2024-02-05", "Sarah Whitfield", "not_started"),
        ("2024-02-12", "Sarah Whitfield", "in_progress"),
        ("2024-06-25", "Sarah Whitfield", "complete"),
        ("2024-07-16", "Helen Marsh", "signed_off"),
    ]


def test_the_audit_trail_runs_through_the_story_in_order_and_verifies(
    demo: Invoke, db_url: str
) -> None:
    stamps = [_utc(at) for (at,) in sql(db_url, "SELECT at FROM audit_event ORDER BY id")]
    assert stamps == sorted(stamps)  # the trail reads in time order
    assert stamps[0] == dt.datetime(2023, 8, 21, 9, 0, 2, tzinfo=LONDON)  # the plan, first
    assert stamps[-1].astimezone(LONDON).date() == dt.date(2025, 3, 31)
    assert {s.astimezone(LONDON).hour for s in stamps} == {9}  # each story day from 09:00
    verified = demo("db", "verify")
    assert verified.exit_code == 0, verified.output
    assert re.fullmatch(r"ok  audit trail: [\d,]+ events in 2 chains verify\n", verified.stdout)


def test_notes_and_measure_values_carry_their_dates(demo: Invoke, db_url: str) -> None:
    notes = sql(db_url, "SELECT created_at FROM progress_note ORDER BY created_at")
    days = [_utc(at).astimezone(LONDON).date() for (at,) in notes]
    assert (days[0], days[-1]) == (dt.date(2024, 2, 5), dt.date(2025, 3, 19))
    assert len(set(days)) == 29  # spread over the year, not one build moment
    values = sql(db_url, 'SELECT m.name, v.date FROM measure_value v JOIN measure m '
                         'ON m.id = v.measure_id ORDER BY v.date')  # fmt: skip
    name, first = values[0]
    assert (name, str(first)) == ("Children on child-protection plans", "2018-05-31")


def test_the_nightly_counts_are_recorded_weekly_and_the_report_draws_them(
    demo: Invoke, db_url: str
) -> None:
    rows = sql(db_url, "SELECT day, total, blue, overdue FROM daily_count ORDER BY day")
    days = [day if isinstance(day, dt.date) else dt.date.fromisoformat(day) for day, *_ in rows]
    assert days == [dt.date(2024, 2, 5) + dt.timedelta(weeks=k) for k in range(61)]
    assert [tuple(r[1:]) for r in (rows[0], rows[-1])] == [(8, 0, 0), (27, 9, 5)]
    report = demo("report", "--as-of", AS_OF)
    assert report.exit_code == 0, report.output
    trend = report.stdout.split('<section id="trend">', 1)[1].split("</section>", 1)[0]
    lines = re.findall(r'<polyline points="([^"]*)"', trend)
    assert [len(points.split()) for points in lines][:1] == [53]  # the year to 31 March


def test_status_since_lists_that_months_changes(demo: Invoke) -> None:
    status = _json(demo, "status", "--since", "2025-03-01", "--as-of", AS_OF)
    assert status["changes"] == {
        "since": "2025-03-01",
        "status_changes": 2,
        "new_actions": 0,
        "notes_added": 6,
        "due_dates_moved": 0,
        "recent": [
            {"at": "2025-03-14T09:00:01+00:00", "actor": "Mark Ellison", "ref": "21",
             "title": "Children missing education tracking dashboard", "field": "status",
             "old": "in_progress", "new": "blocked"},
            {"at": "2025-03-03T09:00:01+00:00", "actor": "Gareth Lloyd", "ref": "26",
             "title": "Open a two-bed children's home in Peterborough", "field": "status",
             "old": "in_progress", "new": "blocked"},
        ],
    }  # fmt: skip
    february = _json(demo, "status", "--since", "2025-02-01", "--as-of", "2025-02-28")
    assert (february["changes"]["status_changes"], february["changes"]["notes_added"]) == (1, 2)


def test_the_board_report_as_of_march_has_that_months_notes(demo: Invoke) -> None:
    report = demo("report", "--format", "md", "--as-of", AS_OF)
    assert report.exit_code == 0, report.output
    notes = report.stdout.split("## Progress notes — last 30 days\n\n", 1)[1].split("\n\n")[0]
    assert [re.sub(r" — .*\*\((.*)\)\*$", r" (\1)", n) for n in notes.splitlines()] == [
        "- **15** Chronologies in every assessment (case management system change)"
        " (Daniel Okoye, 2025-03-19)",
        "- **21** Children missing education tracking dashboard (Mark Ellison, 2025-03-14)",
        "- **14** Monthly thematic audit of assessments with moderation (Aisha Rahman, 2025-03-12)",
        "- **3** Move every care leaver out of B&amp;B and sofa surfing into suitable"
        " accommodation (Sarah Whitfield, 2025-03-10)",
        "- **8** Reduce agency social workers in safeguarding teams below 15%"
        " (Daniel Okoye, 2025-03-05)",
        "- **26** Open a two-bed children's home in Peterborough (Gareth Lloyd, 2025-03-03)",
    ]


def test_the_public_record_is_in_the_timeline_and_the_history(demo: Invoke) -> None:
    notice = _json(demo, "notice", "show")
    assert (notice["issued"][:7], notice["first_board"], notice["chair"]) == (
        "2023-08", "2023-11-07", "Sally Rowes",
    )  # fmt: skip
    rows = {m["name"]: m for m in _json(demo, "timeline", "--as-of", AS_OF, "--all")}
    visit = rows["Monitoring visit 1 (expected)"]
    assert (visit["date"], visit["done"], visit["status"]) == ("2024-07-30", "2024-07-31", "done")
    plan_due = rows["Action plan due"]  # the report received 30 January + 70 working days
    assert (plan_due["date"], plan_due["done"]) == ("2024-05-10", "2024-05-09")
    assert rows["Improvement board 1"]["date"] == "2023-11-07"
    history = _json(demo, "inspection", "history")
    assert [(i["label"], i["overall"]) for i in history["inspections"]] == [
        ("2015 sif", "requires_improvement"), ("2018 standard", "good"),
        ("2023 focused visit", None), ("2023 standard", "inadequate"),
        ("2024 monitoring visit", None),
    ]  # fmt: skip
    sif = _json(demo, "inspection", "show", "2")
    assert (sif["framework"], len(sif["recommendations"]), len(sif["lscb_recommendations"])) == (
        "sif", 19, 6,
    )  # fmt: skip
    # The closest echo in each earlier inspection: care leavers, assessments, supervision
    # and missing from care recur; home education is not "missing from home".
    assert [(c["current"]["ref"], c["earlier"]["ref"]) for c in history["recurring"]] == [
        ("R1", "2015-R18"), ("R1", "2018-R04"), ("R2", "2015-R18"), ("R2", "2018-R04"),
        ("R3", "2018-R02"), ("R3", "2015-R05"), ("R4", "2015-R06"),
        ("R6", "2018-R05"), ("R6", "2015-R04"), ("R8", "2018-R03"), ("R8", "2015-R09"),
    ]  # fmt: skip
