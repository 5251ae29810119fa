"""What the database holds, read straight from its tables (SQLite or PostgreSQL), and the rows
an agent leaves behind, written as the app's own store writes them: for the tests that prove
an uninstall or a `forget` leaves nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text

from bot.storage.schema import metadata
from bot.store import Store
from tests.support import sweep

# Each table that holds rows of an installation's owner, and the column that names it.
OWNER_COLUMNS = {
    "links": "team_id",
    "retries": "team_id",
    "in_flight": "team_id",
    "step_runs": "owner",
    "rescue_sessions": "team_id",
    "shares": "team_id",
    "installations": "owner",
}


async def dump(store: Store) -> dict[str, str]:
    """Every table's rows as text, one line a row; kept for the suite's secrets sweep too."""
    found: dict[str, str] = {}
    async with store.engine.connect() as connection:
        for table in metadata.sorted_tables:
            rows = (await connection.execute(select(table))).all()
            found[table.name] = "\n".join(" ".join(str(v) for v in row) for row in rows)
            sweep.keep(f"table {table.name}", found[table.name])
    return found


async def owners_in(store: Store, table: str) -> list[str]:
    """The owner keys of the table's rows, sorted (one per row)."""
    column = OWNER_COLUMNS[table]
    async with store.engine.connect() as connection:
        query = text(f"SELECT {column} FROM {table} ORDER BY {column}")  # noqa: S608
        return [row[0] for row in (await connection.execute(query)).all()]


async def org_workspaces(store: Store) -> list[tuple[str, str]]:
    """(workspace, organisation) as the database knows them."""
    async with store.engine.connect() as connection:
        query = text("SELECT team_id, enterprise_id FROM org_workspaces ORDER BY team_id")
        return [(row[0], row[1]) for row in (await connection.execute(query)).all()]


async def leave_traces(store: Store, owner: str, user: str, response_url: str) -> None:
    """What an agent's work leaves besides their link and audit rows: a retry without the
    console, a guard still held, a Workflow step run, a follow-through row and a share."""
    await store.retries.save(
        owner, user, "rescue", "C1", {"cfield0": "Jane Customer"}, timedelta(minutes=10)
    )
    assert (await store.claim(owner, user, timedelta(minutes=5))).guarded
    assert await store.step_runs.start(f"Fx{owner}{user}", owner, user)
    reference = f"ref-{owner}-{user}"
    row_id = await store.sessions.open(reference, owner, user, "rescue", "C1", response_url)
    audit_id = await store.add_audit(
        team_id=owner, user_id=user, action="request", kind="rescue", outcome="OK", pin="123456"
    )
    await store.sessions.settle(row_id, "123456", audit_id)
    assert await store.shares.claim(audit_id, owner, user, "C1") is None
