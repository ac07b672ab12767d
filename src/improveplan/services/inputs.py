"""The checks of `domain.inputs` at the services' doors, as one-line user errors.

Each service entry point passes what it was given through these before it opens a
transaction, so a value that cannot be stored fails the same way on SQLite and on
PostgreSQL: `Error: the person's name can be at most 200 characters (this one has 201)
— shorten it`, exit 1, nothing written. Optional values left blank are None (not given).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Integer, Table

from improveplan.domain import inputs
from improveplan.domain.inputs import NAME_LENGTH, Refused
from improveplan.errors import ImproveplanError

T = TypeVar("T")


def _door(check: Callable[[], T]) -> T:
    try:
        return check()
    except Refused as exc:
        raise ImproveplanError(str(exc), exc.todo) from None


def name(value: str, what: str, *, length: int = NAME_LENGTH) -> str:
    """A name to store (`what`: "the person's name")."""
    return _door(lambda: inputs.clean_name(value, length=length, what=what))


def optional_name(value: str | None, what: str, *, length: int = NAME_LENGTH) -> str | None:
    if value is None or not value.strip():
        return None
    return name(value, what, length=length)


def text(value: str, what: str) -> str:
    """Free text to store (`what`: "title" — the error says "the title ...")."""
    return _door(lambda: inputs.clean_text(value, what=what))


def optional_text(value: str | None, what: str) -> str | None:
    if value is None or not value.strip():
        return None
    return text(value, what)


def email(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    return _door(lambda: inputs.clean_email(value))


def number(value: float, what: str) -> float:
    return _door(lambda: inputs.finite(value, what=what))


def key(value: str, what: str) -> str:
    """A name or ref typed to find a row (`what`: "the owner's name")."""
    return _door(lambda: inputs.clean_key(value, what=what))


def ref(value: str, what: str = "the reference") -> str:
    return _door(lambda: inputs.clean_ref(value, what=what))


def unstorable(table: Table, values: Mapping[str, Any]) -> list[str]:
    """What a row restored as it was (a plan export) holds that its table cannot store on
    either database: text with NUL or longer than its column, a number that is not finite
    or beyond a 32-bit integer. Keys that are not columns are not this table's to check.
    Quick for the usual row: a restore checks every audit event of a 100k-action plan."""
    found: list[str] = []
    limits = _limits(table)
    for name, value in values.items():
        if name not in limits or value is None or _fits(value, *limits[name]):
            continue
        try:
            _refuse(value, limits[name][0], f"the {name.replace('_', ' ')}")
        except Refused as exc:
            found.append(str(exc))
    return found


def _refuse(value: Any, length: int | None, what: str) -> None:
    """Say why a value that does not fit its column cannot be stored."""
    if isinstance(value, str):
        inputs.storable(value, length=length, what=what)
    elif isinstance(value, float):
        inputs.finite(value, what=what)
    raise Refused(f"{what} {value} is more than the database holds", "give a smaller one")


@cache
def _limits(table: Table) -> dict[str, tuple[int | None, bool]]:
    """Each column's length (None: unbounded) and whether it holds a 32-bit integer."""
    return {
        column.name: (getattr(column.type, "length", None), isinstance(column.type, Integer))
        for column in table.columns
    }


def _fits(value: Any, length: int | None, integer: bool) -> bool:
    if type(value) is str:
        return inputs.fits(value, length)
    if type(value) is float:
        return math.isfinite(value)
    return not (integer and type(value) is int) or -(2**31) <= value < 2**31
