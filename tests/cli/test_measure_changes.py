"""measure update, measure remove and the checks across a measure's fields: the target on
the better side of the baseline, a percentage within 0–100, `21%` for a % measure."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.cli.test_measures import TODAY, add_two, listing
from tests.conftest import Invoke, sql


def measures(url: str) -> list[tuple[Any, ...]]:
    return sql(
        url, "SELECT name, unit, baseline, target, higher_is_better FROM measure ORDER BY id"
    )


def audit_count(url: str) -> int:
    return int(sql(url, "SELECT count(*) FROM audit_event")[0][0])


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ("--unit", "%", "--baseline", "60", "--target", "50"),
            "Error: the target 50 is below the baseline 60, but higher is better — "
            "give a target above the baseline, or --lower-is-better\n",
        ),
        (
            ("--unit", "days", "--baseline", "20", "--target", "25", "--lower-is-better"),
            "Error: the target 25 is above the baseline 20, but lower is better — "
            "give a target below the baseline, or --higher-is-better\n",
        ),
        (
            ("--unit", "%", "--baseline", "60", "--target", "720"),
            "Error: the target 720 is not a percentage (the unit is %) — "
            "give a value from 0 to 100\n",
        ),
        (
            ("--unit", " % ", "--baseline", "-5", "--target", "50"),
            "Error: the baseline -5 is not a percentage (the unit is %) — "
            "give a value from 0 to 100\n",
        ),
    ],
)
def test_add_refuses_terms_that_cannot_stand(
    plan_run: Invoke, db_url: str, args: tuple[str, ...], error: str
) -> None:
    result = plan_run("measure", "add", "Visits", *args)
    assert (result.exit_code, result.stderr) == (1, error)
    assert measures(db_url) == []


def test_add_takes_higher_is_better_too(plan_run: Invoke) -> None:
    result = plan_run("measure", "add", "Visits", "--unit", "%", "--baseline", "0",
                      "--target", "100", "--higher-is-better")  # fmt: skip
    assert result.stderr == 'Added measure "Visits": baseline 0, target 100 % (higher is better).\n'


def test_record_reads_a_percentage_for_a_percent_measure(plan_run: Invoke, db_url: str) -> None:
    add_two(plan_run)
    ok = plan_run("measure", "record", "Visits on time", "21%", "--date", "2025-03-01", env=TODAY)
    assert (ok.exit_code, ok.stderr) == (0, 'Recorded 21 for "Visits on time" on 2025-03-01.\n')
    spaced = plan_run("measure", "record", "Visits on time", "21.5 %", "--date", "2025-03-02")
    assert spaced.stderr == 'Recorded 21.5 for "Visits on time" on 2025-03-02.\n'
    before = audit_count(db_url)
    wrong = plan_run("measure", "record", "Average caseload", "21%", env=TODAY)
    assert (wrong.exit_code, wrong.stderr) == (
        1,
        'Error: 21% is a percentage, but "Average caseload" counts children — '
        "give the value without %\n",
    )
    over = plan_run("measure", "record", "Visits on time", "720", env=TODAY)
    assert (over.exit_code, over.stderr) == (
        1,
        "Error: the value 720 is not a percentage (the unit is %) — give a value from 0 to 100\n",
    )
    word = plan_run("measure", "record", "Visits on time", "lots%", env=TODAY)
    assert word.exit_code == 2
    assert "'lots%' is not a number (e.g. 12.5, or 21% for a % measure)" in word.stderr
    assert audit_count(db_url) == before
    assert sql(db_url, "SELECT count(*) FROM measure_value") == [(2,)]


def test_update_changes_audits_and_renames(plan_run: Invoke, db_url: str) -> None:
    add_two(plan_run)
    result = plan_run("measure", "update", "visits on time", "--name", "Visits in time",
                      "--target", "95", "--target-date", "2026-03-31", "--baseline-date", "none",
                      user="Sam Analyst")  # fmt: skip
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (
        'Measure "Visits in time": name Visits on time → Visits in time; baseline_date '
        "2024-10-01 → —; target 90 → 95; target_date 2025-10-01 → 2026-03-31.\n"
    )
    trail = sql(db_url, "SELECT field, old_value, new_value FROM audit_event "
                        "WHERE actor = 'Sam Analyst' ORDER BY id")  # fmt: skip
    assert trail == [
        ("name", "Visits on time", "Visits in time"),
        ("baseline_date", "2024-10-01", None),
        ("target", "90.0", "95.0"),
        ("target_date", "2025-10-01", "2026-03-31"),
    ]
    flipped = plan_run("measure", "update", "Average caseload", "--higher-is-better",
                       "--target", "30")  # fmt: skip
    assert flipped.stderr == (
        'Measure "Average caseload": target 18 → 30; direction lower is better → higher is better.\n'
    )
    assert [m["direction"] for m in listing(plan_run)] == ["higher is better"] * 2
    same = plan_run("measure", "update", "Average caseload", "--target", "30")
    assert same.stderr == 'Measure "Average caseload": nothing changed.\n'


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ("Visits on time", "--target", "50"),
            "Error: the target 50 is below the baseline 60, but higher is better — "
            "give a target above the baseline, or --lower-is-better\n",
        ),
        (
            ("Visits on time", "--lower-is-better"),
            "Error: the target 90 is above the baseline 60, but lower is better — "
            "give a target below the baseline, or --higher-is-better\n",
        ),
        (
            ("Visits on time", "--target", "101"),
            "Error: the target 101 is not a percentage (the unit is %) — "
            "give a value from 0 to 100\n",
        ),
        (
            ("Average caseload", "--name", "visits ON time"),
            'Error: a measure named "Visits on time" already exists — choose another name\n',
        ),
        (
            ("Average caseload", "--unit", "%"),
            '1 recorded value of "Average caseload" lie outside 0–100, so its unit cannot be %',
        ),
        (
            ("Visits on time",),
            'Error: nothing to change for measure "Visits on time" — give --name, --unit, '
            "--baseline, --baseline-date, --target, --target-date or "
            "--higher-is-better/--lower-is-better\n",
        ),
        (
            ("Visits", "--target", "95"),
            'Error: no measure named "Visits" — Did you mean "Visits on time"? '
            "See improveplan measure list\n",
        ),
    ],
)
def test_update_errors_write_nothing(
    plan_run: Invoke, db_url: str, args: tuple[str, ...], error: str
) -> None:
    add_two(plan_run)
    plan_run("measure", "record", "Average caseload", "120", "--date", "2025-03-01", env=TODAY)
    before = (audit_count(db_url), measures(db_url))
    result = plan_run("measure", "update", *args)
    assert result.exit_code == 1
    assert error in result.stderr and result.stderr.count("\n") == 1
    assert (audit_count(db_url), measures(db_url)) == before


def test_remove_takes_its_values_and_audits_them(plan_run: Invoke, db_url: str) -> None:
    add_two(plan_run)
    for day, value in (("2025-01-01", "65"), ("2025-03-01", "70")):
        plan_run("measure", "record", "Visits on time", value, "--date", day, env=TODAY)
    result = plan_run("measure", "remove", "VISITS on time", user="Sam Analyst")
    assert (result.exit_code, result.stderr) == (
        0, 'Removed measure "Visits on time" and its 2 values.\n',
    )  # fmt: skip
    assert [m["name"] for m in listing(plan_run)] == ["Average caseload"]
    assert sql(db_url, "SELECT count(*) FROM measure_value") == [(0,)]
    trail = sql(db_url, "SELECT entity, field, old_value, new_value FROM audit_event "
                        "WHERE actor = 'Sam Analyst' ORDER BY id")  # fmt: skip
    assert trail == [
        ("measure_value", "measure_id", "1", None),
        ("measure_value", "date", "2025-01-01", None),
        ("measure_value", "value", "65.0", None),
        ("measure_value", "measure_id", "1", None),
        ("measure_value", "date", "2025-03-01", None),
        ("measure_value", "value", "70.0", None),
        ("measure", "name", "Visits on time", None),
        ("measure", "unit", "%", None),
        ("measure", "baseline", "60.0", None),
        ("measure", "baseline_date", "2024-10-01", None),
        ("measure", "target", "90.0", None),
        ("measure", "target_date", "2025-10-01", None),
        ("measure", "higher_is_better", "true", None),
    ]
    empty = plan_run("measure", "remove", "Average caseload")
    assert empty.stderr == 'Removed measure "Average caseload" and its 0 values.\n'
    status = json.loads(plan_run("status", "--format", "json", env=TODAY).stdout)
    assert status["measures"] == []
