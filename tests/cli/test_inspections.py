"""inspection add, list and show: judgements, human grade spellings, JSON shape, audit."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text

from improveplan.store.engine import to_url
from tests.conftest import Invoke

PETERBOROUGH = (
    "inspection",
    "add",
    "--type",
    "standard",
    "--start",
    "2023-11-27",
    "--end",
    "2023-12-08",
    "--received",
    "2024-01-30",
    "--published",
    "2024-01-30",
    "--lead-inspector",
    "Russel Breyer",
    "--grade",
    "impact_of_leaders=Requires improvement to be good",
    "--grade",
    "help-and-protection=requires-improvement",
    "--grade",
    "children in care=RI",
    "--grade",
    "care_leavers=Inadequate",
    "--grade",
    "overall_effectiveness=inadequate",
)

EXPECTED = {
    "id": 1,
    "type": "standard",
    "start": "2023-11-27",
    "end": "2023-12-08",
    "received": "2024-01-30",
    "published": "2024-01-30",
    "lead_inspector": "Russel Breyer",
    "judgements": {
        "impact_of_leaders": "requires_improvement",
        "help_and_protection": "requires_improvement",
        "children_in_care": "requires_improvement",
        "care_leavers": "inadequate",
        "overall_effectiveness": "inadequate",
    },
    "recommendations": [],
    "framework": "ilacs",
    "lscb_recommendations": [],
}


def _scalar(url: str, sql: str) -> object:
    engine = create_engine(to_url(url))
    with engine.connect() as conn:
        value = conn.execute(text(sql)).scalar()
    engine.dispose()
    return value


def test_add_then_show_json_has_exactly_the_design_keys(plan_run: Invoke) -> None:
    added = plan_run(*PETERBOROUGH)
    assert added.exit_code == 0, added.output
    assert added.stderr == "Added inspection 1 (standard, 2023-11-27 to 2023-12-08).\n"
    shown = plan_run("inspection", "show", "1", "--format", "json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout) == EXPECTED
    assert list(json.loads(shown.stdout)) == list(EXPECTED)


def test_show_lists_linked_recommendations_in_order(plan_run: Invoke) -> None:
    plan_run(*PETERBOROUGH)
    for ref in ("R10", "R2", "R1"):
        assert plan_run("rec", "add", ref, f"Text {ref}", "--inspection", "1").exit_code == 0
    plan_run("rec", "add", "R3", "Not from this inspection")
    data = json.loads(plan_run("inspection", "show", "1", "--format", "json").stdout)
    assert data["recommendations"] == [
        {"ref": "R1", "text": "Text R1", "priority": False},
        {"ref": "R2", "text": "Text R2", "priority": False},
        {"ref": "R10", "text": "Text R10", "priority": False},
    ]


def test_show_table_names_grades_in_words(plan_run: Invoke) -> None:
    plan_run(*PETERBOROUGH)
    shown = plan_run("inspection", "show", "1")
    assert shown.exit_code == 0
    assert "Russel Breyer" in shown.stdout
    assert "Requires improvement to be good" in shown.stdout
    assert "Care leavers" in shown.stdout
    assert "No recommendations in this report." in shown.stderr


def test_list_formats(plan_run: Invoke) -> None:
    plan_run(*PETERBOROUGH)
    plan_run("inspection", "add", "--type", "monitoring_visit", "--start", "2024-07-30",
             "--end", "2024-07-31")  # fmt: skip
    data = json.loads(plan_run("inspection", "list", "--format", "json").stdout)
    assert [d["type"] for d in data] == ["standard", "monitoring_visit"]
    assert data[0] == EXPECTED
    csv_out = plan_run("inspection", "list", "--format", "csv").stdout
    assert csv_out.splitlines() == [
        "id,type,start,end,received,published,lead_inspector,overall,recs",
        "1,standard,2023-11-27,2023-12-08,2024-01-30,2024-01-30,Russel Breyer,inadequate,0",
        "2,monitoring_visit,2024-07-30,2024-07-31,,,,,0",
    ]
    assert "standard" in plan_run("inspection", "list").stdout


def test_empty_list_says_how_to_add(plan_run: Invoke) -> None:
    result = plan_run("inspection", "list")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "import-report" in result.stderr


def test_older_combined_judgement_is_accepted(plan_run: Invoke) -> None:
    result = plan_run(
        "inspection", "add", "--type", "standard", "--start", "2018-06-25", "--end", "2018-07-06",
        "--grade", "children_in_care_and_care_leavers=good", "--grade", "overall=good",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(plan_run("inspection", "show", "1", "--format", "json").stdout)
    assert data["judgements"] == {
        "overall_effectiveness": "good",
        "children_in_care_and_care_leavers": "good",
    }


@pytest.mark.parametrize(
    ("grade", "expected"),
    [
        ("overall_effectiveness=brilliant", "unknown grade 'brilliant': use one of outstanding, good, requires_improvement, inadequate"),
        ("leadership=good", "unknown area 'leadership': use one of impact_of_leaders, help_and_protection"),
        ("overall_effectiveness", "'overall_effectiveness' is not AREA=GRADE"),
    ],
)  # fmt: skip
def test_bad_grade_is_a_usage_error_listing_valid_values(
    plan_run: Invoke, db_url: str, grade: str, expected: str
) -> None:
    result = plan_run(
        "inspection", "add", "--type", "short", "--start", "2024-01-01", "--end", "2024-01-05",
        "--grade", grade,
    )  # fmt: skip
    assert result.exit_code == 2
    assert expected in result.stderr
    assert _scalar(db_url, "SELECT count(*) FROM inspection") == 0


def test_mixing_split_and_combined_areas_is_refused(plan_run: Invoke) -> None:
    result = plan_run(
        "inspection", "add", "--type", "short", "--start", "2024-01-01", "--end", "2024-01-05",
        "--grade", "care_leavers=good", "--grade", "children_in_care_and_care_leavers=good",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "not both" in result.stderr


def test_unknown_type_is_a_usage_error(plan_run: Invoke) -> None:
    result = plan_run("inspection", "add", "--type", "audit", "--start", "2024-01-01",
                      "--end", "2024-01-05")  # fmt: skip
    assert result.exit_code == 2
    assert "'audit' is not one of 'standard', 'short', 'focused_visit'" in result.stderr


def test_end_before_start_is_an_error_and_writes_nothing(plan_run: Invoke, db_url: str) -> None:
    result = plan_run("inspection", "add", "--type", "short", "--start", "2024-01-05",
                      "--end", "2024-01-01")  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: the inspection ends (2024-01-01) before it starts (2024-01-05)"
        " — check --start and --end\n"
    )
    assert _scalar(db_url, "SELECT count(*) FROM inspection") == 0


def test_impossible_date_is_a_usage_error(plan_run: Invoke) -> None:
    result = plan_run("inspection", "add", "--type", "short", "--start", "2024-02-30",
                      "--end", "2024-03-01")  # fmt: skip
    assert result.exit_code == 2
    assert "2024-02-30" in result.stderr


def test_unknown_inspection(plan_run: Invoke) -> None:
    result = plan_run("inspection", "show", "7")
    assert result.exit_code == 1
    assert result.stderr == (
        'Error: no inspection 7 in plan "Peterborough" — see improveplan inspection list\n'
    )


def test_every_write_is_audited(plan_run: Invoke, db_url: str) -> None:
    plan_run(*PETERBOROUGH, user="Sam Director")
    engine = create_engine(to_url(db_url))
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT entity, field, new_value FROM audit_event "
                "WHERE actor = 'Sam Director' ORDER BY id"
            )
        ).all()
    engine.dispose()
    events = [tuple(r) for r in rows]
    assert ("inspection", "type", "standard") in events
    assert ("inspection", "received", "2024-01-30") in events
    assert ("inspection", "lead_inspector", "Russel Breyer") in events
    assert ("judgement", "grade", "inadequate") in events
    assert sum(1 for e in events if e[:2] == ("judgement", "area")) == 5


def test_update_sets_the_received_date_and_audits_it(plan_run: Invoke, db_url: str) -> None:
    plan_run("inspection", "add", "--type", "standard", "--start", "2023-11-27",
             "--end", "2023-12-08")  # fmt: skip
    result = plan_run("inspection", "update", "1", "--received", "2024-01-30", user="Lead")
    assert result.exit_code == 0, result.output
    assert result.stderr == "Updated inspection 1.\n"
    data = json.loads(plan_run("inspection", "show", "1", "--format", "json").stdout)
    assert data["received"] == "2024-01-30"
    engine = create_engine(to_url(db_url))
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT entity, field, old_value, new_value FROM audit_event"
                " WHERE actor = 'Lead' ORDER BY id"
            )
        ).all()
    engine.dispose()
    assert tuple(rows[0]) == ("inspection", "received", None, "2024-01-30")
    # The default milestones follow the new received date in the same transaction.
    created = {r[3] for r in rows[1:] if r[0] == "milestone" and r[1] == "name"}
    assert {"Action plan due", "Report published locally"} <= created


def test_update_refuses_nothing_and_bad_dates(plan_run: Invoke) -> None:
    plan_run("inspection", "add", "--type", "short", "--start", "2024-01-01", "--end", "2024-01-05")
    nothing = plan_run("inspection", "update", "1")
    assert nothing.exit_code == 1
    assert nothing.stderr.startswith("Error: nothing to change for inspection 1 — ")
    backwards = plan_run("inspection", "update", "1", "--end", "2023-12-01")
    assert backwards.exit_code == 1
    assert "ends (2023-12-01) before it starts (2024-01-01)" in backwards.stderr
    missing = plan_run("inspection", "update", "5", "--received", "2024-02-01")
    assert missing.exit_code == 1
    assert missing.stderr.startswith('Error: no inspection 5 in plan "Peterborough"')
