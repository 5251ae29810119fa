"""App Home: what an agent (and a team lead) sees there, and its request buttons."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.home import texts as home_texts
from bot.language import _ as tr
from bot.pins import texts as pin_texts
from bot.slack import texts as slack_texts
from bot.storage.database import now
from tests.support.harness import Harness, open_and_submit, open_home, published, running_app
from tests.support.reading import message_text
from tests.support.settings import TEAM

AUTHCODE = "home-authcode-6666"


async def test_home_for_an_unlinked_agent(harness: Harness) -> None:
    assert await open_home(harness, "U9") == 200
    view = await published(harness, "U9")
    assert view["type"] == "home"
    shown = json.dumps(view)
    assert (
        tr(home_texts.HOME_NOT_LINKED) in shown
        and tr(home_texts.HOME_NONE) in shown
        and tr(home_texts.HOME_TEAM) not in shown
    )
    assert "home_request_rescue" in shown and "home_request_lens" in shown


async def test_home_shows_recent_pins_and_marks_expired_ones(
    fake_slack, fake_rescue, sqlite_url
) -> None:
    async with running_app(
        fake_slack,
        fake_rescue,
        sqlite_url,
        rescue_pin_validity_minutes=20,
        admin_slack_user_ids="ULEAD",
    ) as h:
        await h.link("U1", AUTHCODE)
        fake_rescue.answers[AUTHCODE] = "OK PINCODE:111222"
        _, message = await open_and_submit(h, {"cfield0": "Fresh Customer", "tracking0": "TCK-9"})
        assert tr(pin_texts.EXPIRES_AT).partition("%(epoch)s")[0] in message_text(message)
        await h.runtime.store.add_audit(
            at=now() - timedelta(minutes=30),
            team_id=TEAM,
            user_id="U1",
            action="request",
            kind="lens",
            cfield0="Old Customer",
            outcome="OK",
            pin="999888",
        )
        await open_home(h, "U1")
        shown = json.dumps(await published(h, "U1"))
        assert tr(home_texts.HOME_LINKED) in shown
        assert "*111222*" in shown and "Fresh Customer" in shown and "TCK-9" in shown
        assert "~999888~ expired" in shown
        assert tr(home_texts.HOME_TEAM) not in shown
        await open_home(h, "ULEAD")
        lead = json.dumps(await published(h, "ULEAD"))
        assert tr(home_texts.HOME_TEAM) in lead and "<@U1>" in lead and "111222" in lead


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
    assert "777000" in json.dumps(dm) and tr(slack_texts.DM_FALLBACK_NOTE) not in json.dumps(dm)
    assert harness.rescue.pin_calls()[0].page == "requestLensPINCode.aspx"
