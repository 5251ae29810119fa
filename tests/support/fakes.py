"""Local fake Slack, Rescue and Socket Mode servers that record what they receive, and a TCP
proxy a test can cut. Each runs an aiohttp server on loopback (`FakeServer`, which the
benchmark's lean fakes build on too).

Scripting answers: `FakeSlack.fail(method, error, status, **headers)`, `.dead_responses`,
`.response_faults`, `.emails`/`.names`/`.admins`/`.members` (users.info, users.list),
`.team_members`/`.users_page` (users.list by workspace, in pages);
`FakeRescue.answers[authcode]` (a body, or "reset", "http500", "html", "sleep:S"), `.delay`,
`.accounts`, `.sso`. Any of issue #11's faults (status, body, content type, delay, a dropped
connection, how many times): `FakeSlack.script(method, SlackFault…)` and
`.script_response(rid, SlackFault…)`, from tests/support/slack_faults.py.
Reading what arrived: `FakeSlack.calls`/`.calls_to(method)`, `.responses[rid]`,
`.response_posts[rid]` (every POST, failed ones too), `await .response(rid)`,
`await .dm(user)`, `await .wait_for(check)`; `FakeRescue.calls`/`.pin_calls()`.
Rescue's Post-to-URL: `FakeRescue.session(id)` (the session the latest PIN request leads to),
`await .post_session(url, session, end=, xml=)`, and `.before_answer` (a coroutine run with a
PIN request's parameters before Rescue answers it).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from tests.support.rescue_posts import RescueSession, post_session
from tests.support.slack_faults import FaultScript, SlackFault


class FakeServer:
    """An aiohttp application on a loopback port of its own; subclasses add the routes."""

    def __init__(self, backlog: int = 128) -> None:
        self.app = web.Application()
        self.runner: web.AppRunner | None = None
        self.port = 0
        self.backlog = backlog

    async def start(self) -> None:
        self.runner = web.AppRunner(self.app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0, backlog=self.backlog)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


async def _params(request: web.Request) -> dict[str, Any]:
    raw = await request.text()
    if request.content_type == "application/json":
        return json.loads(raw) if raw else {}
    merged = dict(parse_qsl(request.query_string, keep_blank_values=True))
    merged.update(parse_qsl(raw, keep_blank_values=True))
    for key in ("view", "blocks", "outputs"):  # slack_sdk sends these JSON-encoded in forms
        if isinstance(merged.get(key), str):
            with contextlib.suppress(ValueError):
                merged[key] = json.loads(merged[key])
    return merged


@dataclass
class SlackCall:
    method: str
    params: dict[str, Any]
    headers: dict[str, str]

    @property
    def token(self) -> str | None:
        """The token the call was made with (header or form)."""
        bearer = self.headers.get("Authorization", "")
        return self.params.get("token") or (bearer.removeprefix("Bearer ") or None)


class FakeSlack(FakeServer):
    """Web API under /api/, response_urls under /response/<id>."""

    def __init__(self, team_id: str = "T0001") -> None:
        super().__init__()
        self.team_id = team_id
        self.calls: list[SlackCall] = []
        self.responses: dict[str, list[dict[str, Any]]] = {}
        # method -> list of (status, body, headers) answers to give first, in order
        self.faults: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = {}
        self.dead_responses: set[str] = set()
        # rid -> (status, headers) answers to give first, in order
        self.response_faults: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self.emails: dict[str, str | None] = {}
        self.names: dict[str, str] = {}
        self.admins: set[str] = set()
        self.members: list[str] = []
        self.locales: dict[str, str] = {}  # user -> locale, told with include_locale
        # Workflow steps: function_execution_id -> "completed" | "failed" once ended
        self.executions: dict[str, str] = {}
        self.socket_url: str | None = None  # answered to apps.connections.open
        self.scripted = FaultScript()  # see script() and script_response()
        self.response_posts: dict[str, int] = {}  # rid -> every POST it received
        # Tokens that are someone in particular (auth.test per token): OAuth installations,
        # an org-wide token. Any other token is the default workspace's bot.
        self.identities: dict[str, dict[str, Any]] = {}
        self.revoked: set[str] = set()
        self.org_teams: dict[str, list[str]] = {}  # enterprise -> workspaces (auth.teams.list)
        self.team_members: dict[str, list[str]] = {}  # users.list with a team_id
        self.users_page: int | None = None  # users.list answers this many a page
        # OAuth: what the next "Allow" on the authorize page installs, where it sends the
        # browser back to (the app's registered Redirect URL), and token rotation.
        self.installing: dict[str, Any] = {"team": {"id": team_id, "name": "Acme"}}
        self.redirect_url: str | None = None
        self.rotation_seconds: int | None = None  # token rotation on: tokens live this long
        self.client_id, self.client_secret = "1111.2222", "fake-client-secret-5150"
        self.issued: list[str] = []  # every token handed out, for the secrets sweep
        self._codes: dict[str, dict[str, Any]] = {}
        self._refresh: dict[str, dict[str, Any]] = {}
        self.app.router.add_get("/oauth/v2/authorize", self._authorize)
        self._ids = itertools.count(1)
        self._arrived = asyncio.Event()
        self.app.router.add_route("*", "/api/{method}", self._api)  # slack_sdk GETs some
        self.app.router.add_post("/response/{rid}", self._response)

    def api_url(self) -> str:
        return self.url + "/api/"

    def response_url(self, rid: str | None = None) -> str:
        return f"{self.url}/response/{rid or next(self._ids)}"

    def fail(
        self, method: str, error: str | None = None, status: int = 200, **headers: str
    ) -> None:
        body = {"ok": False, "error": error} if error else {"ok": False}
        self.faults.setdefault(method, []).append((status, body, headers))

    def script(self, method: str, fault: SlackFault) -> None:
        """The next `fault.times` calls of Web API `method` get `fault` instead."""
        self.scripted.add(method, fault)

    def script_response(self, rid: str, fault: SlackFault) -> None:
        """The next `fault.times` POSTs to response_url `rid` get `fault` instead."""
        self.scripted.add(f"response:{rid}", fault)

    async def stop(self) -> None:
        self.scripted.stopping.set()  # a scripted hang ends with the fake
        await super().stop()

    def calls_to(self, method: str) -> list[SlackCall]:
        return [c for c in self.calls if c.method == method]

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params = await _params(request)
        self.calls.append(SlackCall(method, params, dict(request.headers)))
        self._notify()
        scripted = self.scripted.take(method)
        if scripted is not None:
            await self.scripted.wait(scripted)
            if scripted.answers:
                return self.scripted.answer(request, scripted)
        faults = self.faults.get(method)
        if faults:
            status, body, headers = faults.pop(0)
            return web.json_response(body, status=status, headers=headers)
        auth = request.headers.get("Authorization", "")
        seen = dict(params)  # who is calling, for the answer only: the record stays as sent
        if auth.startswith("Bearer ") and "token" not in seen:
            seen["_token"] = auth.removeprefix("Bearer ")
        elif auth.startswith("Basic "):
            seen["_basic"] = auth.removeprefix("Basic ")
        return web.json_response(self._answer(method, seen))

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url} if self.socket_url else {"ok": False}
        token = params.get("token") or params.get("_token")
        if token in self.revoked:
            return {"ok": False, "error": "token_revoked"}
        if method == "oauth.v2.access":
            return self._oauth_access(params)
        if method == "auth.test" and token in self.identities:
            return {"ok": True, **self.identities[token]}
        if method == "auth.teams.list":
            enterprise = self.identities.get(token or "", {}).get("enterprise_id")
            teams = self.org_teams.get(enterprise or "", [])
            return {
                "ok": True,
                "teams": [{"id": t, "name": t} for t in teams],
                "response_metadata": {"next_cursor": ""},
            }
        if method == "auth.test":
            return {
                "ok": True,
                "team_id": self.team_id,
                "user_id": "UBOT",
                "bot_id": "BBOT",
                "team": "Acme",
            }
        if method in ("views.open", "views.update", "views.publish", "views.push"):
            view = {"id": params.get("view_id") or f"V{next(self._ids)}", "hash": "h"}
            return {"ok": True, "view": {**view, **(params.get("view") or {})}}
        if method in ("functions.completeSuccess", "functions.completeError"):
            execution = str(params.get("function_execution_id"))
            if execution in self.executions:
                return {"ok": False, "error": "execution_not_in_running_state"}
            self.executions[execution] = "completed" if method.endswith("Success") else "failed"
            return {"ok": True}
        if method == "chat.postMessage":
            return {"ok": True, "channel": params.get("channel"), "ts": f"{next(self._ids)}.0001"}
        if method == "users.info":
            user = params.get("user", "")
            email = self.emails.get(user)
            known = (self.emails, self.names, self.admins, self.locales)
            if not any(user in where for where in known):
                return {"ok": False, "error": "user_not_found"}
            profile: dict[str, Any] = {"email": email} if email else {}
            if user in self.names:
                profile["real_name"] = self.names[user]
            found: dict[str, Any] = {
                "id": user,
                "team_id": self.team_id,
                "tz": "Europe/Berlin",
                "is_admin": user in self.admins,
                "profile": profile,
            }
            if str(params.get("include_locale")).lower() in ("true", "1") and user in self.locales:
                found["locale"] = self.locales[user]
            return {"ok": True, "user": found}
        if method == "users.list":
            return self._users_list(params, token)
        return {"ok": True}

    def _users_list(self, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        """Everyone (`members`, else those with an e-mail), or with `team_id` that workspace's
        `team_members`, Grid users of their organisation; `users_page` per page (a cursor)."""
        team = params.get("team_id")
        if team is None and self.identities.get(token or "", {}).get("is_enterprise_install"):
            return {"ok": False, "error": "missing_argument"}  # an org token names a workspace
        ids = self.team_members.get(team, []) if team else (self.members or list(self.emails))
        org = next((e for e, teams in self.org_teams.items() if team in teams), None)
        start = int(params.get("cursor") or 0)
        end = start + (self.users_page or len(ids) or 1)
        members = [
            {
                "id": u,
                "team_id": team or self.team_id,
                "is_bot": False,
                "deleted": False,
                "profile": {"email": self.emails[u]} if self.emails.get(u) else {},
                **({"enterprise_user": {"enterprise_id": org, "teams": [team]}} if org else {}),
            }
            for u in ids[start:end]
        ]
        more = str(end) if end < len(ids) else ""
        return {"ok": True, "members": members, "response_metadata": {"next_cursor": more}}

    # OAuth

    def _token_pair(self, kind: str) -> tuple[str, str | None]:
        n = next(self._ids)
        token = f"xoxb-{kind}-{n}-oauth-bot-token-{n:04d}"
        refresh = f"xoxe-1-{kind}-{n}-refresh-token-{n:04d}" if self.rotation_seconds else None
        self.issued.extend(t for t in (token, refresh) if t)
        return token, refresh

    async def _authorize(self, request: web.Request) -> web.Response:
        """Slack's consent page: "Allow" sends the browser back with a code and the state."""
        query = request.query
        if query.get("client_id") != self.client_id or not self.redirect_url:
            return web.Response(status=400, text="invalid_client_id")
        code = f"code-{next(self._ids)}"
        self._codes[code] = dict(self.installing)
        back = f"{self.redirect_url}?code={code}&state={query.get('state', '')}"
        cancel = f"{self.redirect_url}?error=access_denied&state={query.get('state', '')}"
        scopes = query.get("scope", "")
        page = (
            "<!doctype html><html><body><h1>Rescue PIN wants to join</h1>"
            f"<p id='scopes'>{scopes}</p>"
            f"<a id='allow' href='{back}'>Allow</a> <a id='cancel' href='{cancel}'>Cancel</a>"
            "</body></html>"
        )
        return web.Response(text=page, content_type="text/html")

    def _client_ok(self, params: dict[str, Any]) -> bool:
        import base64

        basic = params.get("_basic")
        if basic:
            pair = base64.b64decode(basic).decode()
        else:
            pair = f"{params.get('client_id')}:{params.get('client_secret')}"
        return pair == f"{self.client_id}:{self.client_secret}"

    def _oauth_access(self, params: dict[str, Any]) -> dict[str, Any]:
        if not self._client_ok(params):
            return {"ok": False, "error": "invalid_client"}
        if params.get("grant_type") == "refresh_token":
            installing = self._refresh.pop(params.get("refresh_token", ""), None)
            if installing is None:
                return {"ok": False, "error": "invalid_refresh_token"}
        else:
            installing = self._codes.pop(params.get("code", ""), None)
            if installing is None:
                return {"ok": False, "error": "invalid_code"}
        org_wide = bool(installing.get("is_enterprise_install"))
        enterprise = installing.get("enterprise")
        team = None if org_wide else installing.get("team")
        kind = "org" if org_wide else "team"
        token, refresh = self._token_pair(kind)
        bot_user = f"{'W' if enterprise else 'U'}BOT{next(self._ids)}"
        self.identities[token] = {
            "team_id": (team or {}).get("id"),
            "team": (team or {}).get("name"),
            "enterprise_id": (enterprise or {}).get("id"),
            "is_enterprise_install": org_wide,
            "user_id": bot_user,
            "bot_id": f"B{next(self._ids)}",
            "url": "http://127.0.0.1:9/",  # never followed: the app shows its own page
        }
        answer: dict[str, Any] = {
            "ok": True,
            "app_id": "A0RESCUE",
            "access_token": token,
            "token_type": "bot",
            "scope": "commands,chat:write,users:read,users:read.email",
            "bot_user_id": bot_user,
            "team": team,
            "enterprise": enterprise,
            "is_enterprise_install": org_wide,
            "authed_user": {"id": installing.get("installer", "UINSTALLER")},
        }
        if refresh is not None and self.rotation_seconds is not None:
            self._refresh[refresh] = installing
            answer.update(refresh_token=refresh, expires_in=self.rotation_seconds)
        return answer

    def refreshable(self, refresh_token: str, installing: dict[str, Any]) -> None:
        """A refresh token handed out earlier (token rotation) for `installing`."""
        self.issued.append(refresh_token)
        self._refresh[refresh_token] = installing

    def installed_token(self, team_or_enterprise: str) -> str | None:
        """The latest token handed out for that workspace or organisation."""
        for token in reversed(self.issued):
            who = self.identities.get(token)
            if who and team_or_enterprise in (who.get("team_id"), who.get("enterprise_id")):
                return token
        return None

    async def _response(self, request: web.Request) -> web.StreamResponse:
        rid = request.match_info["rid"]
        self.response_posts[rid] = self.response_posts.get(rid, 0) + 1
        self._notify()
        scripted = self.scripted.take(f"response:{rid}")
        if scripted is not None:
            await self.scripted.wait(scripted)
            if scripted.answers:
                return self.scripted.answer(request, scripted)
        if rid in self.dead_responses:
            return web.Response(status=404, text="expired_url")
        faults = self.response_faults.get(rid)
        if faults:
            status, headers = faults.pop(0)
            self.calls.append(SlackCall("response_url", {"rid": rid}, dict(request.headers)))
            return web.Response(status=status, text="rate_limited", headers=headers)
        self.responses.setdefault(rid, []).append(await request.json())
        self._notify()
        return web.Response(text="ok")

    def _notify(self) -> None:
        self._arrived.set()
        self._arrived = asyncio.Event()

    async def wait_for(self, check: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait until `check()` returns something truthy; return it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = check()
            if found:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError("timed out waiting for Slack to receive it")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), min(remaining, 0.2))

    async def response(self, rid: str, index: int = 0) -> dict[str, Any]:
        return await self.wait_for(
            lambda: len(self.responses.get(rid, [])) > index and self.responses[rid][index]
        )

    async def dm(self, user: str, index: int = 0) -> dict[str, Any]:
        def found() -> Any:
            dms = [
                c.params
                for c in self.calls_to("chat.postMessage")
                if c.params.get("channel") == user
            ]
            return dms[index] if len(dms) > index else None

        return await self.wait_for(found)


class FakeSocketMode(FakeServer):
    """Slack's Socket Mode end: hands out envelopes, records acks, can drop the socket."""

    def __init__(self) -> None:
        super().__init__()
        self.connections = 0
        self.acks: dict[str, dict[str, Any]] = {}
        self._socket: web.WebSocketResponse | None = None
        self._changed = asyncio.Event()
        self.app.router.add_get("/link", self._link)

    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link"

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self.connections += 1
        self._socket = socket
        await socket.send_json({"type": "hello", "num_connections": 1})
        self._notify()
        async for message in socket:
            if message.type.name == "TEXT":
                ack = json.loads(message.data)
                self.acks[ack.get("envelope_id", "")] = ack
                self._notify()
        return socket

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(self, check: Callable[[], Any], timeout: float = 20.0) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not check():
            if loop.time() > deadline:
                raise AssertionError("timed out waiting on the Socket Mode client")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), 0.2)
        return check()

    async def send(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """One envelope; returns the client's ack."""
        envelope_id = f"env-{next(_envelopes)}"
        assert self._socket is not None and not self._socket.closed
        await self._socket.send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
        return await self.wait_for(lambda: self.acks.get(envelope_id))

    def drop(self) -> None:
        """The connection vanishes without a close frame, as a network failure would."""
        assert self._socket is not None
        transport = self._socket._req.transport if self._socket._req else None  # noqa: SLF001
        assert transport is not None
        transport.abort()


_envelopes = itertools.count(1)


class CuttableProxy:
    """A TCP hop to a real server that a test can cut (every connection dropped, new ones
    refused) and restore: a database that is unreachable for a moment."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.down = False
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def cut(self) -> None:
        self.down = True
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    def restore(self) -> None:
        self.down = False

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.down:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update((writer, up_writer))
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        finally:
            self._writers.discard(writer)
            writer.transport.abort()


@dataclass
class RescueCall:
    page: str
    http_method: str
    params: dict[str, str]
    query: str


@dataclass
class FakeRescue(FakeServer):
    """Rescue's API pages under /API/. Answers per authcode; can delay, fail or reset."""

    answers: dict[str, str] = field(default_factory=dict)  # authcode -> body, or a fault name
    delay: float = 0.0
    calls: list[RescueCall] = field(default_factory=list)
    accounts: dict[str, tuple[str, str]] = field(default_factory=dict)  # email -> (pwd, authcode)
    sso: dict[str, str] = field(default_factory=dict)  # ssoid -> authcode
    sso_company: str = "4242"
    sso_password: str = "sso-global-secret"
    # requestLensPINCode_v4: authcode -> the SMS_RESULT token after a PIN (None: no such line)
    sms_results: dict[str, str | None] = field(default_factory=dict)
    # Run with a PIN request's parameters before it is answered (a session that starts fast).
    before_answer: Callable[[dict[str, str]], Awaitable[None]] | None = None

    def __post_init__(self) -> None:
        FakeServer.__init__(self)
        self._pins = itertools.count(100001)
        for page in (
            "requestPINCode.aspx",
            "requestLensPINCode.aspx",
            "requestLensPINCode_v4.aspx",
            "requestAuthCode.aspx",
            "requestAuthCodeSSO.aspx",
        ):
            self.app.router.add_route("*", f"/API/{page}", self._page)

    def api_url(self) -> str:
        return self.url + "/API/"

    def pin_calls(self) -> list[RescueCall]:
        return [c for c in self.calls if "PINCode" in c.page]

    def session(self, session_id: str, call: int = -1, **values: Any) -> RescueSession:
        """The session that PIN request `call` (the latest by default) leads to, with the
        fields it set, as Rescue will post them back."""
        return RescueSession.of_call(self.pin_calls()[call].params, session_id, **values)

    async def post_session(
        self, url: str, session: RescueSession, *, end: bool = False, xml: bool = False
    ) -> int:
        """Rescue's Post-to-URL: the session's start (or end) to `url`, as a form or XML."""
        return await post_session(url, session, end=end, xml=xml)

    async def _page(self, request: web.Request) -> web.StreamResponse:
        page = request.path.rsplit("/", 1)[1]
        params = dict(parse_qsl(request.query_string, keep_blank_values=True))
        if request.method == "POST":
            params.update(parse_qsl(await request.text(), keep_blank_values=True))
        self.calls.append(RescueCall(page, request.method, params, request.query_string))
        if self.before_answer is not None and "PINCode" in page:
            await self.before_answer(params)
        if self.delay:
            await asyncio.sleep(self.delay)
        if page == "requestAuthCode.aspx":
            account = self.accounts.get(params.get("email", ""))
            if account is None or account[0] != params.get("pwd"):
                return web.Response(text="INVALID")
            return web.Response(text=f"OK AUTHCODE:{account[1]}")
        if page == "requestAuthCodeSSO.aspx":
            if params.get("company") != self.sso_company:
                return web.Response(text="INVALIDPARAM_COMPANY")
            code = self.sso.get(params.get("ssoid", ""))
            if code is None or params.get("pwd") != self.sso_password:
                return web.Response(text="INVALID")
            return web.Response(text=f"OK AUTHCODE:{code}")
        answer = self.answers.get(params.get("authcode", ""), "")
        if answer == "reset":
            assert request.transport is not None
            request.transport.abort()
            return web.Response()
        if answer == "http500":
            return web.Response(status=500, text="Server Error")
        if answer == "html":
            return web.Response(
                text="<!DOCTYPE html><html><body>Maintenance</body></html>",
                content_type="text/html",
            )
        if answer.startswith("sleep:"):
            await asyncio.sleep(float(answer.split(":", 1)[1]))
            answer = ""
        if not answer:
            answer = f"OK PINCODE:{next(self._pins):06d}"[:17]
        if page == "requestLensPINCode_v4.aspx" and answer.startswith("OK"):
            authcode = params.get("authcode", "")
            sms = self.sms_results.get(authcode, "sendInvitationForMobileSession_OK")
            if sms is not None:
                answer = f"{answer}\r\nSMS_RESULT: {sms}"
        return web.Response(text=answer)
