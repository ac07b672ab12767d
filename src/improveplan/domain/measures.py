"""What a measure (KPI) may hold, across its fields (docs/design.md §2).

A target must lie on the better side of the baseline for the measure's direction, so
"on track" means something; a percentage (unit "%") lies from 0 to 100; a value typed
`21%` is 21 of a percentage measure and means nothing for any other unit.
"""

from __future__ import annotations

from dataclasses import dataclass

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
