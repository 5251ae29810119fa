"""Linking a Slack user to a Rescue authcode: pasted, by Rescue sign-in, by an admin, or by SSO."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.config import sso_id
from bot.language import _
from bot.linking import texts
from bot.linking.modal import EMAIL_BLOCK, PWD_BLOCK
from bot.logs import get_logger, register_secrets
from bot.rescue.client import AuthOutcome, AuthResult
from bot.slack import calls as slack_calls
from bot.slack import policies as slack_policies
from bot.slack import texts as slack_texts
from bot.slack.identity import Requester
from bot.slack.policies import SlackResult
from bot.storage.schema import Method

if TYPE_CHECKING:  # the process's own; a feature only receives it
    from bot.runtime import Runtime

log = get_logger(__name__)

# A view submission must be answered within Slack's 3 seconds, errors included.
SIGNIN_DEADLINE_SECONDS = 2.5


@dataclass(frozen=True)
class LinkOutcome:
    errors: dict[str, str] = field(default_factory=dict)


class SigninFailed(Exception):
    """Asking Rescue for an authcode failed in a way nobody foresaw. It names the kind of
    error only: the original may quote the request, and the request holds the password."""


async def link_pasted(runtime: Runtime, who: Requester, target: str, authcode: str) -> None:
    """An authcode typed into the link modal, by the agent or by a team lead for them. Not
    registered as a secret for the logs: nothing has confirmed it yet (a PIN request that
    Rescue answers OK does), and a person could type anyone's ID here."""
    method = Method.SELF if target == who.user_id else Method.ADMIN
    await runtime.store.link(who.team_id, target, authcode, method, by=who.user_id)
    log.info("linked", method=method, target=target)


async def link_by_signin(
    runtime: Runtime, who: Requester, email: str, password: str
) -> LinkOutcome:
    """Trade a Rescue e-mail and password for an authcode; the password is used once, and
    never registered as a secret for the logs (it would blank whatever it equals in every
    line): no line is ever given it."""
    try:
        result = await asyncio.wait_for(
            runtime.rescue.request_authcode(email, password), SIGNIN_DEADLINE_SECONDS
        )
    except TimeoutError:
        result = AuthResult(AuthOutcome.UNREACHABLE)
    except Exception as error:  # its kind only, and no context: it may quote the password
        raise SigninFailed(type(error).__name__) from None
    if result.outcome is AuthOutcome.OK and result.authcode:
        register_secrets([result.authcode])  # Rescue issued it
        await runtime.store.link(
            who.team_id, who.user_id, result.authcode, Method.SIGNIN, by=who.user_id
        )
        log.info("linked", method=Method.SIGNIN)
        return LinkOutcome()
    log.info("signin_refused", outcome=result.outcome.value)
    block = PWD_BLOCK if result.outcome is AuthOutcome.INVALID else EMAIL_BLOCK
    return LinkOutcome({block: _(texts.SIGNIN_FAILED[result.outcome])})


_MENTION = re.compile(r"\A(?:<@)?([UW][A-Z0-9]{2,})(?:\|[^>]*)?>?\Z")


def mentioned_user(text: str) -> str | None:
    """`U0123ABCD` or an escaped mention `<@U0123ABCD|jane>`: whom `link` is for."""
    match = _MENTION.match(text.strip())
    return match.group(1) if match else None


async def lookup_user(
    runtime: Runtime, user_id: str, budget: float | None = None, include_locale: bool = False
) -> tuple[dict[str, Any] | None, SlackResult]:
    """users.info: the user (None when Slack did not say), and how the call went."""
    extra: dict[str, Any] = {"include_locale": True} if include_locale else {}
    answer = await slack_calls.call(
        runtime.slack, "users.info", budget=budget, user=user_id, **extra
    )
    user = answer.get("user")
    return (user if answer.ok and isinstance(user, dict) else None), answer


async def user_info(
    runtime: Runtime, user_id: str, budget: float | None = None
) -> dict[str, Any] | None:
    return (await lookup_user(runtime, user_id, budget))[0]


async def user_locale(runtime: Runtime, user_id: str, budget: float | None = None) -> str | None:
    """The user's Slack locale (`de-DE`): their language, and the Lens SMS language's default;
    None when Slack won't say."""
    user, _ = await lookup_user(runtime, user_id, budget, include_locale=True)
    locale = user.get("locale") if user is not None else None
    return locale if isinstance(locale, str) and locale else None


# Asked before a modal opens or a submission is answered: inside Slack's 3 seconds.
LEAD_CHECK_SECONDS = 1.5


def _enterprise_user(user: dict[str, Any]) -> dict[str, Any]:
    """On Enterprise Grid, users.info says which organisation the user belongs to."""
    grid = user.get("enterprise_user")
    return grid if isinstance(grid, dict) else {}


async def is_team_lead(runtime: Runtime, user_id: str, budget: float | None = None) -> bool | None:
    """ADMIN_SLACK_USER_IDS, or a workspace admin or owner (on Grid, an org admin or owner);
    None when Slack could not say."""
    if user_id in runtime.settings.admin_slack_user_ids:
        return True
    user, answer = await lookup_user(runtime, user_id, budget)
    if user is None:
        return False if answer.fault is slack_policies.Fault.SLACK_ERROR else None
    grid = _enterprise_user(user)
    return bool(
        user.get("is_admin") or user.get("is_owner") or grid.get("is_admin") or grid.get("is_owner")
    )


def not_a_lead(lead: bool | None) -> str:
    """The sentence for someone who may not link others, or whose rights Slack didn't say."""
    return _(slack_texts.SLACK_UNAVAILABLE) if lead is None else _(texts.NOT_ADMIN)


@dataclass(frozen=True)
class SsoOutcome:
    linked: bool
    reason: str = ""  # a sentence from _(texts.SSO_REASONS) when not linked


def _sso_refusal(user: dict[str, Any] | None, team_id: str) -> str | None:
    if user is None:
        return "not_found"
    if user.get("is_bot") or user.get("id") == "USLACKBOT":
        return "bot"
    if user.get("deleted"):
        return "deleted"
    # team_id is the link's owner: the workspace, or the organisation of an org-wide install.
    if user.get("team_id") not in (None, team_id) and (
        _enterprise_user(user).get("enterprise_id") != team_id
    ):
        return "foreign"
    profile = user.get("profile")
    email = profile.get("email") if isinstance(profile, dict) else None
    return None if isinstance(email, str) and "@" in email else "no_email"


def _sso_reason(key: str, **values: object) -> str:
    # A key in a variable, not a literal inside _(): Babel would extract the key as a sentence.
    return _(texts.SSO_REASONS[key], **values)


async def link_sso(
    runtime: Runtime, team_id: str, user_id: str, user: dict[str, Any] | None = None
) -> SsoOutcome:
    """Ask Rescue SSO for the authcode of the technician whose SSO ID is this Slack e-mail."""
    settings = runtime.settings
    if not (settings.rescue_sso_company_id and settings.rescue_sso_password):
        return SsoOutcome(False, _(texts.SSO_NOT_CONFIGURED))
    if user is None:
        user, answer = await lookup_user(runtime, user_id)
        if user is None and answer.error != "user_not_found":
            return SsoOutcome(False, _sso_reason("slack"))
    refusal = _sso_refusal(user, team_id)
    if refusal or user is None:
        return SsoOutcome(False, _sso_reason(refusal or "not_found"))
    ssoid = sso_id(settings.rescue_sso_id_template, user["profile"]["email"])
    result = await runtime.rescue.request_authcode_sso(
        ssoid, settings.rescue_sso_password.get_secret_value(), settings.rescue_sso_company_id
    )
    if result.outcome is not AuthOutcome.OK or not result.authcode:
        log.info("sso_refused", outcome=result.outcome.value)
        return SsoOutcome(False, _sso_reason(result.outcome.value, sso_id=ssoid))
    register_secrets([result.authcode])  # Rescue issued it
    await runtime.store.link(team_id, user_id, result.authcode, Method.SSO, by="sso")
    log.info("linked", method=Method.SSO)
    return SsoOutcome(True)


class MembersUnlisted(Exception):
    """Slack refused users.list; the message is the kind of error."""


async def members(
    runtime: Runtime, wanted: list[str], team_id: str | None = None
) -> list[tuple[str, dict[str, Any] | None]]:
    """The users named (looked up one by one), or else every person in the workspace
    (`team_id`: which one, for an org-wide token)."""
    if wanted:
        return [(user_id, await user_info(runtime, user_id)) for user_id in wanted]
    found: list[tuple[str, dict[str, Any] | None]] = []
    cursor = None
    while True:
        page = await slack_calls.call(
            runtime.slack, "users.list", limit=200, cursor=cursor, team_id=team_id
        )
        if not page.ok:
            raise MembersUnlisted(f"{page.fault}: {page.error}")
        user: dict[str, Any]
        for user in page.get("members") or []:
            if not user.get("is_bot") and not user.get("deleted") and user.get("id") != "USLACKBOT":
                found.append((user["id"], user))
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return found


async def org_members(
    runtime: Runtime, teams: list[str]
) -> list[tuple[str, dict[str, Any] | None]]:
    """Every person in each of an organisation's workspaces, once each (a Grid user may be in
    several)."""
    found: dict[str, dict[str, Any] | None] = {}
    for team_id in teams:
        for user_id, user in await members(runtime, [], team_id):
            found.setdefault(user_id, user)
    return list(found.items())


@dataclass(frozen=True)
class SsoBatch:
    linked: list[str]
    skipped: list[str]  # linked already
    refused: list[tuple[str, str]]  # with the reason


async def link_members_by_sso(
    runtime: Runtime,
    team_id: str,
    users: list[tuple[str, dict[str, Any] | None]],
    relink: bool,
) -> SsoBatch:
    """`python -m bot link-sso`: each user in turn; those linked already only with `relink`."""
    batch = SsoBatch([], [], [])
    for user_id, user in users:
        if not relink and await runtime.store.is_linked(team_id, user_id):
            batch.skipped.append(user_id)
            continue
        outcome = await link_sso(runtime, team_id, user_id, user)
        if outcome.linked:
            batch.linked.append(user_id)
        else:
            batch.refused.append((user_id, outcome.reason))
    return batch
