"""manifest.yml against Slack's own schema, and against what the app actually handles."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from jsonschema import Draft7Validator

from bot.pins import texts as pin_texts

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT.parent / "shared" / "slack-manifest-schema" / "schemas"


def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_manifest_matches_slacks_schema() -> None:
    data = manifest()
    major = data.get("_metadata", {}).get("major_version", 1)
    schema_file = SCHEMAS / f"manifest.schema.{major}.0.0.json"
    if not schema_file.exists():  # shared/ sits beside the clone in CI and here
        schema_file = Path("/work/shared/slack-manifest-schema/schemas") / schema_file.name
    schema = json.loads(schema_file.read_text())
    errors = sorted(Draft7Validator(schema).iter_errors(data), key=str)
    assert errors == [], [e.message for e in errors]


def test_every_command_is_declared_at_the_events_url() -> None:
    data = manifest()
    commands = {c["command"]: c for c in data["features"]["slash_commands"]}
    assert set(commands) == set(pin_texts.COMMAND.values())
    for command in commands.values():
        assert command["url"].endswith("/slack/events")
    assert data["settings"]["interactivity"]["is_enabled"] is True
    assert data["settings"]["interactivity"]["request_url"].endswith("/slack/events")


def test_scopes_are_what_the_app_uses() -> None:
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write"} <= scopes


def test_shortcuts_and_home_are_declared() -> None:
    from bot.pins.modals import GLOBAL_SHORTCUT, MESSAGE_SHORTCUT

    data = manifest()
    shortcuts = {s["callback_id"]: s["type"] for s in data["features"]["shortcuts"]}
    assert shortcuts == {MESSAGE_SHORTCUT: "message", GLOBAL_SHORTCUT: "global"}
    assert data["features"]["app_home"]["home_tab_enabled"] is True
    events = data["settings"]["event_subscriptions"]
    assert events["request_url"].endswith("/slack/events")
    assert {"app_home_opened", "function_executed"} <= set(events["bot_events"])


def test_the_workflow_step_is_declared_as_the_app_handles_it() -> None:
    from bot.workflow.step import FUNCTION_CALLBACK, STEP_FIELDS

    data = manifest()
    assert data["settings"]["org_deploy_enabled"] is True  # custom steps need an org-ready app
    assert data["settings"]["function_runtime"] == "remote"
    step = data["functions"][FUNCTION_CALLBACK]
    inputs = step["input_parameters"]
    assert list(inputs) == ["agent", "kind", *STEP_FIELDS]
    assert inputs["agent"] == {
        **inputs["agent"],
        "type": "slack#/types/user_id",
        "is_required": True,
    }
    assert inputs["kind"]["enum"] == ["rescue", "lens"] and inputs["kind"]["default"] == "rescue"
    assert all(inputs[name]["type"] == "string" for name in ("kind", *STEP_FIELDS))
    assert not any(inputs[name]["is_required"] for name in ("kind", *STEP_FIELDS))
    outputs = step["output_parameters"]
    assert set(outputs) == {"pin", "link", "kind"}
    # Always output; for Lens the empty string (Rescue has no join link for Lens).
    assert outputs["link"]["is_required"] is False
    assert "empty for a Lens session" in outputs["link"]["description"]


def test_grid_and_oauth_installation_are_turned_on() -> None:
    from bot.installs import oauth, pages

    data = manifest()
    assert data["settings"]["org_deploy_enabled"] is True
    events = data["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_uninstalled", "tokens_revoked"} <= set(events)
    [redirect] = data["oauth_config"]["redirect_urls"]
    assert redirect.endswith(pages.REDIRECT_PATH)
    # What "Add to Slack" asks for is what the manifest declares.
    assert set(oauth.BOT_SCOPES) == set(data["oauth_config"]["scopes"]["bot"])
    # A rotating token would expire under SLACK_BOT_TOKEN, the default setup.
    assert data["settings"]["token_rotation_enabled"] is False


def test_a_deactivated_account_is_heard() -> None:
    data = manifest()
    # A deactivated account (`deleted`) is forgotten: Slack sends user_change to apps
    # subscribed to it that hold users:read.
    assert "user_change" in data["settings"]["event_subscriptions"]["bot_events"]
    assert "users:read" in data["oauth_config"]["scopes"]["bot"]
