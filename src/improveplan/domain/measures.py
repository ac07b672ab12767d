"""What a measure (KPI) may hold, across its fields (docs/design.md §2).

A target must lie on the better side of the baseline for the measure's direction, so
"on track" means something; a percentage (unit "%") lies from 0 to 100; a value typed
`21%` is 21 of a percentage measure and means nothing for any other unit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from improveplan.serialize import json_field

PERCENT = "%"


@dataclass(frozen=True, slots=True)
class MeasureProblem:
    """Why a measure's terms or a value cannot stand, and what to do."""

    what: str
    todo: str


def _num(value: float) -> str:
    return f"{value:g}"


def is_percent(unit: str) -> bool:
    return unit.strip() == PERCENT


def percent_problem(unit: str, value: float, what: str) -> MeasureProblem | None:
    """A % measure's value (`what`: "the value", "the target") outside 0–100."""
    if is_percent(unit) and not 0 <= value <= 100:
        return MeasureProblem(
            f"{what} {_num(value)} is not a percentage (the unit is %)",
            "give a value from 0 to 100",
        )
    return None


def terms_problem(
    *, unit: str, baseline: float, target: float, higher_is_better: bool
) -> MeasureProblem | None:
    """The first problem of a measure's terms taken together, or None."""
    if baseline == target:
        return MeasureProblem(
            "the target equals the baseline", "give a target the plan should reach"
        )
    for value, what in ((baseline, "the baseline"), (target, "the target")):
        if (problem := percent_problem(unit, value, what)) is not None:
            return problem
    if higher_is_better and target < baseline:
        return MeasureProblem(
            f"the target {_num(target)} is below the baseline {_num(baseline)}, "
            "but higher is better",
            "give a target above the baseline, or --lower-is-better",
        )
    if not higher_is_better and target > baseline:
        return MeasureProblem(
            f"the target {_num(target)} is above the baseline {_num(baseline)}, "
            "but lower is better",
            "give a target below the baseline, or --higher-is-better",
        )
    return None


@dataclass(frozen=True, slots=True)
class TypedValue:
    """A value as typed: its number, and whether it was written with a % sign."""

    number: float
    percent: bool


def parse_value(text: str) -> TypedValue:
    """`21`, `21.5`, `21%` or `21 %`; ValueError for anything else."""
    stripped = text.strip()
    percent = stripped.endswith(PERCENT)
    number = float(stripped.removesuffix(PERCENT).strip() if percent else stripped)
    return TypedValue(number, percent)


class MeasureTerms(Protocol):
    """What defines a measure: a stored row or an exported one."""

    @property
    def name(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def baseline(self) -> float: ...
    @property
    def baseline_date(self) -> dt.date | None: ...
    @property
    def target(self) -> float: ...
    @property
    def target_date(self) -> dt.date | None: ...
    @property
    def higher_is_better(self) -> bool: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class MeasureRecord:
    """A measure with its latest value on a date and whether that is on track (None: no
    value yet): `measure list`, the status dashboard, the board report, the XLSX sheet."""

    name: str
    unit: str
    baseline: float
    baseline_date: dt.date | None
    target: float
    target_date: dt.date | None
    latest: float | None
    latest_date: dt.date | None
    direction: str
    on_track: bool | None
    higher_is_better: bool = json_field(hidden=True)


def on_track(
    *,
    baseline: float,
    target: float,
    higher_is_better: bool,
    latest: float | None,
    latest_date: dt.date | None = None,
    baseline_date: dt.date | None = None,
    target_date: dt.date | None = None,
) -> bool | None:
    """Is the latest value where it should be? None when nothing has been recorded.

    Target met → on track. With baseline and target dates, the value must be at least as
    good as the straight line from baseline to target on the value's date; without them,
    it must have moved from the baseline in the better direction.
    """
    if latest is None:
        return None
    sign = 1.0 if higher_is_better else -1.0
    if sign * (latest - target) >= 0:
        return True
    expected = baseline
    if baseline_date and target_date and latest_date and target_date > baseline_date:
        share = (latest_date - baseline_date).days / (target_date - baseline_date).days
        expected = baseline + (target - baseline) * min(max(share, 0.0), 1.0)
        return sign * (latest - expected) >= 0
    return sign * (latest - baseline) > 0


def measure_record(measure: MeasureTerms, latest: tuple[dt.date, float] | None) -> MeasureRecord:
    """A measure with its latest (date, value), judged against its target."""
    latest_date, latest_value = latest if latest else (None, None)
    return MeasureRecord(
        name=measure.name,
        unit=measure.unit,
        baseline=measure.baseline,
        baseline_date=measure.baseline_date,
        target=measure.target,
        target_date=measure.target_date,
        latest=latest_value,
        latest_date=latest_date,
        direction="higher is better" if measure.higher_is_better else "lower is better",
        on_track=on_track(
            baseline=measure.baseline,
            target=measure.target,
            higher_is_better=measure.higher_is_better,
            latest=latest_value,
            latest_date=latest_date,
            baseline_date=measure.baseline_date,
            target_date=measure.target_date,
        ),
        higher_is_better=measure.higher_is_better,
    )
