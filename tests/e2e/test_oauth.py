"""OAuth installation end to end: a real headless Chromium walks /slack/install → "Add to
Slack" → the fake Slack's consent page → /slack/oauth_redirect, with Bolt checking the state
cookie; then requests from that workspace use that installation's token. Wrong or missing
states store nothing; token rotation, org-wide installs and uninstalls; no token in plain
text in any database row (the suite's secrets sweep also checks every log line and file)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import aiohttp
import pytest
from sqlalchemy import text

from bot.installs import oauth, pages
from bot.installs import texts as install_texts
from bot.language import _ as tr
from bot.slack import texts as slack_texts
from tests.support.fakes import FakeRescue, FakeSlack
from tests.support.harness import Harness, running_app
from tests.support.oauth_install import install_over_http

if TYPE_CHECKING:
    from playwright.async_api import Response

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WORKSPACE = "T0OAUTH1"
OAUTH_AUTHCODE = "AUTHc0de-oauth-agent-6262"
CODE_SLACK_REFUSES = "refused-oauth-code-77777"


def oauth_settings(slack: FakeSlack) -> dict[str, Any]:
    return {
        "slack_bot_token": None,
        "slack_client_id": slack.client_id,
        "slack_client_secret": slack.client_secret,
        "slack_authorize_url": slack.url + "/oauth/v2/authorize",
    }


@pytest.fixture
async def oauth_app(
    fake_slack: FakeSlack, fake_rescue: FakeRescue, database_url: str
) -> AsyncIterator[Harness]:
    """The app installed by nobody yet, on each database in turn."""
    settings = oauth_settings(fake_slack)
    async with running_app(fake_slack, fake_rescue, database_url, **settings) as h:
        fake_slack.redirect_url = h.base_url + "/slack/oauth_redirect"
        fake_slack.installing = {
            "team": {"id": WORKSPACE, "name": "Acme Support"},
            "installer": "U0ADMIN",
        }
        yield h


def base(h: Harness) -> str:
    return h.base_url


async def rows(h: Harness, table: str) -> str:
    async with h.runtime.store.engine.connect() as connection:
        found = (await connection.execute(text(f"SELECT * FROM {table}"))).all()  # noqa: S608
    return "\n".join(" ".join(str(v) for v in row) for row in found)


def slash_command(h: Harness, team: str, user: str) -> tuple[bytes, str]:
    rid = uuid.uuid4().hex[:8]
    form = {
        "token": "legacy",
        "team_id": team,
        "team_domain": "acme",
        "channel_id": "C1",
        "user_id": user,
        "command": "/rescue-pin",
        "text": "",
        "api_app_id": "A1",
        "is_enterprise_install": "false",
        "response_url": h.slack.response_url(rid),
        "trigger_id": f"trigger-{rid}",
    }
    return urlencode(form).encode(), rid


def chromium_or_skip() -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is required in CI (.ci/run installs Debian's chromium)")
    pytest.skip(f"no {CHROMIUM}: apt-get install chromium")


async def test_install_in_a_browser_then_that_workspace_is_served_with_its_token(
    oauth_app: Harness,
) -> None:
    chromium_or_skip()
    from playwright.async_api import async_playwright

    h = oauth_app
    h.slack.rotation_seconds = 12 * 3600
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            # Nothing but the app and the fake Slack: any other request fails the test.
            outside: list[str] = []
            page.on(
                "request",
                lambda r: None if r.url.startswith("http://127.0.0.1:") else outside.append(r.url),
            )
            answers: list[Response] = []  # every page the app answered the browser with
            page.on("response", lambda r: answers.append(r) if r.url.startswith(base(h)) else None)
            await page.goto(base(h) + "/slack/install")
            add = page.locator("#add-to-slack")
            assert await add.inner_text() == install_texts.INSTALL_BUTTON
            href = await add.get_attribute("href") or ""
            query = parse_qs(urlsplit(href).query)
            assert href.startswith(h.slack.url + "/oauth/v2/authorize?")
            assert query["client_id"] == [h.slack.client_id]
            assert set(query["scope"][0].split(",")) >= {"commands", "chat:write"}
            await add.click()
            await page.locator("#allow").click()  # the fake Slack's consent page
            await page.wait_for_selector("#installed")
            shown = await page.inner_text("#installed")
            assert shown == install_texts.INSTALLED_WORKSPACE.format(name="Acme Support")
            # The state cookie was used up and cleared.
            cookies = await page.context.cookies()
            assert [c["value"] for c in cookies if c["name"] == "slack-app-oauth-state"] in (
                [],
                ["deleted"],
            )
            # Error pages too: a callback with no state, a path that is not there.
            failed = await page.goto(base(h) + "/slack/oauth_redirect?code=x")
            assert failed is not None and failed.status == 400
            missing = await page.goto(base(h) + "/nowhere")
            assert missing is not None and missing.status == 404
            assert outside == []
            seen = [(r.url.removeprefix(base(h)).split("?")[0], r.status) for r in answers]
            assert seen == [
                ("/slack/install", 200),
                ("/slack/oauth_redirect", 200),
                ("/slack/oauth_redirect", 400),
                ("/nowhere", 404),
            ]
            for answer in answers:
                headers = await answer.all_headers()
                sent = {name: headers.get(name.lower()) for name in pages.SECURITY_HEADERS}
                assert sent == pages.SECURITY_HEADERS, answer.url
        finally:
            await browser.close()

    token = h.slack.installed_token(WORKSPACE)
    assert token is not None
    [exchange] = h.slack.calls_to("oauth.v2.access")
    assert exchange.params["code"].startswith("code-")
    # Stored, and only encrypted.
    stored = await rows(h, "installations")
    assert WORKSPACE in stored and token not in stored
    refresh = [t for t in h.slack.issued if t.startswith("xoxe-")]
    assert refresh and all(t not in stored for t in refresh)
    assert await rows(h, "oauth_states") == ""  # the state was used once, then forgotten

    # A request from that workspace: authorized with its token, and served with it.
    await h.link("U0AGENT", OAUTH_AUTHCODE, team=WORKSPACE)
    before = len(h.slack.calls)
    body, rid = slash_command(h, WORKSPACE, "U0AGENT")
    status, answer, _ = await h.post(body)
    assert (status, answer) == (200, "")
    view = await h.opened_view()
    after = h.slack.calls[before:]
    assert {c.method for c in after} >= {"auth.test", "views.open"}
    assert all(c.token == token for c in after if c.method in ("auth.test", "views.open"))
    # ...and the PIN reaches the agent, requested with their link in that workspace.
    h.rescue.answers[OAUTH_AUTHCODE] = "OK PINCODE:737373"
    status, _ = await h.submit(view, {"cfield0": "Jane"}, user="U0AGENT", team=WORKSPACE)
    assert status == 200
    assert "737373" in json.dumps(await h.slack.response(rid))
    assert [c.params["authcode"] for c in h.rescue.pin_calls()] == [OAUTH_AUTHCODE]


async def test_the_install_page_refuses_to_be_framed_and_runs_no_script_but_its_own(
    oauth_app: Harness,
) -> None:
    chromium_or_skip()
    from playwright.async_api import async_playwright

    h = oauth_app
    install = base(h) + "/slack/install"
    # The fake Slack's consent page sends none of these headers: the same checks pass there,
    # so what fails on the app's page fails because of its headers.
    elsewhere = f"{h.slack.url}/oauth/v2/authorize?client_id={h.slack.client_id}&state=s"
    inject = (
        "() => { const s = document.createElement('script');"
        " s.textContent = 'document.body.dataset.ran = \"yes\"';"
        " document.head.appendChild(s); return document.body.dataset.ran || null; }"
    )
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            await page.set_content(
                f"<iframe id='app' src='{install}'></iframe>"
                f"<iframe id='other' src='{elsewhere}'></iframe>"
            )
            app_frame, other_frame = page.frames[1:]
            assert await other_frame.locator("#allow").count() == 1
            assert await app_frame.locator("#add-to-slack").count() == 0  # refused
            await page.goto(elsewhere)
            assert await page.evaluate(inject) == "yes"
            await page.goto(install)
            assert await page.evaluate(inject) is None  # the policy stopped it
            assert await page.locator("#add-to-slack").count() == 1
        finally:
            await browser.close()


async def uninstall(h: Harness, event_id: str) -> None:
    """Slack's app_uninstalled event for WORKSPACE; returns once its installation and links
    are deleted."""
    event = {
        "token": "legacy",
        "team_id": WORKSPACE,
        "api_app_id": "A1",
        "event": {"type": "app_uninstalled"},
        "type": "event_callback",
        "event_id": event_id,
        "event_time": 1,
        "authorizations": [
            {
                "team_id": WORKSPACE,
                "user_id": "UBOT",
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
    }
    assert await h.event(event) == 200

    async def gone() -> bool:
        return await rows(h, "installations") == "" and await rows(h, "links") == ""

    for _ in range(100):
        if await gone():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the installation and links are still there")


async def test_a_wrong_or_missing_state_is_refused_and_nothing_is_stored(
    oauth_app: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    h = oauth_app
    redirect = base(h) + "/slack/oauth_redirect"
    async with aiohttp.ClientSession() as http:
        async with http.get(base(h) + "/slack/install") as page:
            assert page.status == 200
            issued = page.cookies["slack-app-oauth-state"].value
        attempts = [
            ({}, {"code": "code-1"}),  # no state at all
            ({}, {"code": "code-1", "state": issued}),  # the state, but not this browser's
            ({"Cookie": f"slack-app-oauth-state={issued}"}, {"code": "code-1", "state": "x"}),
            # A state this app never issued, with a cookie to match.
            ({"Cookie": "slack-app-oauth-state=forged"}, {"code": "code-1", "state": "forged"}),
        ]
        for headers, query in attempts:
            async with http.get(redirect, params=query, headers=headers) as answer:
                assert answer.status in (400, 401), query
                assert install_texts.INSTALL_FAILED_TITLE in await answer.text()
    assert h.slack.calls_to("oauth.v2.access") == []
    assert await rows(h, "installations") == ""
    # The issued state is still good for its own browser (nothing consumed it)...
    assert await rows(h, "oauth_states") != ""
    # ...once: with a code Slack refuses, nothing is stored and the app logs no code (the
    # test server's access log, which production turns off, is not the app's).
    async with (
        aiohttp.ClientSession() as http,
        http.get(
            redirect,
            params={"code": CODE_SLACK_REFUSES, "state": issued},
            headers={"Cookie": f"slack-app-oauth-state={issued}"},
        ) as answer,
    ):
        assert answer.status == 401
    assert len(h.slack.calls_to("oauth.v2.access")) == 1
    assert await rows(h, "installations") == ""
    assert await rows(h, "oauth_states") == ""
    logged = [r.getMessage() for r in caplog.records if not r.name.startswith("aiohttp.access")]
    assert any("with code: [redacted]" in line for line in logged)
    assert not any(CODE_SLACK_REFUSES in line for line in logged)


async def test_a_cancelled_installation_says_so(oauth_app: Harness) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.get(
            base(oauth_app) + "/slack/oauth_redirect", params={"error": "access_denied"}
        ) as answer,
    ):
        assert answer.status == 200
        assert install_texts.INSTALL_REASONS["access_denied"] in await answer.text()
    assert await rows(oauth_app, "installations") == ""


async def test_tokens_rotate_and_an_org_wide_install_serves_its_workspaces(
    oauth_app: Harness,
) -> None:
    h = oauth_app
    h.slack.rotation_seconds = 60  # expiring within Bolt's margin: every request refreshes
    h.slack.installing = {
        "enterprise": {"id": "E0OAUTH", "name": "Acme Group"},
        "is_enterprise_install": True,
        "installer": "W0ADMIN",
    }
    h.slack.org_teams["E0OAUTH"] = ["T0OAUTHA", "T0OAUTHB"]
    assert await install_over_http(base(h)) == 200
    first = h.slack.installed_token("E0OAUTH")
    assert first is not None
    await h.link("W0AGENT", OAUTH_AUTHCODE, team="E0OAUTH")
    body, _ = slash_command(h, "T0OAUTHB", "W0AGENT")
    body = body.replace(b"is_enterprise_install=false", b"is_enterprise_install=true")
    body += b"&enterprise_id=E0OAUTH"
    status, answer, _ = await h.post(body)
    assert (status, answer) == (200, "")
    await h.opened_view()
    refreshed = [c for c in h.slack.calls_to("oauth.v2.access") if c.params.get("grant_type")]
    assert refreshed and refreshed[0].params["grant_type"] == "refresh_token"
    second = h.slack.installed_token("E0OAUTH")
    assert second is not None and second != first
    assert h.slack.calls_to("views.open")[-1].token == second
    stored = await rows(h, "installations")
    assert "E0OAUTH" in stored and second not in stored and first not in stored
    # The installations listing names it, without a token.
    [info] = await h.runtime.installations.listing()  # type: ignore[union-attr]
    assert (info.owner, info.org_wide, info.rotating) == ("E0OAUTH", True, True)


async def test_uninstall_deletes_the_tokens_links_and_retries(oauth_app: Harness) -> None:
    from datetime import timedelta

    h = oauth_app
    assert await install_over_http(base(h)) == 200
    store = h.runtime.store
    await h.link("U0AGENT", OAUTH_AUTHCODE, team=WORKSPACE)
    await store.retries.save(
        WORKSPACE, "U0AGENT", "rescue", None, {"cfield0": "Jane"}, timedelta(minutes=10)
    )
    await uninstall(h, "Ev9")
    assert await rows(h, "links") == ""
    assert await rows(h, "retries") == ""
    [row] = await store.audit_rows(team_id=WORKSPACE, action="app_uninstalled")
    assert row.outcome == "secrets_deleted"


async def test_slack_is_asked_about_a_token_once_and_an_uninstall_still_refuses(
    oauth_app: Harness,
) -> None:
    h = oauth_app
    assert await install_over_http(base(h)) == 200
    token = h.slack.installed_token(WORKSPACE)
    await h.link("U0AGENT", OAUTH_AUTHCODE, team=WORKSPACE)
    before = len(h.slack.calls_to("auth.test"))
    for _ in range(3):
        body, _ = slash_command(h, WORKSPACE, "U0AGENT")
        status, answer, _ = await h.post(body)
        assert (status, answer) == (200, "")
        await h.opened_view()
    asked = h.slack.calls_to("auth.test")[before:]
    assert [c.token for c in asked] == [token]  # once, not before every ack
    assert [c.token for c in h.slack.calls_to("views.open")[-3:]] == [token] * 3

    await uninstall(h, "Ev10")
    opened = len(h.slack.calls_to("views.open"))
    body, _ = slash_command(h, WORKSPACE, "U0AGENT")
    status, _, _ = await h.post(body)
    assert status == 200
    await asyncio.sleep(0.2)
    # The kept auth.test answer served nothing: the installation is looked up first.
    assert len(h.slack.calls_to("views.open")) == opened
    assert h.slack.calls_to("auth.test")[before:] == asked


async def test_a_token_revoked_unheard_of_is_refused_once_slacks_answer_is_old(
    oauth_app: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = oauth_app
    assert await install_over_http(base(h)) == 200
    token = h.slack.installed_token(WORKSPACE)
    assert token is not None
    await h.link("U0AGENT", OAUTH_AUTHCODE, team=WORKSPACE)
    body, _ = slash_command(h, WORKSPACE, "U0AGENT")
    assert (await h.post(body))[0] == 200
    await h.opened_view()
    h.slack.revoked.add(token)  # and no tokens_revoked event comes
    monkeypatch.setattr(oauth, "AUTHORIZED_SECONDS", 0.0)  # Slack's answer is now old
    opened = len(h.slack.calls_to("views.open"))
    body, _ = slash_command(h, WORKSPACE, "U0AGENT")
    assert (await h.post(body))[0] == 200
    await asyncio.sleep(0.2)
    assert len(h.slack.calls_to("views.open")) == opened  # refused, as before any answer was kept
    assert [c.token for c in h.slack.calls_to("auth.test")][-1] == token


async def test_auth_test_that_hangs_is_a_sentence_within_3_seconds(oauth_app: Harness) -> None:
    import time

    from tests.support.slack_faults import SlackFault

    h = oauth_app
    assert await install_over_http(base(h)) == 200
    # With OAuth, Bolt's authorize asks auth.test before the ack of a workspace's first request.
    h.slack.script("auth.test", SlackFault.hang(60))
    body, _ = slash_command(h, WORKSPACE, "U0AGENT")
    started = time.monotonic()
    status, text, _ = await h.post(body)
    assert time.monotonic() - started < 3
    assert (status, text) == (200, tr(slack_texts.SLACK_UNAVAILABLE))


async def test_single_workspace_mode_has_no_install_page(harness: Harness) -> None:
    async with aiohttp.ClientSession() as http:
        for path in ("/slack/install", "/slack/oauth_redirect"):
            async with http.get(base(harness) + path) as answer:
                assert answer.status == 404


def test_chromium_is_there_in_ci() -> None:
    if os.environ.get("CI") == "true":
        assert shutil.which("chromium") or Path(CHROMIUM).exists()
