"""Linking a Slack user to a Rescue authcode.

What other features use: linking by SSO on first use (a PIN request), and whether someone is a
team lead (App Home); a person's Slack locale (session follow-through)."""

from bot.linking.link import is_team_lead, link_sso, user_locale

__all__ = ["is_team_lead", "link_sso", "user_locale"]
