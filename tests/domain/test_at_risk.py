"""domain/at_risk.py: which milestone open work puts at risk, against a plain reading."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from improveplan.domain.at_risk import Ahead, Work, risk_rule

START = date(2025, 1, 1)
days = st.integers(min_value=0, max_value=120).map(lambda n: START + timedelta(days=n))


@st.composite
def aheads(draw: st.DrawFn) -> list[Ahead]:
    dates = draw(st.lists(days, max_size=6))
    meetings = draw(st.lists(st.booleans(), min_size=len(dates), max_size=len(dates)))
    found = [
        Ahead(key=i + 1, date=d, meeting=m)
        for i, (d, m) in enumerate(zip(dates, meetings, strict=True))
    ]
    return sorted(found, key=lambda a: (a.date, a.key))


works = st.builds(
    Work,
    milestone=st.one_of(st.none(), st.integers(min_value=1, max_value=8)),
    due=st.one_of(st.none(), days),
    off_track=st.booleans(),
)


def reference(ahead: list[Ahead], work: Work) -> int | None:
    """The rule as docs/design.md §2 says it, one case at a time."""
    own = next((m for m in ahead if m.key == work.milestone), None)
    if own is not None:
        late = work.due is not None and work.due > own.date
        return own.key if work.off_track or late else None
    if not work.off_track or work.due is None:
        return None
    due = work.due
    deadlines = [m for m in ahead if not m.meeting and m.date >= due]
    return min(deadlines, key=lambda m: (m.date, m.key)).key if deadlines else None


@given(aheads(), works)
def test_the_rule_agrees_with_its_plain_reading(ahead: list[Ahead], work: Work) -> None:
    assert risk_rule(ahead)(work) == reference(ahead, work)


@given(aheads(), works)
def test_green_work_in_time_never_puts_anything_at_risk(ahead: list[Ahead], work: Work) -> None:
    own = next((m for m in ahead if m.key == work.milestone), None)
    in_time = own is None or work.due is None or work.due <= own.date
    if not work.off_track and in_time:
        assert risk_rule(ahead)(work) is None


@given(aheads(), works)
def test_a_meeting_is_at_risk_only_through_work_linked_to_it(
    ahead: list[Ahead], work: Work
) -> None:
    found = risk_rule(ahead)(work)
    meetings = {m.key for m in ahead if m.meeting}
    if found in meetings:
        assert found == work.milestone


def test_worked_cases() -> None:
    board = Ahead(key=1, date=date(2025, 2, 4), meeting=True)
    plan_due = Ahead(key=2, date=date(2025, 3, 1), meeting=False)
    later = Ahead(key=3, date=date(2025, 6, 1), meeting=False)
    rule = risk_rule([board, plan_due, later])
    assert rule(Work(milestone=1, due=date(2025, 2, 1), off_track=False)) is None
    assert rule(Work(milestone=1, due=date(2025, 2, 10), off_track=False)) == 1  # due after
    assert rule(Work(milestone=1, due=None, off_track=True)) == 1
    assert rule(Work(milestone=None, due=date(2025, 1, 1), off_track=True)) == 2  # overdue
    assert rule(Work(milestone=None, due=date(2025, 3, 1), off_track=True)) == 2  # on the day
    assert rule(Work(milestone=None, due=date(2025, 3, 2), off_track=True)) == 3
    assert rule(Work(milestone=None, due=date(2025, 7, 1), off_track=True)) is None
    assert rule(Work(milestone=9, due=date(2025, 2, 1), off_track=True)) == 2  # not ahead
    assert rule(Work(milestone=None, due=None, off_track=True)) is None
    assert risk_rule([])(Work(milestone=None, due=date(2025, 1, 1), off_track=True)) is None
