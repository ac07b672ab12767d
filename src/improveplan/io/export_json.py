"""The plan document: its typed sections, its JSON text, and reading one back checked.

`export --format json` is a round-trip format that `import` reads back, so its shape is
fixed: the field order of these types is the key order of the file (docs/design.md §3).
Rows refer to each other by names and refs, never by row ids, so an export imported
into another database exports to the same text.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from improveplan.domain.records import CellRows
from improveplan.domain.timeline import NoticeTerms
from improveplan.domain.vocab import Area, Grade, InspectionType, MilestoneKind, Rag, Status
from improveplan.serialize import json_field, jsonable, record_keys

FORMAT = "improveplan-plan"
SCHEMA = 1


class DocumentError(ValueError):
    """A file that is not an improveplan plan export this program can read."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportedPlan:
    name: str
    authority: str
    la_code: str | None
    created_at: dt.datetime
    lead: str | None = None  # a person's name; files before the plan lead lack it


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportedPerson:
    name: str
    email: str | None
    role: str | None
    team: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportedTheme:
    name: str
    lead: str | None  # a person's name


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportedInspection:
    """An inspection is referred to by its `number`: its place in the order recorded."""

    number: int
    type: InspectionType
    start: dt.date | None
    end: dt.date | None
    received: dt.date | None
    published: dt.date | None
    lead_inspector: str | None
    lscb_recommendations: str | None  # a SIF report's LSCB texts, one a line, kept apart
    created_at: dt.datetime
    judgements: Mapping[Area, Grade]


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportedRecommendation:
    ref: str
    text: str
    priority_action: bool
    seq: int
    inspection: int | None  # the inspection's number
    theme: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportedMilestone:
    name: str
    kind: MilestoneKind
    date: dt.date
    rule: str | None
    source_date: dt.date | None
    user_set: bool
    expected: bool
    done: dt.date | None
    missed_reason: str | None = None  # a meeting that did not take place, and why


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportedNote:
    author: str
    at: dt.datetime
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportedAction:
    """The action's own columns, then what it refers to by name or ref."""

    ref: str
    seq: int
    title: str
    start: dt.date | None
    due: dt.date | None
    original_due: dt.date | None
    status: Status
    rag_override: Rag | None
    rag_override_reason: str | None
    status_reason: str | None
    success_measure: str | None
    evidence: str | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    owner: str | None
    theme: str | None
    milestone: str | None
    recommendations: list[str]
    notes: list[ExportedNote]


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportedValue:
    date: dt.date
    value: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportedMeasure:
    name: str
    unit: str
    baseline: float
    baseline_date: dt.date | None
    target: float
    target_date: dt.date | None
    higher_is_better: bool
    values: list[ExportedValue]  # oldest first


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """An audit event names its subject by the export's keys (`key`): a plan or person
    name, a ref, `ref#n` for a note, `name@date` for a measure value. An event whose
    subject no longer exists keeps its raw `entity_id` instead."""

    at: dt.datetime
    actor: str
    entity: str
    key: str | None
    entity_id: int | None
    field: str
    old_value: str | None
    new_value: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportedNotification:
    recipient: str
    kind: str
    sent_on: dt.date
    sent_at: dt.datetime
    subject: str
    action_refs: str
    digest_key: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportedCount:
    day: dt.date
    blue: int
    green: int
    amber: int
    red: int
    total: int
    overdue: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportedRemovedAction:
    """An action removed by mistake: its ref stays taken, and its audit events (entity
    "action") name it by this ref."""

    ref: str
    title: str
    reason: str
    actor: str
    removed_at: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanExport:
    """One plan, complete. `actions` and `audit` are lists, except for the JSON and XLSX
    writers, which get plain rows in these records' columns over the open cursor
    (CellRows: 100k actions and 500k events never held at once, nor a record built for
    each)."""

    format: str = json_field(default=FORMAT)
    schema: int = json_field(default=SCHEMA)
    plan: ExportedPlan
    people: list[ExportedPerson]
    themes: list[ExportedTheme]
    inspections: list[ExportedInspection]
    recommendations: list[ExportedRecommendation]
    milestones: list[ExportedMilestone]
    actions: Iterable[ExportedAction] | CellRows
    notice: NoticeTerms | None
    measures: list[ExportedMeasure]
    audit: Iterable[AuditEntry] | CellRows
    notifications: list[ExportedNotification]
    daily_counts: list[ExportedCount]
    removed_actions: list[ExportedRemovedAction] = field(default_factory=list)


def action_records(document: PlanExport) -> Iterable[ExportedAction]:
    """The document's actions as records (plain rows are the JSON writer's alone)."""
    if isinstance(document.actions, CellRows):
        raise TypeError("the actions are plain rows")
    return document.actions


# Sections added after the first files were written: a file without one has none.
LATER_SECTIONS = ("removed_actions",)
SECTIONS = tuple(
    key for key in record_keys(PlanExport) if key not in {"format", "schema", *LATER_SECTIONS}
)


def dumps(document: PlanExport) -> str:
    """Stable text: the same plan always gives the same bytes."""
    return json.dumps(jsonable(document), indent=2, ensure_ascii=False) + "\n"


def loads(text: str) -> dict[str, Any]:
    """Parse and check an export; raises DocumentError saying what is wrong."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(f"not JSON (line {exc.lineno}: {exc.msg})") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DocumentError(f'not an improveplan plan export (no "format": "{FORMAT}")')
    schema = data.get("schema")
    if not isinstance(schema, int) or schema > SCHEMA:
        raise DocumentError(f"schema {schema!r} is newer than this program reads ({SCHEMA})")
    missing = [s for s in SECTIONS if s not in data]
    if missing:
        raise DocumentError("missing " + ", ".join(missing))
    if not isinstance(data["plan"], dict) or not data["plan"].get("name"):
        raise DocumentError("the plan has no name")
    for section in LATER_SECTIONS:
        data.setdefault(section, [])
    return data


# Document values that go back into date and timestamp columns on import.
DATE_FIELDS = {
    *("start", "end", "received", "published", "due", "original_due", "date", "source_date"),
    *("done", "issued", "plan_due", "first_board", "lifted", "baseline_date", "target_date"),
    *("sent_on", "day"),
}
TIME_FIELDS = {"created_at", "updated_at", "at", "sent_at", "removed_at"}


def value(name: str, raw: Any) -> Any:
    """A document value back in its column type (ISO text → date / aware datetime)."""
    if raw is None:
        return None
    if name in DATE_FIELDS:
        return dt.date.fromisoformat(raw)
    if name in TIME_FIELDS:
        stamp = dt.datetime.fromisoformat(raw)
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
    return raw


def pick(item: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The named fields of a document item, in their column types (model keywords)."""
    return {name: value(name, item.get(name)) for name in names}


def read_document(path: Path) -> dict[str, Any]:
    """The checked document in `path`, or one line saying why it is not an export."""
    from improveplan.errors import ImproveplanError

    try:
        return loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, DocumentError) as exc:
        raise ImproveplanError(
            f"{path.name} is not a plan export: {exc}",
            "give a file written by improveplan export --format json",
        ) from exc
