"""The `measure` group: the plan's KPIs, their targets and recorded values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from improveplan.cli.options import (
    DATE,
    PAST_DATE,
    as_of_option,
    as_of_or_today,
    format_option,
    get_app,
)

if TYPE_CHECKING:
    from improveplan.services.measures import MeasureRecord


@click.group()
def measure() -> None:
    """Add measures (KPIs), record their values, list them against target."""


@measure.command("add")
@click.argument("name")
@click.option("--unit", required=True, help='What a value counts, e.g. "%" or "days".')
@click.option("--baseline", type=float, required=True, help="The value when the plan began.")
@click.option("--target", type=float, required=True, help="The value the plan aims for.")
@click.option("--baseline-date", type=DATE, help="When the baseline was measured.")
@click.option("--target-date", type=DATE, help="When the target should be reached.")
@click.option("--lower-is-better", is_flag=True, help="Lower values are better (default: higher).")
def add(
    name: str,
    unit: str,
    baseline: float,
    target: float,
    baseline_date: dt.date | None,
    target_date: dt.date | None,
    lower_is_better: bool,
) -> None:
    """Add a measure called NAME to the plan."""
    from improveplan.render.output import message
    from improveplan.services import measures

    row = measures.add_measure(
        get_app(),
        name=name,
        unit=unit,
        baseline=baseline,
        target=target,
        baseline_date=baseline_date,
        target_date=target_date,
        lower_is_better=lower_is_better,
    )
    message(
        f'Added measure "{row.name}": baseline {_num(baseline)}, target {_num(target)} '
        f"{row.unit} ({row.direction}).",
        "success",
    )


@measure.command("record")
@click.argument("name")
@click.argument("value", type=float)
@click.option("--date", "on", type=PAST_DATE, help="The date the value is for (default: today).")
def record(name: str, value: float, on: dt.date | None) -> None:
    """Record VALUE for measure NAME; recording again for the same date replaces it."""
    from improveplan.render.output import message
    from improveplan.services import measures

    app = get_app()
    row = measures.record_value(app, name=name, value=value, on=on or app.today)
    text = f'Recorded {_num(value)} for "{row.name}" on {row.date.isoformat()}'
    if row.previous is not None:
        text += f" (was {_num(row.previous)})"
    message(text + ".", "success")


def _num(value: Any) -> str:
    """2.0 → "2", 12.5 → "12.5": values as people write them."""
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def on_track_text(value: bool | None) -> str:
    return {True: "yes", False: "no", None: "no data"}[value]


def _track_style(value: Any) -> str | None:
    return {"yes": "rag.green", "no": "rag.red"}.get(value, "muted")


@measure.command("list")
@as_of_option
@format_option
def list_(as_of: dt.date | None, fmt: str) -> None:
    """List measures with their latest value against target."""
    from improveplan.render.output import emit
    from improveplan.services import measures

    rows = measures.list_measures(get_app(), as_of=as_of_or_today(as_of))
    emit(
        measure_table_rows(rows) if fmt != "json" else rows,
        compact_measure_columns() if fmt == "table" else measure_columns(),
        fmt,
        json_data=rows,
        empty="No measures yet — add one with improveplan measure add NAME --unit U "
        "--baseline V --target V.",
    )


def measure_table_rows(rows: Sequence[MeasureRecord]) -> list[dict[str, Any]]:
    """Values as people write them ("12.5", not "12.500000"); on track as yes/no."""
    return [_shown(row) for row in rows]


def _shown(row: MeasureRecord) -> dict[str, Any]:
    """The display row of a measure: the CSV's columns and the table's compact ones."""
    unit = row.unit
    sign = "≥" if row.higher_is_better else "≤"
    latest = "—" if row.latest is None else f"{_num(row.latest)} {unit}"
    return {
        "name": row.name,
        "unit": unit,
        "baseline": _num(row.baseline),
        "target": _num(row.target),
        "target_date": row.target_date,
        "latest": _num(row.latest),
        "latest_date": row.latest_date,
        "direction": row.direction,
        "on_track": on_track_text(row.on_track),
        "baseline_shown": f"{_num(row.baseline)} {unit}",
        "target_shown": f"{sign} {_num(row.target)} {unit}"
        + (f" by {row.target_date}" if row.target_date else ""),
        "latest_shown": latest + (f" ({row.latest_date})" if row.latest_date else ""),
    }


def measure_columns() -> list[Any]:
    from improveplan.render.output import Column

    return [
        Column("name", "Measure"),
        Column("unit", "Unit", no_wrap=True),
        Column("baseline", "Baseline", justify="right"),
        Column("target", "Target", justify="right"),
        Column("target_date", "By", no_wrap=True),
        Column("latest", "Latest", justify="right"),
        Column("latest_date", "On", no_wrap=True),
        Column("direction", "Direction"),
        Column("on_track", "On track", style=_track_style),
    ]


def compact_measure_columns() -> list[Any]:
    """The table view: direction shown as ≥/≤ on the target, units beside values."""
    from improveplan.render.output import Column

    return [
        Column("name", "Measure", ratio=2),
        Column("baseline_shown", "Baseline", ratio=1),
        Column("target_shown", "Target", ratio=1),
        Column("latest_shown", "Latest", ratio=1),
        Column("on_track", "On track", style=_track_style, no_wrap=True),
    ]
