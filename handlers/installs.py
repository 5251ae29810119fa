"""Uninstall, revocation and deactivated accounts: a secret we no longer need is a secret we
must not keep."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncBoltContext

from bot.installs.people import forget_person
from bot.logs import get_logger
from handlers.listening import runtime_of, serving

log = get_logger(__name__)


async def _forget(body: dict[str, Any], context: AsyncBoltContext, event: str) -> None:
    owner = serving(body, context).owner
    if owner is None:
        log.warning("uninstall_without_owner", slack_event=event)
        return
    runtime = runtime_of(context)
    # An organisation's workspaces may hold links made before its org-wide install and not
    # moved yet: they go too. The database knows the workspaces (noted at install, from
    # auth.teams.list and from requests); this process's own knowledge is added for safety.
    workspaces = runtime.orgs.known(owner)
    gone = await runtime.store.owners.forget_installation(owner, event, workspaces)
    runtime.orgs.forget(owner)
    log.info(
        "installation_forgotten",
        slack_event=event,
        owner=owner,
        tokens=gone.installation,
        links=gone.links,
        retries=gone.retries,
    )


async def app_uninstalled(body: dict[str, Any], context: AsyncBoltContext) -> None:
    """The app was removed from the workspace or organisation: its tokens, links
    (authcodes) and pending retries go; the audit trail keeps a row."""
    await _forget(body, context, "app_uninstalled")


async def tokens_revoked(
    body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
) -> None:
    """A revoked bot token ends the installation as an uninstall does. Revoked user tokens
    (the installer's, if any were granted) are dropped alone."""
    raw = event.get("tokens")
    tokens: dict[str, Any] = raw if isinstance(raw, dict) else {}
    if tokens.get("bot"):
        await _forget(body, context, "tokens_revoked")
        return
    runtime = runtime_of(context)
    if runtime.installations is None:
        return
    installed = serving(body, context)
    for user in tokens.get("oauth") or ():
        if isinstance(user, str):
            await runtime.installations.async_delete_installation(
                enterprise_id=installed.enterprise_id,
                team_id=None if installed.org_wide else installed.team_id,
                user_id=user,
            )


async def user_change(
    body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
) -> None:
    """A deactivated Slack account (`deleted`): everything the app holds about the person goes,
    as `python -m bot forget` does. Any other change to a profile (most of these events) is
    nothing to the app."""
    user = event.get("user")
    if not isinstance(user, dict) or user.get("deleted") is not True:
        return
    user_id, owner = user.get("id"), serving(body, context).owner
    if not isinstance(user_id, str) or owner is None:
        log.warning("user_change_unreadable")
        return
    await forget_person(runtime_of(context).store.people, owner, user_id, "user_deleted")
