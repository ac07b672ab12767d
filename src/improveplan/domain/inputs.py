"""What may be stored, checked once at the door (docs/design.md §5).

Every command and every import passes names, emails, free text and numbers through these
functions before anything is written, so SQLite accepts only what PostgreSQL can hold
(lengths within the columns, no NUL) and a SQLite → PostgreSQL move through `export` and
`import` always works. They raise ValueError with the reason; callers add the field's
name and the row.
"""

from __future__ import annotations

import math
import unicodedata
from email.errors import HeaderParseError
from email.headerregistry import Address

__all__ = [
    "EMAIL_LENGTH",
    "NAME_LENGTH",
    "REF_LENGTH",
    "clean_email",
    "clean_name",
    "clean_text",
    "finite",
]

NAME_LENGTH = 200  # person, plan, theme, milestone, measure names (store/models.py)
REF_LENGTH = 20
EMAIL_LENGTH = 320  # RFC 3696: 64 + 1 + 255
TEXT_LENGTH = 100_000  # titles, notes, recommendation text: generous, but bounded


def _controls(text: str, allowed: str = "") -> list[str]:
    """Control and format characters other than `allowed` (Word's \\x0b, NUL, CR...)."""
    return [c for c in text if c not in allowed and unicodedata.category(c) in {"Cc", "Cs"}]


def _shown(chars: list[str]) -> str:
    return ", ".join(sorted({f"U+{ord(c):04X}" for c in chars}))


def clean_name(text: str, *, length: int = NAME_LENGTH) -> str:
    """A one-line name: spaces folded, not empty, no control characters, within length."""
    if _controls(text, allowed=" \t"):
        if "\n" in text or "\r" in text:
            raise ValueError("a name must be one line")
        raise ValueError(f"a name cannot hold control characters ({_shown(_controls(text))})")
    name = " ".join(text.split())
    if not name:
        raise ValueError("a name cannot be empty")
    if len(name) > length:
        raise ValueError(f"a name can be at most {length} characters (this one has {len(name)})")
    return name


def clean_text(text: str, *, length: int = TEXT_LENGTH, what: str = "text") -> str:
    """Free text (titles, notes): lines kept, other control characters refused, trimmed.

    Word pastes U+000B for Shift+Enter; it becomes a line break rather than an error,
    because it is what the user meant and XML (XLSX, ICS) cannot hold it.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n")
    bad = _controls(text, allowed="\n\t")
    if bad:
        raise ValueError(f"the {what} cannot hold control characters ({_shown(bad)})")
    text = text.strip()
    if not text:
        raise ValueError(f"the {what} cannot be empty")
    if len(text) > length:
        raise ValueError(f"the {what} can be at most {length:,} characters ({len(text):,} given)")
    return text


def clean_email(text: str) -> str:
    """One address (`ann@example.org`), parsed by the standard library, not a regex."""
    candidate = text.strip()
    if not candidate or _controls(candidate) or any(c.isspace() for c in candidate):
        raise ValueError(f"{text!r} is not an email address")
    try:
        address = Address(addr_spec=candidate)
    except (HeaderParseError, ValueError, IndexError):
        raise ValueError(f"{candidate!r} is not an email address") from None
    if not address.username or "." not in address.domain or len(candidate) > EMAIL_LENGTH:
        raise ValueError(f"{candidate!r} is not an email address")
    return candidate


def finite(value: float) -> float:
    """A measure's number: NaN and infinity are refused (they break charts and JSON)."""
    if not math.isfinite(value):
        raise ValueError(f"{value} is not a number a measure can hold")
    return value
