"""The Workflow Builder step over Socket Mode (`python -m bot socket`): the step's event and the
agent's click come as envelopes, and the step completes exactly as over HTTP. Also a Lens PIN
texted to the customer, whose number stays out of the process's log."""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.fernet import Fernet

from bot.crypto import Cipher
from bot.store import Store
from tests.support.fakes import FakeRescue, FakeSlack, FakeSocketMode
from tests.support.processes import BotProcess
from tests.support.settings import TEAM, app_env, driver_url
from tests.support.slack_payloads import (
    function_block_actions,
    function_executed,
    slash_command,
    view_submission,
)

APP_TOKEN = "xapp-1-A1-socket-step-secret"
AUTHCODE = "socket-step-authcode-2718"
FUNCTION_TOKEN = "xwfp-1-socket-execution-token"
AGENT = "UAGENT9"
E164 = "+4915123456789"


async def test_the_step_runs_over_socket_mode(
    fake_slack: FakeSlack, fake_rescue: FakeRescue, fake_socket: FakeSocketMode, tmp_path: Path
) -> None:
    key = Fernet.generate_key().decode()
    url = f"sqlite:///{tmp_path / 'socket.sqlite3'}"
    store = await Store.open(driver_url(url), Cipher([key]))
    await store.link(TEAM, AGENT, AUTHCODE, "cli")
    await store.close()
    fake_slack.socket_url = fake_socket.ws_url()
    settings = app_env(fake_slack, fake_rescue, url, key, SLACK_APP_TOKEN=APP_TOKEN)
    bot = BotProcess(tmp_path, "socket", "socket-step", **settings)
    await bot.start()
    inputs = {"agent": AGENT, "kind": "rescue", "cfield0": "Jane Doe"}
    try:
        await bot.wait_healthy()
        await fake_socket.send("events_api", function_executed(inputs, token=FUNCTION_TOKEN))
        [posted] = await fake_slack.wait_for(lambda: fake_slack.calls_to("chat.postMessage"))
        assert posted.params["channel"] == AGENT
        assert posted.headers["Authorization"] == f"Bearer {FUNCTION_TOKEN}"

        click = function_block_actions(
            "step_request_pin",
            inputs,
            response_url=fake_slack.response_url("step"),
            user_id=AGENT,
            token=FUNCTION_TOKEN,
        )
        await fake_socket.send("interactive", click)
        assert "100001" in json.dumps(await fake_slack.response("step"))
        [done] = await fake_slack.wait_for(lambda: fake_slack.calls_to("functions.completeSuccess"))
        assert done.headers["Authorization"] == f"Bearer {FUNCTION_TOKEN}"
        assert done.params["outputs"]["pin"] == "100001"
        assert done.params["outputs"]["kind"] == "rescue"

        # /lens-pin with a number, over the same socket.
        command = slash_command(
            "Ann", command="/lens-pin", user_id=AGENT, response_url=fake_slack.response_url("lens")
        )
        await fake_socket.send("slash_commands", command)
        [opened] = await fake_slack.wait_for(lambda: fake_slack.calls_to("views.open"))
        values = {
            "PhoneNumber": {"value": {"type": "plain_text_input", "value": "+49 151 2345 6789"}}
        }
        await fake_socket.send(
            "interactive", view_submission(opened.params["view"], values, user_id=AGENT)
        )
        message = await fake_slack.response("lens")
        assert "\u2022\u2022\u2022 89" in json.dumps(message, ensure_ascii=False)
        assert fake_rescue.pin_calls()[-1].params["PhoneNumber"] == E164
    finally:
        bot.signal()
        status = await bot.wait_exit()
    assert status == 0
    log = bot.log()
    assert '"step_completed"' in log
    for secret in (FUNCTION_TOKEN, AUTHCODE, APP_TOKEN, E164, E164[1:], "2345 6789", "Jane Doe"):
        assert secret not in log
