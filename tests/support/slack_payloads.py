"""What Slack sends the app, in the shapes Slack sends it: slash commands, view submissions,
button clicks, shortcuts and events. Plain dicts; `Harness` signs and posts them, the Socket
Mode fake wraps them in envelopes, the fuzzer mutates them."""

from __future__ import annotations

from typing import Any

from tests.support.settings import TEAM


def interaction(kind: str, user_id: str, team: str, trigger_id: str) -> dict[str, Any]:
    """What every interactive payload starts with: its type, who, where, and a trigger."""
    return {
        "type": kind,
        "team": {"id": team, "domain": "acme"},
        "user": {
            "id": user_id,
            "username": user_id.lower(),
            "name": user_id.lower(),
            "team_id": team,
        },
        "api_app_id": "A1",
        "token": "legacy",
        "trigger_id": trigger_id,
    }


def slash_command(
    text: str = "",
    *,
    response_url: str,
    command: str = "/rescue-pin",
    user_id: str = "U1",
    team: str = TEAM,
    channel: str = "C1",
    trigger_id: str = "trigger-1",
) -> dict[str, str]:
    """A slash command's form fields."""
    return {
        "token": "legacy",
        "team_id": team,
        "team_domain": "acme",
        "channel_id": channel,
        "channel_name": "support",
        "user_id": user_id,
        "user_name": user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": "A1",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def state_values(
    fields: dict[str, str], no_console: bool = False, customer_language: str | None = "en"
) -> dict[str, Any]:
    """A PIN modal's `view.state.values` once these fields were typed (and the box ticked),
    with the customer's language picked (as Slack sends a select's initial option)."""
    values: dict[str, Any] = {
        name: {"value": {"type": "plain_text_input", "value": value}}
        for name, value in fields.items()
    }
    if customer_language is not None:
        values["customer_language"] = {
            "value": {"type": "static_select", "selected_option": {"value": customer_language}}
        }
    values["notechconsole"] = {
        "value": {"type": "checkboxes", "selected_options": [{"value": "1"}] if no_console else []}
    }
    return values


def link_values(authcode: str = "", email: str = "", pwd: str = "") -> dict[str, Any]:
    """The link modal's `view.state.values`; an empty input is sent as null, as Slack does."""
    return {
        name: {"value": {"type": "plain_text_input", "value": value or None}}
        for name, value in (("authcode", authcode), ("email", email), ("pwd", pwd))
    }


def view_submission(
    view: dict[str, Any],
    values: dict[str, Any],
    *,
    user_id: str = "U1",
    team: str = TEAM,
    trigger_id: str = "trigger-2",
) -> dict[str, Any]:
    """The submission of `view` (as the app opened it) with `values` as its state."""
    return {
        **interaction("view_submission", user_id, team, trigger_id),
        "view": {
            "id": "V1",
            "team_id": team,
            "type": "modal",
            "callback_id": view["callback_id"],
            "private_metadata": view.get("private_metadata", ""),
            "blocks": view.get("blocks", []),
            "state": {"values": values},
            "hash": "h",
            "title": view.get("title"),
            "app_id": "A1",
            "bot_id": "BBOT",
        },
        "response_urls": [],
    }


def block_actions(
    action_id: str,
    value: str = "",
    *,
    response_url: str,
    user_id: str = "U1",
    team: str = TEAM,
    channel: str = "C1",
    trigger_id: str = "trigger-3",
) -> dict[str, Any]:
    """A click on a button of an ephemeral message."""
    return {
        **interaction("block_actions", user_id, team, trigger_id),
        "container": {
            "type": "message",
            "message_ts": "1.1",
            "channel_id": channel,
            "is_ephemeral": True,
        },
        "channel": {"id": channel, "name": "support"},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b",
                "value": value,
                "type": "button",
                "action_ts": "1",
            }
        ],
    }


def message_shortcut(
    message: dict[str, Any],
    *,
    response_url: str,
    user_id: str = "U1",
    team: str = TEAM,
    channel: str = "C1",
    trigger_id: str = "trigger-4",
) -> dict[str, Any]:
    """The "Request a PIN" message shortcut, chosen on `message`."""
    return {
        **interaction("message_action", user_id, team, trigger_id),
        "callback_id": "pin_from_message",
        "response_url": response_url,
        "channel": {"id": channel},
        "message_ts": message.get("ts", "1.1"),
        "message": message,
    }


def global_shortcut(
    *, user_id: str = "U1", team: str = TEAM, trigger_id: str = "trigger-5"
) -> dict[str, Any]:
    return {**interaction("shortcut", user_id, team, trigger_id), "callback_id": "pin_global"}


def app_home_opened(user_id: str, team: str = TEAM) -> dict[str, Any]:
    """The Events API callback for someone opening the app's Home tab."""
    return {
        "token": "legacy",
        "team_id": team,
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": f"Ev{user_id}",
        "event_time": 1,
        "event": {
            "type": "app_home_opened",
            "user": user_id,
            "channel": "D1",
            "tab": "home",
            "event_ts": "1.0",
        },
        "authorizations": [{"team_id": team, "user_id": "UBOT", "is_bot": True}],
    }


def user_change(user_id: str, deleted: bool, team: str = TEAM) -> dict[str, Any]:
    """The Events API callback for a changed Slack account: `deleted` when deactivated."""
    return {
        "token": "legacy",
        "team_id": team,
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": f"Ev{user_id}{int(deleted)}",
        "event_time": 1,
        "event": {
            "type": "user_change",
            "user": {"id": user_id, "team_id": team, "name": "agent", "deleted": deleted},
            "cache_ts": 1,
            "event_ts": "1.0",
        },
        "authorizations": [{"team_id": team, "user_id": "UBOT", "is_bot": True}],
    }


def org_wide_event(
    org: str, event: dict[str, Any], event_id: str, **envelope: Any
) -> dict[str, Any]:
    """An Events API callback to an app installed org-wide on Grid: the authorization names
    the organisation and no team (the shape Bolt leaves the team unknown for)."""
    return {
        "token": "legacy",
        "enterprise_id": org,
        "api_app_id": "A1",
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": 1,
        "authorizations": [
            {
                "enterprise_id": org,
                "team_id": None,
                "user_id": "W0BOT",
                "is_bot": True,
                "is_enterprise_install": True,
            }
        ],
        **envelope,
    }


def _step_function(callback_id: str) -> dict[str, Any]:
    return {
        "id": "Fn1",
        "callback_id": callback_id,
        "title": "Request Rescue PIN",
        "description": "",
        "type": "app",
        "input_parameters": [],
        "output_parameters": [],
        "app_id": "A1",
        "date_created": 1,
        "date_updated": 1,
        "date_deleted": 0,
    }


def function_executed(
    inputs: dict[str, Any],
    *,
    token: str,
    execution_id: str = "Fx1",
    team: str = TEAM,
    callback_id: str = "request_rescue_pin",
) -> dict[str, Any]:
    """The Events API callback for a workflow reaching the app's step; `token` is the
    execution's own bot token (`xwfp-…`)."""
    return {
        "token": "legacy",
        "team_id": team,
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": f"Ev{execution_id}",
        "event_time": 1,
        "event": {
            "type": "function_executed",
            "function": _step_function(callback_id),
            "inputs": inputs,
            "function_execution_id": execution_id,
            "workflow_execution_id": "Wx1",
            "event_ts": "1.0",
            "bot_access_token": token,
        },
        "authorizations": [{"team_id": team, "user_id": "UBOT", "is_bot": True}],
    }


def function_block_actions(
    action_id: str,
    inputs: dict[str, Any],
    *,
    response_url: str,
    token: str,
    user_id: str = "U1",
    team: str = TEAM,
    channel: str = "D1",
    execution_id: str = "Fx1",
    message_ts: str = "5.5",
    callback_id: str = "request_rescue_pin",
) -> dict[str, Any]:
    """A click on a button of the message a step posted: Slack adds the step's data."""
    payload = block_actions(
        action_id, "", response_url=response_url, user_id=user_id, team=team, channel=channel
    )
    payload["container"] = {
        "type": "message",
        "message_ts": message_ts,
        "channel_id": channel,
        "is_ephemeral": False,
    }
    payload["function_data"] = {
        "execution_id": execution_id,
        "inputs": inputs,
        "function": _step_function(callback_id),
    }
    payload["interactivity"] = {
        "interactor": {"secret": "S1", "id": user_id},
        "interactivity_pointer": "1.2.3",
    }
    payload["bot_access_token"] = token
    return payload
