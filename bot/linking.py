"""Linking a Slack user to a Rescue authcode: pasted, by Rescue sign-in, or by SSO."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bot import texts
from bot.blocks import EMAIL_BLOCK, PWD_BLOCK
from bot.identity import Requester
from bot.logs import get_logger, register_secrets
from bot.rescue import AuthOutcome, AuthResult
from bot.services import Services
from bot.store import Method

log = get_logger(__name__)

# A view submission must be answered within Slack's 3 seconds, errors included.
SIGNIN_DEADLINE_SECONDS = 2.5


@dataclass(frozen=True)
class LinkOutcome:
    errors: dict[str, str] = field(default_factory=dict)


async def link_self(
    services: Services, who: Requester, authcode: str, email: str, password: str
) -> LinkOutcome:
    if authcode:
        register_secrets([authcode])
        await services.store.link(who.team_id, who.user_id, authcode, Method.SELF, by=who.user_id)
        log.info("linked", method=Method.SELF)
        return LinkOutcome()
    register_secrets([password])
    try:
        result = await asyncio.wait_for(
            services.rescue.request_authcode(email, password), SIGNIN_DEADLINE_SECONDS
        )
    except TimeoutError:
        result = AuthResult(AuthOutcome.UNREACHABLE)
    if result.outcome is AuthOutcome.OK and result.authcode:
        register_secrets([result.authcode])
        await services.store.link(
            who.team_id, who.user_id, result.authcode, Method.SIGNIN, by=who.user_id
        )
        log.info("linked", method=Method.SIGNIN)
        return LinkOutcome()
    log.info("signin_refused", outcome=result.outcome.value)
    block = PWD_BLOCK if result.outcome is AuthOutcome.INVALID else EMAIL_BLOCK
    return LinkOutcome({block: texts.SIGNIN_FAILED[result.outcome]})
