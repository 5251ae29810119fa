"""One audit row written inside a caller's transaction: the PIN request's (bot/store.py) and an
uninstall's (bot/owner_store.py) use the same prepared statement and the same defaults."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, insert
from sqlalchemy.engine import Connection

from bot.database import now
from bot.prepared import Prepared
from bot.schema import audit

_AUDIT_COLUMNS = tuple(column.name for column in audit.columns if column.name != "id")
_INSERT_AUDIT = Prepared(
    insert(audit).values({name: bindparam(name) for name in _AUDIT_COLUMNS}).returning(audit.c.id)
)
# What SQLAlchemy filled in for a column the row left out.
_AUDIT_DEFAULTS: dict[str, Any] = {name: None for name in _AUDIT_COLUMNS} | {
    "no_tech_console": False
}


def insert_audit(tx: Connection, row: dict[str, Any], request_id: str | None) -> int:
    unknown = row.keys() - _AUDIT_DEFAULTS.keys()
    if unknown:
        raise TypeError(f"not audit columns: {sorted(unknown)}")
    values = {**_AUDIT_DEFAULTS, "at": now(), "request_id": request_id, **row}
    return int(_INSERT_AUDIT.scalar(tx, **values))
