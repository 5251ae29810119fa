"""One audit row written inside a caller's transaction: the PIN request's (bot/pins/store.py) and an
uninstall's (bot/installs/owners.py) use the same prepared statement and the same defaults."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, insert
from sqlalchemy.engine import Connection

from bot.storage.database import now
from bot.storage.prepared import Prepared, Step
from bot.storage.schema import audit
from bot.storage.storable import too_long

_AUDIT_COLUMNS = tuple(column.name for column in audit.columns if column.name != "id")
# Every column a parameter of its own name; returns the row's id.
INSERT_AUDIT = (
    insert(audit).values({name: bindparam(name) for name in _AUDIT_COLUMNS}).returning(audit.c.id)
)
_INSERT_AUDIT = Prepared(INSERT_AUDIT)
# What SQLAlchemy filled in for a column the row left out.
_AUDIT_DEFAULTS: dict[str, Any] = {name: None for name in _AUDIT_COLUMNS} | {
    "no_tech_console": False
}


def insert_audit(tx: Connection, row: dict[str, Any], request_id: str | None) -> int:
    return int(_INSERT_AUDIT.scalar(tx, **audit_values(row, request_id)))


def audit_step(row: dict[str, Any], request_id: str | None) -> Step:
    """The same insert as one of a hot-path write's steps (bot/storage/prepared.Steps)."""
    return Step(_INSERT_AUDIT, "scalar", audit_values(row, request_id))


def audit_values(row: dict[str, Any], request_id: str | None) -> dict[str, Any]:
    """INSERT_AUDIT's parameters for `row`, defaults filled in; unknown columns refused."""
    unknown = row.keys() - _AUDIT_DEFAULTS.keys()
    if unknown:
        raise TypeError(f"not audit columns: {sorted(unknown)}")
    return {**_AUDIT_DEFAULTS, "at": now(), "request_id": request_id, **row}


# What an audit row holds that a person typed: blanked first when the database refuses a row.
TYPED_COLUMNS = ("cfield0", "tracking0")


def without_refused(row: dict[str, Any], named: str | None) -> tuple[dict[str, Any], list[str]]:
    """`row` with what the database refused blanked, so the rest of it can be kept: the
    column the database named, else the values too long for their columns, else what was
    typed. Returns the row and the columns blanked (names only, never a value)."""
    if named is not None and named in row:
        names = [named]
    else:
        names = too_long(audit, row) or [n for n in TYPED_COLUMNS if row.get(n) is not None]
    blank = {name: None if audit.c[name].nullable else "" for name in names}
    return {**row, **blank}, names
