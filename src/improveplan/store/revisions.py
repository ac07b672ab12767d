"""This program's schema revisions, in order: light enough for the paths that read the
database without SQLAlchemy (store/direct.py) to check a database's version."""

from __future__ import annotations

KNOWN_REVISIONS: tuple[str, ...] = ("0001", "0002", "0003", "0004", "0005", "0006", "0007")
HEAD = KNOWN_REVISIONS[-1]
