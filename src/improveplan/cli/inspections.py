"""The `inspection` group: the Ofsted inspection a plan answers, typed in or read from its PDF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from improveplan.cli.inspection_text import grade_style, import_line, left_lines, render, span
from improveplan.cli.options import (
    PAST_DATE,
    PAST_DATE_OR_NONE,
    completes,
    format_option,
    get_app,
    needs,
)
from improveplan.domain.access import Need
from improveplan.domain.judgements import COMBINED_CARE
from improveplan.domain.vocab import Area, Grade, InspectionType

if TYPE_CHECKING:
    from improveplan.domain.ofsted_report import ParsedReport

TYPES = click.Choice(InspectionType)  # gives the member; names are the values
_SIF_AREAS = (
    Area.children_looked_after_and_permanence,
    Area.adoption_performance,
    Area.leadership_management_governance,
    Area.lscb,
)
_AREAS = ", ".join(area for area in Area if area is not COMBINED_CARE and area not in _SIF_AREAS)
_GRADES = ", ".join(f'{g} ("RI")' if g is Grade.requires_improvement else g for g in Grade)
ADD_HELP = f"""Record an inspection of the current plan and its judgements.

Areas: {_AREAS} (or {COMBINED_CARE} before 2023); a SIF inspection (2013-2018, --type
{InspectionType.sif}) also {", ".join(_SIF_AREAS)}. Grades: {_GRADES}.
"""
GRADE_HELP = (
    "A judgement, repeatable: e.g. "
    f"{Area.overall_effectiveness}={Grade.inadequate}, {Area.care_leavers}=RI."
)


def _areas(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[Area, ...]:
    """`--no-grade AREA` validated at parse time, as `--grade` is."""
    from improveplan.domain.judgements import parse_area

    try:
        return tuple(parse_area(area) for area in value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


def _grades(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> dict[Area, Grade]:
    """`--grade AREA=GRADE` validated at parse time: a bad value is a usage error (exit 2)."""
    from improveplan.domain.judgements import parse_grades

    try:
        return parse_grades(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


@click.group()
def inspection() -> None:
    """Record the Ofsted inspection: typed in, or read from the published report PDF."""


@inspection.command("add", help=ADD_HELP)
@click.option("--type", "type_", type=TYPES, required=True, help="Inspection type.")
@click.option("--start", type=PAST_DATE, required=True, help="First day of fieldwork.")
@click.option("--end", type=PAST_DATE, required=True, help="Last day of fieldwork.")
@click.option(
    "--received", type=PAST_DATE, help="Report received: starts the 70-working-day clock."
)
@click.option("--published", type=PAST_DATE, help="Report published by Ofsted.")
@click.option("--lead-inspector", metavar="NAME", help="Ofsted's lead inspector.")
@click.option(
    "--grade",
    "grades",
    multiple=True,
    metavar="AREA=GRADE",
    callback=_grades,
    help=GRADE_HELP,
)
@needs(Need.admin)
def add(
    type_: InspectionType,
    start: dt.date,
    end: dt.date,
    received: dt.date | None,
    published: dt.date | None,
    lead_inspector: str | None,
    grades: dict[Area, Grade],
) -> None:
    """Record an inspection and its judgements (its --help, ADD_HELP, names the vocabulary)."""
    from improveplan.domain.vocab import spoken
    from improveplan.render.output import message
    from improveplan.services import inspections

    added = inspections.add_inspection(
        get_app(),
        type=type_,
        start=start,
        end=end,
        received=received,
        published=published,
        lead_inspector=lead_inspector,
        judgements=grades,
    )
    message(f"Added inspection {added.id} ({spoken(type_)}, {start} to {end}).", "success")


@inspection.command("list")
@format_option
@needs(Need.read)
def list_(fmt: str) -> None:
    """List the plan's inspections."""
    from improveplan.render.output import Column, emit
    from improveplan.serialize import as_record
    from improveplan.services import inspections

    data = inspections.list_inspections(get_app())
    rows = [
        {
            **as_record(d),
            "kind": d.type.replace("_", " "),
            "overall": d.overall,
            "recs": len(d.recommendations),
        }
        for d in data
    ]
    if fmt == "csv":
        keys = ("id", "type", "start", "end", "received", "published", "lead_inspector")
        columns = [Column(k, k) for k in (*keys, "overall", "recs")]
    else:  # fits 80 columns; the lead inspector and publication date are in `show`
        columns = [
            Column("id", "ID", justify="right", no_wrap=True),
            Column("kind", "Type"),
            Column("start", "Start", no_wrap=True),
            Column("end", "End", no_wrap=True),
            Column("received", "Received", no_wrap=True),
            Column("overall", "Overall", style=grade_style, spoken=True),
            Column("recs", "Recs", justify="right", no_wrap=True),
        ]
    emit(
        rows,
        columns,
        fmt,
        json_data=data,
        empty="No inspections yet — add one with improveplan inspection add or import-report.",
    )


@inspection.command("history")
@format_option
@needs(Need.read)
def history(fmt: str) -> None:
    """The judgements of every inspection side by side by area, oldest first.

    SIF and ILACS judgements that mean the same share a row (children looked after is
    children in care; leadership, management and governance is the impact of leaders).
    Then the recurring concerns: the latest inspection's recommendations that echo an
    earlier one's, with both texts and how alike they read (0-100). CSV holds the grid.
    """
    from improveplan.cli.history_text import render_history
    from improveplan.services.history import inspection_history

    render_history(inspection_history(get_app()), fmt)


@inspection.command("show")
@click.argument("inspection_id", metavar="ID", type=int, shell_complete=completes("inspection"))
@format_option
@needs(Need.read)
def show(inspection_id: int, fmt: str) -> None:
    """Show one inspection: dates, judgements and recommendations."""
    from improveplan.services import inspections

    render(inspections.show_inspection(get_app(), inspection_id=inspection_id), fmt)


def _date_given(value: dt.date | str | None) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


def _cleared(**values: dt.date | str | None) -> tuple[str, ...]:
    """The fields typed as `none` (dates) or "" (the lead inspector): to be emptied."""
    return tuple(
        name
        for name, value in values.items()
        if isinstance(value, str) and value.strip().lower() in ("", "none")
    )


@inspection.command("update")
@click.argument("inspection_id", metavar="ID", type=int, shell_complete=completes("inspection"))
@click.option("--type", "type_", type=TYPES, help="Inspection type.")
@click.option("--start", type=PAST_DATE, help="First day of fieldwork.")
@click.option("--end", type=PAST_DATE, help="Last day of fieldwork.")
@click.option(
    "--received",
    type=PAST_DATE_OR_NONE,
    help="Report received: starts the 70-working-day clock (none: not yet).",
)
@click.option(
    "--published", type=PAST_DATE_OR_NONE, help="Report published by Ofsted (none: not yet)."
)
@click.option("--lead-inspector", metavar="NAME", help='Ofsted\'s lead inspector ("" clears it).')
@click.option(
    "--grade",
    "grades",
    multiple=True,
    metavar="AREA=GRADE",
    callback=_grades,
    help="Set or add a judgement, repeatable: e.g. care_leavers=RI.",
)
@click.option(
    "--no-grade",
    "ungraded",
    multiple=True,
    metavar="AREA",
    callback=_areas,
    help="Remove the judgement of AREA, repeatable.",
)
@needs(Need.admin)
def update(
    inspection_id: int,
    type_: InspectionType | None,
    start: dt.date | None,
    end: dt.date | None,
    received: dt.date | str | None,
    published: dt.date | str | None,
    lead_inspector: str | None,
    grades: dict[Area, Grade],
    ungraded: tuple[Area, ...],
) -> None:
    """Correct or complete inspection ID, e.g. set --received when the report arrives.

    The report cannot be received or published before fieldwork ends. `none` empties a
    date set by mistake, and "" the lead inspector.
    """
    from improveplan.render.output import message
    from improveplan.services import inspection_changes

    changes = inspection_changes.InspectionChanges(
        type=type_,
        start=start,
        end=end,
        received=_date_given(received),
        published=_date_given(published),
        lead_inspector=lead_inspector if lead_inspector and lead_inspector.strip() else None,
        cleared=_cleared(received=received, published=published, lead_inspector=lead_inspector),
        grades=grades,
        ungraded=ungraded,
    )
    inspection_changes.update_inspection(get_app(), inspection_id=inspection_id, changes=changes)
    message(f"Updated inspection {inspection_id}.", "success")


@inspection.command("remove")
@click.argument("inspection_id", metavar="ID", type=int, shell_complete=completes("inspection"))
@needs(Need.admin)
def remove(inspection_id: int) -> None:
    """Remove inspection ID (entered by mistake), its judgements and recommendations.

    Refused while any action answers one of its recommendations; the history keeps
    every field it had.
    """
    from improveplan.render.output import message
    from improveplan.services import inspection_changes

    gone = inspection_changes.remove_inspection(get_app(), inspection_id=inspection_id)
    refs = gone.recommendations
    recs = f"{len(refs)} recommendations{span(refs)}"
    message(
        f"Removed inspection {gone.id} ({gone.type}, {gone.start} to {gone.end}),"
        f" its {gone.judgements} judgements and {recs}.",
        "success",
    )


def _read_pdf(file: Path) -> ParsedReport:
    """The report's reading, or one error line saying what is wrong with the file."""
    from improveplan.domain.ofsted_report import ReportError
    from improveplan.errors import ImproveplanError
    from improveplan.io.ofsted_pdf import read_report

    if not file.exists():
        raise ImproveplanError(f"no file at {file}", "check the path of the report PDF")
    try:
        return read_report(file)
    except ReportError as exc:
        what, _, todo = str(exc).partition(" — ")
        raise ImproveplanError(
            what, todo or "check that it is an Ofsted ILACS or SIF inspection report PDF"
        ) from None


@inspection.command("import-report")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=True))
@click.option(
    "--received", type=PAST_DATE, help="Report received: starts the 70-working-day clock."
)
@click.option("--published", type=PAST_DATE, help="Report published by Ofsted.")
@click.option(
    "--replace",
    is_flag=True,
    help="Re-read a report already in the plan into its inspection; keeps the actions.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Read the report and say what it would do; write nothing (works before any plan).",
)
@click.option(
    "--create-plan",
    is_flag=True,
    help="Create the plan, named after the authority the report names (or --plan NAME), "
    "and import into it.",
)
@click.option(
    "--include-lscb",
    is_flag=True,
    help="Make a SIF report's LSCB recommendations plan recommendations too, after the "
    "local authority's.",
)
@format_option
@needs(Need.admin)
def import_report(
    file: Path,
    received: dt.date | None,
    published: dt.date | None,
    replace: bool,
    dry_run: bool,
    create_plan: bool,
    include_lscb: bool,
    fmt: str,
) -> None:
    """Read an Ofsted ILACS report PDF (or an older SIF one, 2013–2018) into the plan.

    Creates the inspection (dates, type, lead inspector), its judgements and its
    recommendations ("What needs to improve", verbatim, numbered from the next free R).
    Recommendations a tracker import left with their ref only are filled in by number
    instead (R1 is the first item). A report already in the plan (same type and
    fieldwork dates) is refused unless --replace. With --create-plan the plan is made
    first, in the same transaction; a plan of that name already there is refused.

    A SIF report gives its own judgements (LSCB among them), its published date and its
    recommendations, those under "Priority and immediate action" marked priority actions.
    Its LSCB's recommendations are kept with the inspection; --include-lscb makes them plan
    recommendations too.
    """
    from improveplan.render.output import message
    from improveplan.services import report_import

    if replace and create_plan:
        raise click.UsageError("give --replace or --create-plan, not both")
    done = report_import.import_report(
        get_app(),
        report=_read_pdf(file),
        received=received,
        published=published,
        dry_run=dry_run,
        replace=replace,
        create_plan=create_plan,
        include_lscb=include_lscb,
    )
    render(done.inspection, fmt, authority=done.authority)
    message(import_line(done), "warning" if dry_run else "success")
    for line in left_lines(done):
        message(f"Warning: {line}", "warning")
