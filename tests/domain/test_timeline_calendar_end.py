"""Deadlines counted in working days from a date near the end of the calendar are held at
9999-12-31 (and say so) instead of overflowing: any date a user can type derives a timeline."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from improveplan.domain.dates import add_working_days
from improveplan.domain.timeline import default_milestones, focused_visit_milestones

HELD = ", held at the end of the calendar"


@given(st.dates(min_value=date(9999, 6, 1)))
def test_working_day_deadlines_never_overflow(received: date) -> None:
    found = default_milestones(received=received, horizon=date.max, monitoring_every_months=3)
    found += focused_visit_milestones(received)
    assert found
    for milestone in found:
        assert milestone.date >= received
        if milestone.rule.endswith(HELD):
            assert milestone.date == date.max
        elif milestone.rule.startswith("received"):
            days = int(milestone.rule.split(" + ")[1].split()[0])
            assert add_working_days(received, days) == milestone.date


def test_only_the_counts_that_run_out_are_held() -> None:
    # 9999-11-01 + 30 working days still fits (Dec 13); + 70 would not.
    found = {m.name: m for m in default_milestones(received=date(9999, 11, 1), horizon=date.max)}
    assert found["Report published locally"].date == date(9999, 12, 13)
    assert found["Action plan due"].date == date.max
    assert found["Action plan due"].rule == f"received 9999-11-01 + 70 working days{HELD}"
