"""The report and the tracker meet: a report imported twice, --replace, recommendations a
tracker left with their ref only filled in by number, in both orders.

Generated reports (`tests/pdfs.py`) run in any clone; Peterborough's published report runs
too where ../shared is beside the clone.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from improveplan.services.tracker_import import REC_TEXT
from tests.cli.test_import import write
from tests.conftest import REPORTS, Invoke, needs_reports, sql
from tests.pdfs import PETERBOROUGH
from tests.pdfs import write_report as write_generated

TODAY = {"IMPROVEPLAN_TODAY": "2024-06-01"}
TABLES = ("inspection", "judgement", "recommendation", "action_recommendation", "audit_event")
TRACKER = (
    "Ref,Action,Owner,Due,Recommendation,Theme\n"
    "1,Audit care leaver plans,Tom Okafor,30/9/24,R1,Care leavers\n"
    '2,Recruit to the duty team,Priya Natarajan,30/9/24,"R1, R2",Care leavers\n'
    '3,Assessment training,Priya Natarajan,30/9/24,"R2, Rec 3",Practice\n'
)


@pytest.fixture(params=["generated", pytest.param("published", marks=needs_reports)])
def report(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "published":
        return REPORTS / "peterborough-2024-01-30.pdf"
    return write_generated(tmp_path / "peterborough-2024-01-30.pdf", PETERBOROUGH)


def counts(url: str) -> dict[str, int]:
    return {t: sql(url, f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}


def recs(run: Invoke) -> list[tuple[str, str, str | None, int | None]]:
    listed = json.loads(run("rec", "list", "--format", "json").stdout)
    return [(r["ref"], r["text"], r["theme"], r["inspection"]) for r in listed]


def links(run: Invoke) -> dict[str, list[str]]:
    found = json.loads(run("action", "list", "--format", "json", env=TODAY).stdout)
    return {a["ref"]: a["recommendations"] for a in found}


def imported(run: Invoke, path: Path, *args: str) -> dict[str, Any]:
    result = run("inspection", "import-report", str(path), *args, "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_a_report_already_in_the_plan_is_refused(
    plan_run: Invoke, db_url: str, report: Path
) -> None:
    """Before: importing the same report twice silently made a second inspection."""
    imported(plan_run, report, "--received", "2024-01-30")
    before = counts(db_url)
    refused = (
        "Error: this report is already in the plan as inspection 1 (standard, 2023-11-27 to"
        " 2023-12-08) — to read it again keeping its actions, add --replace (try --dry-run"
        " first)\n"
    )
    for dry in ((), ("--dry-run",)):
        again = plan_run("inspection", "import-report", str(report), *dry)
        assert (again.exit_code, again.stdout, again.stderr) == (1, "", refused)
    assert counts(db_url) == before


def test_replace_needs_the_report_in_the_plan(plan_run: Invoke, db_url: str, report: Path) -> None:
    result = plan_run("inspection", "import-report", str(report), "--replace")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        'Error: no inspection in plan "Peterborough" is this report (standard, 2023-11-27 to'
        " 2023-12-08) — import it without --replace\n"
    )
    assert counts(db_url)["inspection"] == 0


def test_replace_re_reads_the_report_and_keeps_the_actions(
    plan_run: Invoke, db_url: str, tmp_path: Path
) -> None:
    first = imported(plan_run, write_generated(tmp_path / "a.pdf", PETERBOROUGH),
                     "--received", "2024-01-30")  # fmt: skip
    tracker = write(tmp_path, "t.csv", TRACKER)
    assert plan_run("import", str(tracker), env=TODAY).exit_code == 0
    before = links(plan_run)
    texts = list(PETERBOROUGH.recommendations)
    texts[2] = "The consistency and quality of social work assessments."
    corrected = dataclasses.replace(
        PETERBOROUGH,
        lead_inspector="Jane Doe",
        judgements={**PETERBOROUGH.judgements, "care_leavers": "requires_improvement"},
        recommendations=(*texts, "Help for young carers."),
    )
    path = write_generated(tmp_path / "b.pdf", corrected)
    trail = counts(db_url)["audit_event"]
    dry = plan_run("inspection", "import-report", str(path), "--replace", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.stderr == (
        "Dry run: nothing written. Re-reading inspection 1 would change lead inspector, the"
        " care leavers judgement, R1's theme, R3's text, R3's theme; would add R9; would keep"
        " 3 actions and their links.\n"
    )
    assert counts(db_url)["audit_event"] == trail
    done = plan_run("inspection", "import-report", str(path), "--replace", "--format", "json")
    assert done.exit_code == 0, done.output
    assert done.stderr == (
        "Re-read inspection 1: changed lead inspector, the care leavers judgement, R1's theme,"
        " R3's text, R3's theme; added R9; kept 3 actions and their links.\n"
    )
    data = json.loads(done.stdout)
    assert data == {
        **first, "lead_inspector": "Jane Doe",
        "judgements": {**first["judgements"], "care_leavers": "requires_improvement"},
        "recommendations": [
            {"ref": f"R{n}", "text": t, "priority": False}
            for n, t in enumerate([*texts, "Help for young carers."], 1)
        ],
    }  # fmt: skip
    assert links(plan_run) == before and counts(db_url)["inspection"] == 1
    # A recommendation without a theme takes the one its actions share (R2's have two).
    assert [r[2] for r in recs(plan_run)][:3] == ["Care leavers", None, "Practice"]
    events = sql(
        db_url,
        "SELECT entity, field, old_value, new_value FROM audit_event WHERE id > :n"
        " AND entity IN ('inspection', 'judgement') ORDER BY id",
        n=trail,
    )
    assert [tuple(e) for e in events] == [
        ("inspection", "lead_inspector", "Russel Breyer", "Jane Doe"),
        ("judgement", "grade", "inadequate", "requires_improvement"),
    ]
    again = plan_run("inspection", "import-report", str(path), "--replace")
    assert again.stderr.endswith(
        "Re-read inspection 1: changed nothing; kept 3 actions and their links.\n"
    )


def test_tracker_then_report_fills_the_ref_only_recommendations(
    plan_run: Invoke, db_url: str, report: Path, tmp_path: Path
) -> None:
    """Before: R1–R3 stayed "text not yet recorded" holding every action, and the report's
    items became R9–R16 beside them."""
    assert plan_run("import", str(write(tmp_path, "t.csv", TRACKER)), env=TODAY).exit_code == 0
    before = links(plan_run)
    dry = plan_run("inspection", "import-report", str(report), "--dry-run", "--format", "json")
    assert dry.exit_code == 0, dry.output
    assert dry.stderr == (
        "Dry run: nothing written. Found 5 judgements, 8 recommendations: would fill in R1–R3"
        " (recorded by ref only until now), would add R4–R8.\n"
    )
    texts = [r["text"] for r in json.loads(dry.stdout)["recommendations"]]
    assert [r["ref"] for r in json.loads(dry.stdout)["recommendations"]] == [
        f"R{n}" for n in range(1, 9)
    ]
    done = plan_run("inspection", "import-report", str(report), "--received", "2024-01-30")
    assert done.exit_code == 0, done.output
    assert done.stderr == (
        "Imported inspection 1: 5 judgements, 8 recommendations: filled in R1–R3 (recorded by"
        " ref only until now), added R4–R8.\n"
    )
    themes = ["Care leavers", None, "Practice", None, None, None, None, None]  # R2: two
    assert recs(plan_run) == [
        (f"R{n}", text, theme, 1)
        for n, (text, theme) in enumerate(zip(texts, themes, strict=True), 1)
    ]
    assert links(plan_run) == before
    events = sql(
        db_url,
        "SELECT e.field, e.old_value, e.new_value FROM audit_event e JOIN recommendation r"
        " ON r.id = e.entity_id WHERE e.entity = 'recommendation' AND r.ref = 'R1'"
        " ORDER BY e.id",
    )
    assert [tuple(e) for e in events] == [
        ("ref", None, "R1"), ("text", None, REC_TEXT), ("text", REC_TEXT, texts[0]),
        ("inspection_id", None, "1"), ("theme_id", None, "1"),
    ]  # fmt: skip


def test_report_then_tracker_links_to_the_reports_recommendations(
    plan_run: Invoke, report: Path, tmp_path: Path
) -> None:
    data = imported(plan_run, report, "--received", "2024-01-30")
    result = plan_run("import", str(write(tmp_path, "t.csv", TRACKER)), env=TODAY)
    assert result.exit_code == 0, result.output
    assert "recommendations" not in result.stderr
    assert links(plan_run) == {"1": ["R1"], "2": ["R1", "R2"], "3": ["R2", "R3"]}
    assert [(ref, text) for ref, text, _, _ in recs(plan_run)] == [
        (r["ref"], r["text"]) for r in data["recommendations"]
    ]


def test_ref_only_recommendations_the_report_does_not_reach_are_named(
    plan_run: Invoke, tmp_path: Path
) -> None:
    tracker = write(
        tmp_path,
        "t.csv",
        "Action,Owner,Due,Rec\nA,Tom Okafor,30/9/24,R2\nB,Tom Okafor,30/9/24,R10\n",
    )
    assert plan_run("import", str(tracker), env=TODAY).exit_code == 0
    path = write_generated(tmp_path / "r.pdf", PETERBOROUGH)
    done = plan_run("inspection", "import-report", str(path))
    assert done.exit_code == 0, done.output
    assert done.stderr == (
        "Imported inspection 1: 5 judgements, 8 recommendations: filled in R2 (recorded by ref"
        " only until now), added R1, R3–R8.\n"
        "Warning: R10 still has no text (the report has 8 recommendations) — give it with"
        " improveplan rec update REF --text\n"
    )
    assert [r[0] for r in recs(plan_run)] == [f"R{n}" for n in range(1, 9)] + ["R10"]


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (("inspection", "add", "--type", "standard", "--start", "2023-11-27", "--end",
          "2023-12-08", "--received", "2023-12-01"),
         "the report was received (2023-12-01) before fieldwork ended (2023-12-08) — check"
         " --received and the fieldwork dates"),
        (("inspection", "add", "--type", "standard", "--start", "2023-11-27", "--end",
          "2023-12-08", "--published", "2023-11-30"),
         "the report was published (2023-11-30) before fieldwork ended (2023-12-08) — check"
         " --published and the fieldwork dates"),
        (("inspection", "import-report", "REPORT", "--received", "2023-12-07"),
         "the report was received (2023-12-07) before fieldwork ended (2023-12-08) — check"
         " --received and the fieldwork dates"),
    ],
    ids=["add-received", "add-published", "import-received"],
)  # fmt: skip
def test_a_report_before_fieldwork_ended_is_an_error(
    plan_run: Invoke, db_url: str, tmp_path: Path, command: tuple[str, ...], message: str
) -> None:
    path = write_generated(tmp_path / "r.pdf", PETERBOROUGH)
    before = counts(db_url)
    result = plan_run(*(str(path) if arg == "REPORT" else arg for arg in command))
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: {message}\n")
    assert counts(db_url) == before
