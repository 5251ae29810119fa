"""Enterprise Grid org-wide install with the single-token setup: one link per agent for the
whole organisation, served from every workspace of it; App Home from any workspace; links
made before the org-wide install keep working; other organisations are refused."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.home import texts as home_texts
from bot.language import _ as tr
from bot.slack import texts as slack_texts
from tests.support.fakes import FakeRescue, FakeSlack
from tests.support.harness import Harness, running_app
from tests.support.settings import BOT_TOKEN
from tests.support.slack_payloads import org_wide_event, state_values

ORG = "E0GRID1"
WORKSPACES = ("T0GRIDA", "T0GRIDB")
AGENT = "W0AGENT1"
GRID_AUTHCODE = "AUTHc0de-grid-agent-5151"


@pytest.fixture
async def grid(
    fake_slack: FakeSlack, fake_rescue: FakeRescue, sqlite_url: str
) -> AsyncIterator[Harness]:
    """The app with an org-wide token: auth.test names the organisation, not a workspace."""
    fake_slack.identities[BOT_TOKEN] = {
        "team_id": WORKSPACES[0],
        "enterprise_id": ORG,
        "is_enterprise_install": True,
        "user_id": "W0BOT",
        "bot_id": "B0BOT",
    }
    fake_slack.org_teams[ORG] = list(WORKSPACES)
    async with running_app(fake_slack, fake_rescue, sqlite_url) as h:
        yield h


def grid_command(h: Harness, team: str, user: str = AGENT) -> tuple[bytes, str]:
    rid = uuid.uuid4().hex[:8]
    form = {
        "token": "legacy",
        "team_id": team,
        "team_domain": "acme",
        "enterprise_id": ORG,
        "enterprise_name": "Acme Group",
        "channel_id": "C1",
        "channel_name": "support",
        "user_id": user,
        "user_name": user.lower(),
        "command": "/rescue-pin",
        "text": "",
        "api_app_id": "A1",
        "is_enterprise_install": "true",
        "response_url": h.slack.response_url(rid),
        "trigger_id": f"trigger-{rid}",
    }
    return urlencode(form).encode(), rid


def grid_submission(view: dict[str, Any], team: str, user: str = AGENT) -> bytes:
    payload = {
        "type": "view_submission",
        "team": None,  # org-wide installs: no team here
        "enterprise": {"id": ORG, "name": "Acme Group"},
        "is_enterprise_install": True,
        "user": {"id": user, "username": "agent", "name": "agent", "team_id": team},
        "api_app_id": "A1",
        "token": "legacy",
        "trigger_id": "trigger-2",
        "view": {
            "id": "V1",
            "team_id": team,
            "type": "modal",
            "callback_id": view["callback_id"],
            "private_metadata": view.get("private_metadata", ""),
            "blocks": view.get("blocks", []),
            "state": {"values": state_values({"cfield0": "Jane"})},
            "hash": "h",
            "app_id": "A1",
            "bot_id": "B0BOT",
        },
        "response_urls": [],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


async def request_pin(h: Harness, team: str, user: str = AGENT) -> dict[str, Any]:
    body, rid = grid_command(h, team, user)
    status, text, _ = await h.post(body)
    assert (status, text) == (200, "")
    view = await h.opened_view()
    status, _, _ = await h.post(grid_submission(view, team, user))
    assert status == 200
    return await h.slack.response(rid)


async def test_one_link_serves_the_agent_in_every_workspace_of_the_organisation(
    grid: Harness,
) -> None:
    await grid.link(AGENT, GRID_AUTHCODE, team=ORG)
    grid.rescue.answers[GRID_AUTHCODE] = "OK PINCODE:424242"
    for team in WORKSPACES:
        message = await request_pin(grid, team)
        assert "424242" in json.dumps(message)
    calls = grid.rescue.pin_calls()
    assert [c.params["authcode"] for c in calls] == [GRID_AUTHCODE, GRID_AUTHCODE]
    # Audit rows are the organisation's: a team lead sees them from any workspace.
    rows = await grid.runtime.store.audit_rows(team_id=ORG, action="request")
    assert len(rows) == 2


async def test_a_user_of_another_organisation_is_refused(grid: Harness) -> None:
    await grid.link(AGENT, GRID_AUTHCODE, team=ORG)
    body, rid = grid_command(grid, "T0OTHERORG")  # Slack Connect: their own workspace
    status, _, _ = await grid.post(body)
    assert status == 200
    answer = await grid.slack.response(rid)
    assert tr(slack_texts.FOREIGN_USER) in json.dumps(answer)
    assert grid.slack.calls_to("views.open") == []


async def test_links_made_before_the_org_wide_install_keep_working(grid: Harness) -> None:
    # Linked while the app was installed in the workspace only: keyed by the workspace.
    await grid.link(AGENT, GRID_AUTHCODE, team=WORKSPACES[1])
    grid.rescue.answers[GRID_AUTHCODE] = "OK PINCODE:515151"
    message = await request_pin(grid, WORKSPACES[1])
    assert "515151" in json.dumps(message)
    store = grid.runtime.store
    assert await store.authcode(ORG, AGENT) == GRID_AUTHCODE
    assert await store.links(WORKSPACES[1]) == []
    # ...and now from the organisation's other workspace too.
    message = await request_pin(grid, WORKSPACES[0])
    assert "515151" in json.dumps(message)


async def test_app_home_is_published_from_any_workspace(grid: Harness) -> None:
    await grid.link(AGENT, GRID_AUTHCODE, team=ORG)
    opened = {"type": "app_home_opened", "user": AGENT, "channel": "D1", "tab": "home"}
    event = org_wide_event(ORG, opened, "Ev1", team_id=WORKSPACES[1], is_ext_shared_channel=False)
    status, _, _ = await grid.post(json.dumps(event).encode(), "application/json")
    assert status == 200
    [call] = await grid.slack.wait_for(lambda: grid.slack.calls_to("views.publish"))
    assert call.params["user_id"] == AGENT
    assert call.params["team_id"] == WORKSPACES[1]  # an org-wide token names the workspace
    assert tr(home_texts.HOME_LINKED) in json.dumps(call.params["view"])


async def test_an_org_wide_uninstall_deletes_links_its_workspaces_had_not_moved_yet(
    grid: Harness,
) -> None:
    store = grid.runtime.store
    await grid.link(AGENT, GRID_AUTHCODE, team=ORG)
    # Linked under a workspace's key before the org-wide install; that workspace was never
    # served since, so the link was never moved to the organisation.
    await grid.link("W0LATER", "AUTHc0de-not-moved-6161", team=WORKSPACES[1])
    await grid.link("UOTHER", "AUTHc0de-elsewhere-7171", team="T0ELSEWHERE")
    await request_pin(grid, WORKSPACES[0])  # the app learns the organisation's workspaces
    assert await store.authcode(WORKSPACES[1], "W0LATER") is not None
    event = org_wide_event(ORG, {"type": "app_uninstalled"}, "Ev9", is_enterprise_install=True)
    status, _, _ = await grid.post(json.dumps(event).encode(), "application/json")
    assert status == 200
    for _ in range(100):
        if not await store.links(ORG) and not await store.links(WORKSPACES[1]):
            break
        await asyncio.sleep(0.05)
    assert await store.links(ORG) == []
    assert await store.links(WORKSPACES[1]) == []  # the one not moved yet went too
    assert [link.user_id for link in await store.links("T0ELSEWHERE")] == ["UOTHER"]
