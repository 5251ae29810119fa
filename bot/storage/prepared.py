"""The hot path's statements: written in SQLAlchemy Core, compiled once per dialect, and run
on the driver's own cursor.

Building a Core statement and executing it through SQLAlchemy cost about 0.3-0.5 ms of CPU a
statement here (building the statement, its cache key, the execution context, the result);
the same SQL on the driver's cursor costs about a tenth of that. sqlite3 keeps its compiled
statements in its per-connection cache, and SQLAlchemy's asyncpg adapter prepares each SQL
text once per connection, so these are the drivers' own prepared statements. The schema and
the SQL still come from `bot.storage.schema`: only the per-call work is skipped.

Driver errors come back as SQLAlchemy's (IntegrityError, OperationalError, ...) without
their parameters, the way the rest of the store sees them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

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

    def bound(self, dialect: Dialect, params: dict[str, Any]) -> tuple[str, tuple[Any, ...]]:
        """The SQL for `dialect` and its values in order, each through its column type's
        bind processor (bot/storage/storable.py's, for text)."""
        compiled = self._by_dialect.get(dialect.name) or self._compile(dialect)
        values = {**compiled.fixed, **params}
        args = tuple(
            values[name] if processor is None else processor(values[name])
            for name, processor in zip(compiled.names, compiled.processors, strict=True)
        )
        return compiled.sql, args

    def execute(self, tx: Connection, **params: Any) -> DBAPICursor:
        """Runs in `tx`'s transaction; returns the driver's cursor (rows, rowcount)."""
        dialect = tx.dialect
        sql, args = self.bound(dialect, params)
        raw = tx.connection.dbapi_connection
        if raw is None:
            raise exc.ResourceClosedError("the connection is closed")
        cursor = raw.cursor()
        try:
            cursor.execute(sql, args)
        except dialect.loaded_dbapi.Error as error:
            cursor.close()
            lost = _connection_lost(tx, error, raw, cursor)
            raise exc.DBAPIError.instance(
                sql,
                None,
                error,
                dialect.loaded_dbapi.Error,
                hide_parameters=True,  # parameters can be customer fields
                dialect=dialect,
                connection_invalidated=lost,
            ) from None
        return cursor

    def first(self, tx: Connection, **params: Any) -> Any:
        """The first row (a tuple), or None when there is none."""
        cursor = self.execute(tx, **params)
        try:
            return cursor.fetchone()
        finally:
            cursor.close()

    def scalar(self, tx: Connection, **params: Any) -> Any:
        """The first column of the first row, or None."""
        row = self.first(tx, **params)
        return None if row is None else row[0]

    def rowcount(self, tx: Connection, **params: Any) -> int:
        cursor = self.execute(tx, **params)
        count = cursor.rowcount
        cursor.close()
        return int(count)


def _connection_lost(tx: Connection, error: Any, raw: Any, cursor: Any) -> bool:
    """What SQLAlchemy does when a statement of its own finds the connection gone, done here
    because these statements run on the driver's cursor: this connection is dropped, and the
    pool's others, opened before the loss (a database restart takes them all), are replaced
    as they come back. Without it a dead connection went back to the pool and failed every
    request it served."""
    if not tx.dialect.is_disconnect(error, raw, cursor):
        return False
    tx.invalidate(error)
    tx.engine.dispose(close=False)
    return True


class PreparedPerDialect:
    """One statement that each dialect writes with its own construct (an upsert is
    `sqlite.insert(...).on_conflict_do_update` on one, `postgresql.insert(...)` on the
    other), built for a dialect when first run on it (a SQLite process never imports the
    PostgreSQL dialect), then prepared like any other."""

    def __init__(self, build: Callable[[str], Executable]) -> None:
        self._build = build
        self._by_dialect: dict[str, Prepared] = {}

    def on(self, tx: Connection) -> Prepared:
        return self.for_dialect(tx.dialect)

    def for_dialect(self, dialect: Dialect) -> Prepared:
        name = dialect.name
        prepared = self._by_dialect.get(name)
        if prepared is None:
            prepared = self._by_dialect[name] = Prepared(self._build(name))
        return prepared


@dataclass(frozen=True)
class Step:
    """One prepared statement with its values, and what the caller wants of it: the first
    row ("first"), its first column ("scalar") or the rows it changed ("rowcount")."""

    statement: Prepared | PreparedPerDialect
    want: Literal["first", "scalar", "rowcount"]
    params: dict[str, Any]

    def statement_for(self, dialect: Dialect) -> Prepared:
        statement = self.statement
        return (
            statement.for_dialect(dialect)
            if isinstance(statement, PreparedPerDialect)
            else statement
        )


class Steps(tuple[Step, ...]):
    """A hot-path write or read as data: its statements in order; the answer is the last
    one's. Called with a SQLAlchemy `Connection` it runs like any other write's function
    (SQLite's thread); on PostgreSQL bot/storage/pg.py runs it on asyncpg directly."""

    def __call__(self, tx: Connection) -> Any:
        result: Any = None
        for step in self:
            result = getattr(step.statement_for(tx.dialect), step.want)(tx, **step.params)
        return result


def steps(*each: Step) -> Steps:
    return Steps(each)
