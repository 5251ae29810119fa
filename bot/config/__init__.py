"""Settings, read once from the environment (or `.env`), and what keeps a mode from running."""

from bot.config.settings import (
    DEFAULT_DATABASE_FILE,
    Mode,
    Settings,
    SettingsError,
    load_settings,
    sso_id,
)

__all__ = ["DEFAULT_DATABASE_FILE", "Mode", "Settings", "SettingsError", "load_settings", "sso_id"]
