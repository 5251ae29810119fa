"""Whose request is it: the installation that serves it, and the organisation a user belongs to.

A link belongs to a user of one installation: the workspace, or on an Enterprise Grid
org-wide install the organisation (Grid user IDs are organisation-wide), so the key under
which links, guards, retries and audit rows are kept is the installation's `owner`: the
enterprise ID for an org-wide install, else the team ID. A user from another organisation
(Slack Connect) is never served with this organisation's links.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Collection, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from bot.logs import get_logger
from bot.slack.identity import Requester, requester

log = get_logger(__name__)

# The bot token of the installation serving the request under way (OAuth mode): the shared
# Web API client uses it, and tasks the request starts inherit it.
request_token: ContextVar[str | None] = ContextVar("request_token", default=None)


@dataclass(frozen=True)
class Installed:
    """The installation serving a request, as Bolt's authorization found it."""

    enterprise_id: str | None
    team_id: str | None
    org_wide: bool

    @property
    def owner(self) -> str | None:
        if self.org_wide:
            return self.enterprise_id
        return self.team_id or self.enterprise_id


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def org_wide_payload(body: Mapping[str, Any]) -> bool:
    """What the payload says: `authorizations[0].is_enterprise_install`, else the flag itself."""
    authorizations = body.get("authorizations")
    if isinstance(authorizations, list) and authorizations and isinstance(authorizations[0], dict):
        return authorizations[0].get("is_enterprise_install") is True
    flag = body.get("is_enterprise_install")
    return flag is True or flag == "true"


def enterprise_of(body: Mapping[str, Any]) -> str | None:
    enterprise = body.get("enterprise")
    if isinstance(enterprise, dict):
        return _text(enterprise.get("id"))
    team = body.get("team")
    return (
        _text(enterprise)
        or _text(body.get("enterprise_id"))
        or (_text(team.get("enterprise_id")) if isinstance(team, dict) else None)
    )


def installed(
    body: Mapping[str, Any], authorized_enterprise: str | None, authorized_team: str | None
) -> Installed:
    """The serving installation: what Bolt authorized, completed from the payload.

    An org-wide token's auth.test names the enterprise; the payload says org-wide or not.
    """
    org_wide = org_wide_payload(body)
    enterprise = authorized_enterprise or enterprise_of(body)
    team = None if org_wide else (authorized_team or _text(body.get("team_id")))
    return Installed(enterprise, team, org_wide and enterprise is not None)


def workspace_of(body: Mapping[str, Any]) -> str | None:
    """The workspace a request comes from (where an org-wide token must act)."""
    team, view, event, user = (body.get(k) for k in ("team", "view", "event", "user"))
    return (
        _text(body.get("team_id"))
        or (_text(team.get("id")) if isinstance(team, dict) else _text(team))
        or (_text(view.get("team_id")) if isinstance(view, dict) else None)
        or (_text(event.get("team")) if isinstance(event, dict) else None)
        or (_text(user.get("team_id")) if isinstance(user, dict) else None)
    )


Note = Callable[[str, Collection[str]], Awaitable[None]]


class OrgDirectory:
    """Which workspaces belong to an organisation, from auth.teams.list with its token.

    Cached per organisation; an unknown workspace refreshes the list, at most once a minute.
    What Slack says is also handed to `note` (the database keeps it, for uninstalls).
    """

    FRESH_SECONDS = 600.0
    RETRY_SECONDS = 60.0

    def __init__(
        self, fetch: Callable[[str], Awaitable[set[str]]], note: Note | None = None
    ) -> None:
        self._fetch = fetch
        self._note = note
        self._teams: dict[str, tuple[float, set[str]]] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._adopted: set[tuple[str, str]] = set()
        self._noted: set[tuple[str, str]] = set()

    async def teams(self, enterprise_id: str, must_include: str | None = None) -> set[str]:
        known = self._teams.get(enterprise_id)
        now = time.monotonic()
        if known is not None:
            age = now - known[0]
            if age < self.FRESH_SECONDS and (
                must_include is None or must_include in known[1] or age < self.RETRY_SECONDS
            ):
                return known[1]
        lock = self._locks.setdefault(enterprise_id, asyncio.Lock())
        async with lock:
            again = self._teams.get(enterprise_id)
            if again is not None and again is not known:
                return again[1]  # another request fetched it meanwhile
            try:
                teams = await self._fetch(enterprise_id)
            except Exception as error:  # Slack unreachable: keep what we knew
                log.warning("org_teams_unavailable", error=type(error).__name__)
                return known[1] if known is not None else set()
            self._teams[enterprise_id] = (time.monotonic(), teams)
            await self._keep(enterprise_id, teams)
            return teams

    async def _keep(self, enterprise_id: str, teams: Collection[str]) -> None:
        """Every answer is kept (another process's uninstall may have deleted what was)."""
        if self._note is None or not teams:
            return
        try:
            await self._note(enterprise_id, teams)
        except Exception as error:  # the database away: kept with the next answer
            log.warning("org_teams_not_kept", error=type(error).__name__)
            return
        self._noted.update((team, enterprise_id) for team in teams)

    async def note_member(self, team_id: str, enterprise_id: str) -> None:
        """A workspace of the organisation, as a request from it said (noted once a process):
        what it links under its own key is the organisation's to delete on uninstall."""
        if (team_id, enterprise_id) not in self._noted and team_id != enterprise_id:
            await self._keep(enterprise_id, {team_id})

    def known(self, enterprise_id: str) -> set[str]:
        """The organisation's workspaces as last fetched (or adopted here), asking nobody."""
        known = self._teams.get(enterprise_id)
        teams = set(known[1]) if known is not None else set()
        return teams | {team for team, owner in self._adopted if owner == enterprise_id}

    def forget(self, owner: str) -> None:
        """An uninstall deleted the owner's rows, and what the database knew of its workspaces."""
        self._teams.pop(owner, None)
        self._adopted = {pair for pair in self._adopted if owner not in pair}
        self._noted = {pair for pair in self._noted if owner not in pair}

    async def adopt_once(
        self, team_id: str, owner: str, move: Callable[[str, str], Awaitable[int]]
    ) -> None:
        """The first time this process serves a workspace through its organisation's org-wide
        install, the workspace's existing links move to the organisation (`move`)."""
        if (team_id, owner) in self._adopted or team_id == owner:
            return
        moved = await move(team_id, owner)  # and the database notes the workspace as owner's
        self._adopted.add((team_id, owner))
        self._noted.add((team_id, owner))
        if moved:
            log.info("workspace_adopted", team=team_id, enterprise=owner, links=moved)


async def who_is_asking(
    body: Mapping[str, Any],
    serving: Installed,
    directory: OrgDirectory | None,
    adopt: Callable[[str, str], Awaitable[int]] | None = None,
) -> tuple[Requester, bool]:
    """The requester keyed by the installation's owner, and whether they are from elsewhere.

    On a workspace install the user's workspace must be the installed one; on an org-wide
    install it must be one of the organisation's workspaces.
    """
    who = requester(body)  # team_id: the user's own workspace
    if not serving.org_wide or serving.enterprise_id is None:
        foreign = serving.team_id is not None and who.team_id != serving.team_id
        if serving.enterprise_id and serving.team_id and not foreign and directory is not None:
            # A Grid workspace's own install: its links are kept under the workspace's key,
            # and an org-wide uninstall must find them later.
            await directory.note_member(serving.team_id, serving.enterprise_id)
        return who, foreign
    enterprise = serving.enterprise_id
    member = who.team_id == enterprise
    if not member and directory is not None:
        member = who.team_id in await directory.teams(enterprise, must_include=who.team_id)
    if not member:
        return who, True
    if adopt is not None and directory is not None:
        await directory.adopt_once(who.team_id, enterprise, adopt)
    return Requester(enterprise, who.user_id, who.channel_id), False
