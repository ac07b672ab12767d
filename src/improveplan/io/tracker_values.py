"""Values in a council's tracker as people type them: statuses, RAG, UK dates, rec refs.

Each parser takes a raw cell (text, number or spreadsheet date) and returns the stored
value (statuses and RAG as the vocabulary's members) or raises ValueError;
`tracker.validate_row` turns that into a row error with the matching hint. Statuses and
RAG are the command line's words (`domain.rag`) plus the tracker phrases below.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from improveplan.domain import rag
from improveplan.domain.vocab import Rag, Status
from improveplan.domain.workflow import NEW_STATUS, usable_ref
from improveplan.render.csv_out import FORMULA_PREFIXES

# What trackers say beyond the spellings `domain.rag.parse_status` knows (compared in
# lower case, each run of other characters than letters and _ as one space).
STATUSES: dict[str, Status] = {
    **dict.fromkeys(("not yet started", "to do", "todo", "planned", "new"), Status.not_started),
    **dict.fromkeys(
        (
            "started",
            "ongoing",
            "on track",
            "underway",
            "under way",
            "progressing",
            "active",
            "wip",
        ),
        Status.in_progress,
    ),
    **dict.fromkeys(("stalled", "paused"), Status.blocked),
    **dict.fromkeys(("finished", "achieved", "implemented"), Status.complete),
    **dict.fromkeys(("closed", "approved", "verified", "signed off by board"), Status.signed_off),
    **dict.fromkeys(("withdrawn", "superseded", "not required", "dropped"), Status.cancelled),
}
STATUS_HINT = (
    'unknown status "{value}" in {column} (use Not started, In progress, Blocked, Complete,'
    " Signed off or Cancelled)"
)
RAG_HINT = 'unknown RAG "{value}" in {column} (use Red, Amber, Green or Blue)'
REC_HINT = 'unusable recommendation reference "{value}" in {column} (e.g. R1, R2)'
# What trackers say beyond a RAG's name or initial (`domain.rag.parse_rag`).
RAGS: dict[str, Rag] = {"orange": Rag.amber}
# A tracker repeats a handful of words 10k times: parse each once.
_domain_status = lru_cache(maxsize=256)(rag.parse_status)
_domain_rag = lru_cache(maxsize=64)(rag.parse_rag)


class TrackerError(ValueError):
    """A tracker that cannot be read or a row that does not validate; `todo` says what to
    do when the file as a whole is refused (printed after the CLI's " — ")."""

    def __init__(self, what: str, todo: str = "") -> None:
        super().__init__(what)
        self.what = what
        self.todo = todo


@dataclass(frozen=True, slots=True)
class BadCell:
    """A spreadsheet cell with no value to import: a formula error (`#REF!`) or a date serial
    outside Excel's calendar. It stays the cell's value, so `tracker.validate_row` lists it
    with the row's other problems instead of one bad cell stopping the whole read."""

    ref: str  # where it is: D5
    shown: str  # what the cell shows: #REF!, or the serial number
    date_serial: bool = False

    def __str__(self) -> str:
        return self.shown

    def reason(self, column: str) -> str:
        if self.date_serial:
            return (
                f"{self.shown} in {column} (cell {self.ref}) is not a date Excel can show"
                " (type the date, e.g. 31/03/2025)"
            )
        return (
            f"formula error {self.shown} in {column} (cell {self.ref}: correct the formula,"
            " or type the value)"
        )


MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
} | {"sept": 9}


def text_of(value: Any) -> str:
    """A cell as text: numbers without a needless `.0`, dates ISO, formula guards undone."""
    if value is None:
        return ""
    if type(value) is str:
        text = value.strip()
        return text[1:] if text[:1] == "'" and text[1:].startswith(FORMULA_PREFIXES) else text
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value).strip()
    # Our own exports neutralise formulas with a leading quote; take it off again.
    if text[:1] == "'" and text[1:].startswith(FORMULA_PREFIXES):
        text = text[1:]
    return text


def parse_uk_date(value: Any) -> dt.date:
    """31/03/2025, 31/3/25, 31 March 2025, 2025-03-31, "March 2025" (its last day), a cell date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = text_of(value).strip().lower().replace(",", " ")
    if m := re.fullmatch(
        r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?", text
    ):
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4}|\d{2})", text):
        return dt.date(_year(m[3]), int(m[2]), int(m[1]))
    if m := re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?[\s-]+([a-z]+)\.?[\s-]+(\d{4}|\d{2})", text):
        return dt.date(_year(m[3]), _month(m[2]), int(m[1]))
    if m := re.fullmatch(r"([a-z]+)\.?[\s-]+(\d{4}|\d{2})", text):
        year, month = _year(m[2]), _month(m[1])
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    raise ValueError(text)


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def _month(text: str) -> int:
    if text not in MONTHS:
        raise ValueError(text)
    return MONTHS[text]


def parse_status(value: Any) -> Status:
    """A tracker's status; blank is a new action's status; ValueError when unknown."""
    key = re.sub(r"[^a-z_]+", " ", text_of(value).lower()).strip()
    if not key:
        return NEW_STATUS
    if key in STATUSES:
        return STATUSES[key]
    return _domain_status(key)


def parse_rag(value: Any) -> Rag | None:
    """A tracker's RAG (Red, r, Amber, Orange...); None when blank; ValueError when unknown."""
    key = re.sub(r"[^a-z]+", "", text_of(value).lower())
    if not key:
        return None
    return RAGS.get(key) or _domain_rag(key)


def parse_recs(value: Any) -> tuple[str, ...]:
    """ "R1, R2" / "R1; R2" / "Recommendation 3" / "3" → ("R1", "R2") / ("R3",)."""
    refs: list[str] = []
    for part in re.split(r"[,;/\n]+|\s+and\s+|\s*&\s*", text_of(value)):
        token = part.strip()
        if not token:
            continue
        if m := re.fullmatch(r"(?i)(?:rec(?:ommendation)?s?\.?\s*)?(\d+(?:\.\d+)?)", token):
            token = f"R{m[1]}"
        if not usable_ref(token):
            raise ValueError(token)
        refs.append(token)
    return tuple(dict.fromkeys(refs))
