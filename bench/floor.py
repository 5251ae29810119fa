"""The floor: bare Bolt doing the same work as the app, and nothing more.

It acks the command and opens a modal; on submit it acks, POSTs to Rescue and POSTs the
answer to the response_url. No database, no encryption, no audit, no structured logs.
Run by the benchmark beside the app: `python -m bench.floor` with PORT, SLACK_SIGNING_SECRET,
SLACK_API_URL and RESCUE_API_URL set.
"""

from __future__ import annotations

import json
import os
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def build() -> web.Application:
    rescue_url = os.environ["RESCUE_API_URL"]
    client = AsyncWebClient(token="xoxb-floor", base_url=os.environ["SLACK_API_URL"])
    bolt = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])
    session: dict[str, aiohttp.ClientSession] = {}

    @bolt.command("/rescue-pin")
    async def command(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        view = {
            "type": "modal",
            "callback_id": "pin_request",
            "title": {"type": "plain_text", "text": "Rescue PIN"},
            "submit": {"type": "plain_text", "text": "Get PIN"},
            "private_metadata": json.dumps({"r": body["response_url"]}),
            "blocks": [
                {
                    "type": "input",
                    "block_id": "cfield0",
                    "label": {"type": "plain_text", "text": "Name"},
                    "element": {"type": "plain_text_input", "action_id": "value"},
                }
            ],
        }
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    @bolt.view("pin_request")
    async def submitted(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        view = body["view"]
        name = view["state"]["values"]["cfield0"]["value"]["value"]
        response_url = json.loads(view["private_metadata"])["r"]
        http = session["http"]
        form = {"authcode": "floor-authcode", "cfield0": name}
        async with http.post(rescue_url + "requestPINCode.aspx", data=form) as answer:
            text = await answer.text()
        message = {"response_type": "ephemeral", "text": text}
        async with http.post(response_url, json=message) as posted:
            await posted.read()

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def lifecycle(_: web.Application) -> Any:
        session["http"] = aiohttp.ClientSession()
        yield
        await session["http"].close()

    app = bolt.web_app(path="/slack/events")
    app.router.add_get("/healthz", healthz)
    app.cleanup_ctx.append(lifecycle)
    return app


if __name__ == "__main__":
    web.run_app(build(), port=int(os.environ["PORT"]), access_log=None, print=None)
