"""The checks of `domain.inputs` at the services' doors, as one-line user errors.

Each service entry point passes what it was given through these before it opens a
transaction, so a value that cannot be stored fails the same way on SQLite and on
PostgreSQL: `Error: the person's name can be at most 200 characters (this one has 201)
— shorten it`, exit 1, nothing written. Optional values left blank are None (not given).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy import Column, Integer, Table

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
    or beyond a 32-bit integer. Keys that are not columns are not this table's to check."""
    found: list[str] = []
    for name, value in values.items():
        column = table.c.get(name)
        if column is None or value is None:
            continue
        try:
            _fits(column, value, f"the {name.replace('_', ' ')}")
        except Refused as exc:
            found.append(str(exc))
    return found


def _fits(column: Column[Any], value: Any, what: str) -> None:
    if isinstance(value, str):
        inputs.storable(value, length=getattr(column.type, "length", None), what=what)
    elif isinstance(value, float):
        inputs.finite(value, what=what)
    elif _integer(column, value) and not -(2**31) <= value < 2**31:
        raise Refused(f"{what} {value} is more than the database holds", "give a smaller one")


def _integer(column: Column[Any], value: Any) -> bool:
    return isinstance(column.type, Integer) and isinstance(value, int) and type(value) is not bool
