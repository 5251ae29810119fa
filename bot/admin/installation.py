"""Which installation an admin verb speaks to Slack as: SLACK_BOT_TOKEN's, or in OAuth mode
(no SLACK_BOT_TOKEN) the stored installation named by `--team`/`--enterprise`, its token
decrypted (and refreshed, with token rotation on) for this one command and never printed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.admin.verbs import Failure
from bot.config import Settings
from bot.crypto import load_cipher
from bot.installs.oauth import ROTATE_MINUTES_BEFORE
from bot.installs.store import DatabaseInstallationStore, InstallationInfo
from bot.logs import register_secrets
from bot.slack import calls, policies

if TYPE_CHECKING:
    from bot.store import Store


@dataclass(frozen=True)
class SlackAs:
    """An installation as an admin verb uses it."""

    token: str
    owner: str  # the key its links are kept under: the workspace, or the organisation
    enterprise_id: str | None
    org_wide: bool
    name: str  # how the messages name it
    asked: bool = False  # Slack's auth.test already accepted the token


def client(settings: Settings, token: str | None) -> calls.SlackClient:
    return calls.SlackClient(token, base_url=settings.slack_api_url, retry_handlers=[])


async def slack_as(
    settings: Settings, store: Store, team: str | None = None, enterprise: str | None = None
) -> SlackAs:
    """SLACK_BOT_TOKEN's installation (asked with auth.test), else the stored one named."""
    if settings.slack_bot_token is not None:
        return await _bot_token(settings, team or enterprise)
    if not settings.oauth_enabled:
        raise Failure(
            "SLACK_BOT_TOKEN is missing: set it, or SLACK_CLIENT_ID/SECRET for OAuth "
            "installations (or pass --team)."
        )
    return await _stored(settings, store, team, enterprise)


async def _bot_token(settings: Settings, key: str | None) -> SlackAs:
    assert settings.slack_bot_token is not None
    token = settings.slack_bot_token.get_secret_value()
    answer = await calls.call(client(settings, token), "auth.test")
    if answer.fault is policies.Fault.SLACK_ERROR:
        raise Failure(f"Slack refused auth.test ({answer.error}); pass --team T…")
    if not answer.ok:
        raise Failure(f"cannot reach Slack ({answer.fault}: {answer.error}); pass --team T…")
    enterprise = answer.get("enterprise_id")
    org_wide = bool(answer.get("is_enterprise_install")) and isinstance(enterprise, str)
    # An org-wide (Enterprise Grid) token: links belong to the organisation.
    owner = key or (enterprise if org_wide else answer.get("team_id"))
    if not isinstance(owner, str):
        raise Failure("Slack's auth.test named no team; pass --team T…")
    enterprise = enterprise if isinstance(enterprise, str) else None
    return SlackAs(token, owner, enterprise, org_wide, owner, asked=True)


def _named(info: InstallationInfo) -> str:
    flag = "--enterprise" if info.org_wide else "--team"
    return f"{flag} {info.owner} ({info.name or '?'})"


async def _stored(
    settings: Settings, store: Store, team: str | None, enterprise: str | None
) -> SlackAs:
    cipher, _ = load_cipher(settings.encryption_key, settings.sqlite_path)
    installs = DatabaseInstallationStore(store.database, cipher)
    found = await installs.listing()
    choices = "; ".join(_named(info) for info in found)
    if not found:
        raise Failure("no OAuth installation yet: add the app to Slack at /slack/install first")
    if enterprise is not None:
        chosen = [i for i in found if i.org_wide and i.owner == enterprise]
        asked = f"--enterprise {enterprise}"
    elif team is not None:
        chosen = [i for i in found if i.owner == team]
        organisation = await store.owners.organisation(team)
        if not chosen and organisation is not None:  # a workspace of an org-wide install
            chosen = [i for i in found if i.org_wide and i.owner == organisation]
        asked = f"--team {team}"
    else:
        chosen, asked = found, ""
    if not chosen:
        raise Failure(f"no installation for {asked}; there are: {choices}")
    if len(chosen) > 1:
        raise Failure(f"{len(chosen)} installations: pass one of {choices}")
    info = chosen[0]
    token = await _token(settings, installs, info)
    kind = "organisation" if info.org_wide else "workspace"
    name = f"{info.owner} ({kind} {info.name or '?'})"
    return SlackAs(token, info.owner, info.enterprise_id, info.org_wide, name)


async def _token(
    settings: Settings, installs: DatabaseInstallationStore, info: InstallationInfo
) -> str:
    """The installation's bot token; with token rotation on, refreshed first if it expires
    soon (and the new one stored), as Bolt does before serving a request."""
    from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator

    bot = await installs.async_find_bot(
        enterprise_id=info.enterprise_id, team_id=info.team_id, is_enterprise_install=info.org_wide
    )
    if bot is None or not bot.bot_token:
        raise Failure(f"the installation {info.owner} has no bot token: add the app again")
    if bot.bot_refresh_token and settings.slack_client_id and settings.slack_client_secret:
        rotator = AsyncTokenRotator(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret.get_secret_value(),
            client=client(settings, None),
        )
        try:
            fresh = await rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=ROTATE_MINUTES_BEFORE
            )
        except Exception as error:  # its kind only: the error may quote the refresh token
            raise Failure(f"Slack would not refresh the token ({type(error).__name__})") from None
        if fresh is not None:
            register_secrets([fresh.bot_token, fresh.bot_refresh_token])
            await installs.async_save_bot(fresh)
            bot = fresh
    return bot.bot_token
