"""Settings, read once from the environment (or `.env`) with pydantic-settings."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError as SourceError

from bot.language import spoken_names, supported
from bot.rescue.client import TEXT_FIELDS

DEFAULT_DATABASE_FILE = "rescue_pin.sqlite3"

# serve/socket: everything to run; slack: a bot token (or OAuth installations); store: only
# the database and key.
Mode = Literal["serve", "socket", "slack", "store"]


class SettingsError(Exception):
    """One line per missing or malformed setting; never carries a secret's value."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    # OAuth installation (several workspaces, Grid org-wide): then SLACK_BOT_TOKEN is not needed.
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_authorize_url: str = "https://slack.com/oauth/v2/authorize"
    rescue_api_url: str = "https://secure.logmeinrescue.com/API/"
    rescue_timeout_seconds: float = Field(default=10, gt=0, le=120)
    database_url: str = f"sqlite:///{DEFAULT_DATABASE_FILE}"
    encryption_key: SecretStr | None = None
    rescue_field_labels: dict[str, str] = Field(default_factory=dict)
    rescue_fields: Annotated[tuple[str, ...], NoDecode] = TEXT_FIELDS
    # Where the message shortcut puts the message's text ("Problem description" in most accounts).
    rescue_description_field: Literal["cfield1", "cfield2", "cfield3"] = "cfield1"
    rescue_sso_company_id: str | None = None
    rescue_sso_password: SecretStr | None = None
    # How a Slack e-mail becomes a Rescue SSO ID: {email}, {local} (before the @), {domain}.
    rescue_sso_id_template: str = "{email}"
    admin_slack_user_ids: Annotated[frozenset[str], NoDecode] = frozenset()
    # Session follow-through (Rescue's Post-to-URL): both set, or it is off.
    rescue_post_token: SecretStr | None = None
    rescue_reference_field: (
        Literal["cfield1", "cfield2", "cfield3", "cfield4", "cfield5", "tracking0"] | None
    ) = None
    rescue_pin_validity_minutes: int | None = Field(default=None, gt=0, le=60 * 24 * 30)
    audit_retention_days: int = Field(default=90, gt=0)
    # Lens SMS: the region of numbers typed without a country code (ISO 3166, e.g. DE).
    sms_default_region: str | None = None
    # The language of whoever's Slack locale the app does not speak (bot/language).
    default_language: str = "en"
    port: int = Field(default=3000, gt=0, lt=65536)
    # GET /metrics answers only `Authorization: Bearer <it>` when set; unset, anyone.
    metrics_token: SecretStr | None = None
    log_format: Literal["console", "json"] | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("slack_api_url", "rescue_api_url")
    @classmethod
    def _trailing_slash(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return url if url.endswith("/") else url + "/"

    @field_validator("default_language")
    @classmethod
    def _spoken(cls, value: str) -> str:
        found = supported(value)
        if found is None or found.replace("_", "-").lower() != value.replace("_", "-").lower():
            raise ValueError(f"must be one of {', '.join(spoken_names())}")
        return found

    @field_validator("slack_authorize_url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return url

    @field_validator("rescue_field_labels")
    @classmethod
    def _known_labels(cls, labels: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(labels) - {*TEXT_FIELDS, "notechconsole"})
        if unknown:
            raise ValueError(f"unknown field name(s) {', '.join(unknown)}")
        too_long = sorted(name for name, label in labels.items() if not 0 < len(label) <= 2000)
        if too_long:
            raise ValueError(f"label(s) for {', '.join(too_long)} must be 1-2000 characters")
        return labels

    @field_validator("rescue_fields", mode="before")
    @classmethod
    def _parse_fields(cls, raw: object) -> object:
        names = _split_list(raw)
        if isinstance(names, list | tuple):
            unknown = [name for name in names if name not in TEXT_FIELDS]
            if unknown:
                raise ValueError(f"unknown field name(s) {', '.join(unknown)}")
            if len(set(names)) != len(names):
                raise ValueError("a field is named twice")
        return names

    @field_validator("admin_slack_user_ids", mode="before")
    @classmethod
    def _parse_ids(cls, raw: object) -> object:
        return _split_list(raw)

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower(cls, raw: object) -> object:
        return raw.lower() if isinstance(raw, str) else raw

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, raw: object) -> object:
        return raw.upper() if isinstance(raw, str) else raw

    @field_validator("sms_default_region", mode="before")
    @classmethod
    def _region(cls, raw: object) -> object:
        if not isinstance(raw, str):
            return raw
        region = raw.strip().upper()
        if not region:
            return None
        import phonenumbers  # here: only a region set needs it (bot/rescue/sms.py says why)

        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError("must be a two-letter region code, e.g. DE or US")
        return region

    @model_validator(mode="after")
    def _reserve_reference_field(self) -> Settings:
        # Left at its default, the PIN form simply leaves out the field the app reserves;
        # named by the admin, a clash is theirs to fix (`problems` says so).
        field = self.rescue_reference_field
        if field and "rescue_fields" not in self.model_fields_set:
            self.rescue_fields = tuple(name for name in self.rescue_fields if name != field)
        return self

    @property
    def follow_through(self) -> bool:
        """Session follow-through is on: Rescue posts to /rescue/sessions/<token>."""
        return self.rescue_post_token is not None and self.rescue_reference_field is not None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path | None:
        """The database file, for SQLite URLs that name one."""
        prefix = self.database_url.split(":///", 1)
        if not self.is_sqlite or len(prefix) != 2 or prefix[1] in ("", ":memory:"):
            return None
        return Path(prefix[1].split("?", 1)[0])

    @property
    def sqlalchemy_url(self) -> str:
        """The async driver's URL: Heroku's `postgres://` and plain `sqlite://` both accepted."""
        url = self.database_url
        for plain, driver in (
            ("postgres://", "postgresql+asyncpg://"),
            ("postgresql://", "postgresql+asyncpg://"),
            ("sqlite://", "sqlite+aiosqlite://"),
        ):
            if url.startswith(plain):
                return driver + url[len(plain) :]
        return url

    @property
    def oauth_enabled(self) -> bool:
        """Installations come through OAuth (each with its own token), not SLACK_BOT_TOKEN."""
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def sso_enabled(self) -> bool:
        return bool(self.rescue_sso_company_id and self.rescue_sso_password)

    def label(self, field: str) -> str:
        return self.rescue_field_labels.get(field, field)

    def problems(self, mode: Mode) -> list[str]:
        """What keeps `mode` from running, one line each."""
        from bot.config.problems import problems  # late: it reads these settings

        return problems(self, mode)


def sso_id(template: str, email: str) -> str:
    local, _, domain = email.partition("@")
    return template.format(email=email, local=local, domain=domain)


def _split_list(raw: object) -> object:
    """Accept a JSON list or a comma-separated string."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    if text.startswith("["):
        return json.loads(text)
    return [part.strip() for part in text.split(",") if part.strip()]


def load_settings(mode: Mode, **overrides: object) -> Settings:
    """Settings for `mode`, or SettingsError listing every problem at once."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError([_describe(e) for e in error.errors()]) from None
    except SourceError as error:
        # JSON that does not parse: pydantic-settings names the field in its message.
        name = re.search(r'field "(\w+)"', str(error))
        field = name.group(1).upper() if name else "A setting"
        raise SettingsError([f"{field} is malformed: it is not valid JSON."]) from None
    problems = settings.problems(mode)
    if problems:
        raise SettingsError(problems)
    return settings


def _describe(error: object) -> str:
    details = error if isinstance(error, dict) else {}
    name = "_".join(str(part) for part in details.get("loc", ())[:1]).upper() or "SETTINGS"
    message = str(details.get("msg", "is invalid")).removeprefix("Value error, ")
    # pydantic may quote the input; for secrets that would leak it, so only its message is kept.
    return f"{name} is malformed: {message}."
