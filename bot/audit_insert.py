"""One audit row written inside a caller's transaction: the PIN request's (bot/store.py) and an
uninstall's (bot/owner_store.py) use the same prepared statement and the same defaults. On
PostgreSQL a PIN request's row goes with its guard's release in one statement."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, insert, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import BindParameter

from bot.database import now
from bot.prepared import Prepared
from bot.schema import audit, in_flight, links

_AUDIT_COLUMNS = tuple(column.name for column in audit.columns if column.name != "id")
_INSERT_AUDIT = Prepared(
    insert(audit).values({name: bindparam(name) for name in _AUDIT_COLUMNS}).returning(audit.c.id)
)
# What SQLAlchemy filled in for a column the row left out.
_AUDIT_DEFAULTS: dict[str, Any] = {name: None for name in _AUDIT_COLUMNS} | {
    "no_tech_console": False
}


def insert_audit(tx: Connection, row: dict[str, Any], request_id: str | None) -> int:
    return int(_INSERT_AUDIT.scalar(tx, **_values(row, request_id)))


def finish_in_one_statement(
    tx: Connection,
    team_id: str,
    user_id: str,
    outcome: str,
    row: dict[str, Any],
    request_id: str | None,
) -> int:
    """PostgreSQL: the link's last use, the guard's release and the audit row in one
    statement (data-modifying CTEs), where the three statements were three round trips."""
    return int(
        _FINISH.scalar(
            tx,
            **_values(row, request_id),
            key_team_id=team_id,
            key_user_id=user_id,
            last_used_at=now(),
            last_outcome=outcome,
        )
    )


def _values(row: dict[str, Any], request_id: str | None) -> dict[str, Any]:
    unknown = row.keys() - _AUDIT_DEFAULTS.keys()
    if unknown:
        raise TypeError(f"not audit columns: {sorted(unknown)}")
    return {**_AUDIT_DEFAULTS, "at": now(), "request_id": request_id, **row}


# The key's own names: the audit row's team_id and user_id are parameters of their own.
_KEY: dict[str, BindParameter[Any]] = {
    "team_id": bindparam("key_team_id"),
    "user_id": bindparam("key_user_id"),
}
_FINISH = Prepared(
    insert(audit)
    .values({name: bindparam(name) for name in _AUDIT_COLUMNS})
    .returning(audit.c.id)
    .add_cte(
        update(links)
        .where(links.c.team_id == _KEY["team_id"], links.c.user_id == _KEY["user_id"])
        .values(last_used_at=bindparam("last_used_at"), last_outcome=bindparam("last_outcome"))
        .cte("noted")
    )
    .add_cte(
        delete(in_flight)
        .where(in_flight.c.team_id == _KEY["team_id"], in_flight.c.user_id == _KEY["user_id"])
        .cte("released")
    )
)
