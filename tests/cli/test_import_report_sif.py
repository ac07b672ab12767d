"""inspection import-report of SIF (2013–2018) reports: dry run and real, JSON keys,
priority actions, the LSCB's recommendations kept apart unless --include-lscb, and
`inspection show` — on both databases, on reports the tests generate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from improveplan.store.engine import to_url
from tests.conftest import SIF_REPORTS, Invoke, sif_reports
from tests.io.test_sif_report import LAMBETH_LIKE
from tests.sif_pdfs import write_sif

KEYS = ["id", "type", "start", "end", "received", "published", "lead_inspector",
        "judgements", "recommendations", "framework", "lscb_recommendations"]  # fmt: skip
JUDGEMENTS = {
    "overall_effectiveness": "inadequate",
    "help_and_protection": "requires_improvement",
    "children_looked_after_and_permanence": "inadequate",
    "adoption_performance": "inadequate",
    "care_leavers": "requires_improvement",
    "leadership_management_governance": "inadequate",
    "lscb": "inadequate",
}


@pytest.fixture
def sif(tmp_path: Path) -> Path:
    return write_sif(tmp_path / "southmere-2015-05-12.pdf", LAMBETH_LIKE)


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = create_engine(to_url(url))
    with engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(text(sql))]
    engine.dispose()
    return rows


def _recs(refs: int, priority: int = 2) -> list[dict[str, object]]:
    texts = LAMBETH_LIKE.all_recommendations + list(LAMBETH_LIKE.lscb_recommendations)
    return [
        {"ref": f"R{n}", "text": t, "priority": n <= priority}
        for n, t in enumerate(texts[:refs], 1)
    ]


def test_dry_run_says_what_it_would_import_and_writes_nothing(
    plan_run: Invoke, sif: Path, db_url: str
) -> None:
    dry = plan_run("inspection", "import-report", str(sif), "--dry-run", "--format", "json")
    assert dry.exit_code == 0, dry.output
    assert dry.stderr == (
        "Dry run: nothing written. Found 7 judgements, 6 recommendations (R1–R6).\n"
    )
    data = json.loads(dry.stdout)
    assert list(data) == KEYS
    assert data == {
        "id": None, "type": "sif", "start": "2015-02-24", "end": "2015-03-18",
        "received": None, "published": "2015-05-12", "lead_inspector": "Pietro Battista",
        "judgements": JUDGEMENTS, "recommendations": _recs(6), "framework": "sif",
        "lscb_recommendations": [{"text": t} for t in LAMBETH_LIKE.lscb_recommendations],
    }  # fmt: skip
    assert list(data["judgements"]) == list(JUDGEMENTS)  # the report's own order
    assert _rows(db_url, "SELECT count(*) FROM inspection") == [(0,)]


def test_import_keeps_the_lscb_apart_and_show_gives_the_same(
    plan_run: Invoke, sif: Path, db_url: str
) -> None:
    done = plan_run("inspection", "import-report", str(sif), "--format", "json")
    assert (done.exit_code, done.stderr) == (
        0, "Imported inspection 1: 7 judgements, 6 recommendations (R1–R6).\n"
    )  # fmt: skip
    data = json.loads(done.stdout)
    assert data["id"] == 1 and data["recommendations"] == _recs(6)
    assert data["lscb_recommendations"] == [{"text": t} for t in LAMBETH_LIKE.lscb_recommendations]
    shown = plan_run("inspection", "show", "1", "--format", "json")
    assert json.loads(shown.stdout) == data
    assert _rows(db_url, "SELECT ref, priority_action FROM recommendation ORDER BY seq") == [
        (f"R{n}", n <= 2) for n in range(1, 7)
    ]
    held = _rows(db_url, "SELECT type, published, lscb_recommendations FROM inspection")
    assert [(t, str(p), lscb) for t, p, lscb in held] == [
        ("sif", "2015-05-12", "\n".join(LAMBETH_LIKE.lscb_recommendations))
    ]
    audited = _rows(db_url, "SELECT field FROM audit_event WHERE entity = 'inspection'")
    assert ("lscb_recommendations",) in audited


def test_include_lscb_makes_them_plan_recommendations(
    plan_run: Invoke, sif: Path, db_url: str
) -> None:
    done = plan_run("inspection", "import-report", str(sif), "--include-lscb", "--format", "json")
    assert (done.exit_code, done.stderr) == (
        0, "Imported inspection 1: 7 judgements, 8 recommendations (R1–R8).\n"
    )  # fmt: skip
    data = json.loads(done.stdout)
    assert data["recommendations"] == _recs(8)
    assert len(data["lscb_recommendations"]) == 2
    listed = json.loads(plan_run("rec", "list", "--format", "json").stdout)
    assert [r["ref"] for r in listed] == [f"R{n}" for n in range(1, 9)]


def test_table_output_names_the_sif_areas(plan_run: Invoke, sif: Path) -> None:
    done = plan_run("inspection", "import-report", str(sif), env={"COLUMNS": "120"})
    assert done.exit_code == 0, done.output
    for words in ("│ LSCB ", "│ Children looked after and permanence ",
                  "│ Leadership, management and governance ", "What the LSCB needs to improve",
                  "│ Published       │ 2015-05-12"):  # fmt: skip
        assert words in done.stdout


def test_replace_re_reads_a_sif_report(plan_run: Invoke, sif: Path) -> None:
    assert plan_run("inspection", "import-report", str(sif)).exit_code == 0
    again = plan_run("inspection", "import-report", str(sif), "--replace", "--include-lscb")
    assert (again.exit_code, again.stderr) == (
        0, "Re-read inspection 1: changed nothing; added R7–R8; kept 0 actions and their"
        " links.\n",
    )  # fmt: skip


def test_add_takes_the_sif_areas(plan_run: Invoke) -> None:
    added = plan_run("inspection", "add", "--type", "sif", "--start", "2016-07-04",
                     "--end", "2016-07-28", "--grade", "lscb=inadequate",
                     "--grade", "Leadership, management and governance=RI")  # fmt: skip
    assert added.exit_code == 0, added.output
    data = json.loads(plan_run("inspection", "show", "1", "--format", "json").stdout)
    assert (data["framework"], data["judgements"]) == ("sif", {
        "leadership_management_governance": "requires_improvement", "lscb": "inadequate"
    })  # fmt: skip


@pytest.mark.parametrize("expected", sif_reports())
def test_every_shared_sif_report_imports_as_expected(
    plan_run: Invoke, expected: dict[str, Any]
) -> None:
    done = plan_run("inspection", "import-report", str(SIF_REPORTS / expected["file"]),
                    "--format", "json")  # fmt: skip
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert list(data) == KEYS
    assert (data["type"], data["framework"], data["start"], data["end"], data["published"]) == (
        "sif", "sif", expected["start"], expected["end"], expected["published"]
    )  # fmt: skip
    assert data["lead_inspector"].casefold() == expected["lead_inspector"].casefold()
    assert data["judgements"] == expected["judgements"]
    assert [r["text"] for r in data["recommendations"]] == expected["recommendations"]
    priority = [r["text"] for r in data["recommendations"] if r["priority"]]
    assert priority == expected["priority_actions"]
    assert data["lscb_recommendations"] == [{"text": t} for t in expected["lscb_recommendations"]]
