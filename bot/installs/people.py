"""Everything held about one person, forgotten: an agent who left (`python -m bot forget`) or
a deactivated Slack account (`user_change` with `deleted`). Their link, retries, guard, step
runs, follow-through rows and shares go; their audit rows stay, with counts and outcomes, but
lose the customer fields; where they linked others or installed the app, their ID goes.

A person is a user of one installation's owner: on Enterprise Grid the organisation and
every workspace of it the database knows (Grid user IDs are organisation-wide). Reached as
`Store.people`; `forget` is one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Table, delete, or_, select, union, update
from sqlalchemy.engine import Connection

from bot.audit import insert_audit
from bot.installs.owners import organisation_of, workspaces_of
from bot.logs import current_request_id, get_logger
from bot.storage.database import Database
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

log = get_logger(__name__)

# What `forget` counts, in the order it is told: (key, what an admin reads).
COUNTED = (
    ("links", "links (authcodes)"),
    ("retries", "retries"),
    ("guards", "guards"),
    ("step_runs", "workflow step runs"),
    ("follow_through", "follow-through rows"),
    ("shares", "shares"),
    ("audit_blanked", "audit rows, customer fields emptied (rows and outcomes kept)"),
    ("linked_by", "links they made for others (their ID emptied)"),
    ("installer", "installations they made (their ID and user tokens emptied)"),
)
_CUSTOMER_FIELDS = {"cfield0": None, "tracking0": None}  # what audit rows keep of the customer


@dataclass(frozen=True)
class PersonForgotten:
    user_id: str
    keys: tuple[str, ...]  # the owner first, then its organisation's workspaces
    counts: dict[str, int]

    @property
    def anything(self) -> bool:
        return any(self.counts.values())


def _family(tx: Connection, owner: str) -> list[str]:
    """The owner's organisation (when the database knows one) and its workspaces."""
    root = organisation_of(tx, owner)
    return [root, *sorted((workspaces_of(tx, root) | {owner}) - {root})]


class PeopleStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def homes(self, user_id: str) -> list[str]:
        """The owners under which something is still held about `user_id` (a workspace the
        database knows to be an organisation's counts as the organisation), sorted."""
        held = union(
            select(links.c.team_id).where(
                or_(links.c.user_id == user_id, links.c.linked_by == user_id)
            ),
            select(retries.c.team_id).where(retries.c.user_id == user_id),
            select(in_flight.c.team_id).where(in_flight.c.user_id == user_id),
            select(step_runs.c.owner).where(step_runs.c.agent == user_id),
            select(sessions.c.team_id).where(sessions.c.user_id == user_id),
            select(shares.c.team_id).where(shares.c.user_id == user_id),
            select(audit.c.team_id).where(
                audit.c.user_id == user_id,
                or_(audit.c.cfield0.is_not(None), audit.c.tracking0.is_not(None)),
            ),
            select(installations.c.owner).where(installations.c.user_id == user_id),
        ).subquery()
        key = held.c[0]
        query = select(key, org_workspaces.c.enterprise_id).outerjoin(
            org_workspaces, org_workspaces.c.team_id == key
        )
        rows = await self._db.read(lambda connection: connection.execute(query).all())
        return sorted({enterprise or team for team, enterprise in rows})

    async def forget(self, owner: str, user_id: str, action: str) -> PersonForgotten:
        """One transaction. The audit trail keeps a row saying so (no customer data), when
        there was anything to forget."""
        request_id = current_request_id()

        def work(tx: Connection) -> PersonForgotten:
            keys = _family(tx, owner)
            counts = _forget(tx, keys, user_id)
            if any(counts.values()):
                row = {
                    "team_id": keys[0],
                    "user_id": user_id,
                    "action": action[:16],
                    "kind": "",
                    "outcome": "person_forgotten",
                }
                insert_audit(tx, row, request_id)
            return PersonForgotten(user_id, tuple(keys), counts)

        return await self._db.write(work)


def _forget(tx: Connection, keys: list[str], user_id: str) -> dict[str, int]:
    def gone(table: Table, *where: ColumnElement[bool]) -> int:
        return int(tx.execute(delete(table).where(*where)).rowcount or 0)

    counts = {
        "links": gone(links, links.c.team_id.in_(keys), links.c.user_id == user_id),
        "retries": gone(retries, retries.c.team_id.in_(keys), retries.c.user_id == user_id),
        "guards": gone(in_flight, in_flight.c.team_id.in_(keys), in_flight.c.user_id == user_id),
        "step_runs": gone(step_runs, step_runs.c.owner.in_(keys), step_runs.c.agent == user_id),
        # Response URLs and the technician's notes (sealed), the customer's name and ticket.
        "follow_through": gone(
            sessions, sessions.c.team_id.in_(keys), sessions.c.user_id == user_id
        ),
        "shares": gone(shares, shares.c.team_id.in_(keys), shares.c.user_id == user_id),
    }
    counts["audit_blanked"] = tx.execute(
        update(audit)
        .where(
            audit.c.team_id.in_(keys),
            audit.c.user_id == user_id,
            or_(audit.c.cfield0.is_not(None), audit.c.tracking0.is_not(None)),
        )
        .values(_CUSTOMER_FIELDS)
    ).rowcount
    counts["linked_by"] = tx.execute(
        update(links)
        .where(links.c.team_id.in_(keys), links.c.linked_by == user_id)
        .values(linked_by=None)
    ).rowcount
    counts["installer"] = tx.execute(
        update(installations)
        .where(installations.c.owner.in_(keys), installations.c.user_id == user_id)
        .values(
            user_id=None,
            user_token=None,
            user_refresh_token=None,
            user_token_expires_at=None,
            user_scopes=None,
        )
    ).rowcount
    return {name: int(counts[name] or 0) for name, _ in COUNTED}


async def forget_person(
    forgetting: PeopleStore, owner: str, user_id: str, action: str
) -> PersonForgotten:
    """Forget `user_id` of `owner`'s installation, and say so in the log (counts only)."""
    done = await forgetting.forget(owner, user_id, action)
    log.info("person_forgotten", owner=done.keys[0], target=user_id, action=action, **done.counts)
    return done
