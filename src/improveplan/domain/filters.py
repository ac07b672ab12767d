"""What the action listings narrow by: one filter for `action list`, `overdue`, the
reports and the screen, read by the SQLAlchemy queries (store/queries.py) and by the
driver-only full listings (store/direct.py) alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from improveplan.domain.vocab import Rag, Status

__all__ = ["ActionFilter"]


@dataclass(frozen=True)
class ActionFilter:
    """What `action list`, `overdue` and reports may narrow by; None means any."""

    owner: str | None = None
    status: Sequence[Status] | None = None
    rag: Rag | None = None
    rec: str | None = None
    theme: str | None = None
    overdue: bool = False
    due_by: dt.date | None = None
    due_from: dt.date | None = None
    include_cancelled: bool = True
    ref: str | None = None
    text: str | None = None  # words in the title or in any note (the TUI's `/` search)
