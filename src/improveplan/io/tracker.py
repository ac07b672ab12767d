"""Read the CSV/XLSX trackers councils already keep: headers, human values, UK dates.

Pure of the database: a file becomes validated `TrackerRow`s plus a `RowError` for every
problem, numbered as the spreadsheet numbers rows (the header is row 1 when it is the
first row). Every row is checked before anything is written, so an import can be all or
nothing and list every bad row at once.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from improveplan.io.tracker_values import (
    RAG_HINT,
    REC_HINT,
    STATUS_HINT,
    parse_rag,
    parse_recs,
    parse_status,
    parse_uk_date,
    text_of,
)


class TrackerError(ValueError):
    """A tracker that cannot be read or a row that does not validate."""


class RowInvalid(TrackerError):
    """One row's problems (one reason each)."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = list(errors)


@dataclass(frozen=True)
class RowError:
    row: int
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}"


# The fields a tracker column can give, with the headers people use for them (compared
# after `header_key`: lower case, letters, digits and # only).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "ref": (
        "ref",
        "no",
        "number",
        "#",
        "id",
        "actionref",
        "actionno",
        "actionnumber",
        "reference",
        "refno",
        "actionid",
    ),
    "title": (
        "title",
        "action",
        "what",
        "actiontitle",
        "description",
        "actiondescription",
        "actions",
        "whatwewilldo",
        "task",
    ),
    "owner": (
        "owner",
        "leadofficer",
        "lead",
        "who",
        "responsible",
        "responsibleofficer",
        "actionowner",
        "accountableofficer",
        "accountable",
        "leadperson",
        "officer",
    ),
    "due": (
        "due",
        "duedate",
        "when",
        "deadline",
        "targetdate",
        "bywhen",
        "timescale",
        "targetcompletiondate",
        "completiondate",
        "completionby",
    ),
    "status": ("status", "actionstatus", "progressstatus", "currentstatus"),
    "rag": ("rag", "ragstatus", "ragrating", "rating"),
    "recommendations": (
        "recommendation",
        "recommendations",
        "rec",
        "recs",
        "recommendationref",
        "recref",
        "recommendationrefs",
    ),
    "theme": ("theme", "priority", "workstream", "prioritytheme", "area", "themes"),
    "note": (
        "progressupdate",
        "update",
        "comments",
        "comment",
        "progress",
        "latestupdate",
        "latestnote",
        "notes",
        "progressnote",
        "commentary",
    ),
    "start": ("start", "startdate"),
    "success_measure": (
        "successmeasure",
        "measureofsuccess",
        "measure",
        "successcriteria",
        "impactmeasure",
        "howwewillknow",
        "outcome",
    ),
    "evidence": ("evidence", "evidenceofimpact", "evidenceofcompletion"),
    "original_due": ("originaldue", "originalduedate"),
    "milestone": ("milestone",),
    "rag_override_reason": ("ragoverridereason", "ragreason", "overridereason"),
}
FIELDS = tuple(SYNONYMS)
# Columns our own CSV export writes that are computed, so an import ignores them quietly.
COMPUTED = ("ragcomputed", "daysoverdue", "version", "updatedat", "overridden")
REQUIRED = ("title", "owner", "due")


@dataclass(frozen=True)
class TrackerRow:
    """One validated row, values as stored (statuses `in_progress`, RAG `amber`)."""

    row: int
    title: str
    owner: str
    due: dt.date
    ref: str | None = None
    status: str = "not_started"
    rag: str | None = None
    recommendations: tuple[str, ...] = ()
    theme: str | None = None
    note: str | None = None
    start: dt.date | None = None
    success_measure: str | None = None
    evidence: str | None = None
    original_due: dt.date | None = None
    milestone: str | None = None
    rag_override_reason: str | None = None


@dataclass
class Tracker:
    """What a file holds: good rows, every error, and how its columns were read."""

    rows: list[TrackerRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # header → field
    ignored: list[str] = field(default_factory=list)


def header_key(text: Any) -> str:
    """Headers compare case- and punctuation-insensitively: "Lead officer:" → leadofficer."""
    return re.sub(r"[^0-9a-z#]+", "", str(text or "").casefold())


_LOOKUP = {key: name for name, keys in SYNONYMS.items() for key in keys}


def parse_mapping(items: Iterable[str]) -> dict[str, str]:
    """`--map "Lead officer=owner"` → {header key: field}; `=ignore` skips a column."""
    mapping: dict[str, str] = {}
    for item in items:
        header, sep, target = item.rpartition("=")
        name = target.strip().lower().replace("-", "_").replace(" ", "_")
        if not sep or not header.strip():
            raise TrackerError(f'--map "{item}" is not HEADER=FIELD')
        if name not in FIELDS and name != "ignore":
            raise TrackerError(
                f'--map "{item}": "{target.strip()}" is not a field; use one of '
                + ", ".join((*FIELDS, "ignore"))
            )
        mapping[header_key(header)] = name
    return mapping


def validate_row(cells: Mapping[str, Any], row: int, headers: Mapping[str, str]) -> TrackerRow:
    """One row's cells ({field: raw value}) → a TrackerRow, or RowInvalid with every reason."""
    errors: list[str] = []
    text = dict.fromkeys(FIELDS, "")
    for name, raw in cells.items():
        if name in text:
            text[name] = text_of(raw)

    def date(name: str) -> dt.date | None:
        raw = cells.get(name)
        if text[name] == "":
            return None
        try:
            return parse_uk_date(raw)
        except (ValueError, OverflowError):
            errors.append(
                f'impossible date "{text[name]}" in {headers.get(name, name)} (write 31/03/2025)'
            )
            return None

    def parsed(name: str, parse: Callable[[Any], Any], why: str) -> Any:
        try:
            return parse(cells.get(name))
        except ValueError:
            errors.append(why.format(value=text[name], column=headers.get(name, name)))
            return None

    for name, what in (("title", "title"), ("owner", "owner"), ("due", "due date")):
        if not text[name]:
            errors.append(f"missing {what} ({headers.get(name, name)})")
    due, start, original_due = date("due"), date("start"), date("original_due")
    status = parsed("status", parse_status, STATUS_HINT)
    rag = parsed("rag", parse_rag, RAG_HINT)
    recs = parsed("recommendations", parse_recs, REC_HINT)
    _check_lengths(text, headers, errors)
    if start and due and start > due:
        errors.append(f"the start date {start:%d/%m/%Y} is after the due date {due:%d/%m/%Y}")
    if errors or due is None:
        raise RowInvalid([RowError(row, reason) for reason in errors])
    optional = {
        n: text[n] or None
        for n in (
            "theme",
            "note",
            "success_measure",
            "evidence",
            "milestone",
            "rag_override_reason",
            "ref",
        )
    }
    return TrackerRow(
        row=row,
        title=text["title"],
        owner=text["owner"],
        due=due,
        status=status,
        rag=rag,
        recommendations=recs or (),
        start=start,
        original_due=original_due,
        **optional,
    )


def _check_lengths(text: Mapping[str, str], headers: Mapping[str, str], errors: list[str]) -> None:
    ref = text["ref"]
    if ref and (len(ref) > 20 or any(c.isspace() for c in ref)):
        errors.append(f'unusable ref "{ref}" (up to 20 characters, no spaces: 3, 2.4)')
    for name in ("owner", "theme", "milestone"):
        if len(text[name]) > 200:
            errors.append(f"{headers.get(name, name)} is longer than 200 characters")


def map_columns(
    headers: Sequence[Any], mapping: Mapping[str, str], row: int
) -> tuple[dict[int, str], dict[str, str], list[str], list[RowError]]:
    """Header cells → ({column index: field}, {field: header}, ignored headers, errors)."""
    index: dict[int, str] = {}
    named: dict[str, str] = {}
    ignored: list[str] = []
    errors: list[RowError] = []
    for i, cell in enumerate(headers):
        shown, key = text_of(cell), header_key(cell)
        if not key:
            continue
        name = mapping.get(key) or _LOOKUP.get(key)
        if name is None or name == "ignore":
            if key not in COMPUTED and name is None:
                ignored.append(shown)
            continue
        if name in named:
            errors.append(
                RowError(
                    row,
                    f'columns "{named[name]}" and "{shown}" both give the'
                    f' {name} — choose one with --map "{shown}=ignore"',
                )
            )
            continue
        index[i], named[name] = name, shown
    for name in REQUIRED:
        if name not in named:
            errors.append(
                RowError(row, f'no {name} column — name one with --map "Your header={name}"')
            )
    return index, named, ignored, errors


def _known(cells: Sequence[Any], mapping: Mapping[str, str]) -> int:
    keys = [header_key(c) for c in cells]
    return sum(1 for k in keys if k and (k in mapping or k in _LOOKUP))


def parse_table(
    table: Iterable[tuple[int, Sequence[Any]]],
    mapping: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Tracker:
    """Numbered raw rows (header first, title rows above it allowed) → a Tracker."""
    mapping = mapping or {}
    rows = [(n, cells) for n, cells in table if any(text_of(c) for c in cells)]
    start = next((i for i, (_, cells) in enumerate(rows[:10]) if _known(cells, mapping) >= 2), 0)
    result = Tracker()
    if not rows:
        result.errors.append(RowError(1, "no header row — the file is empty"))
        return result
    header_row, headers = rows[start]
    index, named, result.ignored, result.errors = map_columns(headers, mapping, header_row)
    result.columns = {header: name for name, header in named.items()}
    if result.errors:
        return result
    seen: dict[str, int] = {}
    for done, (number, cells) in enumerate(rows[start + 1 :], 1):
        values = {name: cells[i] if i < len(cells) else None for i, name in index.items()}
        ref = text_of(values.get("ref"))
        if ref and ref.lower() in seen:
            result.errors.append(
                RowError(number, f"duplicate ref {ref} (also on row {seen[ref.lower()]})")
            )
        elif ref:
            seen[ref.lower()] = number
        try:
            parsed = validate_row(values, number, named)
        except RowInvalid as exc:
            result.errors.extend(exc.errors)
        else:
            result.rows.append(parsed)
        if progress is not None:
            progress(done)
    return result


def raw_rows(path: Path, fmt: str) -> list[tuple[int, Sequence[Any]]]:
    """The file's rows numbered as the spreadsheet numbers them (1-based)."""
    if fmt == "xlsx":
        return _xlsx_rows(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    text = text.replace("\x00", "")
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return list(enumerate(reader, 1))
    except csv.Error as exc:
        raise TrackerError(f"cannot read {path.name} as CSV: {exc}") from exc


def _xlsx_rows(path: Path) -> list[tuple[int, Sequence[Any]]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as exc:
        raise TrackerError(f"cannot read {path.name} as an Excel workbook (.xlsx)") from exc
    try:
        sheet = book["Actions"] if "Actions" in book.sheetnames else book.worksheets[0]
        return [(n, row) for n, row in enumerate(sheet.iter_rows(values_only=True), 1)]
    finally:
        book.close()


def read_tracker(
    path: Path,
    *,
    fmt: str,
    mapping: Mapping[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Tracker:
    """Read and validate a whole tracker; never writes anything."""
    rows = raw_rows(path, fmt)
    total = max(len(rows) - 1, 0)
    tick = (lambda done: progress(done, total)) if progress is not None else None
    return parse_table(rows, mapping, tick)
