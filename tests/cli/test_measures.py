"""`measure add|record|list`: targets, dated values, direction and whether on track."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from sqlalchemy import create_engine, text

from improveplan.domain.measures import on_track
from improveplan.store.engine import to_url
from tests.conftest import Invoke

TODAY = {"IMPROVEPLAN_TODAY": "2025-03-31"}


def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = create_engine(to_url(url))
    with engine.connect() as conn:
        found = [tuple(r) for r in conn.execute(text(sql)).all()]
    engine.dispose()
    return found


def listing(run: Invoke, *args: str) -> list[dict[str, Any]]:
    result = run("measure", "list", "--format", "json", *args, env=TODAY)
    assert result.exit_code == 0, result.stderr
    data: list[dict[str, Any]] = json.loads(result.stdout)
    return data


def add_two(run: Invoke) -> None:
    first = run("measure", "add", "Visits on time", "--unit", "%", "--baseline", "60",
                "--target", "90", "--baseline-date", "2024-10-01", "--target-date", "2025-10-01",
                env=TODAY)  # fmt: skip
    assert first.exit_code == 0, first.stderr
    assert first.stderr == (
        'Added measure "Visits on time": baseline 60, target 90 % (higher is better).\n'
    )
    second = run("measure", "add", "Average caseload", "--unit", "children", "--baseline",
                 "24.5", "--target", "18", "--lower-is-better", env=TODAY)  # fmt: skip
    assert second.exit_code == 0, second.stderr


def test_add_and_list_json(plan_run: Invoke) -> None:
    add_two(plan_run)
    assert listing(plan_run) == [
        {"name": "Average caseload", "unit": "children", "baseline": 24.5,
         "baseline_date": None, "target": 18.0, "target_date": None, "latest": None,
         "latest_date": None, "direction": "lower is better", "on_track": None},
        {"name": "Visits on time", "unit": "%", "baseline": 60.0, "baseline_date": "2024-10-01",
         "target": 90.0, "target_date": "2025-10-01", "latest": None, "latest_date": None,
         "direction": "higher is better", "on_track": None},
    ]  # fmt: skip


def test_record_then_record_again_updates_and_audits(plan_run: Invoke, db_url: str) -> None:
    add_two(plan_run)
    first = plan_run("measure", "record", "visits on time", "70", "--date", "2025-03-01",
                     env=TODAY)  # fmt: skip
    assert first.exit_code == 0, first.stderr
    assert first.stderr == 'Recorded 70 for "Visits on time" on 2025-03-01.\n'
    again = plan_run("measure", "record", "Visits on time", "72.5", "--date", "2025-03-01",
                     user="Sam Analyst", env=TODAY)  # fmt: skip
    assert again.exit_code == 0, again.stderr
    assert again.stderr == 'Recorded 72.5 for "Visits on time" on 2025-03-01 (was 70).\n'
    assert rows(db_url, "SELECT date, value FROM measure_value") == [("2025-03-01", 72.5)] or rows(
        db_url, "SELECT CAST(date AS TEXT), value FROM measure_value"
    ) == [("2025-03-01", 72.5)]
    trail = rows(db_url, "SELECT actor, entity, field, old_value, new_value FROM audit_event "
                         "WHERE entity = 'measure_value' ORDER BY id")  # fmt: skip
    assert trail[-1] == ("Sam Analyst", "measure_value", "value", "70.0", "72.5")
    assert [t[2] for t in trail[:-1]] == ["measure_id", "date", "value"]
    visits = listing(plan_run)[1]
    assert (visits["latest"], visits["latest_date"]) == (72.5, "2025-03-01")


def test_latest_value_and_on_track_by_direction(plan_run: Invoke) -> None:
    add_two(plan_run)
    for name, value, day in (
        ("Visits on time", "65", "2025-01-01"),
        ("Visits on time", "70", "2025-03-01"),
        ("Visits on time", "95", "2025-05-01"),  # after the as-of date: not yet "latest"
        ("Average caseload", "26", "2025-03-15"),
    ):
        assert plan_run("measure", "record", name, value, "--date", day, env=TODAY).exit_code == 0
    caseload, visits = listing(plan_run)
    # Visits: 6 months of 12 → expected 75 on 1 March (straight line), 70 is behind.
    assert (visits["latest"], visits["latest_date"], visits["on_track"]) == (
        70.0,
        "2025-03-01",
        False,
    )
    assert (caseload["latest"], caseload["on_track"]) == (26.0, False)  # rose; lower is better
    later = listing(plan_run, "--as-of", "2025-06-01")[1]
    assert (later["latest"], later["on_track"]) == (95.0, True)  # target met


def test_list_table_and_csv(plan_run: Invoke) -> None:
    add_two(plan_run)
    plan_run("measure", "record", "Average caseload", "20", "--date", "2025-03-15", env=TODAY)
    table = plan_run("measure", "list", env=TODAY)
    assert table.exit_code == 0
    line = next(x for x in table.stdout.splitlines() if "Average caseload" in x)
    assert [c.strip() for c in line.strip("│ ").split("│")] == [
        "Average caseload", "24.5 children", "≤ 18 children", "20 children (2025-03-15)", "yes",
    ]  # fmt: skip
    visits = next(x for x in table.stdout.splitlines() if "Visits on time" in x)
    assert "≥ 90 % by 2025-10-01" in visits and "no data" in visits
    data = list(csv.reader(io.StringIO(plan_run("measure", "list", "--format", "csv",
                                                env=TODAY).stdout)))  # fmt: skip
    assert data[0] == ["name", "unit", "baseline", "target", "target_date", "latest",
                       "latest_date", "direction", "on_track"]  # fmt: skip
    assert data[1] == ["Average caseload", "children", "24.5", "18", "", "20", "2025-03-15",
                       "lower is better", "yes"]  # fmt: skip
    assert data[2][-1] == "no data"


def test_unknown_measure_suggests_the_closest(plan_run: Invoke, db_url: str) -> None:
    add_two(plan_run)
    result = plan_run("measure", "record", "Visits on tme", "1", env=TODAY)
    assert result.exit_code == 1
    assert result.stderr == (
        'Error: no measure named "Visits on tme" — Did you mean "Visits on time"? '
        "See improveplan measure list\n"
    )
    assert rows(db_url, "SELECT COUNT(*) FROM measure_value") == [(0,)]


def test_duplicate_and_pointless_measures_are_refused(plan_run: Invoke) -> None:
    add_two(plan_run)
    dup = plan_run("measure", "add", "VISITS ON TIME", "--unit", "%", "--baseline", "1",
                   "--target", "2")  # fmt: skip
    assert dup.exit_code == 1
    assert dup.stderr == (
        'Error: a measure named "Visits on time" already exists — choose another name\n'
    )
    same = plan_run("measure", "add", "Flat", "--unit", "%", "--baseline", "5", "--target", "5")
    assert same.exit_code == 1
    assert "the target equals the baseline" in same.stderr
    assert plan_run("measure", "add", "X", "--unit", "%", "--baseline", "lots",
                    "--target", "5").exit_code == 2  # fmt: skip


def test_empty_list_says_how_to_add(plan_run: Invoke) -> None:
    result = plan_run("measure", "list", env=TODAY)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.startswith("No measures yet — add one with improveplan measure add")


def test_on_track_rule() -> None:
    common: dict[str, Any] = {"baseline": 10.0, "target": 20.0, "higher_is_better": True}
    assert on_track(**common, latest=None) is None
    assert on_track(**common, latest=20.0) is True
    assert on_track(**common, latest=11.0) is True  # no dates: moved the right way
    assert on_track(**common, latest=10.0) is False
    assert on_track(baseline=10.0, target=5.0, higher_is_better=False, latest=4.0) is True
    assert on_track(baseline=10.0, target=5.0, higher_is_better=False, latest=11.0) is False
