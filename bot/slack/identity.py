"""Who is asking, read from any Slack payload. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Requester:
    team_id: str
    user_id: str
    channel_id: str | None = None


class MalformedPayload(ValueError):
    """A signed payload without the ids every Slack request carries."""


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _get(mapping: Any, key: str) -> Any:
    return mapping.get(key) if isinstance(mapping, Mapping) else None


def requester(body: Mapping[str, Any]) -> Requester:
    """Slash commands carry flat ids; interactivity nests them under user/team/channel."""
    user = _text(body.get("user_id")) or _text(_get(body.get("user"), "id"))
    # The user's own workspace decides whose authcodes they may use.
    team = (
        _text(_get(body.get("user"), "team_id"))
        or _text(body.get("team_id"))
        or _text(_get(body.get("team"), "id"))
    )
    channel = _text(body.get("channel_id")) or _text(_get(body.get("channel"), "id"))
    if user is None or team is None:
        raise MalformedPayload("no user or team in the payload")
    return Requester(team, user, channel)


def is_foreign(who: Requester, installed_team: str | None) -> bool:
    """A Slack Connect guest from another organisation (the app serves one workspace)."""
    return installed_team is not None and who.team_id != installed_team
