"""Share, retry without the console, rate limits, App Home, audit, shortcuts, expiry."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from bot import texts
from bot.database import now
from bot.modals import RETRY_ACTION, SHARE_ACTION
from tests.conftest import TEAM, Harness, start_harness
from tests.test_e2e_pin import message_text, open_and_submit

ROOT = Path(__file__).resolve().parent.parent
AUTHCODE = "followup-authcode-5555"


def buttons(message: dict) -> list[dict]:
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


async def test_share_posts_publicly_only_after_the_click(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    harness.rescue.answers[AUTHCODE] = "OK PINCODE:246810"
    _, message = await open_and_submit(
        harness, {"cfield0": "Private Customer", "tracking0": "TCK-1"}
    )
    assert all(
        m.get("response_type") != "in_channel"
        for ms in harness.slack.responses.values()
        for m in ms
    )
    [share] = [b for b in buttons(message) if b["action_id"] == SHARE_ACTION]
    assert share["text"]["text"] == texts.SHARE_BUTTON and "246810" not in share["value"]

    # Someone else clicking (the message is only theirs to see, but a payload can be forged).
    await harness.click(SHARE_ACTION, share["value"], user="U2", response_rid="other")
    assert texts.SHARE_NOT_YOURS in message_text(await harness.slack.response("other"))
    assert all(m.get("response_type") != "in_channel" for m in harness.slack.responses["other"])

    status, _ = await harness.click(SHARE_ACTION, share["value"], response_rid="mine")
    assert status == 200
    public = await harness.slack.response("mine", 0)
    private = await harness.slack.response("mine", 1)
    assert public["response_type"] == "in_channel" and public["replace_original"] is False
    shown = message_text(public)
    assert (
        "246810" in shown
        and "<@U1>" in shown
        and "LogMeIn123.com" in shown
        and "Code=246810" in shown
    )
    assert "Private Customer" not in json.dumps(public)
    assert private["replace_original"] is True and texts.SHARED_PRIVATE_NOTE in message_text(
        private
    )
    assert SHARE_ACTION not in json.dumps(private)
    rows = await harness.services.store.audit_rows(action="share")
    assert [(r.user_id, r.channel_id, r.pin) for r in rows] == [("U1", "C1", "246810")]
    assert rows[0].ref_id is not None


async def test_retry_without_console_reuses_the_fields_kept_server_side(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    harness.rescue.answers[AUTHCODE] = "NOTECHCONSOLERUNNING"
    fields = {"cfield0": "Jane", "cfield1": "é" * 512, "tracking0": "T#1&2"}
    _, message = await open_and_submit(harness, fields)
    first = buttons(message)[0]
    assert first["action_id"] == RETRY_ACTION and first["text"]["text"] == texts.RETRY_BUTTON
    assert "Jane" not in first["value"] and len(first["value"]) < 64

    harness.rescue.answers[AUTHCODE] = "OK PINCODE:135790"
    await harness.click(RETRY_ACTION, first["value"], response_rid="retry")
    pin = await harness.slack.response("retry")
    assert "135790" in message_text(pin) and texts.NO_CONSOLE_USED in message_text(pin)
    second_call = harness.rescue.pin_calls()[1]
    assert second_call.params == {**fields, "notechconsole": "1", "authcode": AUTHCODE}

    await harness.click(RETRY_ACTION, first["value"], response_rid="again")
    assert "expired or was already used" in message_text(await harness.slack.response("again"))
    assert len(harness.rescue.pin_calls()) == 2


async def test_only_the_requester_can_use_a_retry(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    await harness.link("U2", "other-agent-code-1")
    harness.rescue.answers[AUTHCODE] = "NOTECHCONSOLERUNNING"
    _, message = await open_and_submit(harness, {"cfield0": "Jane"})
    await harness.click(RETRY_ACTION, buttons(message)[0]["value"], user="U2", response_rid="u2")
    assert "expired or was already used" in message_text(await harness.slack.response("u2"))
    assert len(harness.rescue.pin_calls()) == 1


async def test_poll_rate_says_when_to_try_again(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    harness.rescue.answers[AUTHCODE] = "POLLRATEEXCEEDED"
    _, message = await open_and_submit(harness, {})
    shown = message_text(message)
    assert "You can try again from <!date^" in shown
    epoch = int(shown.split("<!date^")[1].split("^")[0])
    assert 50 <= epoch - now().timestamp() <= 70


async def event(h: Harness, user: str) -> int:
    body = json.dumps(
        {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": f"Ev{user}",
            "event_time": 1,
            "event": {
                "type": "app_home_opened",
                "user": user,
                "channel": "D1",
                "tab": "home",
                "event_ts": "1.0",
            },
            "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}],
        }
    ).encode()
    status, _, _ = await h.post(body, "application/json")
    return status


async def published(h: Harness, user: str) -> dict:
    views = await h.slack.wait_for(
        lambda: [
            c.params["view"]
            for c in h.slack.calls_to("views.publish")
            if c.params["user_id"] == user
        ]
    )
    return views[-1]


async def test_home_for_an_unlinked_agent(harness: Harness) -> None:
    assert await event(harness, "U9") == 200
    view = await published(harness, "U9")
    assert view["type"] == "home"
    shown = json.dumps(view)
    assert (
        texts.HOME_NOT_LINKED in shown and texts.HOME_NONE in shown and texts.HOME_TEAM not in shown
    )
    assert "home_request_rescue" in shown and "home_request_lens" in shown


async def test_home_shows_recent_pins_and_marks_expired_ones(
    fake_slack, fake_rescue, sqlite_url
) -> None:
    h, (server, http) = await start_harness(
        fake_slack,
        fake_rescue,
        sqlite_url,
        rescue_pin_validity_minutes=20,
        admin_slack_user_ids="ULEAD",
    )
    try:
        await h.link("U1", AUTHCODE)
        fake_rescue.answers[AUTHCODE] = "OK PINCODE:111222"
        _, message = await open_and_submit(h, {"cfield0": "Fresh Customer", "tracking0": "TCK-9"})
        assert "expires at <!date^" in message_text(message)
        await h.services.store.add_audit(
            at=now() - timedelta(minutes=30),
            team_id=TEAM,
            user_id="U1",
            action="request",
            kind="lens",
            cfield0="Old Customer",
            outcome="OK",
            pin="999888",
        )
        await event(h, "U1")
        shown = json.dumps(await published(h, "U1"))
        assert texts.HOME_LINKED in shown
        assert "*111222*" in shown and "Fresh Customer" in shown and "TCK-9" in shown
        assert "~999888~ expired" in shown
        assert texts.HOME_TEAM not in shown
        await event(h, "ULEAD")
        lead = json.dumps(await published(h, "ULEAD"))
        assert texts.HOME_TEAM in lead and "<@U1>" in lead and "111222" in lead
    finally:
        await http.close()
        await server.close()


async def test_home_request_button_opens_the_modal_and_the_pin_comes_by_dm(
    harness: Harness,
) -> None:
    await harness.link("U1", AUTHCODE)
    harness.rescue.answers[AUTHCODE] = "OK PINCODE:777000"
    await harness.click("home_request_lens", "lens")
    view = await harness.opened_view()
    assert view["title"]["text"] == "Rescue Lens PIN"
    await harness.submit(view, {})
    dm = await harness.slack.dm("U1")
    assert "777000" in json.dumps(dm) and texts.DM_FALLBACK_NOTE not in json.dumps(dm)
    assert harness.rescue.pin_calls()[0].page == "requestLensPINCode.aspx"


async def test_message_shortcut_prefills_author_and_text(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    harness.slack.names["UAUTHOR"] = "Jane Customer"
    payload = {
        "type": "message_action",
        "callback_id": "pin_from_message",
        "trigger_id": "trig-sc",
        "response_url": harness.slack.response_url("sc"),
        "team": {"id": TEAM},
        "channel": {"id": "C7"},
        "user": {"id": "U1", "team_id": TEAM},
        "message_ts": "1.1",
        "message": {
            "type": "message",
            "user": "UAUTHOR",
            "text": "My screen is black. " * 40,
            "ts": "1.1",
        },
    }
    status, _ = await harness.interact(payload)
    assert status == 200
    view = await harness.opened_view()
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert inputs["cfield0"]["element"]["initial_value"] == "Jane Customer"
    description = inputs["cfield1"]["element"]["initial_value"]
    assert len(description) == 512 and description.startswith("My screen is black.")
    assert "512" in inputs["cfield1"]["hint"]["text"]
    await harness.submit(view, {"cfield0": "Jane Customer", "cfield1": description})
    assert "PIN" in message_text(await harness.slack.response("sc"))


async def test_global_shortcut_opens_the_modal(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    payload = {
        "type": "shortcut",
        "callback_id": "pin_global",
        "trigger_id": "trig-g",
        "team": {"id": TEAM},
        "user": {"id": "U1", "team_id": TEAM},
    }
    assert (await harness.interact(payload))[0] == 200
    assert (await harness.opened_view())["callback_id"] == "pin_request"


async def test_audit_export(harness: Harness, sqlite_url: str, tmp_path: Path) -> None:
    await harness.link("U1", AUTHCODE)
    await harness.link("U2", "second-agent-code")
    harness.rescue.answers["second-agent-code"] = "OUTOFPINCODES"
    await open_and_submit(
        harness, {"cfield0": "Ann", "cfield2": "never stored", "tracking0": "T-7"}
    )
    await open_and_submit(harness, {"cfield0": "Bob"}, user="U2")
    key = harness.services.settings.encryption_key.get_secret_value()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DATABASE_", "ENCRYPTION_"))
    }
    env.update(PYTHONPATH=str(ROOT), DATABASE_URL=sqlite_url, ENCRYPTION_KEY=key)

    async def export(*args: str) -> str:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "audit",
            "--since",
            "2026-01-01",
            *args,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=tmp_path,
        )
        out, err = await process.communicate()
        assert process.returncode == 0, err
        return out.decode()

    rows = json.loads(await export("--format", "json"))
    assert [(r["user_id"], r["outcome"], r["cfield0"], r["tracking0"]) for r in rows] == [
        ("U1", "OK", "Ann", "T-7"),
        ("U2", "OUTOFPINCODES", "Bob", None),
    ]
    assert "never stored" not in json.dumps(rows)
    assert all(len(r["request_id"]) == 12 for r in rows)  # leads to the rows' log lines
    table = list(csv.DictReader(io.StringIO(await export("--user", "U2"))))
    assert [r["outcome"] for r in table] == ["OUTOFPINCODES"] and table[0]["kind"] == "rescue"
