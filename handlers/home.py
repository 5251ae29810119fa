"""The App Home tab."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from bot import home
from bot.identity import Requester, is_foreign
from bot.services import Services


def register(app: AsyncApp, services: Services) -> None:
    @app.event("app_home_opened")
    async def home_opened(event: dict[str, Any], context: AsyncBoltContext) -> None:
        user, team = event.get("user"), context.team_id
        if not isinstance(user, str) or not team or event.get("tab", "home") != "home":
            return
        installed = context.authorize_result.team_id if context.authorize_result else None
        if not is_foreign(Requester(team, user), installed):
            await home.publish(services, team, user)
