"""What a failed database call was, told apart in one place.

- `StoreUnavailable`: the database could not be reached, or is overloaded (refused or lost
  connections, timeouts, too many connections, a server shutting down). Trying again later
  may work, and the group commit, the held connection and the deferred audit row do.
- `StoreRefused`: the database was reached and refused one write's data (a value too long
  for its column, a character it will not store or encode, a number out of range). Trying the same
  write again never works: it is not an outage, and it is not retried as one.
- An `IntegrityError` (a key a concurrent write took first) stays the caller's business,
  as it always was: the share and the Workflow step's run read it as "someone else won".
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)


class StoreFailed(Exception):
    """A database call that did nothing; one of the two below."""


class StoreUnavailable(StoreFailed):
    """The database could not be reached or is overloaded; the operation did nothing."""


class StoreRefused(StoreFailed):
    """The database refused this write's data; the operation did nothing. Carries where, as
    far as the database said (PostgreSQL names the table and column for some refusals);
    never the value."""

    def __init__(
        self, what: str, code: str | None, table: str | None = None, column: str | None = None
    ) -> None:
        super().__init__(f"{what}: refused ({code or 'data'})")
        self.code = code
        self.table = table
        self.column = column


# SQLSTATE classes of a write's own data: 22 data exception (22001 too long, 22021 a
# character not in the encoding, 22P05 untranslatable, 22003 out of range...).
_DATA_CLASSES = ("22",)


def _sqlstate(error: DBAPIError) -> str | None:
    # asyncpg's errors come wrapped in SQLAlchemy's adapter, which keeps the SQLSTATE.
    code = getattr(error.orig, "sqlstate", None)
    return code if isinstance(code, str) else None


def refused_by_data(error: BaseException) -> bool:
    """The database was reached and refused this statement's data (not a key taken)."""
    if isinstance(error, IntegrityError) or not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return False
    if isinstance(error, DataError):  # sqlite3.DataError; psycopg's class 22
        return True
    code = _sqlstate(error)
    return code is not None and code.startswith(_DATA_CLASSES)


def refusal(what: str, error: DBAPIError) -> StoreRefused:
    """The StoreRefused for `error`: its SQLSTATE, and the table and column where the
    driver names them (asyncpg keeps them on the server's error, the adapter's cause)."""
    server = error.orig.__cause__ if error.orig is not None else None
    table = getattr(server, "table_name", None)
    column = getattr(server, "column_name", None)
    return StoreRefused(
        what,
        _sqlstate(error),
        table if isinstance(table, str) else None,
        column if isinstance(column, str) else None,
    )


def database_failed(error: Exception) -> bool:
    """The database (or the way to it) failed, not one write's data: retrying each write alone
    would only fail again, once per write, each after its timeout."""
    return isinstance(error, OperationalError | InterfaceError | OSError | TimeoutError) or bool(
        getattr(error, "connection_invalidated", False)
    )


@asynccontextmanager
async def reaching(what: str) -> AsyncIterator[None]:
    """Around every database call: its failure as one of the kinds above."""
    try:
        yield
    except IntegrityError:
        raise  # an answer from a reachable database: the caller's business
    except UnicodeEncodeError:  # a lone surrogate (JSON's "\ud800"): sqlite3 says so raw
        raise StoreRefused(what, "encoding") from None
    except DBAPIError as error:
        if refused_by_data(error):
            raise refusal(what, error) from None
        # Driver errors can quote SQL parameters: keep only the kind.
        raise StoreUnavailable(f"{what}: {type(error).__name__}") from None
    except (SQLAlchemyError, OSError) as error:
        raise StoreUnavailable(f"{what}: {type(error).__name__}") from None
