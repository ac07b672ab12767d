"""domain/measures.py: the checks across a measure's fields, and values typed with %."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from improveplan.domain.measures import parse_value, percent_problem, terms_problem

numbers = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(baseline=numbers, target=numbers, higher=st.booleans())
def test_the_target_must_be_better_than_the_baseline(
    baseline: float, target: float, higher: bool
) -> None:
    problem = terms_problem(unit="days", baseline=baseline, target=target, higher_is_better=higher)
    better = target > baseline if higher else target < baseline
    assert (problem is None) == better


@given(value=numbers)
def test_a_percentage_lies_from_0_to_100(value: float) -> None:
    assert (percent_problem("%", value, "the value") is None) == (0 <= value <= 100)
    assert percent_problem("days", value, "the value") is None


@given(
    number=st.floats(min_value=0, max_value=100, allow_nan=False), space=st.sampled_from(["", " "])
)
def test_a_percentage_reads_back(number: float, space: str) -> None:
    typed = parse_value(f"{number!r}{space}%")
    assert (typed.number, typed.percent) == (number, True)
    assert parse_value(repr(number)).percent is False


@pytest.mark.parametrize("text", ["", "%", "lots", "21%%", "% 21"])
def test_not_a_value(text: str) -> None:
    with pytest.raises(ValueError):
        parse_value(text)
