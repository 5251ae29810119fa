"""Whose links are whose: an installation's owner forgetting everything on uninstall, and a
workspace's rows moving to its organisation's org-wide install (bot/installs/tenancy.py). Reached as
`Store.owners`; each method is one transaction."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from bot.audit import insert_audit
from bot.logs import current_request_id
from bot.storage.database import Database
from bot.storage.schema import audit, in_flight, installations, links, retries, sessions, step_runs


@dataclass(frozen=True)
class Forgotten:
    """What an uninstall deleted."""

    installation: bool
    links: int
    retries: int


class OwnerStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def forget_installation(
        self, owner: str, event: str, workspaces: Collection[str] = ()
    ) -> Forgotten:
        """An uninstall or a revoked bot token: the installation's tokens, its links (the
        authcodes), pending retries and step runs go in one transaction; the audit trail keeps
        a row. `workspaces`: for an organisation, its workspaces as far as known; their links
        not yet moved to the organisation (made under the workspace's key before the org-wide
        install) go too, unless the workspace still has an installation of its own."""
        request_id = current_request_id()
        own = select(installations.c.owner).where(installations.c.owner != owner)
        keys = [owner, *sorted(set(workspaces) - {owner})]

        def work(tx: Connection) -> Forgotten:
            gone = tx.execute(delete(installations).where(installations.c.owner == owner))
            still = set(tx.execute(own.where(installations.c.owner.in_(keys))).scalars())
            owners = [key for key in keys if key not in still]
            gone_links = tx.execute(delete(links).where(links.c.team_id.in_(owners)))
            gone_retries = tx.execute(delete(retries).where(retries.c.team_id.in_(owners)))
            tx.execute(delete(in_flight).where(in_flight.c.team_id.in_(owners)))
            tx.execute(delete(step_runs).where(step_runs.c.owner.in_(owners)))
            # Follow-through rows hold response_urls and notes (sealed): they go too.
            tx.execute(delete(sessions).where(sessions.c.team_id.in_(owners)))
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
        under both keeps the organisation's link). Returns how many links moved."""
        if team_id == owner:
            return 0

        def work(tx: Connection) -> int:
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
