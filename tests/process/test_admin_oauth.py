"""The admin verbs with OAuth installations and no SLACK_BOT_TOKEN, as real processes: they
speak to Slack with the stored token of the installation `--team`/`--enterprise` names;
link-sso on an org-wide install goes through every workspace of the organisation; a missing
or ambiguous installation is one line naming the choices; no token is ever printed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store.models.installation import Installation

from bot.crypto import Cipher
from bot.installs.store import DatabaseInstallationStore
from bot.store import Store
from tests.support import sweep
from tests.support.fakes import FakeRescue, FakeSlack
from tests.support.processes import run_bot
from tests.support.settings import driver_url

ORG = "E0ADMIN"
WORKSPACES = ["T0ADMINA", "T0ADMINB"]
SOLO = "T0SOLO"
ORG_OAUTH_TOKEN = "xoxb-org-admin-oauth-token-5555"
SOLO_OAUTH_TOKEN = "xoxb-solo-admin-oauth-token-6666"


@pytest.fixture
async def installed(
    fake_slack: FakeSlack, fake_rescue: FakeRescue, tmp_path: Path
) -> AsyncIterator[tuple[Store, dict[str, str]]]:
    """An org-wide installation of ORG and a workspace installation of SOLO, stored as the
    OAuth flow stores them; the settings of an OAuth deployment."""
    database = f"sqlite:///{tmp_path / 'admin.sqlite3'}"
    key = Fernet.generate_key().decode()
    sweep.remember(key)
    store = await Store.open(driver_url(database), Cipher([key]))
    installs = DatabaseInstallationStore(store.database, Cipher([key]))
    await installs.async_save(
        Installation(
            enterprise_id=ORG,
            enterprise_name="Acme Group",
            bot_token=ORG_OAUTH_TOKEN,
            bot_id="B1",
            user_id="W0ADMIN",
            is_enterprise_install=True,
        )
    )
    await installs.async_save(
        Installation(team_id=SOLO, team_name="Solo", bot_token=SOLO_OAUTH_TOKEN, user_id="U0")
    )
    fake_slack.identities[ORG_OAUTH_TOKEN] = {
        "enterprise_id": ORG,
        "is_enterprise_install": True,
        "user_id": "W0BOT",
    }
    fake_slack.identities[SOLO_OAUTH_TOKEN] = {"team_id": SOLO, "user_id": "U0BOT"}
    env = {
        "DATABASE_URL": database,
        "ENCRYPTION_KEY": key,
        "SLACK_CLIENT_ID": fake_slack.client_id,
        "SLACK_CLIENT_SECRET": fake_slack.client_secret,
        "SLACK_SIGNING_SECRET": "admin-oauth-signing-secret",
        "SLACK_API_URL": fake_slack.api_url(),
        "RESCUE_API_URL": fake_rescue.api_url(),
        "RESCUE_SSO_COMPANY_ID": "4242",
        "RESCUE_SSO_PASSWORD": fake_rescue.sso_password,
    }
    yield store, env
    await store.close()


async def test_link_sso_on_an_org_wide_install_links_agents_of_every_workspace(
    installed: tuple[Store, dict[str, str]],
    fake_slack: FakeSlack,
    fake_rescue: FakeRescue,
    tmp_path: Path,
) -> None:
    store, env = installed
    fake_slack.org_teams[ORG] = list(WORKSPACES)
    # W2 works in both workspaces; one member a page, so every list takes its cursor.
    fake_slack.team_members = {WORKSPACES[0]: ["W1", "W2"], WORKSPACES[1]: ["W2", "W3"]}
    fake_slack.users_page = 1
    fake_slack.emails.update({"W1": "a@acme.test", "W2": "b@acme.test", "W3": "c@acme.test"})
    fake_rescue.sso.update({"a@acme.test": "sso-a-3434", "b@acme.test": "sso-b-3535"})
    fake_rescue.sso["c@acme.test"] = "sso-c-3636"

    result = await run_bot(tmp_path, "link-sso", "--enterprise", ORG, **env)
    assert result.returncode == 0, result.stderr
    assert "Linked 3; already linked 0; not linked 0." in result.stdout
    assert [link.user_id for link in await store.links(ORG)] == ["W1", "W2", "W3"]
    assert await store.authcode(ORG, "W3") == "sso-c-3636"
    listed = [
        (c.params.get("team_id"), c.params.get("cursor")) for c in fake_slack.calls_to("users.list")
    ]
    assert listed == [
        (WORKSPACES[0], None),
        (WORKSPACES[0], "1"),
        (WORKSPACES[1], None),
        (WORKSPACES[1], "1"),
    ]
    assert {c.token for c in fake_slack.calls} == {ORG_OAUTH_TOKEN}
    # The organisation's workspaces are kept, for an uninstall.
    assert await store.owners.organisation(WORKSPACES[1]) == ORG
    said = result.stdout + result.stderr
    assert ORG_OAUTH_TOKEN not in said and fake_rescue.sso_password not in said


async def test_a_missing_or_ambiguous_installation_is_one_line_naming_the_choices(
    installed: tuple[Store, dict[str, str]], fake_slack: FakeSlack, tmp_path: Path
) -> None:
    store, env = installed
    choices = f"--enterprise {ORG} (Acme Group); --team {SOLO} (Solo)"
    ambiguous = await run_bot(tmp_path, "link-sso", **env)
    assert ambiguous.returncode == 1
    assert ambiguous.stderr.splitlines() == [f"error: 2 installations: pass one of {choices}"]
    missing = await run_bot(tmp_path, "check", "--team", "T0NOPE", **env)
    assert missing.returncode == 1
    assert missing.stderr.splitlines() == [
        f"error: no installation for --team T0NOPE; there are: {choices}"
    ]
    unlinked = await run_bot(tmp_path, "link", "U1", stdin="AUTHc0de-never-stored-37\n", **env)
    assert unlinked.returncode == 1 and "2 installations" in unlinked.stderr
    assert fake_slack.calls == []  # nothing was asked of Slack for any of them

    checked = await run_bot(tmp_path, "check", "--team", SOLO, **env)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.splitlines()[-1] == (
        f"Slack accepts the bot token of {SOLO} (workspace Solo)."
    )
    [asked] = fake_slack.calls_to("auth.test")
    assert asked.token == SOLO_OAUTH_TOKEN
    # A workspace of the org-wide install is served with the organisation's token.
    await store.owners.note_workspaces(ORG, [WORKSPACES[0]])
    fake_slack.revoked.add(ORG_OAUTH_TOKEN)
    refused = await run_bot(tmp_path, "check", "--team", WORKSPACES[0], **env)
    assert refused.returncode == 1
    # The one line an admin reads (the log says which call failed, on a line of its own).
    assert [line for line in refused.stderr.splitlines() if not line.startswith("{")] == [
        f"error: Slack refused the bot token of {ORG} (organisation Acme Group) (token_revoked)"
    ]
    said = json.dumps([checked.stdout, checked.stderr, refused.stdout, refused.stderr])
    assert ORG_OAUTH_TOKEN not in said and SOLO_OAUTH_TOKEN not in said


async def test_an_expiring_token_is_refreshed_and_kept_before_it_is_used(
    installed: tuple[Store, dict[str, str]], fake_slack: FakeSlack, tmp_path: Path
) -> None:
    import time

    store, env = installed
    refresh = "xoxe-1-admin-refresh-token-7777"
    fake_slack.rotation_seconds = 12 * 3600
    fake_slack.refreshable(refresh, {"team": {"id": SOLO, "name": "Solo"}})
    installs = DatabaseInstallationStore(store.database, Cipher([env["ENCRYPTION_KEY"]]))
    await installs.async_save(
        Installation(
            team_id=SOLO,
            team_name="Solo",
            bot_token=SOLO_OAUTH_TOKEN,
            bot_refresh_token=refresh,
            bot_token_expires_at=int(time.time()) + 60,  # within the two hours' margin
            user_id="U0",
        )
    )
    checked = await run_bot(tmp_path, "check", "--team", SOLO, **env)
    assert checked.returncode == 0, checked.stderr
    [refreshed] = fake_slack.calls_to("oauth.v2.access")
    assert refreshed.params["grant_type"] == "refresh_token"
    fresh = fake_slack.installed_token(SOLO)
    assert fresh is not None and fresh != SOLO_OAUTH_TOKEN
    assert [c.token for c in fake_slack.calls_to("auth.test")] == [fresh]
    bot = await installs.async_find_bot(enterprise_id=None, team_id=SOLO)
    assert bot is not None and bot.bot_token == fresh  # kept, encrypted, for the app
