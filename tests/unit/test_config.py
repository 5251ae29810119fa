"""Settings: defaults, parsing, and a clear one-line error per problem."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from bot.config import SettingsError, load_settings

TOKEN = "xoxb-1-2-abc"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "DATABASE_URL",
        "ENCRYPTION_KEY",
        "RESCUE_FIELDS",
        "RESCUE_FIELD_LABELS",
        "ADMIN_SLACK_USER_IDS",
        "PORT",
        "SLACK_CLIENT_ID",
        "SLACK_CLIENT_SECRET",
        "SLACK_AUTHORIZE_URL",
        "METRICS_TOKEN",
        "DEFAULT_LANGUAGE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def problems(mode: str = "serve", **env: str) -> list[str]:
    try:
        load_settings(mode, **env)  # type: ignore[arg-type]
    except SettingsError as error:
        return error.problems
    return []


def test_missing_tokens_are_named_one_line_each() -> None:
    found = problems()
    assert len(found) == 2
    assert found[0].startswith("SLACK_BOT_TOKEN is missing") and found[1].startswith(
        "SLACK_SIGNING_SECRET is missing"
    )
    assert all("\n" not in line for line in found)


def test_socket_needs_an_app_token() -> None:
    assert problems("socket", slack_bot_token=TOKEN)[0].startswith("SLACK_APP_TOKEN is missing")
    assert "malformed" in problems("socket", slack_bot_token=TOKEN, slack_app_token="xoxb-nope")[0]


def test_oauth_needs_both_client_settings_and_no_bot_token() -> None:
    oauth = {"slack_client_id": "1111.2222", "slack_client_secret": "s3cr3t-client"}
    assert problems(slack_signing_secret="s", **oauth) == []
    settings = load_settings("serve", slack_signing_secret="s", **oauth)
    assert settings.oauth_enabled
    assert settings.slack_authorize_url == "https://slack.com/oauth/v2/authorize"
    [alone] = problems(slack_bot_token=TOKEN, slack_signing_secret="s", slack_client_id="1.2")
    assert alone.startswith("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together")
    # Socket Mode still serves one installation with its bot token.
    assert problems("socket", slack_app_token="xapp-1", **oauth)[0].startswith(
        "SLACK_BOT_TOKEN is missing"
    )
    assert not load_settings("serve", slack_bot_token=TOKEN, slack_signing_secret="s").oauth_enabled
    assert (
        "SLACK_AUTHORIZE_URL"
        in problems(slack_signing_secret="s", slack_authorize_url="ftp://x", **oauth)[0]
    )


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    settings = load_settings("serve")
    assert settings.port == 3000 and settings.rescue_timeout_seconds == 10
    assert settings.sqlalchemy_url == "sqlite+aiosqlite:///rescue_pin.sqlite3"
    assert settings.rescue_api_url == "https://secure.logmeinrescue.com/API/"
    assert settings.label("cfield0") == "cfield0"


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgres://u:p@h:5432/d", "postgresql+asyncpg://u:p@h:5432/d"),
        ("postgresql://u@h/d", "postgresql+asyncpg://u@h/d"),
        ("sqlite:////var/data/x.db", "sqlite+aiosqlite:////var/data/x.db"),
    ],
)
def test_database_urls(url: str, driver: str) -> None:
    settings = load_settings(
        "store", database_url=url, encryption_key=Fernet.generate_key().decode()
    )
    assert settings.sqlalchemy_url == driver


def test_postgres_without_a_key_refuses() -> None:
    assert problems("store", database_url="postgres://h/d")[0].startswith(
        "ENCRYPTION_KEY is missing"
    )


def test_a_bad_key_is_one_line_without_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    [line] = problems("store", encryption_key="not-a-fernet-key-sekrit")
    assert line.startswith("ENCRYPTION_KEY is malformed") and "sekrit" not in line


def test_key_lists_for_rotation() -> None:
    keys = f"{Fernet.generate_key().decode()}, {Fernet.generate_key().decode()}"
    assert problems("store", encryption_key=keys) == []


def test_env_lists_and_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESCUE_FIELDS", "tracking0, cfield0")
    monkeypatch.setenv("RESCUE_FIELD_LABELS", '{"cfield0": "Customer name"}')
    monkeypatch.setenv("ADMIN_SLACK_USER_IDS", "U1,U2")
    settings = load_settings("store")
    assert settings.rescue_fields == ("tracking0", "cfield0")
    assert settings.label("cfield0") == "Customer name"
    assert settings.admin_slack_user_ids == frozenset({"U1", "U2"})
    monkeypatch.setenv("RESCUE_FIELDS", '["cfield1"]')
    assert load_settings("store").rescue_fields == ("cfield1",)


@pytest.mark.parametrize(
    ("name", "value", "start"),
    [
        ("RESCUE_FIELDS", "cfield9", "RESCUE_FIELDS is malformed"),
        ("RESCUE_FIELD_LABELS", "{not json", "RESCUE_FIELD_LABELS is malformed"),
        ("RESCUE_FIELD_LABELS", '{"cfield7": "x"}', "RESCUE_FIELD_LABELS is malformed"),
        ("RESCUE_TIMEOUT_SECONDS", "soon", "RESCUE_TIMEOUT_SECONDS is malformed"),
        ("RESCUE_TIMEOUT_SECONDS", "0", "RESCUE_TIMEOUT_SECONDS is malformed"),
        ("PORT", "99999", "PORT is malformed"),
        ("RESCUE_API_URL", "ftp://x", "RESCUE_API_URL is malformed"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL is malformed"),
    ],
)
def test_malformed_values_are_named(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, start: str
) -> None:
    monkeypatch.setenv(name, value)
    found = problems("store")
    assert len(found) == 1 and found[0].startswith(start), found


@pytest.mark.parametrize(
    ("token", "start"),
    [
        ("too-short-0123456789", "METRICS_TOKEN is too short: use at least 24 characters"),
        ("has spaces in it 0123456789", "METRICS_TOKEN is malformed"),
    ],
)
def test_a_metrics_token_is_long_and_fits_a_header(
    monkeypatch: pytest.MonkeyPatch, token: str, start: str
) -> None:
    monkeypatch.setenv("METRICS_TOKEN", token)
    [found] = problems(slack_bot_token=TOKEN, slack_signing_secret="s")
    assert found.startswith(start) and token not in found
    assert problems("store") == []  # the admin verbs serve no /metrics


def test_a_metrics_token_of_24_characters_will_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METRICS_TOKEN", "Kq3vN8sLx2Rw7TzP1mYc_-~.")
    settings = load_settings("serve", slack_bot_token=TOKEN, slack_signing_secret="s")
    assert settings.metrics_token is not None
    assert settings.metrics_token.get_secret_value() == "Kq3vN8sLx2Rw7TzP1mYc_-~."


@pytest.mark.parametrize(
    ("value", "stored"),
    [("en", "en"), ("de", "de"), ("pt-BR", "pt_BR"), ("pt_BR", "pt_BR"), ("JA", "ja")],
)
def test_default_language_is_one_of_the_six(value: str, stored: str) -> None:
    settings = load_settings(
        "serve", slack_bot_token=TOKEN, slack_signing_secret="s", default_language=value
    )
    assert settings.default_language == stored


@pytest.mark.parametrize("value", ["nl", "de-AT", "klingon", ""])
def test_another_default_language_is_one_line_naming_the_six(value: str) -> None:
    [problem] = problems(slack_bot_token=TOKEN, slack_signing_secret="s", default_language=value)
    assert problem.startswith("DEFAULT_LANGUAGE") and "en, de, fr, es, ja, pt-BR" in problem


def test_default_language_defaults_to_english() -> None:
    assert (
        load_settings("serve", slack_bot_token=TOKEN, slack_signing_secret="s").default_language
        == "en"
    )
