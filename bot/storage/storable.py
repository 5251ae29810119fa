"""Text from outside made storable, in one place, the same on SQLite and PostgreSQL.

PostgreSQL refuses NUL (U+0000) in `text` and `varchar`; SQLite keeps it. A customer name
pasted out of a ticket system can carry one, so every text column of the schema is one of the
two types below: each NUL is replaced by U+FFFD (REPLACEMENT CHARACTER), not removed, so a
value keeps its length and every other character in its place, and both databases hold the
same text. Nothing else is changed (ESC, DEL, a right-to-left override are stored as typed).

Only what is stored is changed: Rescue is asked with the fields exactly as typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import String, Table, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

NUL = "\x00"
REPLACEMENT = "\ufffd"


def storable(value: str) -> str:
    """`value` as both databases can store it: each NUL replaced by U+FFFD."""
    return value.replace(NUL, REPLACEMENT) if NUL in value else value


def _bind(value: Any) -> Any:
    return storable(value) if isinstance(value, str) else value


class StorableString(TypeDecorator[str]):
    """`String(n)` whose values are made storable on the way in (the statements of
    bot/storage/prepared.py bind through it too: it is the column's bind processor)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return _bind(value)


class StorableText(TypeDecorator[str]):
    """`Text` whose values are made storable on the way in."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return _bind(value)


def too_long(table: Table, row: Mapping[str, Any]) -> list[str]:
    """The columns of `table` whose text in `row` is longer than the column allows:
    PostgreSQL refuses such a value, SQLite keeps it whole (the one way the two still differ
    on what they store; nothing here cuts text)."""
    return [
        name
        for name, value in row.items()
        if isinstance(value, str)
        and name in table.c
        and (length := getattr(table.c[name].type, "length", None)) is not None
        and len(value) > length
    ]
