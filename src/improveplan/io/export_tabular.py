"""CSV of actions and the XLSX workbook (a sheet per entity), formula injection neutralised.

Every text cell goes through `neutralise`: a title such as `=HYPERLINK(...)` is stored as
the text `'=HYPERLINK(...)`, never as a live formula. Dates are real dates in Excel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from improveplan.render.output import cell_text, csv_text, neutralise

RAG_FILLS = {"red": "FFC7CE", "amber": "FFEB9C", "green": "C6EFCE", "blue": "BDD7EE"}
RAG_COLUMNS = ("rag", "rag_computed")

Sheet = tuple[Sequence[str], Iterable[Mapping[str, Any]]]


def actions_csv(actions: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    return csv_text(actions, columns)


def sheets(
    document: Mapping[str, Any], actions: Sequence[Mapping[str, Any]], columns: Sequence[str]
) -> dict[str, Sheet]:
    """The workbook's sheets from the plan document and the action table."""
    notes = ({"action": a["ref"], **note} for a in document["actions"] for note in a["notes"])
    measures = []
    for m in document["measures"]:
        latest = m["values"][-1] if m["values"] else {"date": None, "value": None}
        direction = "higher is better" if m["higher_is_better"] else "lower is better"
        measures.append(
            {**m, "direction": direction, "latest": latest["value"], "latest_date": latest["date"]}
        )
    return {
        "Actions": (columns, actions),
        "Recommendations": (
            ("ref", "text", "priority_action", "theme", "inspection"),
            document["recommendations"],
        ),
        "Themes": (("name", "lead"), document["themes"]),
        "People": (("name", "email", "role", "team"), document["people"]),
        "Milestones": (
            ("name", "kind", "date", "rule", "source_date", "expected", "done"),
            document["milestones"],
        ),
        "Measures": (
            (
                "name",
                "unit",
                "baseline",
                "baseline_date",
                "target",
                "target_date",
                "direction",
                "latest",
                "latest_date",
            ),
            measures,
        ),
        "Notes": (("action", "author", "at", "text"), notes),
        "Audit": (
            ("at", "actor", "entity", "key", "entity_id", "field", "old_value", "new_value"),
            document["audit"],
        ),
    }


def cell_value(value: Any) -> Any:
    """What goes in a cell: real dates (naive UTC for timestamps), numbers, safe text."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, dt.date | int | float) and not isinstance(value, bool):
        return value
    if value is None:
        return None
    return neutralise(cell_text(value))


def write_xlsx(path: Path, book: Mapping[str, Sheet]) -> None:
    """Write-only (streaming) workbook: frozen header, auto-filter, RAG fills."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    fills = {rag: PatternFill("solid", fgColor=colour) for rag, colour in RAG_FILLS.items()}
    bold = Font(bold=True)
    for title, (columns, items) in book.items():
        sheet = workbook.create_sheet(title)
        sheet.freeze_panes = "A2"
        header = []
        for name in columns:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        rag_at = {i for i, name in enumerate(columns) if name in RAG_COLUMNS}
        count = 0
        for item in items:
            count += 1
            row: list[Any] = []
            for i, name in enumerate(columns):
                value = cell_value(item.get(name))
                if isinstance(value, dt.date):
                    cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
                    cell.number_format = (
                        "dd/mm/yyyy" if type(value) is dt.date else "dd/mm/yyyy hh:mm"
                    )
                    row.append(cell)
                elif i in rag_at and value in fills:
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.fill = fills[value]
                    row.append(cell)
                else:
                    row.append(value)
            sheet.append(row)
        # Written at the sheet's end (write-only mode), so the rows can stream past first.
        sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(columns), 1))}{count + 1}"
    workbook.save(path)
