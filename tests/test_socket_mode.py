"""`python -m bot socket` against a local fake Socket Mode server: the same flow as over HTTP,
a dropped socket reconnects, health shows on /healthz and in the log, SIGTERM exits 0."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from cryptography.fernet import Fernet

from bot.crypto import Cipher
from bot.store import Store
from tests.conftest import BOT_TOKEN, TEAM, state_values
from tests.fakes import FakeRescue, FakeSlack, FakeSocketMode
from tests.processes import BotProcess, app_env
from tests.test_e2e_pin import message_text
from tests.test_store import driver_url

APP_TOKEN = "xapp-1-A1-socket-mode-secret"
AUTHCODE = "socket-authcode-31337"


@pytest.fixture
async def fake_socket() -> AsyncIterator[FakeSocketMode]:
    socket = FakeSocketMode()
    await socket.start()
    yield socket
    await socket.stop()


def slash(text: str, rid: str, response_url: str) -> dict[str, str]:
    return {
        "team_id": TEAM,
        "team_domain": "acme",
        "channel_id": "C1",
        "channel_name": "support",
        "user_id": "U1",
        "user_name": "u1",
        "command": "/rescue-pin",
        "text": text,
        "api_app_id": "A1",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": f"trigger-{rid}",
    }


def submission(view: dict, fields: dict[str, str]) -> dict:
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "acme"},
        "user": {"id": "U1", "username": "u1", "name": "u1", "team_id": TEAM},
        "api_app_id": "A1",
        "trigger_id": "trigger-submit",
        "view": {
            "id": "V1",
            "team_id": TEAM,
            "type": "modal",
            "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"],
            "blocks": view["blocks"],
            "state": {"values": state_values(fields)},
            "hash": "h",
            "app_id": "A1",
            "bot_id": "BBOT",
        },
        "response_urls": [],
    }


async def health(process: BotProcess) -> int:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{process.url}/healthz") as response,
    ):
        return response.status


async def pin_over_the_socket(socket: FakeSocketMode, slack: FakeSlack, rid: str, name: str) -> str:
    ack = await socket.send("slash_commands", slash(name, rid, slack.response_url(rid)))
    assert "payload" not in ack or not ack["payload"]  # nothing public, nothing echoed
    opened = await slack.wait_for(
        lambda: [c for c in slack.calls_to("views.open") if c.params["trigger_id"].endswith(rid)]
    )
    view = opened[0].params["view"]
    assert json.loads(view["private_metadata"])["r"].endswith(f"/response/{rid}")
    ack = await socket.send("interactive", submission(view, {"cfield0": name}))
    assert not ack.get("payload")  # the modal closes
    return message_text(await slack.response(rid))


async def test_socket_mode_runs_the_flow_and_survives_a_dropped_socket(
    fake_slack: FakeSlack, fake_rescue: FakeRescue, fake_socket: FakeSocketMode, tmp_path: Path
) -> None:
    key = Fernet.generate_key().decode()
    url = f"sqlite:///{tmp_path / 'socket.sqlite3'}"
    store = await Store.open(driver_url(url), Cipher([key]))
    await store.link(TEAM, "U1", AUTHCODE, "cli")
    await store.close()
    fake_slack.socket_url = fake_socket.ws_url()
    settings = app_env(fake_slack, fake_rescue, url, key, SLACK_APP_TOKEN=APP_TOKEN)
    bot = BotProcess(tmp_path, "socket", "socket", **settings)
    await bot.start()
    try:
        await bot.wait_healthy()
        assert fake_socket.connections == 1
        [opened] = fake_slack.calls_to("apps.connections.open")
        assert opened.headers["Authorization"] == f"Bearer {APP_TOKEN}"

        assert "100001" in await pin_over_the_socket(fake_socket, fake_slack, "r1", "Jane Doe")
        assert fake_rescue.pin_calls()[0].params["authcode"] == AUTHCODE

        fake_socket.drop()
        await fake_socket.wait_for(lambda: fake_socket.connections == 2)
        assert len(fake_slack.calls_to("apps.connections.open")) == 2
        await bot.wait_healthy()
        assert "100002" in await pin_over_the_socket(fake_socket, fake_slack, "r2", "John Roe")
    finally:
        bot.signal()
        status = await bot.wait_exit()
    assert status == 0
    log = bot.log()
    assert '"socket_mode_connected"' in log and '"socket_mode_reconnected"' in log
    pins = [json.loads(line) for line in log.splitlines() if '"pin_requested"' in line]
    assert len(pins) == 2 and pins[0]["request_id"] != pins[1]["request_id"]
    assert all((p["team"], p["user"], p["action"]) == (TEAM, "U1", "/rescue-pin") for p in pins)
    for secret in (APP_TOKEN, BOT_TOKEN, AUTHCODE, key, "Jane Doe", "John Roe"):
        assert secret not in log
