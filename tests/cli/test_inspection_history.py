"""inspection history: every inspection side by side by area, SIF and ILACS aligned, and
the recurring concerns; and the board report's chart of it."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import Invoke

SIF_2015 = (
    "inspection", "add", "--type", "sif", "--start", "2015-01-12", "--end", "2015-02-04",
    "--grade", "help_and_protection=RI", "--grade", "children_looked_after_and_permanence=RI",
    "--grade", "adoption_performance=good", "--grade", "care_leavers=RI",
    "--grade", "leadership_management_governance=RI", "--grade", "lscb=RI",
    "--grade", "overall_effectiveness=RI",
)  # fmt: skip
ILACS_2018 = (
    "inspection", "add", "--type", "standard", "--start", "2018-06-25", "--end", "2018-07-06",
    "--grade", "impact_of_leaders=good", "--grade", "help_and_protection=good",
    "--grade", "children_in_care_and_care_leavers=good", "--grade", "overall_effectiveness=good",
)  # fmt: skip
ILACS_2023 = (
    "inspection", "add", "--type", "standard", "--start", "2023-11-27", "--end", "2023-12-08",
    "--grade", "impact_of_leaders=RI", "--grade", "help_and_protection=RI",
    "--grade", "children_in_care=RI", "--grade", "care_leavers=inadequate",
    "--grade", "overall_effectiveness=inadequate",
)  # fmt: skip
RECS = (
    ("R1", "2", "Consistency of management oversight, including recording of supervision."),
    ("R2", "2", "The quality of information provided to care leavers about their rights."),
    ("R3", "2", "The use of chronologies."),
    ("R4", "3", "The quality of supervision, so that social workers are supported."),
    ("R5", "3", "The quality of support and guidance for care leavers."),
    ("R6", "3", "Social work support for disabled children."),
)


def _history(plan_run: Invoke) -> Invoke:
    for args in (SIF_2015, ILACS_2018, ILACS_2023):
        assert plan_run(*args).exit_code == 0
    for ref, inspection, text in RECS:
        assert plan_run("rec", "add", ref, text, "--inspection", inspection).exit_code == 0
    return plan_run


def test_json_aligns_the_frameworks_and_names_the_echoes(plan_run: Invoke) -> None:
    result = _history(plan_run)("inspection", "history", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["inspections", "areas", "recurring"]
    assert data["inspections"][0] == {
        "id": 1, "type": "sif", "start": "2015-01-12", "end": "2015-02-04",
        "label": "2015 sif", "overall": "requires_improvement",
    }  # fmt: skip
    ri, good, inad = "requires_improvement", "good", "inadequate"
    assert data["areas"] == [
        {"area": "help_and_protection", "label": "Help and protection", "grades": [ri, good, ri]},
        {"area": "children_in_care", "label": "Children in care", "grades": [ri, good, ri]},
        {"area": "care_leavers", "label": "Care leavers", "grades": [ri, good, inad]},
        {"area": "leadership", "label": "Leadership", "grades": [ri, good, ri]},
        {"area": "overall_effectiveness", "label": "Overall effectiveness",
         "grades": [ri, good, inad]},
        {"area": "adoption_performance", "label": "Adoption performance",
         "grades": [good, None, None]},
        {"area": "lscb", "label": "LSCB", "grades": [ri, None, None]},
    ]  # fmt: skip
    pairs = [(c["current"]["ref"], c["earlier"]["ref"]) for c in data["recurring"]]
    assert pairs == [("R4", "R1"), ("R5", "R2")]
    assert data["recurring"][0] == {
        "current": {"inspection_id": 3, "year": 2023, "ref": "R4", "text": RECS[3][2]},
        "earlier": {"inspection_id": 2, "year": 2018, "ref": "R1", "text": RECS[0][2]},
        "score": data["recurring"][0]["score"],
    }
    assert data["recurring"][0]["score"] >= 45


def test_csv_is_the_grid_by_stored_keys(plan_run: Invoke) -> None:
    result = _history(plan_run)("inspection", "history", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "area,2015 sif,2018 standard,2023 standard",
        "help_and_protection,requires_improvement,good,requires_improvement",
        "children_in_care,requires_improvement,good,requires_improvement",
        "care_leavers,requires_improvement,good,inadequate",
        "leadership,requires_improvement,good,requires_improvement",
        "overall_effectiveness,requires_improvement,good,inadequate",
        "adoption_performance,good,,",
        "lscb,requires_improvement,,",
    ]


def test_table_shows_grades_in_words_then_the_recurring_concerns(plan_run: Invoke) -> None:
    result = _history(plan_run)("inspection", "history")
    assert result.exit_code == 0, result.output
    assert result.stdout == TABLE
    assert result.stderr == ""


def test_no_inspections_says_how_to_add_one(plan_run: Invoke) -> None:
    result = plan_run("inspection", "history")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (
        "No inspections yet — add one with improveplan inspection add or import-report.\n"
    )
    data = json.loads(plan_run("inspection", "history", "--format", "json").stdout)
    assert data["inspections"] == [] and data["recurring"] == []


def test_one_inspection_has_no_recurring_concerns(plan_run: Invoke) -> None:
    plan_run(*ILACS_2023)
    plan_run("rec", "add", "R1", RECS[3][2], "--inspection", "1")
    result = plan_run("inspection", "history")
    assert result.exit_code == 0
    assert "2023 standard" in result.stdout
    assert result.stderr == (
        "No recurring concerns: no recommendation of the latest inspection echoes an"
        " earlier one's.\n"
    )


def _report(run: Invoke, fmt: str) -> Any:
    result = run("report", "--format", fmt, "--as-of", "2024-03-01")
    assert result.exit_code == 0, result.output
    return result.stdout


def test_board_report_draws_the_history_with_two_judged_inspections(plan_run: Invoke) -> None:
    html = _report(_history(plan_run), "html")
    assert '<section id="history">' in html
    assert 'aria-label="Judgements by area over the inspections"' in html
    assert "R4 (2023) echoes R1 (2018); R5 (2023) echoes R2 (2018)." in html
    md = _report(plan_run, "md")
    assert "| Area | 2015 sif | 2018 standard | 2023 standard |" in md
    assert "| Care leavers | requires improvement | good | inadequate |" in md


def test_board_report_has_no_history_with_one_judged_inspection(plan_run: Invoke) -> None:
    plan_run(*ILACS_2023)
    plan_run("inspection", "add", "--type", "monitoring_visit", "--start", "2024-02-06",
             "--end", "2024-02-07")  # fmt: skip
    assert 'id="history"' not in _report(plan_run, "html")
    assert "Inspection history" not in _report(plan_run, "md")


TABLE = (
    "Judgements by area                                                                     \n"
    "┏━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━┓\n"
    "┃ Area                  ┃ 2015 sif             ┃ 2018 standard ┃ 2023 standard        ┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━┩\n"
    "│ Help and protection   │ requires improvement │ good          │ requires improvement │\n"
    "│ Children in care      │ requires improvement │ good          │ requires improvement │\n"
    "│ Care leavers          │ requires improvement │ good          │ inadequate           │\n"
    "│ Leadership            │ requires improvement │ good          │ requires improvement │\n"
    "│ Overall effectiveness │ requires improvement │ good          │ inadequate           │\n"
    "│ Adoption performance  │ good                 │ —             │ —                    │\n"
    "│ LSCB                  │ requires improvement │ —             │ —                    │\n"
    "└───────────────────────┴──────────────────────┴───────────────┴──────────────────────┘\n"
    "Recurring concerns                                                                                                      \n"
    "┏━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━┓\n"
    "┃ Now       ┃ Recommendation                            ┃ Echoes    ┃ Earlier recommendation                   ┃ Score ┃\n"
    "┡━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━┩\n"
    "│ R4 (2023) │ The quality of supervision, so that       │ R1 (2018) │ Consistency of management oversight,     │   100 │\n"
    "│           │ social workers are supported.             │           │ including recording of supervision.      │       │\n"
    "│ R5 (2023) │ The quality of support and guidance for   │ R2 (2018) │ The quality of information provided to   │    69 │\n"
    "│           │ care leavers.                             │           │ care leavers about their rights.         │       │\n"
    "└───────────┴───────────────────────────────────────────┴───────────┴──────────────────────────────────────────┴───────┘\n"
)
