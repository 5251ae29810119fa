"""The browser's way through /slack/install and the fake Slack's consent page, by hand: for
the tests that need an OAuth installation but are not about the browser."""

from __future__ import annotations

import aiohttp


def _link(html: str, marker: str) -> str:
    start = html.index(marker) + len(marker)
    return html[start : html.index("'", start)]


async def install_over_http(base_url: str) -> int:
    """Install page → "Add to Slack" → consent → back to the app with the state cookie; the
    status of the app's answer to that last step."""
    async with aiohttp.ClientSession() as browser:
        async with browser.get(base_url + "/slack/install") as page:
            html = await page.text()
            state_cookie = page.cookies["slack-app-oauth-state"].value
        authorize = _link(html, "id='add-to-slack' href='").replace("&amp;", "&")
        async with browser.get(authorize) as consent:
            back = _link(await consent.text(), "id='allow' href='")
        headers = {"Cookie": f"slack-app-oauth-state={state_cookie}"}
        async with browser.get(back, headers=headers) as done:
            await done.read()
            return done.status
