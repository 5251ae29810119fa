"""Whose links are whose: an installation's owner forgetting everything on uninstall, a
workspace's rows moving to its organisation's org-wide install (bot/installs/tenancy.py), and
which organisation each Grid workspace belongs to (`org_workspaces`), kept in the database so
that an uninstall finds every workspace's rows whenever and wherever it is heard. Reached as
`Store.owners`; each method is one transaction."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from importlib import import_module

from sqlalchemy import delete, or_, select, update
from sqlalchemy.engine import Connection

from bot.audit import insert_audit
from bot.logs import current_request_id
from bot.storage.database import Database, now
from bot.storage.schema import (
    audit,
    in_flight,
    installations,
    links,
    org_workspaces,
    retries,
    sessions,
    shares,
    step_runs,
)


@dataclass(frozen=True)
class Forgotten:
    """What an uninstall deleted."""

    installation: bool
    links: int
    retries: int


def workspaces_of(tx: Connection, enterprise_id: str) -> set[str]:
    """The organisation's workspaces the database knows of."""
    query = select(org_workspaces.c.team_id).where(org_workspaces.c.enterprise_id == enterprise_id)
    return set(tx.execute(query).scalars())


def organisation_of(tx: Connection, key: str) -> str:
    """The organisation a workspace belongs to, as far as known; else the key itself."""
    query = select(org_workspaces.c.enterprise_id).where(org_workspaces.c.team_id == key)
    return tx.execute(query).scalar() or key


def note_workspaces(tx: Connection, enterprise_id: str, team_ids: Collection[str]) -> None:
    """Upserted: another process may note the same workspace at the same moment."""
    if not team_ids:
        return
    insert_of = import_module(f"sqlalchemy.dialects.{tx.dialect.name}").insert
    seen = now()
    rows = [{"team_id": t, "enterprise_id": enterprise_id, "seen_at": seen} for t in team_ids]
    upsert = insert_of(org_workspaces).values(rows)
    tx.execute(
        upsert.on_conflict_do_update(
            index_elements=[org_workspaces.c.team_id],
            set_={"enterprise_id": upsert.excluded.enterprise_id, "seen_at": seen},
        )
    )


class OwnerStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def note_workspaces(self, enterprise_id: str, team_ids: Collection[str]) -> None:
        """Slack said these workspaces belong to the organisation."""
        teams = sorted(set(team_ids) - {enterprise_id})
        if teams:
            await self._db.write(lambda tx: note_workspaces(tx, enterprise_id, teams))

    async def organisation(self, team_id: str) -> str | None:
        """The organisation the database knows the workspace to belong to."""
        found = await self._db.read(lambda connection: organisation_of(connection, team_id))
        return None if found == team_id else found

    async def forget_installation(
        self, owner: str, event: str, workspaces: Collection[str] = ()
    ) -> Forgotten:
        """An uninstall or a revoked bot token: the installation's tokens, its links (the
        authcodes), pending retries, guards, step runs, follow-through rows and shares go in
        one transaction; the audit trail keeps a row. For an organisation, its workspaces'
        rows not yet moved to it (made under a workspace's key before the org-wide install) go
        too, unless the workspace still has an installation of its own: the workspaces are
        those the database knows of (`org_workspaces`) and `workspaces` (this process's)."""
        request_id = current_request_id()
        own = select(installations.c.owner).where(installations.c.owner != owner)

        def work(tx: Connection) -> Forgotten:
            known = (set(workspaces) | workspaces_of(tx, owner)) - {owner}
            keys = [owner, *sorted(known)]
            gone = tx.execute(delete(installations).where(installations.c.owner == owner))
            still = set(tx.execute(own.where(installations.c.owner.in_(keys))).scalars())
            owners = [key for key in keys if key not in still]
            gone_links = tx.execute(delete(links).where(links.c.team_id.in_(owners)))
            gone_retries = tx.execute(delete(retries).where(retries.c.team_id.in_(owners)))
            tx.execute(delete(in_flight).where(in_flight.c.team_id.in_(owners)))
            tx.execute(delete(step_runs).where(step_runs.c.owner.in_(owners)))
            # Follow-through rows hold response_urls and notes (sealed): they go too.
            tx.execute(delete(sessions).where(sessions.c.team_id.in_(owners)))
            tx.execute(delete(shares).where(shares.c.team_id.in_(owners)))
            tx.execute(
                delete(org_workspaces).where(
                    or_(
                        org_workspaces.c.enterprise_id == owner,
                        org_workspaces.c.team_id.in_(owners),
                    )
                )
            )
            row = {
                "team_id": owner,
                "user_id": "",
                "action": event[:16],
                "kind": "",
                "outcome": "secrets_deleted",
                "no_tech_console": False,
            }
            insert_audit(tx, row, request_id)
            return Forgotten(bool(gone.rowcount), gone_links.rowcount, gone_retries.rowcount)

        return await self._db.write(work)

    async def adopt_workspace(self, team_id: str, owner: str) -> int:
        """A workspace now served through its organisation's org-wide install: its links,
        retries and audit rows move from the team's key to the organisation's (a user linked
        under both keeps the organisation's link), and the database notes whose workspace it
        is. Returns how many links moved."""
        if team_id == owner:
            return 0

        def work(tx: Connection) -> int:
            note_workspaces(tx, owner, [team_id])
            in_org = select(links.c.user_id).where(links.c.team_id == owner).scalar_subquery()
            tx.execute(delete(links).where(links.c.team_id == team_id, links.c.user_id.in_(in_org)))
            moved = tx.execute(
                update(links).where(links.c.team_id == team_id).values(team_id=owner)
            )
            tx.execute(update(retries).where(retries.c.team_id == team_id).values(team_id=owner))
            tx.execute(update(audit).where(audit.c.team_id == team_id).values(team_id=owner))
            tx.execute(update(sessions).where(sessions.c.team_id == team_id).values(team_id=owner))
            return int(moved.rowcount)

        return await self._db.write(work)
