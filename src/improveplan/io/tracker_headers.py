"""Columns a tracker import did not read but probably should have.

A header no synonym knows ("Ofsted ref no.", "Officer responsible (2024)") is usually one
of the fields under a council's own wording. Dropping it with one "Ignored columns" line
lost a whole column of recommendation links without anyone noticing, so a header whose
words look like a field's gets a warning naming the `--map` line that reads it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# A word's beginning (lower case) → the field a header holding that word probably gives;
# the first that matches wins, so "Revised due date" is the due date, not the start.
LOOKALIKES: tuple[tuple[str, str], ...] = (
    ("recommend", "recommendations"),
    ("rec", "recommendations"),
    ("ofsted", "recommendations"),
    ("rag", "rag"),
    ("status", "status"),
    ("owner", "owner"),
    ("lead", "owner"),
    ("officer", "owner"),
    ("responsib", "owner"),
    ("accountable", "owner"),
    ("due", "due"),
    ("deadline", "due"),
    ("target", "due"),
    ("date", "due"),
    ("theme", "theme"),
    ("workstream", "theme"),
    ("progress", "note"),
    ("comment", "note"),
    ("update", "note"),
    ("milestone", "milestone"),
    ("ref", "ref"),
)
# Whole words that begin like a field's word but mean something else.
NOT_FIELDS = frozenset({"record", "recorded", "records", "recovery", "rector", "leading"})
WHAT = {
    "recommendations": "the recommendations",
    "rag": "the RAG",
    "status": "the status",
    "owner": "the owner",
    "due": "the due date",
    "theme": "the theme",
    "note": "a progress update",
    "milestone": "the milestone",
    "ref": "the action's ref",
}


def looks_like(header: str) -> str | None:
    """The field a header's words suggest, or None: "Ofsted rec. no" → recommendations."""
    words = [w for w in re.split(r"[^a-z]+", header.casefold()) if w and w not in NOT_FIELDS]
    for start, name in LOOKALIKES:
        if any(word.startswith(start) for word in words):
            return name
    return None


def lookalike_warning(header: str, name: str, named: Mapping[str, str]) -> str:
    """One line: the column was not read, what it looks like, and the `--map` to read it
    (instead of the column already giving that field, when one does)."""
    read = f'--map "{header}={name}"'
    if name in named:
        return (
            f'column "{header}" was not read, though it looks like {WHAT[name]} (read from'
            f' "{named[name]}") — to read it instead, add {read} --map "{named[name]}=ignore";'
            f' to silence this, --map "{header}=ignore"'
        )
    return (
        f'column "{header}" was not read, though it looks like {WHAT[name]} — to read it,'
        f' add {read}; to silence this, --map "{header}=ignore"'
    )
