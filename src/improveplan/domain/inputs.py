"""What may be stored, checked once at the door (docs/design.md §5).

Every command and every import passes names, emails, free text and numbers through these
functions before anything is written, so SQLite accepts only what PostgreSQL can hold
(lengths within the columns, no NUL) and a SQLite → PostgreSQL move through `export` and
`import` always works. They raise `Refused` (a ValueError) with the reason and what to do;
callers name the field (`what=`) and, in an import, the row.
"""

from __future__ import annotations

import math
import re

__all__ = [
    "EMAIL_LENGTH",
    "NAME_LENGTH",
    "REF_LENGTH",
    "Refused",
    "clean_email",
    "clean_key",
    "clean_name",
    "clean_ref",
    "clean_text",
    "finite",
    "fits",
    "storable",
]

NAME_LENGTH = 200  # person, plan, theme, milestone, measure names (store/models.py)
REF_LENGTH = 20
EMAIL_LENGTH = 320  # RFC 3696: 64 + 1 + 255
TEXT_LENGTH = 100_000  # titles, notes, recommendation text: generous, but bounded
# Line breaks other than \n that people paste: CR, Word's Shift+Enter (U+000B) and page
# break (U+000C), NEL, and Unicode's line and paragraph separators.
_BREAKS = str.maketrans(dict.fromkeys("\r\x0b\x0c\x85\u2028\u2029", "\n"))
# Unicode's control characters (category Cc) and lone surrogates (Cs: not UTF-8 at all;
# they arrive from undecodable bytes on a command line), as one fast class.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# What neither database can hold: NUL (PostgreSQL refuses it) and lone surrogates.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

TODO_LINE = "write it on one line"
TODO_CONTROLS = "remove them (paste it as plain text)"
TODO_SHORTEN = "shorten it"
TODO_EMPTY = "give one"


class Refused(ValueError):
    """Why a value cannot be stored (`str()` of it) and what the user can do about it."""

    def __init__(self, reason: str, todo: str) -> None:
        super().__init__(reason)
        self.todo = todo


def _controls(text: str, allowed: str = "") -> list[str]:
    """Control characters and lone surrogates other than `allowed` (NUL, CR, bell...)."""
    return [c for c in _CONTROL.findall(text) if c not in allowed]


def _shown(chars: list[str]) -> str:
    return ", ".join(sorted({f"U+{ord(c):04X}" for c in chars}))


def _one_line(text: str, what: str) -> None:
    """Refuse line breaks, then other control characters, naming the field."""
    if any(c in text for c in "\n\r\u2028\u2029\x85\x0b\x0c"):
        raise Refused(f"{what} must be one line", TODO_LINE)
    if _controls(text, allowed=" \t"):
        raise Refused(
            f"{what} cannot hold control characters ({_shown(_controls(text))})", TODO_CONTROLS
        )


def clean_name(text: str, *, length: int = NAME_LENGTH, what: str = "a name") -> str:
    """A one-line name: spaces folded, not empty, no control characters, within length.

    `what` is how the error names the field ("the person's name").
    """
    _one_line(text, what)
    name = " ".join(text.split())
    if not name:
        raise Refused(f"{what} cannot be empty", TODO_EMPTY)
    if len(name) > length:
        raise Refused(
            f"{what} can be at most {length} characters (this one has {len(name)})",
            TODO_SHORTEN,
        )
    return name


def clean_key(text: str, *, what: str = "a name") -> str:
    """A name or reference typed to find a row: trimmed, one line, no control characters.

    Not folded or bounded, so rows stored before names were cleaned are still found; but
    NUL, a surrogate or a line break could never be in a stored name, and would break the
    query (PostgreSQL) or the one-line error that says it was not found.
    """
    _one_line(text, what)
    return text.strip()


def folded(name: str) -> str:
    """The form two names are compared in: case and runs of whitespace ignored, so
    "priya  NATARAJAN" is "Priya Natarajan" and "ÉMILE" is "Émile" (Python's casefold,
    which SQLite's ASCII-only lower() cannot do)."""
    return " ".join(name.split()).casefold()


def clean_ref(text: str, *, what: str = "the reference") -> str:
    """A reference as typed, trimmed, one line, without control characters; whether it
    is usable (length, spaces) is the workflow's rule (`domain.workflow.usable_ref`)."""
    return clean_key(text, what=what)


def clean_text(text: str, *, length: int = TEXT_LENGTH, what: str = "text") -> str:
    """Free text (titles, notes): lines kept, other control characters refused, trimmed.

    Word pastes U+000B for Shift+Enter; it becomes a line break rather than an error,
    because it is what the user meant and XML (XLSX, ICS) cannot hold it. CR, CRLF, form
    feeds and Unicode's line separators become line breaks too.
    """
    text = text.replace("\r\n", "\n").translate(_BREAKS)
    bad = _controls(text, allowed="\n\t")
    if bad:
        raise Refused(f"the {what} cannot hold control characters ({_shown(bad)})", TODO_CONTROLS)
    text = text.strip()
    if not text:
        raise Refused(f"the {what} cannot be empty", "write some")
    if len(text) > length:
        raise Refused(
            f"the {what} can be at most {length:,} characters ({len(text):,} given)", TODO_SHORTEN
        )
    return text


def clean_email(text: str) -> str:
    """One address (`ann@example.org`), parsed by the standard library, not a regex."""
    todo = "give one address, such as ann@example.org"
    candidate = text.strip()
    if len(candidate) > EMAIL_LENGTH:
        raise Refused(
            f"an email address can be at most {EMAIL_LENGTH} characters "
            f"(this one has {len(candidate)})",
            todo,
        )
    from email.errors import HeaderParseError  # 8 ms of every command's start, used here
    from email.headerregistry import Address

    shown = repr(candidate)  # one line: repr escapes what cannot be printed
    if not candidate or _controls(candidate) or any(c.isspace() for c in candidate):
        raise Refused(f"{shown} is not an email address", todo)
    try:
        address = Address(addr_spec=candidate)
    except (HeaderParseError, ValueError, IndexError):
        raise Refused(f"{shown} is not an email address", todo) from None
    if not address.username or "." not in address.domain:
        raise Refused(f"{shown} is not an email address", todo)
    return candidate


def finite(value: float, *, what: str = "") -> float:
    """A measure's number: NaN and infinity are refused (they break charts and JSON)."""
    if not math.isfinite(value):
        prefix = f"{what} " if what else ""
        raise Refused(
            f"{prefix}{value} is not a number a measure can hold", "give a number, e.g. 12.5"
        )
    return value


def fits(text: str, length: int | None = None) -> bool:
    """Whether `storable` would keep the text as it is (the quick test for bulk restores)."""
    return (length is None or len(text) <= length) and _UNSTORABLE.search(text) is None


def storable(text: str, *, length: int | None = None, what: str = "the value") -> str:
    """Text restored as it was (a plan export read back): only what no database column
    can hold is refused — NUL, lone surrogates, more than the column's `length`."""
    bad = _UNSTORABLE.findall(text)
    if bad:
        raise Refused(f"{what} holds {_shown(bad)}, which no database can store", TODO_CONTROLS)
    if length is not None and len(text) > length:
        raise Refused(
            f"{what} can be at most {length} characters (this one has {len(text)})",
            TODO_SHORTEN,
        )
    return text
