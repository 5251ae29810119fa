"""Thin Bolt listeners, one module per Slack feature. Each acks first, then calls bot/."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from handlers import actions, commands, home, shortcuts, views


def register(app: AsyncApp, services: Services) -> None:
    commands.register(app, services)
    views.register(app, services)
    actions.register(app, services)
    home.register(app, services)
    shortcuts.register(app, services)
