"""`python -m bot socket` against a local fake Socket Mode server: the same flow as over HTTP,
a dropped socket reconnects, health shows on /healthz and in the log, SIGTERM exits 0."""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.fernet import Fernet

from bot.crypto import Cipher
from bot.store import Store
from tests.support.fakes import FakeRescue, FakeSlack, FakeSocketMode
from tests.support.processes import BotProcess
from tests.support.reading import message_text
from tests.support.settings import BOT_TOKEN, TEAM, app_env, driver_url
from tests.support.slack_payloads import slash_command, state_values, view_submission

APP_TOKEN = "xapp-1-A1-socket-mode-secret"
AUTHCODE = "socket-authcode-31337"


async def pin_over_the_socket(socket: FakeSocketMode, slack: FakeSlack, rid: str, name: str) -> str:
    command = slash_command(name, response_url=slack.response_url(rid), trigger_id=f"trigger-{rid}")
    ack = await socket.send("slash_commands", command)
    assert "payload" not in ack or not ack["payload"]  # nothing public, nothing echoed
    opened = await slack.wait_for(
        lambda: [c for c in slack.calls_to("views.open") if c.params["trigger_id"].endswith(rid)]
    )
    view = opened[0].params["view"]
    assert json.loads(view["private_metadata"])["r"].endswith(f"/response/{rid}")
    submission = view_submission(view, state_values({"cfield0": name}))
    ack = await socket.send("interactive", submission)
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
