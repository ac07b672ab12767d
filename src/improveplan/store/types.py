"""A portable column type for the domain's enums (docs/design.md §4).

The value is stored as the enum's plain string (VARCHAR on both databases, no native
ENUM type and no CHECK constraint), so the schema and the data are exactly what they
were before the type existed: an upgrade changes nothing. Rows read back carry the enum
member, and a write of an unknown string fails before it reaches the database.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

E = TypeVar("E", bound=StrEnum)


class EnumText(TypeDecorator[E]):
    """VARCHAR(length) holding one of `enum`'s values; reads back as the member."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum
        # Read back by lookup: a 100k-row listing reads 100k statuses.
        self.members: dict[Any, E] = {m.value: m for m in enum}

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return self.enum(value).value  # ValueError for a string the enum does not know

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        if value is None:
            return None
        member = self.members.get(value)
        return self.enum(value) if member is None else member
