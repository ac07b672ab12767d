"""The plan document as JSON text, and reading one back with its format checked."""

from __future__ import annotations

import json
from typing import Any

from improveplan.render.output import to_jsonable

FORMAT = "improveplan-plan"
SCHEMA = 1
SECTIONS = (
    "plan",
    "people",
    "themes",
    "inspections",
    "recommendations",
    "milestones",
    "actions",
    "notice",
    "measures",
    "audit",
    "notifications",
    "daily_counts",
)


class DocumentError(ValueError):
    """A file that is not an improveplan plan export this program can read."""


def dumps(document: dict[str, Any]) -> str:
    """Stable text: the same plan always gives the same bytes."""
    return json.dumps(to_jsonable(document), indent=2, ensure_ascii=False) + "\n"


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
    return data
