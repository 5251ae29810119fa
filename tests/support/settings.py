"""The settings the app runs with under test: in-process (`make_settings`) or, for a real
process, as environment values (`app_env`), both pointed at the fakes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

from bot.config import Settings
from tests.support import sweep
from tests.support.fakes import FakeRescue, FakeSlack

ROOT = Path(__file__).resolve().parents[2]
SIGNING_SECRET = "test-signing-secret-8f3a9c"
BOT_TOKEN = "xoxb-1111-2222-testbottoken"
TEAM = "T0001"


def make_settings(
    slack: FakeSlack, rescue: FakeRescue, database_url: str, **extra: Any
) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": slack.api_url(),
        "rescue_api_url": rescue.api_url(),
        "rescue_timeout_seconds": 2,
        "database_url": database_url,
        "encryption_key": Fernet.generate_key().decode(),
        **extra,
    }
    sweep.remember(values["encryption_key"], values.get("rescue_sso_password"))
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def app_env(
    slack: FakeSlack, rescue: FakeRescue, database_url: str, key: str, **extra: str
) -> dict[str, str]:
    """The settings a real process needs to run against the fakes, as environment values."""
    return {
        "DATABASE_URL": database_url,
        "ENCRYPTION_KEY": key,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url(),
        "RESCUE_API_URL": rescue.api_url(),
        **extra,
    }


def clean_env(**values: str) -> dict[str, str]:
    """The parent's environment without any of the app's settings, plus `values`."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "RESCUE_", "DATABASE_", "ENCRYPTION_", "PORT"))
    }
    base.update(PYTHONPATH=str(ROOT), LOG_FORMAT="json", **values)
    return base


def driver_url(url: str) -> str:
    """The SQLAlchemy URL the app makes of a DATABASE_URL (sqlite:///…, postgres://…)."""
    return Settings(_env_file=None, database_url=url).sqlalchemy_url  # type: ignore[call-arg]
