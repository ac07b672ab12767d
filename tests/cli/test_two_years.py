"""A plan lived through two years, every date injected: the report and the tracker in
either order, the notice and a board every six weeks, two monitoring visits, an owner who
leaves, a refreshed tracker and corrections. At the end the timeline raises no false
alarm, every reminder reaches a person, `db check` passes and every change is in the
history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Invoke, sql
from tests.mailserver import Collector
from tests.pdfs import PETERBOROUGH, write_report

TRACKER = (
    "Ref,Action,Responsible officer,Target date,Ofsted Rec,Workstream,RAG rating,Comments\n"
    "1,Personal adviser for every care leaver,Tom Okafor,31/7/24,R1,Care leavers,Green,"
    "Caseloads reviewed\n"
    "2,Recruit to the safeguarding teams,tom  okafor,30/9/24,R2,Workforce,Amber,\n"
    "3,Assessment practice standards,Sarah Whitfield,31/5/24,R3,Practice,Green,\n"
)
# After the first monitoring visit: action 1 done, 2 moved, a new action 6 for R4.
REFRESHED = (
    "Ref,Action,Responsible officer,Target date,Ofsted Rec,Workstream,Status,Comments\n"
    "1,Personal adviser for every care leaver,Tom Okafor,31/7/24,R1,Care leavers,Complete,"
    "Every care leaver has a named adviser\n"
    "2,Recruit to the safeguarding teams,Tom Okafor,31/12/24,R2,Workforce,In progress,"
    "Campaign extended to December\n"
    "3,Assessment practice standards,Sarah Whitfield,31/5/24,R3,Practice,In progress,\n"
    "6,Edge of care service for disabled children,Imran Qureshi,31/3/25,R4,Practice,"
    "Not started,\n"
)


class Life:
    """The plan's commands, each run on a given day (IMPROVEPLAN_TODAY)."""

    def __init__(self, run: Invoke, url: str, tmp_path: Path, port: int) -> None:
        self.run, self.url, self.tmp, self.day = run, url, tmp_path, "2024-02-01"
        self.smtp = {
            "IMPROVEPLAN_SMTP_HOST": "127.0.0.1",
            "IMPROVEPLAN_SMTP_PORT": str(port),
            "IMPROVEPLAN_SMTP_FROM": "improvement@peterborough.example",
        }

    def on(self, day: str) -> Life:
        self.day = day
        return self

    def __call__(self, *args: str, code: int = 0) -> Any:
        result = self.run(
            *args, user="Helen Marsh", env={"IMPROVEPLAN_TODAY": self.day} | self.smtp
        )
        assert result.exit_code == code, (args, result.output)
        return result

    def json(self, *args: str, code: int = 0) -> Any:
        return json.loads(self(*args, "--format", "json", code=code).stdout)

    def file(self, name: str, text: str) -> str:
        path = self.tmp / name
        path.write_text(text, encoding="utf-8")
        return str(path)


def set_up(life: Life, order: str) -> None:
    """February 2024: the plan, its lead and people; the report and the tracker."""
    life("plan", "add", "Peterborough", "--authority", "Peterborough City Council")
    life("person", "add", "Helen Marsh", "--email", "helen@example.org", "--role", "Director")
    life("person", "add", "Sarah Whitfield", "--email", "sarah@example.org")
    life("plan", "update", "peterborough", "--lead", "helen  marsh")
    report = str(write_report(life.tmp / "report.pdf", PETERBOROUGH))
    tracker = life.file("tracker.csv", TRACKER)
    reading = ("inspection", "import-report", report, "--received", "2024-01-30")
    if order == "tracker first":
        life("import", tracker)
        assert "would fill in R1–R3" in life(*reading, "--dry-run").stderr
        assert "filled in R1–R3" in life(*reading).stderr
    else:
        life(*reading)
        life("import", tracker)
    recs = life.json("rec", "list")
    assert [r["ref"] for r in recs] == [f"R{n}" for n in range(1, 9)]
    assert [r["text"] for r in recs] == list(PETERBOROUGH.recommendations)
    assert [r["actions"] for r in recs] == [1, 1, 1, 0, 0, 0, 0, 0]  # the tracker's links kept
    life(*reading, code=1)  # the same report again is refused
    # The tracker made Tom, with no email: he can be given one.
    life("person", "update", "Tom Okafor", "--email", "tom@example.org")


def first_year(life: Life) -> None:
    life.on("2024-03-20")
    life("notice", "set", "--issued", "2024-03-15", "--board-every-weeks", "6",
         "--first-board", "2024-04-10")  # fmt: skip
    life("theme", "update", "Care leavers", "--lead", "Sarah Whitfield")
    life("theme", "update", "workforce", "--lead", "Tom Okafor")  # Tom leads his own theme
    life("inspection", "update", "1", "--published", "2024-03-08")
    life("milestone", "done", "Report published locally", "--date", "2024-03-08")
    life.on("2024-05-01")
    life("action", "add", "Write the improvement plan", "--owner", "Helen Marsh",
         "--due", "2024-05-03", "--milestone", "Action plan due")  # fmt: skip
    life("action", "add", "Write the improvement plan", "--owner", "Helen Marsh",
         "--due", "2024-05-03")  # fmt: skip
    life("action", "remove", "5", "--reason", "entered twice; see action 4")
    life("action", "done", "4")
    life("milestone", "done", "Action plan due", "--date", "2024-05-03")
    life.on("2024-07-01")
    life("milestone", "missed", "Improvement board 3", "--reason", "Chair ill; papers to board 4")
    life.on("2024-09-11")
    life("inspection", "add", "--type", "monitoring_visit", "--start", "2024-09-10",
         "--end", "2024-09-11")  # fmt: skip


def refresh_and_correct(life: Life) -> None:
    life.on("2024-10-01")
    refreshed = life.file("tracker-october.csv", REFRESHED)
    dry = life("import", refreshed, "--update", "--dry-run")
    assert "Would update 3 actions: 1 (status, progress note)" in dry.stderr
    life("import", refreshed, "--update")
    life("person", "update", "Imran Qureshi", "--email", "imran@example.org")
    life("theme", "update", "Practice", "--name", "Practice quality")
    life("rec", "update", "R4", "--theme", "Practice quality")
    life("action", "update", "6", "--add-rec", "R5")
    life.on("2025-01-15")
    life("person", "remove", "Tom Okafor", "--reassign-to", "Imran Qureshi")
    life.on("2025-03-05")
    life("inspection", "add", "--type", "monitoring_visit", "--start", "2025-03-04",
         "--end", "2025-03-05")  # fmt: skip
    life.on("2025-06-30")
    life("action", "signoff", "1")
    life("action", "done", "2")


def timeline_is_true(life: Life) -> None:
    rows = life.json("timeline", "--all")
    assert [r["name"] for r in rows if r["status"] == "overdue"] == []
    past = [r for r in rows if r["date"] < life.day]
    meetings = {r["name"]: r["status"] for r in past if r["kind"] in ("board", "dfe_review")}
    assert meetings.pop("Improvement board 3") == "missed"
    assert set(meetings.values()) == {"held"}
    visits = [(r["date"], r["status"], r["done"]) for r in rows if r["kind"] == "monitoring_visit"]
    held = [v for v in visits if v[1] == "done"]  # the nearest expected ones, on their dates
    assert held == [("2024-09-10", "done", "2024-09-11"), ("2025-03-04", "done", "2025-03-05")]
    assert {status for date, status, done in visits if (date, status, done) not in held} == {
        "expected"
    }


def reminders_reach_people(life: Life, handler: Collector) -> None:
    result = life("check", "--notify", code=3)  # actions 3 and 6 are overdue
    assert "Not reached" not in result.output
    data = life.json("check", "--notify", code=3)
    assert (data["not_reached"], data["counts_recorded"]) == ([], True)
    assert {n["status"] for n in data["notified"]} == {"already sent"}
    people = {"helen@example.org", "sarah@example.org", "imran@example.org"}
    sent = {to for rcpt, _ in handler.messages() for to in rcpt}
    assert sent == people  # Sarah and Imran own overdue work; Helen takes the escalations
    assert sql_one(life, "SELECT count(*) FROM notification WHERE recipient LIKE '%tom%'") == 0


def sql_one(life: Life, query: str) -> Any:
    return sql(life.url, query)[0][0]


def history_holds_every_change(life: Life, url: str) -> None:
    owners = [e for e in life.json("action", "history", "2") if e["what"] == "owner"]
    assert [(e["from"], e["to"]) for e in owners][-1] == ("Tom Okafor", "Imran Qureshi")
    statuses = [(e["from"], e["to"]) for e in life.json("action", "history", "1")
                if e["what"] == "status"]  # fmt: skip
    # Created by the tracker, completed by its refresh, signed off by the board.
    assert statuses == [
        (None, "not_started"),
        ("not_started", "complete"),
        ("complete", "signed_off"),
    ]
    removed = [(e["what"], e["from"], e["to"]) for e in life.json("action", "history", "5")]
    assert ("title", "Write the improvement plan", None) in removed
    assert removed[-1] == ("reason", None, "entered twice; see action 4")
    audited = {
        (entity, field)
        for entity, field in sql(url, "SELECT DISTINCT entity, field FROM audit_event")
    }
    for change in [
        ("plan", "lead"), ("person", "email"), ("theme", "name"), ("theme", "lead"),
        ("recommendation", "text"), ("recommendation", "theme"), ("milestone", "missed_reason"),
        ("milestone", "done"), ("inspection", "published"), ("action", "owner"),
    ]:  # fmt: skip
        assert change in audited, change


@pytest.mark.parametrize("order", ["tracker first", "report first"])
def test_a_plan_lived_for_two_years(
    run: Invoke, db_url: str, tmp_path: Path, smtp: tuple[Collector, int], order: str
) -> None:
    handler, port = smtp
    life = Life(run, db_url, tmp_path, port)
    set_up(life, order)
    first_year(life)
    refresh_and_correct(life)
    life.on("2026-01-31")
    timeline_is_true(life)
    reminders_reach_people(life, handler)
    assert life("db", "check").exit_code == 0
    history_holds_every_change(life, db_url)
