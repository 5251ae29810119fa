"""The hot path's statements: written in SQLAlchemy Core, compiled once per dialect, and run
on the driver's own cursor.

Building a Core statement and executing it through SQLAlchemy cost about 0.3-0.5 ms of CPU a
statement here (building the statement, its cache key, the execution context, the result);
the same SQL on the driver's cursor costs about a tenth of that. sqlite3 keeps its compiled
statements in its per-connection cache, and SQLAlchemy's asyncpg adapter prepares each SQL
text once per connection, so these are the drivers' own prepared statements. The schema and
the SQL still come from `bot.schema`: only the per-call work is skipped.

Driver errors come back as SQLAlchemy's (IntegrityError, OperationalError, ...) without
their parameters, the way the rest of the store sees them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exc
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.sql.expression import Executable


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # the parameters, in the order the SQL takes them
    processors: tuple[Callable[[Any], Any] | None, ...]
    fixed: dict[str, Any]  # values written into the statement itself


class Prepared:
    """One Core statement with named `bindparam`s, compiled on first use in each dialect.

    A parameter not given to `execute` takes the value written into the statement."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._by_dialect: dict[str, _Compiled] = {}

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)  # type: ignore[attr-defined]
        names = tuple(compiled.positiontup or ())
        processors = tuple(
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in names
        )
        fixed = {name: compiled.binds[name].value for name in names}
        found = _Compiled(compiled.string, names, processors, fixed)
        self._by_dialect[dialect.name] = found
        return found

    def execute(self, tx: Connection, **params: Any) -> DBAPICursor:
        """Runs in `tx`'s transaction; returns the driver's cursor (rows, rowcount)."""
        dialect = tx.dialect
        compiled = self._by_dialect.get(dialect.name) or self._compile(dialect)
        values = {**compiled.fixed, **params}
        args = tuple(
            values[name] if processor is None else processor(values[name])
            for name, processor in zip(compiled.names, compiled.processors, strict=True)
        )
        raw = tx.connection.dbapi_connection
        if raw is None:
            raise exc.ResourceClosedError("the connection is closed")
        cursor = raw.cursor()
        try:
            cursor.execute(compiled.sql, args)
        except dialect.loaded_dbapi.Error as error:
            cursor.close()
            raise exc.DBAPIError.instance(
                compiled.sql,
                None,
                error,
                dialect.loaded_dbapi.Error,
                hide_parameters=True,  # parameters can be customer fields
                dialect=dialect,
            ) from None
        return cursor

    def scalar(self, tx: Connection, **params: Any) -> Any:
        """The first column of the first row, or None."""
        cursor = self.execute(tx, **params)
        try:
            row = cursor.fetchone()
        finally:
            cursor.close()
        return None if row is None else row[0]

    def rowcount(self, tx: Connection, **params: Any) -> int:
        cursor = self.execute(tx, **params)
        count = cursor.rowcount
        cursor.close()
        return int(count)
