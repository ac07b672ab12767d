"""Read the CSV/XLSX trackers councils already keep: headers, human values, UK dates.

Pure of the database: a file (its bytes read by `io.tracker_files`, which refuses what it
cannot read faithfully) becomes validated `TrackerRow`s plus a `RowError` for every
problem, numbered as the spreadsheet numbers rows (the header is row 1 when it is the
first row). Every row is checked before anything is written, so an import can be all or
nothing and list every bad row at once: cells that cannot be read here, and the rules
every new action meets (refs, dates: `domain.workflow.check_new_actions`) in `check`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from improveplan.domain.vocab import Rag, Status
from improveplan.domain.workflow import NEW_STATUS, Draft, Flaw, Problem, check_new_actions
from improveplan.io.tracker_files import raw_rows
from improveplan.io.tracker_headers import lookalike_warning, looks_like
from improveplan.io.tracker_values import (
    RAG_HINT,
    REC_HINT,
    STATUS_HINT,
    BadCell,
    parse_rag,
    parse_recs,
    parse_status,
    parse_uk_date,
    text_of,
)
from improveplan.io.tracker_values import (
    TrackerError as TrackerError,
)


class RowInvalid(TrackerError):
    """One row's problems (one reason each), and what could be read of it for the rules
    that look across rows (a duplicate ref)."""

    def __init__(self, errors: Sequence[RowError], draft: Draft | None = None) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = list(errors)
        self.draft = draft or Draft(ref=None)


@dataclass(frozen=True)
class RowError:
    row: int
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}"


# The fields a tracker column can give, with the headers people use for them (compared
# after `header_key`: lower case, letters, digits and # only).
SYNONYMS: dict[str, tuple[str, ...]] = {
    name: tuple(words.split())
    for name, words in {
        "ref": "ref no number # id actionref actionno actionnumber reference refno actionid",
        "title": "title action what actiontitle description actiondescription actions"
        " whatwewilldo task",
        "owner": "owner leadofficer lead who responsible responsibleofficer actionowner"
        " accountableofficer accountable leadperson officer",
        "due": "due duedate when deadline targetdate bywhen timescale targetcompletiondate"
        " completiondate completionby",
        "status": "status actionstatus progressstatus currentstatus",
        "rag": "rag ragstatus ragrating rating statusrag",
        "recommendations": "recommendation recommendations rec recs recommendationref recref"
        " recommendationrefs ofstedrec ofstedrecs ofstedrecommendation ofstedrecommendations"
        " recno recnumber recommendationno recommendationnumber ofstedref",
        "theme": "theme priority workstream prioritytheme area themes",
        "note": "progressupdate update comments comment progress latestupdate latestnote notes"
        " progressnote commentary",
        "start": "start startdate",
        "success_measure": "successmeasure measureofsuccess measure successcriteria"
        " impactmeasure howwewillknow outcome",
        "evidence": "evidence evidenceofimpact evidenceofcompletion",
        "original_due": "originaldue originalduedate",
        "milestone": "milestone",
        "rag_override_reason": "ragoverridereason ragreason overridereason",
    }.items()
}
FIELDS = tuple(SYNONYMS)
# Columns our own CSV export writes that are computed, so an import ignores them quietly.
COMPUTED = ("ragcomputed", "daysoverdue", "version", "updatedat", "overridden")
REQUIRED = ("title", "owner", "due")
OPTIONAL = (
    "theme",
    "note",
    "success_measure",
    "evidence",
    "milestone",
    "rag_override_reason",
    "ref",
)


@dataclass(frozen=True)
class TrackerRow:
    """One readable row, values as stored (Status.in_progress, Rag.amber)."""

    row: int
    title: str
    owner: str
    due: dt.date
    ref: str | None = None
    status: Status = NEW_STATUS
    rag: Rag | None = None
    recommendations: tuple[str, ...] = ()
    theme: str | None = None
    note: str | None = None
    start: dt.date | None = None
    success_measure: str | None = None
    evidence: str | None = None
    original_due: dt.date | None = None
    milestone: str | None = None
    rag_override_reason: str | None = None

    @property
    def draft(self) -> Draft:
        return Draft(ref=self.ref, start=self.start, due=self.due)


@dataclass
class Tracker:
    """What a file holds: good rows, the cells that could not be read, what every data row
    gives the new-action rules (row number, draft), and how its columns were read."""

    rows: list[TrackerRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    drafts: list[tuple[int, Draft]] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # header → field
    ignored: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # columns that look like a field


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
    bad = {name: v for name, v in cells.items() if isinstance(v, BadCell)}
    errors = [cell.reason(headers.get(name, name)) for name, cell in bad.items()]
    cells = {name: v for name, v in cells.items() if name not in bad}
    text = {name: text_of(cells.get(name)) for name in FIELDS}
    for name, what in (("title", "title"), ("owner", "owner"), ("due", "due date")):
        if not text[name] and name not in bad:
            errors.append(f"missing {what} ({headers.get(name, name)})")
    due, start, original_due = (
        _date(name, cells, text[name], headers, errors) for name in ("due", "start", "original_due")
    )
    status = _parsed("status", parse_status, STATUS_HINT, cells, text, headers, errors)
    rag = _parsed("rag", parse_rag, RAG_HINT, cells, text, headers, errors)
    recs = _parsed("recommendations", parse_recs, REC_HINT, cells, text, headers, errors)
    _check_lengths(text, headers, errors)
    if errors or due is None:
        draft = Draft(ref=text["ref"] or None, start=start, due=due)
        raise RowInvalid([RowError(row, reason) for reason in errors], draft)
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
        **{name: text[name] or None for name in OPTIONAL},
    )


def _date(
    name: str, cells: Mapping[str, Any], text: str, headers: Mapping[str, str], errors: list[str]
) -> dt.date | None:
    if text == "":
        return None
    try:
        return parse_uk_date(cells.get(name))
    except (ValueError, OverflowError):
        errors.append(f'impossible date "{text}" in {headers.get(name, name)} (write 31/03/2025)')
        return None


def _parsed(
    name: str,
    parse: Callable[[Any], Any],
    why: str,
    cells: Mapping[str, Any],
    text: Mapping[str, str],
    headers: Mapping[str, str],
    errors: list[str],
) -> Any:
    try:
        return parse(cells.get(name))
    except ValueError:
        errors.append(why.format(value=text[name], column=headers.get(name, name)))
        return None


def _check_lengths(text: Mapping[str, str], headers: Mapping[str, str], errors: list[str]) -> None:
    for name in ("owner", "theme", "milestone"):
        if len(text[name]) > 200:
            errors.append(f"{headers.get(name, name)} is longer than 200 characters")


def map_columns(
    headers: Sequence[Any], mapping: Mapping[str, str], row: int
) -> tuple[dict[int, str], dict[str, str], list[str], list[RowError]]:
    """Header cells → ({column index: field}, {field: header}, headers not read, errors)."""
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
    index, named, unread, result.errors = map_columns(headers, mapping, header_row)
    result.columns = {header: name for name, header in named.items()}
    for header in unread:
        if (name := looks_like(header)) is not None:
            result.warnings.append(lookalike_warning(header, name, named))
        else:
            result.ignored.append(header)
    if result.errors:
        return result
    for done, (number, cells) in enumerate(rows[start + 1 :], 1):
        values = {name: cells[i] if i < len(cells) else None for i, name in index.items()}
        try:
            parsed = validate_row(values, number, named)
        except RowInvalid as exc:
            result.errors.extend(exc.errors)
            result.drafts.append((number, exc.draft))
        else:
            result.rows.append(parsed)
            result.drafts.append((number, parsed.draft))
        if progress is not None:
            progress(done)
    return result


# Where a rule's problem goes among a row's others: a duplicate first, then the cells that
# could not be read, then refs and dates.
_PLACE = {Flaw.duplicate_ref: 0, Flaw.unusable_ref: 2, Flaw.start_after_due: 3, Flaw.ref_taken: 4}


def _worded(
    problem: Problem,
    drafts: Sequence[tuple[int, Draft]],
    plan: str,
    taken_why: Callable[[str], str] | None = None,
) -> str:
    draft = drafts[problem.index][1]
    if problem.flaw == Flaw.duplicate_ref:
        first = drafts[problem.first or 0][0]
        return f"duplicate ref {problem.ref} (also on row {first})"
    if problem.flaw == Flaw.unusable_ref:
        return f'unusable ref "{problem.ref}" (up to 20 characters, no spaces: 3, 2.4)'
    if problem.flaw == Flaw.ref_taken:
        assert problem.ref is not None
        if taken_why is not None:
            return taken_why(problem.ref)
        return f'action {problem.ref} already exists in plan "{plan}"'
    assert draft.start is not None and draft.due is not None
    return f"the start date {draft.start:%d/%m/%Y} is after the due date {draft.due:%d/%m/%Y}"


def check(
    tracker: Tracker,
    *,
    taken: Collection[str] = (),
    plan: str = "",
    taken_why: Callable[[str], str] | None = None,
) -> list[RowError]:
    """Every problem of the file by row: its unreadable cells, and what the rules for a new
    action find in its rows (`taken`: the refs plan `plan` already holds; `taken_why(ref)`
    says why one cannot be taken, when the caller knows better than "already exists")."""
    found = check_new_actions([draft for _, draft in tracker.drafts], taken=taken)
    placed = [(e.row, 1, e) for e in tracker.errors] + [
        (
            tracker.drafts[p.index][0],
            _PLACE[p.flaw],
            RowError(tracker.drafts[p.index][0], _worded(p, tracker.drafts, plan, taken_why)),
        )
        for p in found
    ]
    return [error for _, _, error in sorted(placed, key=lambda item: item[:2])]


def read_tracker(
    path: Path,
    *,
    fmt: str,
    mapping: Mapping[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    encoding: str | None = None,
) -> Tracker:
    """Read and validate a whole tracker; never writes anything. `encoding` is a CSV's
    (None: UTF-8, `io.tracker_files.decode`)."""
    rows = raw_rows(path, fmt, encoding)
    total = max(len(rows) - 1, 0)
    tick = (lambda done: progress(done, total)) if progress is not None else None
    return parse_table(rows, mapping, tick)
