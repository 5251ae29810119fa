"""SIGTERM, as Heroku sends it: new requests are turned away, PIN requests already at Rescue
finish and are delivered (or, when Slack is gone, kept in the audit trail), exit status 0."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
from cryptography.fernet import Fernet

from bot.crypto import Cipher
from bot.store import Store
from tests.support.fakes import FakeRescue, FakeSlack
from tests.support.harness import Harness
from tests.support.processes import BotProcess, Cluster
from tests.support.reading import message_text
from tests.support.settings import app_env, driver_url


async def test_sigterm_finishes_what_reached_rescue_then_exits_cleanly(
    fake_slack: FakeSlack, fake_rescue: FakeRescue, tmp_path: Path
) -> None:
    key = Fernet.generate_key().decode()
    url = f"sqlite:///{tmp_path / 'shutdown.sqlite3'}"
    store = await Store.open(driver_url(url), Cipher([key]))
    for user in ("U1", "U2"):
        await store.link("T0001", user, f"shutdown-code-{user}", "cli")
    settings = app_env(fake_slack, fake_rescue, url, key, RESCUE_TIMEOUT_SECONDS="10")
    web = BotProcess(tmp_path, "serve", "web", **settings)
    await web.start()
    http = aiohttp.ClientSession()
    try:
        await web.wait_healthy()
        slack: Harness = Cluster(fake_slack, fake_rescue, http, [web])
        fake_rescue.delay = 2.0
        rids = {}
        for user in ("U1", "U2"):
            _, _, rids[user] = await slack.command("Jane", user=user)
            await slack.submit(await slack.opened_view(), {"cfield0": "Jane"}, user=user)
        # U2's answer has nowhere to go: the response_url is dead and so are DMs.
        fake_slack.dead_responses.add(rids["U2"])
        fake_slack.fail("chat.postMessage", "channel_not_found")
        await fake_slack.wait_for(lambda: len(fake_rescue.pin_calls()) == 2)

        web.signal()
        await web.wait_refusing()
        with pytest.raises(aiohttp.ClientConnectionError):
            await slack.command("too late", user="U3")

        assert await web.wait_exit(within=30) == 0
        delivered = await fake_slack.response(rids["U1"])
        assert "100001" in message_text(delivered) or "100002" in message_text(delivered)
    finally:
        await http.close()
        await web.stop()
    rows = {row.user_id: row for row in await store.audit_rows()}
    await store.close()
    assert rows["U1"].delivered is True and rows["U1"].pin
    assert rows["U2"].delivered is False and rows["U2"].pin  # kept: App Home shows it
    assert "drained" in web.log()
