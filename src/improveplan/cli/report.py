"""The `report` command: the board pack, as one HTML file or Markdown."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from improveplan.cli.options import (
    as_of_option,
    as_of_or_today,
    checked_output,
    get_app,
    needs,
    protected_files,
)
from improveplan.domain.access import Need


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "md"]),
    default="html",
    show_default=True,
    help="HTML (one self-contained file with charts, prints on A4) or Markdown.",
)
@click.option(
    "--template",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Your own Jinja2 template (runs in Jinja2's sandbox) instead of the built-in one.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report to this FILE, replacing it only once complete (default: "
    "standard output).",
)
@as_of_option
@needs(Need.read)
def report(fmt: str, template: Path | None, output: Path | None, as_of: dt.date | None) -> None:
    """Write the improvement board report.

    Summary and RAG totals, RAG by theme, overdue and slipped actions with owners and
    reasons, the timeline, measures against target and the last 30 days' progress notes.
    """
    import sys

    from improveplan.io.safe_write import write_text
    from improveplan.render.output import message
    from improveplan.services.report import build_report, render_report

    if output is not None:
        checked_output(output)
    data = build_report(get_app(), as_of=as_of_or_today(as_of))
    text = render_report(data, fmt=fmt, template=template)
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    write_text(output, text, protected=protected_files())
    message(f"Wrote the {fmt.upper()} board report to {output}.", "success")
