"""What keeps a mode from running: every missing or malformed setting, one line each.

`python -m bot check` prints them; every other verb refuses to start on any of them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config.settings import Mode, Settings

MIN_POST_TOKEN = 24
MIN_METRICS_TOKEN = 24
_URL_SAFE = re.compile(r"[A-Za-z0-9._~-]+")
_BEARER = re.compile(r"[A-Za-z0-9._~+/-]+=*")  # RFC 6750's b64token


def _template_ok(template: str) -> bool:
    try:
        template.format(email="a@b", local="a", domain="b")
    except (KeyError, IndexError, ValueError):
        return False
    return "{" in template


def problems(self: Settings, mode: Mode) -> list[str]:
    """What keeps `mode` from running, one line each."""
    found = []
    if bool(self.slack_client_id) != bool(self.slack_client_secret):
        found.append(
            "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together: set both for OAuth "
            "installation, or neither for one workspace with SLACK_BOT_TOKEN."
        )
    if mode == "store" or (mode in ("serve", "slack") and self.oauth_enabled):
        pass  # with OAuth, every installation brings its own token
    elif self.slack_bot_token is None:
        found.append("SLACK_BOT_TOKEN is missing: set it to the bot token (xoxb-…).")
    elif not self.slack_bot_token.get_secret_value().startswith("xoxb-"):
        found.append("SLACK_BOT_TOKEN is malformed: a bot token starts with xoxb-.")
    if mode == "serve" and self.slack_signing_secret is None:
        found.append("SLACK_SIGNING_SECRET is missing: copy it from the app's Basic Information.")
    if mode == "socket":
        if self.slack_app_token is None:
            found.append("SLACK_APP_TOKEN is missing: Socket Mode needs an app token (xapp-…).")
        elif not self.slack_app_token.get_secret_value().startswith("xapp-"):
            found.append("SLACK_APP_TOKEN is malformed: an app-level token starts with xapp-.")
    if not self.database_url.startswith(("sqlite://", "postgres://", "postgresql://")):
        found.append("DATABASE_URL is malformed: use sqlite:///path or postgres(ql)://…")
    elif self.encryption_key is None and not self.is_sqlite:
        found.append(
            "ENCRYPTION_KEY is missing: PostgreSQL needs a Fernet key "
            "(python -m bot genkey makes one)."
        )
    if self.encryption_key is not None:
        from bot.crypto import key_problem  # late: crypto imports nothing from here

        problem = key_problem(self.encryption_key)
        if problem:
            found.append(f"ENCRYPTION_KEY is malformed: {problem}.")
    if bool(self.rescue_sso_company_id) != bool(self.rescue_sso_password):
        found.append("RESCUE_SSO_COMPANY_ID and RESCUE_SSO_PASSWORD go together: set both.")
    if not _template_ok(self.rescue_sso_id_template):
        found.append("RESCUE_SSO_ID_TEMPLATE is malformed: use {email}, {local} and {domain} only.")
    if mode != "store":  # the admin verbs (migrate, link…) do not serve posts
        found += _follow_through_problems(self)
    if self.rescue_sso_company_id and not self.rescue_sso_company_id.isdigit():
        found.append("RESCUE_SSO_COMPANY_ID is malformed: the company ID is a number.")
    if mode == "serve":  # the only verb with a /metrics
        found += _metrics_problems(self)
    return found


def _metrics_problems(self: Settings) -> list[str]:
    token = self.metrics_token.get_secret_value() if self.metrics_token else None
    if token is None:
        return []
    if len(token) < MIN_METRICS_TOKEN:
        return [
            f"METRICS_TOKEN is too short: use at least {MIN_METRICS_TOKEN} characters "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')."
        ]
    if not _BEARER.fullmatch(token):
        return [
            "METRICS_TOKEN is malformed: use letters, digits and - . _ ~ + / only "
            "(it is sent in an HTTP header)."
        ]
    return []


def _follow_through_problems(self: Settings) -> list[str]:
    found = []
    token = self.rescue_post_token.get_secret_value() if self.rescue_post_token else None
    field = self.rescue_reference_field
    if (token is None) != (field is None):
        found.append(
            "RESCUE_POST_TOKEN and RESCUE_REFERENCE_FIELD go together: set both "
            "(or neither, to leave session follow-through off)."
        )
    if token is not None:
        if len(token) < MIN_POST_TOKEN:
            found.append(
                f"RESCUE_POST_TOKEN is too short: use at least {MIN_POST_TOKEN} characters "
                "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')."
            )
        if not _URL_SAFE.fullmatch(token):
            found.append(
                "RESCUE_POST_TOKEN is malformed: use letters, digits and - _ . ~ only "
                "(it is part of a web address)."
            )
    if field is not None:
        if field in self.rescue_fields:
            found.append(
                f"RESCUE_REFERENCE_FIELD is {field}, which RESCUE_FIELDS shows in the PIN "
                "form: take it out of RESCUE_FIELDS (the app fills it in itself)."
            )
        if field == self.rescue_description_field:
            found.append(
                f"RESCUE_REFERENCE_FIELD is {field}, where RESCUE_DESCRIPTION_FIELD puts a "
                "message's text: give them different fields."
            )
    return found
