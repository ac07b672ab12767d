"""The `measure` group: the plan's KPIs, their targets and recorded values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from improveplan.cli.options import (
    DATE,
    DATE_OR_NONE,
    PAST_DATE,
    as_of_option,
    as_of_or_today,
    completes,
    format_option,
    get_app,
    needs,
)
from improveplan.domain.access import Need

if TYPE_CHECKING:
    from improveplan.domain.measures import MeasureRecord


@click.group()
def measure() -> None:
    """Add measures (KPIs), record their values, list them against target, correct them."""


@measure.command("add")
@click.argument("name")
@click.option("--unit", required=True, help='What a value counts, e.g. "%" or "days".')
@click.option("--baseline", type=float, required=True, help="The value when the plan began.")
@click.option("--target", type=float, required=True, help="The value the plan aims for.")
@click.option("--baseline-date", type=PAST_DATE, help="When the baseline was measured.")
@click.option("--target-date", type=DATE, help="When the target should be reached.")
@click.option(
    "--higher-is-better/--lower-is-better",
    default=True,
    help="Which way is better [default: higher].",
)
@needs(Need.admin)
def add(
    name: str,
    unit: str,
    baseline: float,
    target: float,
    baseline_date: dt.date | None,
    target_date: dt.date | None,
    higher_is_better: bool,
) -> None:
    """Add a measure called NAME to the plan.

    The target must be better than the baseline (above it, or below it with
    --lower-is-better); a % measure's values lie from 0 to 100.
    """
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
        lower_is_better=not higher_is_better,
    )
    message(
        f'Added measure "{row.name}": baseline {_num(baseline)}, target {_num(target)} '
        f"{row.unit} ({row.direction}).",
        "success",
    )


class _Value(click.ParamType[Any, Any]):
    """A number, or a percentage written `21%` (a usage error, exit 2, otherwise)."""

    name = "VALUE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from improveplan.domain.measures import parse_value

        try:
            return parse_value(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a number (e.g. 12.5, or 21% for a % measure)", param, ctx)


@measure.command("record")
@click.argument("name", shell_complete=completes("measure"))
@click.argument("value", type=_Value())
@click.option("--date", "on", type=PAST_DATE, help="The date the value is for (default: today).")
@needs(Need.admin)
def record(name: str, value: Any, on: dt.date | None) -> None:
    """Record VALUE for measure NAME; recording again for the same date replaces it.

    VALUE is a number; 21% is read as 21 for a % measure.
    """
    from improveplan.render.output import message
    from improveplan.services import measures

    app = get_app()
    number = value.number
    row = measures.record_value(
        app, name=name, value=number, on=on or app.today, percent=value.percent
    )
    text = f'Recorded {_num(number)} for "{row.name}" on {row.date.isoformat()}'
    if row.previous is not None:
        text += f" (was {_num(row.previous)})"
    message(text + ".", "success")


@measure.command("update")
@click.argument("name", shell_complete=completes("measure"))
@click.option("--name", "new_name", metavar="NAME", help="A new name.")
@click.option("--unit", help='What a value counts, e.g. "%" or "days".')
@click.option("--baseline", type=float, help="The value when the plan began.")
@click.option("--target", type=float, help="The value the plan aims for.")
@click.option(
    "--baseline-date",
    type=DATE_OR_NONE,
    metavar="DATE|none",
    help="When the baseline was measured; none: not known.",
)
@click.option(
    "--target-date",
    type=DATE_OR_NONE,
    metavar="DATE|none",
    help="When the target should be reached; none: no date.",
)
@click.option("--higher-is-better/--lower-is-better", default=None, help="Which way is better.")
@needs(Need.admin)
def update(
    name: str,
    new_name: str | None,
    unit: str | None,
    baseline: float | None,
    target: float | None,
    baseline_date: Any,
    target_date: Any,
    higher_is_better: bool | None,
) -> None:
    """Correct measure NAME; its terms must still stand together."""
    from improveplan.render.output import message
    from improveplan.services.measure_changes import NO_DATE, MeasureEdit, update_measure

    def day(value: Any) -> Any:
        return NO_DATE if value == "none" else value

    edit = MeasureEdit(
        name=new_name, unit=unit, baseline=baseline, target=target,
        baseline_date=day(baseline_date), target_date=day(target_date),
        higher_is_better=higher_is_better,
    )  # fmt: skip
    done = update_measure(get_app(), name=name, edit=edit)
    if not done.changes:
        message(f'Measure "{done.name}": nothing changed.', "success")
        return
    parts = [
        f"{_LABELS.get(field, field)} {_was(old, field)} → {_was(new, field)}"
        for field, old, new in done.changes
    ]
    message(f'Measure "{done.name}": ' + "; ".join(parts) + ".", "success")


_LABELS = {"higher_is_better": "direction"}


def _was(value: Any, field: str) -> str:
    if field == "higher_is_better":
        return "higher is better" if value else "lower is better"
    return "—" if value is None else _num(value)


@measure.command("remove")
@click.argument("name", shell_complete=completes("measure"))
@needs(Need.admin)
def remove(name: str) -> None:
    """Remove measure NAME, added by mistake, with its recorded values."""
    from improveplan.render.output import message
    from improveplan.services.measure_changes import remove_measure

    gone = remove_measure(get_app(), name=name)
    plural = "" if gone.values == 1 else "s"
    message(f'Removed measure "{gone.name}" and its {gone.values} value{plural}.', "success")


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
@needs(Need.read)
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
