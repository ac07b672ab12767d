"""`--format table|json|csv` on every command that prints data: the CSV of each nested
report (docs/design.md §3), its JSON keys, and exit codes that do not depend on the format.

The demo plan is built once per backend for the module (as of 2025-03-31); the tests only
read it, apart from `check` recording the day's counts, which nothing here reads.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import Result

from tests.commands import every_command
from tests.conftest import (
    PG_SKIP,
    Invoke,
    _pg_admin_url,
    create_pg_database,
    drop_pg_database,
    make_invoker,
    migrate,
    sql,
)
from tests.pdfs import Report
from tests.pdfs import write_report as write_generated

AS_OF = "2025-03-31"


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Invoke]]:
    """(url, run) on a database holding the demo plan; `run` pins today and no config."""
    where = tmp_path_factory.mktemp("formats")
    env = {"IMPROVEPLAN_TODAY": AS_OF, "IMPROVEPLAN_CONFIG": str(where / "none.toml"),
           "NO_COLOR": "1", "COLUMNS": "120"}  # fmt: skip
    if request.param == "postgres":
        if _pg_admin_url() is None:
            pytest.skip(PG_SKIP)
        url = create_pg_database()
    else:
        url = str(where / "demo.db")
    try:
        migrate(url)
        invoke = make_invoker(url)
        built = invoke("init", "--demo", env=env)
        assert built.exit_code == 0, built.output
        yield url, _pinned(invoke, env)
    finally:
        if request.param == "postgres":
            drop_pg_database(url)


def _pinned(invoke: Invoke, env: dict[str, str]) -> Invoke:
    """`invoke` with this module's environment: today pinned, no config file read."""

    def run(*args: str, **kw: Any) -> Result:
        return invoke(*args, env=env, **kw)

    return run


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_status_csv_is_a_row_per_group_then_the_totals(demo: tuple[str, Invoke]) -> None:
    _, run = demo
    result = run("status", "--format", "csv")
    assert result.exit_code == 0, result.output
    table = rows(result.stdout)
    assert table[0] == ["by", "name", "blue", "green", "amber", "red", "total", "complete",
                        "pct_complete", "overdue"]  # fmt: skip
    assert table[1] == ["theme", "Care leavers", "2", "2", "1", "1", "6", "3", "50", "1"]
    assert table[-1] == ["totals", "Peterborough", "9", "8", "5", "5", "27", "13", "48", "5"]
    data = json.loads(run("status", "--format", "json").stdout)
    assert list(data) == ["as_of", "plan", "totals", "groups", "next_milestone", "by",
                          "overdue", "complete", "pct_complete", "measures"]  # fmt: skip
    groups = [[str(v) for v in g.values()] for g in data["groups"]]
    assert [r[1:] for r in table[1:-1]] == groups
    owners = rows(run("status", "--by", "owner", "--format", "csv").stdout)
    assert {r[0] for r in owners[1:-1]} == {"owner"}
    assert owners[-1][0] == "totals"


def test_check_csv_is_a_row_per_plan_and_exits_3_in_every_format(
    demo: tuple[str, Invoke],
) -> None:
    _, run = demo
    result = run("check", "--format", "csv")
    assert result.exit_code == 3, result.output
    assert result.stdout == (
        "plan,blue,green,amber,red,total,overdue,due_soon,milestones_at_risk\n"
        "Peterborough,9,8,5,5,27,5,2,0\n"
    )
    for fmt in ("table", "json"):
        assert run("check", "--format", fmt).exit_code == 3
    data = json.loads(run("check", "--format", "json").stdout)
    assert list(data) == ["as_of", "plans", "overdue", "notified", "warnings", "not_reached",
                          "counts_recorded"]  # fmt: skip
    assert [str(v) for v in data["plans"][0].values()] == rows(result.stdout)[1]
    before = run("check", "--format", "csv", "--as-of", "2024-01-01")
    assert before.exit_code == 0, before.output
    assert before.stdout.splitlines()[1] == "Peterborough,9,13,5,0,27,0,0,0"
    assert before.stderr == "Counts not recorded: --as-of 2024-01-01 is not today (2025-03-31)\n"


def test_inspection_show_csv_is_its_judgements(demo: tuple[str, Invoke]) -> None:
    _, run = demo
    result = run("inspection", "show", "1", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "area,grade\n"
        "impact_of_leaders,requires_improvement\n"
        "help_and_protection,requires_improvement\n"
        "children_in_care,requires_improvement\n"
        "care_leavers,inadequate\n"
        "overall_effectiveness,inadequate\n"
    )
    data = json.loads(run("inspection", "show", "1", "--format", "json").stdout)
    assert [[a, g] for a, g in data["judgements"].items()] == rows(result.stdout)[1:]


def test_rec_show_csv_is_its_actions(demo: tuple[str, Invoke]) -> None:
    _, run = demo
    result = run("rec", "show", "R1", "--format", "csv")
    assert result.exit_code == 0, result.output
    table = rows(result.stdout)
    listed = rows(run("action", "list", "--format", "csv").stdout)
    assert table[0] == listed[0]
    assert table[0][:9] == ["ref", "title", "owner", "due", "original_due", "status", "rag",
                            "rag_computed", "days_overdue"]  # fmt: skip
    assert table[1][:-1] == [
        "1", "Audit every care leaver's pathway plan and bring out-of-date plans up to date",
        "Sarah Whitfield", "2024-06-28", "2024-06-28", "signed_off", "blue", "blue", "0", "R1",
        "Care leavers", "", "4",
    ]  # fmt: skip
    data = json.loads(run("rec", "show", "R1", "--format", "json").stdout)
    assert [a["ref"] for a in data["actions"]] == [r[0] for r in table[1:]]


def test_notice_show_csv_is_one_row_of_its_terms(demo: tuple[str, Invoke]) -> None:
    _, run = demo
    result = run("notice", "show", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "kind,issued,plan_due,review_months,board_every_weeks,first_board,chair,lifted,plan\n"
        "improvement_notice,2023-08-21,,6,6,2023-11-07,Sally Rowes,,Peterborough\n"
    )
    data = json.loads(run("notice", "show", "--format", "json").stdout)
    assert list(data) == rows(result.stdout)[0]


def test_notify_dry_run_json_and_csv_are_a_message_each(demo: tuple[str, Invoke]) -> None:
    url, run = demo
    sent_before = sql(url, "SELECT count(*) FROM notification")
    result = run("notify", "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data[0] == {
        "plan": "Peterborough", "to": "aisha.rahman@example.org", "name": "Aisha Rahman",
        "kind": "digest", "subject": "Improvement plan Peterborough: 1 due soon",
        "actions": ["23"], "status": "would send",
    }  # fmt: skip
    as_csv = run("notify", "--dry-run", "--format", "csv")
    assert as_csv.exit_code == 0, as_csv.output
    table = rows(as_csv.stdout)
    assert table[0] == ["plan", "to", "name", "kind", "subject", "actions", "status"]
    assert table[2] == ["Peterborough", "daniel.okoye@example.org", "Daniel Okoye", "digest",
                        "Improvement plan Peterborough: 2 overdue", "8, 15", "would send"]  # fmt: skip
    assert len(table) == len(data) + 1
    assert [r[5] for r in table[1:]] == [", ".join(m["actions"]) for m in data]
    assert "Not reached: no plan lead — escalation of 4 actions" in as_csv.stderr
    assert sql(url, "SELECT count(*) FROM notification") == sent_before


def test_timeline_whoami_and_import_report_csv(demo: tuple[str, Invoke], tmp_path: Path) -> None:
    _, run = demo
    timeline = run("timeline", "--format", "csv")
    assert timeline.stdout.splitlines()[:2] == [
        "date,name,kind,done,status,days_to_go,open_actions,rule",
        "2024-12-31,Improvement board 11,board,,held,-90,1,first board 2023-11-07 + 60 weeks",
    ]
    me = run("whoami", "--format", "csv", user="Aisha Rahman")
    assert me.exit_code == 0, me.output
    assert me.stdout == "login,person,actor,plan,role,theme\n" + (
        rows(me.stdout)[1][0] + ",Aisha Rahman,Aisha Rahman,,,\n"
    )
    report = Report()
    pdf = write_generated(tmp_path / "report.pdf", report)
    dry = run("inspection", "import-report", str(pdf), "--dry-run", "--format", "csv")
    assert dry.exit_code == 0, dry.output
    graded = report.expected()["judgements"].items()
    assert dry.stdout == "area,grade\n" + "".join(f"{a},{g}\n" for a, g in graded)


def _data_commands() -> Iterator[tuple[str, click.Command]]:
    return (
        (" ".join(path), command)
        for path, command in every_command()
        if not isinstance(command, click.Group) and any(p.name == "fmt" for p in command.params)
    )


# Commands whose --format chooses a file format rather than how data is printed.
FILE_FORMATS = {"report": ["html", "md", "pdf"], "export": ["json", "csv", "xlsx", "ics"],
                "import": ["json", "csv", "xlsx"]}  # fmt: skip


def test_every_command_that_prints_data_takes_table_json_and_csv() -> None:

    found = dict(_data_commands())
    assert {"status", "check", "notify", "timeline", "inspection show", "rec show",
            "notice show", "whoami", "access setup", "inspection import-report"} <= set(found)  # fmt: skip
    for name, command in found.items():
        (option,) = [p for p in command.params if p.name == "fmt"]
        assert isinstance(option.type, click.Choice)
        expected = FILE_FORMATS.get(name, ["table", "json", "csv"])
        assert list(option.type.choices) == expected, name
        if name not in FILE_FORMATS:
            assert option.default == "table", name
