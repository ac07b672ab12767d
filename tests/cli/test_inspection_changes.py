"""inspection update of every field and judgement, inspection remove, and the dates that
cannot all be true (a report received or published before fieldwork ended)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.cli.test_inspections import PETERBOROUGH
from tests.conftest import Invoke, sql

TABLES = ("inspection", "judgement", "recommendation", "audit_event")


def shown(run: Invoke, inspection: str = "1") -> dict[str, Any]:
    result = run("inspection", "show", inspection, "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def counts(url: str) -> dict[str, int]:
    return {t: sql(url, f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}


def trail(url: str, actor: str) -> list[tuple[Any, ...]]:
    return [
        tuple(r)
        for r in sql(
            url,
            "SELECT entity, field, old_value, new_value FROM audit_event WHERE actor = :a"
            " AND entity IN ('inspection', 'judgement', 'recommendation') ORDER BY id",
            a=actor,
        )
    ]


def test_update_corrects_every_field_and_judgement(plan_run: Invoke, db_url: str) -> None:
    assert plan_run(*PETERBOROUGH).exit_code == 0
    result = plan_run(
        "inspection", "update", "1", "--type", "short", "--start", "2023-11-28",
        "--end", "2023-12-07", "--received", "2024-01-31", "--published", "2024-02-01",
        "--lead-inspector", "Jane  Doe", "--grade", "care_leavers=RI",
        "--grade", "children_in_care=good", "--no-grade", "impact of leaders", user="Lead",
    )  # fmt: skip
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "Updated inspection 1.\n")
    assert shown(plan_run) == {
        "id": 1, "type": "short", "start": "2023-11-28", "end": "2023-12-07",
        "received": "2024-01-31", "published": "2024-02-01", "lead_inspector": "Jane Doe",
        "judgements": {
            "help_and_protection": "requires_improvement", "children_in_care": "good",
            "care_leavers": "requires_improvement", "overall_effectiveness": "inadequate",
        },
        "recommendations": [], "framework": "ilacs", "lscb_recommendations": [],
    }  # fmt: skip
    assert trail(db_url, "Lead") == [
        ("inspection", "type", "standard", "short"),
        ("inspection", "start", "2023-11-27", "2023-11-28"),
        ("inspection", "end", "2023-12-08", "2023-12-07"),
        ("inspection", "received", "2024-01-30", "2024-01-31"),
        ("inspection", "published", "2024-01-30", "2024-02-01"),
        ("inspection", "lead_inspector", "Russel Breyer", "Jane Doe"),
        ("judgement", "grade", "requires_improvement", "good"),
        ("judgement", "grade", "inadequate", "requires_improvement"),
        ("judgement", "inspection_id", "1", None),
        ("judgement", "area", "impact_of_leaders", None),
        ("judgement", "grade", "requires_improvement", None),
    ]


def test_update_adds_a_judgement_and_refuses_a_bad_area(plan_run: Invoke) -> None:
    added = plan_run("inspection", "add", "--type", "focused_visit", "--start", "2024-03-04",
                     "--end", "2024-03-05")  # fmt: skip
    assert added.exit_code == 0, added.output
    assert plan_run("inspection", "update", "1", "--grade", "care_leavers=good").exit_code == 0
    assert shown(plan_run)["judgements"] == {"care_leavers": "good"}
    bad = plan_run("inspection", "update", "1", "--no-grade", "kitchens")
    assert bad.exit_code == 2 and "--no-grade" in bad.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--received", "2023-12-07"), "the report was received (2023-12-07) before fieldwork"
         " ended (2023-12-08) — check --received and the fieldwork dates"),
        (("--published", "2023-12-01"), "the report was published (2023-12-01) before fieldwork"
         " ended (2023-12-08) — check --published and the fieldwork dates"),
        (("--end", "2024-02-01"), "the report was received (2024-01-30) before fieldwork ended"
         " (2024-02-01) — check --received and the fieldwork dates"),
    ],
    ids=["received", "published", "end-after-received"],
)  # fmt: skip
def test_update_refuses_a_report_before_fieldwork_ended(
    plan_run: Invoke, db_url: str, args: tuple[str, ...], message: str
) -> None:
    """Before: `inspection update 1 --received` before fieldwork ended was accepted."""
    assert plan_run(*PETERBOROUGH).exit_code == 0
    before = counts(db_url)
    result = plan_run("inspection", "update", "1", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: {message}\n")
    assert counts(db_url) == before


def test_remove_takes_the_inspection_its_judgements_and_recommendations(
    plan_run: Invoke, db_url: str
) -> None:
    assert plan_run(*PETERBOROUGH).exit_code == 0
    for ref in ("R1", "R2"):
        added = plan_run("rec", "add", ref, f"Text of {ref}", "--inspection", "1")
        assert added.exit_code == 0, added.output
    result = plan_run("inspection", "remove", "1", user="Lead")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (
        "Removed inspection 1 (standard, 2023-11-27 to 2023-12-08), its 5 judgements and 2"
        " recommendations (R1–R2).\n"
    )
    assert {t: n for t, n in counts(db_url).items() if t != "audit_event"} == {
        "inspection": 0, "judgement": 0, "recommendation": 0,
    }  # fmt: skip
    events = trail(db_url, "Lead")
    assert ("recommendation", "text", "Text of R1", None) in events
    assert ("inspection", "lead_inspector", "Russel Breyer", None) in events
    assert ("inspection", "received", "2024-01-30", None) in events
    assert sum(1 for e in events if e[:2] == ("judgement", "grade")) == 5
    gone = plan_run("inspection", "show", "1")
    assert gone.exit_code == 1 and gone.stderr.startswith('Error: no inspection 1 in plan "')


def test_remove_is_refused_while_actions_answer_its_recommendations(
    plan_run: Invoke, db_url: str
) -> None:
    assert plan_run(*PETERBOROUGH).exit_code == 0
    for args in (
        ("rec", "add", "R1", "Text", "--inspection", "1"),
        ("rec", "add", "R2", "More", "--inspection", "1"),
        ("action", "add", "A", "--owner", "Tom Okafor", "--due", "2024-07-01", "--rec", "R2"),
        ("action", "add", "B", "--owner", "Tom Okafor", "--due", "2024-07-01", "--rec", "R2"),
    ):
        assert plan_run(*args).exit_code == 0
    before = counts(db_url)
    result = plan_run("inspection", "remove", "1")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: inspection 1 has recommendations that actions answer: R2 (2) — link those"
        " actions to other recommendations (action update REF --rec), or correct the"
        " inspection with inspection update\n"
    )
    assert counts(db_url) == before
    missing = plan_run("inspection", "remove", "7")
    assert missing.exit_code == 1 and missing.stderr.startswith("Error: no inspection 7 in plan")


def test_update_empties_a_date_or_the_lead_inspector_set_by_mistake(
    plan_run: Invoke, db_url: str
) -> None:
    assert plan_run(*PETERBOROUGH, "--published", "2024-01-30").exit_code == 0
    names = [r[0] for r in sql(db_url, "SELECT name FROM milestone ORDER BY date")]
    assert "Action plan due" in names
    result = plan_run("inspection", "update", "1", "--received", "none", "--published", "none",
                      "--lead-inspector", "", user="Lead")  # fmt: skip
    assert (result.exit_code, result.stderr) == (0, "Updated inspection 1.\n"), result.output
    data = shown(plan_run)
    assert (data["received"], data["published"], data["lead_inspector"]) == (None, None, None)
    assert trail(db_url, "Lead") == [
        ("inspection", "received", "2024-01-30", None),
        ("inspection", "published", "2024-01-30", None),
        ("inspection", "lead_inspector", "Russel Breyer", None),
    ]
    timeline = json.loads(plan_run("timeline", "--all", "--format", "json").stdout)
    assert "Action plan due" not in [m["name"] for m in timeline]  # its source is gone
