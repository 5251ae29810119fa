"""An org-wide OAuth install uninstalled after a restart, on SQLite and PostgreSQL: the process
that hears `app_uninstalled` has never served the organisation, yet nothing of it is left:
no token, no link (its workspaces' links not yet moved included), retry, guard, step run,
follow-through row or share. Another organisation's rows stay."""

from __future__ import annotations

import asyncio
from typing import Any

from cryptography.fernet import Fernet

from tests.support import tables
from tests.support.fakes import FakeRescue, FakeSlack
from tests.support.harness import Harness, running_app
from tests.support.oauth_install import install_over_http
from tests.support.slack_payloads import org_wide_event

ORG = "E0UNINST"
WORKSPACES = ["T0UNINSTA", "T0UNINSTB"]
ELSEWHERE = "T0ELSEWHERE"
ORG_AUTHCODE = "AUTHc0de-org-agent-8181"
NOT_MOVED_AUTHCODE = "AUTHc0de-not-moved-8282"
ELSEWHERE_AUTHCODE = "AUTHc0de-elsewhere-8383"


def org_wide_oauth(slack: FakeSlack, database_url: str) -> dict[str, Any]:
    """OAuth settings with one key for both runs: the restarted app reads the same tokens."""
    slack.installing = {
        "enterprise": {"id": ORG, "name": "Acme Group"},
        "is_enterprise_install": True,
        "installer": "W0ADMIN",
    }
    slack.org_teams[ORG] = list(WORKSPACES)
    return {
        "slack_bot_token": None,
        "slack_client_id": slack.client_id,
        "slack_client_secret": slack.client_secret,
        "slack_authorize_url": slack.url + "/oauth/v2/authorize",
        "encryption_key": Fernet.generate_key().decode(),
    }


async def installed_with_rows(h: Harness) -> None:
    h.slack.redirect_url = h.base_url + "/slack/oauth_redirect"
    assert await install_over_http(h.base_url) == 200
    store = h.runtime.store
    await h.link("W0AGENT", ORG_AUTHCODE, team=ORG)
    # Linked under a workspace's key before the org-wide install (`link --team`); that
    # workspace was never served since, so nothing moved it to the organisation.
    await h.link("W0LATER", NOT_MOVED_AUTHCODE, team=WORKSPACES[1])
    await h.link("UOTHER", ELSEWHERE_AUTHCODE, team=ELSEWHERE)
    await tables.leave_traces(store, ORG, "W0AGENT", h.slack.response_url("org"))
    await tables.leave_traces(store, WORKSPACES[1], "W0LATER", h.slack.response_url("ws"))
    await tables.leave_traces(store, ELSEWHERE, "UOTHER", h.slack.response_url("else"))


async def test_an_org_wide_uninstall_after_a_restart_leaves_nothing_of_the_organisation(
    fake_slack: FakeSlack, fake_rescue: FakeRescue, database_url: str
) -> None:
    settings = org_wide_oauth(fake_slack, database_url)
    async with running_app(fake_slack, fake_rescue, database_url, **settings) as first:
        await installed_with_rows(first)
    # A new process on the same database: it has served nobody, asked Slack nothing.
    async with running_app(fake_slack, fake_rescue, database_url, **settings) as h:
        teams_asked = len(fake_slack.calls_to("auth.teams.list"))
        event = org_wide_event(ORG, {"type": "app_uninstalled"}, "Ev1", is_enterprise_install=True)
        assert await h.event(event) == 200
        store = h.runtime.store
        for _ in range(100):
            if await tables.owners_in(store, "installations") == []:
                break
            await asyncio.sleep(0.05)
        for table in tables.OWNER_COLUMNS:
            left = await tables.owners_in(store, table)
            assert not set(left) & {ORG, *WORKSPACES}, (table, left)
        assert await tables.owners_in(store, "links") == [ELSEWHERE]
        assert await tables.owners_in(store, "retries") == [ELSEWHERE]
        assert await tables.org_workspaces(store) == []
        [row] = await store.audit_rows(team_id=ORG, action="app_uninstalled")
        assert row.outcome == "secrets_deleted"
        # The organisation's workspaces came from the database, not from Slack (the token
        # is gone by the time the event comes).
        assert len(fake_slack.calls_to("auth.teams.list")) == teams_asked
        held = await tables.dump(store)
    token = fake_slack.installed_token(ORG)
    assert token is not None and not any(token in rows for rows in held.values())
