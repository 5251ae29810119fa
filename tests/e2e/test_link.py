"""Linking, end to end: self-service, Rescue sign-in, SSO, admins, unlink, link again."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.language import _ as tr
from bot.linking import texts as link_texts
from bot.rescue.client import AuthOutcome
from bot.storage.schema import Method
from tests.support.harness import Harness, running_app
from tests.support.reading import message_text
from tests.support.settings import TEAM
from tests.support.slack_payloads import link_values

PASSWORD = "Pa55word-never-logged!"
SIGNIN_CODE = "signin-issued-authcode-9876"


async def test_self_service_link_with_an_authcode(harness: Harness) -> None:
    _, _, rid = await harness.command("link")
    view = await harness.opened_view()
    ids = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert ids == ["authcode", "email", "pwd"]
    assert "Technician Console" in json.dumps(view) and "replace" in json.dumps(view)
    status, body = await harness.submit(view, {}, values=link_values("MyAuthc0de-1234"))
    assert (status, body) == (200, "")
    assert await harness.runtime.store.authcode(TEAM, "U1") == "MyAuthc0de-1234"
    assert tr(link_texts.LINKED) in message_text(await harness.slack.response(rid))
    [info] = await harness.runtime.store.links()
    assert info.method == Method.SELF
    # Linked: the next command opens the PIN modal.
    await harness.command()
    assert (await harness.opened_view())["callback_id"] == "pin_request"


@pytest.mark.parametrize(
    ("values", "block", "error"),
    [
        (link_values(), "authcode", tr(link_texts.LINK_EMPTY)),
        (link_values("two words"), "authcode", tr(link_texts.LINK_MALFORMED)),
        (link_values("", "a@b.c"), "pwd", tr(link_texts.LINK_PWD_MISSING)),
    ],
)
async def test_link_form_errors_are_inline(
    harness: Harness, values: dict, block: str, error: str
) -> None:
    await harness.command("link")
    view = await harness.opened_view()
    status, body = await harness.submit(view, {}, values=values)
    assert status == 200 and json.loads(body) == {
        "response_action": "errors",
        "errors": {block: error},
    }
    assert await harness.runtime.store.links() == []


async def test_sign_in_with_rescue_leaves_no_password_or_authcode_behind(
    harness: Harness, log_stream: io.StringIO, sqlite_url: str
) -> None:
    harness.rescue.accounts["agent@acme.test"] = (PASSWORD, SIGNIN_CODE)
    _, _, rid = await harness.command("link")
    view = await harness.opened_view()
    status, body = await harness.submit(
        view, {}, values=link_values("", "agent@acme.test", PASSWORD)
    )
    assert (status, body) == (200, "")
    [call] = harness.rescue.calls
    assert call.page == "requestAuthCode.aspx" and call.http_method == "POST" and call.query == ""
    assert call.params == {"email": "agent@acme.test", "pwd": PASSWORD}
    assert await harness.runtime.store.authcode(TEAM, "U1") == SIGNIN_CODE
    assert tr(link_texts.LINKED) in message_text(await harness.slack.response(rid))
    # And a PIN with it, so the authcode passes through every layer once more.
    await harness.command()
    pin_view = await harness.opened_view()
    await harness.submit(pin_view, {"cfield0": "Jane"})
    await harness.slack.wait_for(lambda: harness.rescue.pin_calls())
    await harness.slack.wait_for(lambda: len(harness.slack.responses) >= 2)
    assert harness.rescue.pin_calls()[0].params["authcode"] == SIGNIN_CODE
    logged = log_stream.getvalue()
    assert "linked" in logged  # the log was captured at all
    for secret in (PASSWORD, SIGNIN_CODE, "Jane"):
        assert secret not in logged
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    for file in path.parent.glob(path.name + "*"):
        raw = file.read_bytes()
        assert PASSWORD.encode() not in raw and SIGNIN_CODE.encode() not in raw
    for call in harness.slack.calls:  # nothing echoed back to Slack either
        assert PASSWORD not in json.dumps(call.params) and SIGNIN_CODE not in json.dumps(
            call.params
        )


async def test_a_wrong_password_is_an_inline_error(harness: Harness) -> None:
    harness.rescue.accounts["agent@acme.test"] = (PASSWORD, SIGNIN_CODE)
    await harness.command("link")
    view = await harness.opened_view()
    status, body = await harness.submit(
        view, {}, values=link_values("", "agent@acme.test", "wrong-one")
    )
    answer = json.loads(body)
    assert answer["errors"] == {"pwd": tr(link_texts.SIGNIN_FAILED[AuthOutcome.INVALID])}
    assert "wrong-one" not in body
    assert await harness.runtime.store.links() == []


async def test_unlink_deletes_the_row(harness: Harness) -> None:
    await harness.link("U1", "to-be-forgotten-1")
    _, _, rid = await harness.command("unlink")
    assert tr(link_texts.UNLINKED) in message_text(await harness.slack.response(rid))
    assert await harness.runtime.store.links() == []
    _, _, rid = await harness.command("unlink")
    assert tr(link_texts.NOT_LINKED_UNLINK) in message_text(await harness.slack.response(rid))


async def test_a_rejected_authcode_offers_one_click_to_link_again(harness: Harness) -> None:
    await harness.link("U1", "revoked-code-111")
    harness.rescue.answers["revoked-code-111"] = "INVALID_SECRETAUTHCODE"
    _, _, rid = await harness.command()
    await harness.submit(await harness.opened_view(), {})
    message = await harness.slack.response(rid)
    [button] = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    status, _ = await harness.click(button["action_id"], button["value"])
    assert status == 200
    view = await harness.slack.wait_for(lambda: len(harness.slack.calls_to("views.open")) == 2)
    assert (
        view
        and harness.slack.calls_to("views.open")[1].params["view"]["callback_id"] == "link_request"
    )
    assert harness.slack.calls_to("views.open")[1].params["trigger_id"] == "trigger-3"


async def test_only_team_leads_link_someone_else(fake_slack, fake_rescue, sqlite_url) -> None:
    async with running_app(fake_slack, fake_rescue, sqlite_url, admin_slack_user_ids="ULEAD") as h:
        fake_slack.emails["UAGENT"] = "agent@acme.test"  # users.info knows them; not an admin
        _, _, rid = await h.command("link <@UOTHER|other>", user="UAGENT")
        assert tr(link_texts.NOT_ADMIN) in message_text(await fake_slack.response(rid))
        assert fake_slack.calls_to("views.open") == []

        _, _, rid = await h.command("link UOTHER", user="ULEAD")
        view = await h.opened_view()
        assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["authcode"]
        await h.submit(view, {}, values=link_values("code-for-other-42"), user="ULEAD")
        assert tr(link_texts.LINKED_OTHER, user="UOTHER") in message_text(
            await fake_slack.response(rid)
        )
        assert await h.runtime.store.authcode(TEAM, "UOTHER") == "code-for-other-42"
        assert await h.runtime.store.authcode(TEAM, "ULEAD") is None
        [info] = await h.runtime.store.links()
        assert info.method == Method.ADMIN


SSO = {"rescue_sso_company_id": "4242", "rescue_sso_password": "sso-global-secret"}


async def test_sso_links_on_first_use_and_goes_on_to_the_modal(
    fake_slack, fake_rescue, sqlite_url
) -> None:
    async with running_app(fake_slack, fake_rescue, sqlite_url, **SSO) as h:
        fake_slack.emails["U1"] = "jane@acme.test"
        fake_rescue.sso["jane@acme.test"] = "sso-issued-code-1"
        await h.command("Customer")
        view = await h.opened_view()
        assert view["callback_id"] == "pin_request"
        [sso_call] = fake_rescue.calls
        assert sso_call.page == "requestAuthCodeSSO.aspx" and sso_call.query == ""
        assert sso_call.params == {
            "ssoid": "jane@acme.test",
            "pwd": "sso-global-secret",
            "company": "4242",
        }
        [info] = await h.runtime.store.links()
        assert info.method == Method.SSO
        await h.submit(view, {})
        await fake_slack.wait_for(lambda: fake_rescue.pin_calls())
        assert fake_rescue.pin_calls()[0].params["authcode"] == "sso-issued-code-1"


async def test_sso_that_fails_says_why(fake_slack, fake_rescue, sqlite_url) -> None:
    async with running_app(fake_slack, fake_rescue, sqlite_url, **SSO) as h:
        fake_slack.emails["U1"] = "nobody@acme.test"
        _, _, rid = await h.command()
        shown = message_text(await fake_slack.response(rid))
        assert "nobody@acme.test" in shown and "/rescue-pin link" in shown
        assert fake_slack.calls_to("views.open") == []
        assert fake_rescue.pin_calls() == []
