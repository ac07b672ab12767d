"""How actions look: the list a manager scans, one action in full, its history.

Imported only inside the `action` commands; render modules load inside functions so
`improveplan --help` stays light.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

LONDON = "Europe/London"

if TYPE_CHECKING:
    from collections.abc import Iterable

    from improveplan.domain.records import ActionRow, CsvText, TupleRows
    from improveplan.services.action_reads import ActionDetail, HistoryEvent


def say(text: str, style: str | None = "success") -> None:
    """A message on stderr as one line, never hard-wrapped (logs and pipes grep it)."""
    from improveplan.render.output import err

    err().print(text, style=style, markup=False, soft_wrap=True)


def _local(value: dt.datetime) -> dt.datetime:
    """Timestamps are stored in UTC; people read them in UK time."""
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo(LONDON))


def _rag_label(row: ActionRow) -> str | None:
    if row.rag is None:
        return None
    return f"{row.rag}*" if row.overridden else str(row.rag)


def _rag_style(value: Any) -> str | None:
    from improveplan.render.output import rag_style

    return rag_style(str(value).rstrip("*")) if value else None


def _late(days: int) -> str:
    return f"{days}d" if days else ""


def footer(rows: list[ActionRow], as_of: dt.date) -> str:
    """`25 actions: 3 red, 5 amber, 14 green, 3 blue (as of 2025-03-31)`."""
    from collections import Counter

    from improveplan.domain.vocab import RAG_ORDER, Status

    counted = [r for r in rows if r.status != Status.cancelled]
    n = len(counted)
    by_rag = Counter(r.rag for r in counted)
    parts = [f"{by_rag[c]} {c}" for c in reversed(RAG_ORDER)]  # trouble first
    text = f"{n} action{'' if n == 1 else 's'}: {', '.join(parts)} (as of {as_of})"
    cancelled = len(rows) - n
    if cancelled:
        text += f"; {cancelled} cancelled, not counted"
    return text


WIDE = 100  # narrower terminals drop the Late column (the RAG already shows red)
NARROW = 72  # and then the Owner column; ref, RAG, status and due always stay


def _list_columns(width: int) -> list[Any]:
    from improveplan.render.output import Column

    columns = [
        Column("ref", "Ref", style="ref", no_wrap=True),
        Column("rag_label", "RAG", style=_rag_style, no_wrap=True),
        Column("due", "Due", no_wrap=True),
        Column("late", "Late", style="rag.red", justify="right", no_wrap=True),
        Column("status", "Status", no_wrap=True, spoken=True),
        Column("owner", "Owner", no_wrap=True, max_width=20),
        Column("title", "Title", shorten=True),
    ]
    dropped = set() if width >= WIDE else {"late"} if width >= NARROW else {"late", "owner"}
    return [c for c in columns if c.key not in dropped]


def render_list(rows: Iterable[ActionRow] | TupleRows | CsvText, fmt: str, as_of: dt.date) -> None:
    """The actions as json or csv (written as `rows` yields them), or as a table."""
    from improveplan.domain.records import ActionRow, CsvText, TupleRows
    from improveplan.serialize import as_record, record_keys

    if fmt == "json":
        from improveplan.render.output import emit_json

        emit_json(rows if isinstance(rows, list | TupleRows) else iter(rows))
        return
    if fmt == "csv":
        import sys

        from improveplan.render.csv_out import write_csv

        if isinstance(rows, CsvText):  # written by the database (store/direct_csv.py)
            sys.stdout.writelines(rows)
        else:
            write_csv(rows, record_keys(ActionRow), sys.stdout)
        return
    from improveplan.render.output import out, table

    assert not isinstance(rows, TupleRows | CsvText)  # tables are read through SQLAlchemy
    rows = list(rows)
    shown = [
        {**as_record(r), "rag_label": _rag_label(r), "late": _late(r.days_overdue)} for r in rows
    ]
    empty = "No actions match — see improveplan action list --all."
    table(shown, _list_columns(out().width), empty=empty)
    if rows:
        say(footer(rows, as_of), "muted")
    if any(r.overridden for r in rows):
        say("* RAG set by hand — see improveplan action show REF for why.", "muted")


def _panel_rows(a: ActionDetail) -> list[dict[str, Any]]:
    from improveplan.domain.vocab import spoken

    rag = a.rag or "none (cancelled)"
    if a.rag is not None and a.rag != a.rag_computed:
        rag = f"{a.rag} (set by hand: {a.rag_override_reason}; computed {a.rag_computed})"
    status = spoken(a.status) + (f" ({a.status_reason})" if a.status_reason else "")
    due = str(a.due) + (f" (originally {a.original_due})" if a.original_due != a.due else "")
    pairs = [
        ("Owner", a.owner),
        ("Status", status),
        ("RAG", rag),
        ("Due", due),
        ("Days overdue", a.days_overdue or None),
        ("Start", a.start),
        ("Recommendations", a.recommendations),
        ("Theme", a.theme),
        ("Milestone", a.milestone),
        ("Success measure", a.success_measure),
        ("Evidence", a.evidence),
        ("Version", a.version),
        ("Updated", _local(a.updated_at)),
    ]
    return [{"field": k, "value": v} for k, v in pairs if v not in (None, [], "")]


def render_show(a: ActionDetail, fmt: str) -> None:
    import sys

    from improveplan.render.csv_out import csv_text
    from improveplan.render.output import Column, emit_json, table
    from improveplan.serialize import as_record

    if fmt == "json":
        emit_json(a)
        return
    if fmt == "csv":
        flat = {k: v for k, v in as_record(a).items() if k != "notes"}
        sys.stdout.write(csv_text([flat], list(flat)))
        return
    table(
        _panel_rows(a),
        [
            Column("field", f"Action {a.ref}", style="heading", no_wrap=True),
            Column("value", a.title),
        ],
    )
    notes = [{"at": _local(n.at), "author": n.author, "text": n.text} for n in a.notes]
    table(
        notes,
        [
            Column("at", "When", no_wrap=True),
            Column("author", "Who", no_wrap=True),
            Column("text", "Note"),
        ],
        title="Notes",
        empty=f"No notes yet — add one with improveplan action note {a.ref} TEXT.",
    )


def _spoken_event(event: HistoryEvent) -> HistoryEvent:
    """An event as a person reads it: UK time, fields and statuses as words."""
    from dataclasses import replace

    from improveplan.domain.vocab import spoken

    def word(value: str | None) -> str | None:
        return spoken(value) if value is not None and event.what == "status" else value

    return replace(
        event, when=_local(event.when), what=spoken(event.what),
        old=word(event.old), to=word(event.to),
    )  # fmt: skip


def render_history(ref: str, events: list[HistoryEvent], fmt: str) -> None:
    from improveplan.render.output import Column, emit

    shown = events if fmt != "table" else [_spoken_event(e) for e in events]
    columns = [
        Column("when", "When"),
        Column("who", "Who"),
        Column("what", "What"),
        Column("from", "From"),
        Column("to", "To"),
    ]
    emit(shown, columns, fmt, title=f"History of action {ref}", empty="No history.")
