"""The `report` command: the board pack, as one HTML file, Markdown or PDF."""

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

FORMATS = ("html", "md", "pdf")
SUFFIXES = {".html": "html", ".htm": "html", ".md": "md", ".pdf": "pdf"}


def chosen_format(fmt: str | None, output: Path | None) -> str:
    """The format given, else the one `-o`'s extension names, else HTML."""
    if fmt is not None:
        return fmt
    return SUFFIXES.get(output.suffix.lower(), "html") if output is not None else "html"


def _write_binary(data: bytes) -> None:
    """Bytes to a piped stdout (a closed one is the one-line EBADF error, as for text)."""
    import errno
    import sys

    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:
        raise OSError(errno.EBADF, "standard output is closed")
    sys.stdout.flush()
    stream.write(data)
    stream.flush()


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="HTML (one self-contained file with charts, prints on A4), Markdown, or PDF (A4, "
    "needs improveplan[pdf]) [default: from the -o extension, else html].",
)
@click.option(
    "--template",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Your own Jinja2 template (runs in Jinja2's sandbox) instead of the built-in one; "
    "a PDF is made from an HTML template.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report to this FILE, replacing it only once complete (default: "
    "standard output; a PDF only when piped).",
)
@as_of_option
@needs(Need.read)
def report(
    fmt: str | None, template: Path | None, output: Path | None, as_of: dt.date | None
) -> None:
    """Write the improvement board report: the board pack.

    Summary and RAG totals, RAG by theme, overdue actions and those due in the next 28
    days, slipped actions with owners and reasons, the timeline, measures against target,
    the last 30 days' progress notes, and the plan by recommendation with each action's
    latest note. Printed or as PDF, every page has the plan, the as-of date and its
    number in the footer.
    """
    import sys

    from improveplan.io.safe_write import write_bytes, write_text
    from improveplan.render.output import message
    from improveplan.services.report import build_report, render_report

    fmt = chosen_format(fmt, output)
    if output is not None:
        checked_output(output)
    elif fmt == "pdf" and sys.stdout.isatty():
        raise click.UsageError("a PDF is binary and would garble the terminal: give -o FILE")
    if fmt == "pdf":
        from improveplan.render.pdf import load_weasyprint

        load_weasyprint()
    data = build_report(get_app(), as_of=as_of_or_today(as_of))
    text = render_report(data, fmt="html" if fmt == "pdf" else fmt, template=template)
    if fmt == "pdf":
        from improveplan.render.pdf import html_to_pdf

        pdf = html_to_pdf(text)
        if output is None:
            _write_binary(pdf)
            return
        write_bytes(output, pdf, protected=protected_files())
    elif output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    else:
        write_text(output, text, protected=protected_files())
    message(f"Wrote the {fmt.upper()} board report to {output}.", "success")
