"""How `inspection history` shows the plan's inspections side by side: the grid of
judgements by area (table or CSV), then the recurring concerns (table only; JSON has both)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from improveplan.services.history import InspectionHistory

EMPTY = "No inspections yet — add one with improveplan inspection add or import-report."
NO_ECHOES = (
    "No recurring concerns: no recommendation of the latest inspection echoes an earlier one's."
)


def _grid_rows(history: InspectionHistory, table: bool) -> list[dict[str, Any]]:
    """One row per area, the grades under each inspection's label; a table shows the
    row's label and "—" for no grade, CSV the stored keys and nothing."""
    rows = []
    for row in history.areas:
        cells: dict[str, Any] = {"area": row.label if table else row.area}
        for column, grade in zip(history.inspections, row.grades, strict=True):
            cells[column.label] = "—" if table and grade is None else grade
        rows.append(cells)
    return rows


def render_history(history: InspectionHistory, fmt: str) -> None:
    """The history JSON, the grid as CSV, or the grid and the recurring concerns as tables."""
    import sys

    from improveplan.cli.inspection_text import grade_style
    from improveplan.render.csv_out import write_csv
    from improveplan.render.output import Column, emit_json, message, table

    if fmt == "json":
        emit_json(history)
        return
    labels = [i.label for i in history.inspections]
    if fmt == "csv":
        write_csv(_grid_rows(history, table=False), ("area", *labels), sys.stdout)
        return
    if not history.inspections:
        message(EMPTY)
        return
    columns = [Column("area", "Area", style="heading")]
    columns += [Column(label, label, style=grade_style, spoken=True) for label in labels]
    table(_grid_rows(history, table=True), columns, title="Judgements by area")
    _recurring_table(history)


def _recurring_table(history: InspectionHistory) -> None:
    from improveplan.render.output import Column, table

    rows = [
        {
            "ref": f"{c.current.ref} ({c.current.year})",
            "text": c.current.text,
            "earlier": f"{c.earlier.ref} ({c.earlier.year})",
            "earlier_text": c.earlier.text,
            "score": f"{c.score:g}",
        }
        for c in history.recurring
    ]
    columns = [
        Column("ref", "Now", style="ref", no_wrap=True),
        Column("text", "Recommendation"),
        Column("earlier", "Echoes", style="ref", no_wrap=True),
        Column("earlier_text", "Earlier recommendation"),
        Column("score", "Score", justify="right", no_wrap=True),
    ]
    table(rows, columns, title="Recurring concerns", empty=NO_ECHOES)
