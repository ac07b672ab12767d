"""`export` and `import`: the plan out as JSON/CSV/XLSX/ICS, and trackers or exports in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from improveplan.cli.options import checked_output, get_app, needs, protected_files
from improveplan.domain.access import Need

if TYPE_CHECKING:
    from typing import IO

    from improveplan.io.export_json import PlanExport
    from improveplan.services.export import ActionExport
    from improveplan.services.tracker_import import TrackerImport

FORMATS = ("json", "csv", "xlsx", "ics")
IMPORT_FORMATS = ("json", "csv", "xlsx")


def _inferred(path: Path | None, given: str | None, allowed: tuple[str, ...]) -> str | None:
    if given:
        return given
    if path is None:
        return None
    suffix = path.suffix.lower().lstrip(".")
    suffix = {"xlsm": "xlsx", "ical": "ics", "txt": "csv"}.get(suffix, suffix)
    return suffix if suffix in allowed else None


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="json: the whole plan; csv: actions; xlsx: a sheet per entity; ics: calendar "
    "[default: from the -o extension, else json].",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE (needed for xlsx); otherwise stdout.",
)
@needs(Need.read)
def export(fmt: str | None, output: Path | None) -> None:
    """Export the plan: JSON (everything, for import), CSV, XLSX or an ICS calendar."""
    import sys

    from improveplan.errors import ImproveplanError
    from improveplan.io.safe_write import write_text
    from improveplan.render.output import message

    fmt = _inferred(output, fmt, FORMATS) or "json"
    if fmt == "xlsx" and output is None:
        raise ImproveplanError("xlsx is binary", "give -o FILE")
    if output is not None:
        checked_output(output)
    if fmt == "xlsx":
        assert output is not None
        plan = _export_xlsx(output)
    elif fmt in ("json", "csv"):  # rows written as the cursor reads them
        plan = _export_stream(fmt, output)
        if output is None:
            return
    else:
        plan, text = _render(fmt)
        if output is None:
            sys.stdout.write(text)
            return
        write_text(output, text, protected=protected_files())
    message(f'Exported plan "{plan}" as {fmt} to {output}.', "success")


def _render(fmt: str) -> tuple[str, str]:
    """The plan's name and the export as text: the actions (csv), else the document."""
    from improveplan.services import export as service

    if fmt == "csv":
        from improveplan.io.export_tabular import actions_csv

        table = service.export_actions(get_app())
        return table.plan, actions_csv(table.actions)
    document = service.export_document(get_app())
    if fmt == "json":
        from improveplan.io.export_json import dumps

        return document.plan.name, dumps(document)
    from improveplan.io.export_ics import calendar_bytes

    return document.plan.name, calendar_bytes(document).decode("utf-8")


def _export_stream(fmt: str, output: Path | None) -> str:
    """Write the document (json) or the action table (csv) to `output` (whole or not at
    all) or stdout as its rows are read. Returns the plan's name."""
    import sys

    from improveplan.io.safe_write import replacing
    from improveplan.services.export import export_stream

    with export_stream(get_app(), fmt) as found:
        if output is None:
            _write_export(found, sys.stdout)
        else:
            with (
                replacing(output, protected=protected_files()) as temporary,
                temporary.open("w", encoding="utf-8") as stream,
            ):
                _write_export(found, stream)
        return found.plan if isinstance(found.plan, str) else found.plan.name


def _write_export(found: PlanExport | ActionExport, stream: IO[str]) -> None:
    from improveplan.io.export_json import PlanExport

    if isinstance(found, PlanExport):
        from improveplan.io.stream_json import write_json

        write_json(found, stream, end="\n")  # as export_json.dumps, UTF-8 kept
    else:
        from improveplan.io.export_tabular import ACTION_COLUMNS
        from improveplan.render.csv_out import write_csv

        write_csv(found.actions, ACTION_COLUMNS, stream)


def _export_xlsx(output: Path) -> str:
    """Write the workbook beside `output`, then move it into place: a failed export never
    leaves half a file under the real name. Returns the plan's name."""
    from improveplan.io.export_tabular import write_xlsx
    from improveplan.io.safe_write import replacing
    from improveplan.services.export import export_xlsx

    # The rows stream from the database while the workbook is written; if either fails
    # the temporary file is removed and `output` is left as it was.
    app = get_app()
    with replacing(output, protected=protected_files()) as temporary:
        plan = export_xlsx(app, write=lambda book: write_xlsx(temporary, book, made=app.now()))
    return plan


@contextmanager
def _progress(label: str) -> Iterator[Callable[[str, int, int], None] | None]:
    """A transient rich bar on stderr, only when stderr is a terminal."""
    from improveplan.render.output import err

    console = err()
    if not console.is_terminal:
        yield None
        return
    from rich.progress import Progress

    with Progress(console=console, transient=True) as bar:
        tasks: dict[str, object] = {}

        def update(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(f"{label}: {phase}", total=total or None)
            bar.update(tasks[phase], completed=done, total=total or None)  # type: ignore[arg-type]

        yield update


def _text_encoding(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--encoding NAME: a text encoding Python knows (not rot13 or base64), by its
    canonical name."""
    import codecs

    if value is None:
        return None
    try:
        name = codecs.lookup(value).name
        b"\0\0\0\0".decode(name)  # refuses a bytes codec (hex) and one that decodes nothing
    except (LookupError, ValueError):
        raise click.BadParameter(
            f'"{value[:40]}" is not a text encoding (e.g. utf-8, cp1252, utf-16)'
        ) from None
    return name


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(IMPORT_FORMATS),
    help="json: a plan export; csv/xlsx: an action tracker [default: from FILE's extension].",
)
@click.option(
    "--dry-run", is_flag=True, help="Check everything and say what would be created; write nothing."
)
@click.option(
    "--update",
    is_flag=True,
    help="Tracker: a row whose ref is already an action refreshes that action from the row "
    "(only the fields that differ; each change audited); other rows are added.",
)
@click.option(
    "--map",
    "maps",
    metavar='"HEADER=FIELD"',
    multiple=True,
    help='Read a tracker column as a field, e.g. --map "Lead officer=owner" (or =ignore).',
)
@click.option(
    "--encoding",
    metavar="NAME",
    callback=_text_encoding,
    help="A CSV tracker's encoding, e.g. cp1252 for Excel's older \"CSV (Comma delimited)\" "
    "[default: UTF-8, or UTF-16 with a BOM; a byte that is not UTF-8 is refused].",
)
@needs(Need.admin)
def import_(
    file: Path,
    fmt: str | None,
    dry_run: bool,
    update: bool,
    maps: tuple[str, ...],
    encoding: str | None,
) -> None:
    """Import a plan export (JSON) or a council's action tracker (CSV/XLSX), all or nothing.

    Tracker columns are recognised by the usual headers (Ref, Action, Lead officer, Due
    date, Status, RAG, Recommendation, Theme, Progress update, ...); every row is checked
    first, and any bad row is listed with its spreadsheet row number.
    """
    from improveplan.render.output import message

    chosen = _inferred(file, fmt, IMPORT_FORMATS)
    if chosen is None:
        raise click.UsageError(
            f"cannot tell the format of {file.name} — give --format csv|xlsx|json"
        )
    if update and chosen == "json":
        raise click.UsageError(
            "--update is for trackers (CSV/XLSX); a plan export is imported whole"
        )
    if encoding is not None and chosen != "csv":
        raise click.UsageError("--encoding is for CSV trackers (XLSX and JSON files say their own)")
    if chosen == "json":
        from improveplan.services.importer import import_plan

        summary = import_plan(get_app(), path=file, dry_run=dry_run)
        verb = "Would import" if dry_run else "Imported"
        message(
            f'{verb} plan "{summary.plan}" from {file.name}: {summary.actions} actions, '
            f"{summary.notes} notes, {summary.audit_events} audit events.",
            None if dry_run else "success",
        )
        _people_line(summary.people_created, dry_run)
        return
    _import_tracker(file, chosen, dry_run, update, maps, encoding)


def _people_line(names: list[str], dry_run: bool) -> None:
    from improveplan.render.output import message

    if names:
        message(("Would add" if dry_run else "Added") + " people: " + ", ".join(names))


def _import_tracker(
    file: Path, fmt: str, dry_run: bool, update: bool, maps: tuple[str, ...], encoding: str | None
) -> None:
    from improveplan.errors import ImproveplanError
    from improveplan.io.tracker import TrackerError, parse_mapping
    from improveplan.render.output import message
    from improveplan.services.tracker_import import RowsRejected, import_tracker

    try:
        mapping = parse_mapping(maps)
    except TrackerError as exc:
        raise click.BadParameter(str(exc), param_hint="--map") from exc
    try:
        with _progress(f"Importing {file.name}") as progress:
            summary = import_tracker(
                get_app(), path=file, fmt=fmt, mapping=mapping, dry_run=dry_run,
                update=update, progress=progress, encoding=encoding,
            )  # fmt: skip
    except RowsRejected as exc:
        for line in exc.lines:
            message(line)
        raise ImproveplanError(exc.what, exc.todo) from None
    for line in _tracker_lines(summary):
        message(line)
    for warning in (*summary.warnings, *summary.late):
        message(f"Warning: {warning}", "warning")


def _tracker_lines(summary: TrackerImport) -> list[str]:
    """What a tracker import did, a line each; names listed up to 20."""

    def listed(names: list[str], most: int = 20) -> str:
        more = f" and {len(names) - most} more" if len(names) > most else ""
        return ", ".join(names[:most]) + more

    verb, add = ("Would import", "Would add") if summary.dry_run else ("Imported", "Added")
    kept = "that would be kept" if summary.dry_run else "kept"
    lines = [
        f"{verb} {summary.actions} action{'' if summary.actions == 1 else 's'} into plan"
        f' "{summary.plan}" from {summary.file}.',
        f"RAG overrides {kept} from the tracker: {summary.overrides}.",
    ]
    if summary.rag_notes:
        lines.append(
            f"Tracker RAGs better than the computed one, {kept} as a progress note instead:"
            f" {summary.rag_notes}."
        )
    lines.append(f"Progress notes: {summary.notes}.")
    if summary.update:
        lines += _refresh_lines(summary, listed)
    for label, names in (
        ("people", summary.people_created),
        ("themes", summary.themes_created),
        ("recommendations (ref only — add their text)", summary.recommendations_created),
    ):
        if names:
            lines.append(f"{add} {label}: {listed(names)}")
    if summary.unlinked_milestones:
        lines.append("No such milestone, left unlinked: " + ", ".join(summary.unlinked_milestones))
    if summary.ignored_columns:
        lines.append("Ignored columns: " + ", ".join(summary.ignored_columns))
    return lines


def _counted(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _refresh_lines(summary: TrackerImport, listed: Callable[[list[str]], str]) -> list[str]:
    """What `--update` changed (or would): the actions and fields, and how many stay."""
    updated = summary.updated
    lines = []
    if summary.dry_run and updated:
        noted = {0: [], 1: ["progress note"], 2: ["2 progress notes"]}
        each = [f"{u.ref} ({', '.join([*u.fields, *noted[u.notes]])})" for u in updated]
        lines.append(f"Would update {_counted(len(updated), 'action')}: {listed(each)}.")
    elif updated:
        fields = sum(len(u.fields) for u in updated)
        notes = sum(u.notes for u in updated)
        parts = [_counted(n, w) for n, w in ((fields, "field"), (notes, "progress note")) if n]
        lines.append(
            f"Updated {_counted(len(updated), 'action')} from {summary.file} ({', '.join(parts)})."
        )
    else:
        lines.append(("Would update" if summary.dry_run else "Updated") + " no actions.")
    lines.append(f"Unchanged actions: {summary.unchanged}.")
    return lines
