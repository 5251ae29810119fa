"""The OAuth installation and state stores on SQLite and PostgreSQL: tokens encrypted at rest,
org-wide installs found from any of the organisation's workspaces, states used once."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from sqlalchemy import text

from bot.crypto import Cipher
from bot.installs.owners import Forgotten
from bot.installs.states import DatabaseOAuthStateStore
from bot.installs.store import DatabaseInstallationStore
from bot.store import Store
from tests.support import tables
from tests.support.settings import driver_url

OAUTH_BOT_TOKEN = "xoxb-9001-workspace-bot-token-at-rest"
OAUTH_REFRESH_TOKEN = "xoxe-1-refresh-token-at-rest-4242"
OAUTH_USER_TOKEN = "xoxp-9001-installer-user-token-at-rest"
OAUTH_ORG_BOT_TOKEN = "xoxb-e100-org-wide-bot-token-at-rest"


@pytest.fixture
async def keys() -> list[str]:
    return [Fernet.generate_key().decode()]


@pytest.fixture
async def store(database_url: str, keys: list[str]) -> AsyncIterator[Store]:
    opened = await Store.open(driver_url(database_url), Cipher(keys))
    yield opened
    await opened.close()


def workspace_install(**extra: object) -> Installation:
    values: dict[str, object] = {
        "app_id": "A1",
        "enterprise_id": None,
        "team_id": "T1",
        "team_name": "Acme",
        "bot_token": OAUTH_BOT_TOKEN,
        "bot_id": "B1",
        "bot_user_id": "UBOT",
        "bot_scopes": "commands,chat:write",
        "user_id": "UADMIN",
        "user_token": OAUTH_USER_TOKEN,
        **extra,
    }
    return Installation(**values)  # type: ignore[arg-type]


def org_install() -> Installation:
    return Installation(
        app_id="A1",
        enterprise_id="E1",
        enterprise_name="Acme Group",
        team_id=None,
        bot_token=OAUTH_ORG_BOT_TOKEN,
        bot_id="B2",
        bot_user_id="W0BOT",
        bot_scopes="commands",
        user_id="W0ADMIN",
        is_enterprise_install=True,
    )


async def dump(store: Store, table: str) -> str:
    async with store.engine.connect() as connection:
        rows = (await connection.execute(text(f"SELECT * FROM {table}"))).all()  # noqa: S608
    return "\n".join(" ".join(str(v) for v in row) for row in rows)


async def test_a_workspace_installation_round_trips_with_its_tokens_encrypted(
    store: Store, keys: list[str]
) -> None:
    installs = DatabaseInstallationStore(store.database, Cipher(keys))
    await installs.async_save(
        workspace_install(bot_refresh_token=OAUTH_REFRESH_TOKEN, bot_token_expires_in=43200)
    )
    found = await installs.async_find_installation(enterprise_id=None, team_id="T1")
    assert found is not None
    assert (found.bot_token, found.bot_refresh_token) == (OAUTH_BOT_TOKEN, OAUTH_REFRESH_TOKEN)
    assert found.user_token == OAUTH_USER_TOKEN
    assert found.bot_scopes == ["commands", "chat:write"]
    assert found.bot_token_expires_at is not None and found.bot_token_expires_at > time.time()
    bot = await installs.async_find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and bot.bot_token == OAUTH_BOT_TOKEN
    stored = await dump(store, "installations")
    for secret in (OAUTH_BOT_TOKEN, OAUTH_REFRESH_TOKEN, OAUTH_USER_TOKEN):
        assert secret not in stored
    # Another workspace has no installation; another user is not the installer.
    assert await installs.async_find_installation(enterprise_id=None, team_id="T2") is None
    assert (
        await installs.async_find_installation(enterprise_id=None, team_id="T1", user_id="U2")
    ) is None


async def test_an_org_wide_install_serves_every_workspace_of_the_organisation(
    store: Store, keys: list[str]
) -> None:
    installs = DatabaseInstallationStore(store.database, Cipher(keys))
    await installs.async_save(org_install())
    for team in ("T10", "T11", None):
        found = await installs.async_find_installation(
            enterprise_id="E1", team_id=team, is_enterprise_install=True
        )
        assert found is not None and found.bot_token == OAUTH_ORG_BOT_TOKEN
        assert found.is_enterprise_install and found.team_id is None
    # A workspace-level request in that organisation is not the org-wide installation's.
    assert (
        await installs.async_find_installation(
            enterprise_id="E1", team_id="T10", is_enterprise_install=False
        )
        is None
    )
    [info] = await installs.listing()
    assert (info.owner, info.org_wide, info.name, info.rotating) == (
        "E1",
        True,
        "Acme Group",
        False,
    )
    assert OAUTH_ORG_BOT_TOKEN not in repr(info)


async def test_a_reinstall_replaces_the_tokens_and_rotation_saves_the_bot(
    store: Store, keys: list[str]
) -> None:
    installs = DatabaseInstallationStore(store.database, Cipher(keys))
    await installs.async_save(workspace_install())
    await installs.async_save(workspace_install(bot_token="xoxb-9001-reinstalled-token-000"))
    found = await installs.async_find_installation(enterprise_id=None, team_id="T1")
    assert found is not None and found.bot_token == "xoxb-9001-reinstalled-token-000"
    await installs.async_save_bot(
        Bot(
            team_id="T1",
            bot_token="xoxb-9001-rotated-token-0000",
            bot_id="B1",
            bot_user_id="UBOT",
            bot_refresh_token="xoxe-1-rotated-refresh-0000",
            bot_token_expires_in=43200,
            installed_at=time.time(),
        )
    )
    bot = await installs.async_find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None
    assert (bot.bot_token, bot.bot_refresh_token) == (
        "xoxb-9001-rotated-token-0000",
        "xoxe-1-rotated-refresh-0000",
    )
    assert len(await installs.listing()) == 1


async def test_uninstall_and_revocation_delete_the_tokens(store: Store, keys: list[str]) -> None:
    installs = DatabaseInstallationStore(store.database, Cipher(keys))
    await installs.async_save(workspace_install())
    await installs.async_save(org_install())
    # The installer's user token revoked: the bot keeps working.
    await installs.async_delete_installation(enterprise_id=None, team_id="T1", user_id="UADMIN")
    found = await installs.async_find_installation(enterprise_id=None, team_id="T1")
    assert found is not None and found.user_token is None and found.bot_token == OAUTH_BOT_TOKEN
    await installs.async_delete_all(enterprise_id=None, team_id="T1")
    assert await installs.async_find_installation(enterprise_id=None, team_id="T1") is None
    assert await installs.delete_owner("E1") is True
    assert await installs.listing() == []
    assert await dump(store, "installations") == ""


async def test_rotate_key_re_encrypts_the_tokens(store: Store, keys: list[str]) -> None:
    await DatabaseInstallationStore(store.database, Cipher(keys)).async_save(
        workspace_install(bot_refresh_token=OAUTH_REFRESH_TOKEN)
    )
    new_keys = [Fernet.generate_key().decode(), *keys]
    assert await DatabaseInstallationStore(store.database, Cipher(new_keys)).rotate_key() == 1
    # Only the new key is needed now.
    found = await DatabaseInstallationStore(
        store.database, Cipher(new_keys[:1])
    ).async_find_installation(enterprise_id=None, team_id="T1")
    assert found is not None
    assert (found.bot_token, found.bot_refresh_token) == (OAUTH_BOT_TOKEN, OAUTH_REFRESH_TOKEN)


async def test_a_state_is_good_once_and_only_before_it_expires(store: Store) -> None:
    states = DatabaseOAuthStateStore(store.database, expiration_seconds=600)
    state = await states.async_issue()
    assert state not in await dump(store, "oauth_states")  # only its hash is kept
    assert await states.async_consume(state) is True
    assert await states.async_consume(state) is False
    assert await states.async_consume("not-a-state-we-issued") is False
    assert await states.async_consume("") is False
    expired = DatabaseOAuthStateStore(store.database, expiration_seconds=-1)
    assert await expired.async_consume(await expired.async_issue()) is False


async def test_forget_deletes_the_owners_secrets_and_keeps_an_audit_row(
    store: Store, keys: list[str]
) -> None:
    installs = DatabaseInstallationStore(store.database, Cipher(keys))
    await installs.async_save(org_install())
    await store.link("E1", "W1", "authcode-of-w1-0001", "cli")
    await store.link("T9", "U9", "authcode-elsewhere-9", "cli")
    await store.retries.save("E1", "W1", "rescue", None, {"cfield0": "x"}, timedelta(minutes=5))
    gone = await store.owners.forget_installation("E1", "app_uninstalled")
    assert gone == Forgotten(installation=True, links=1, retries=1)
    assert await installs.listing() == []
    assert [link.team_id for link in await store.links()] == ["T9"]
    [row] = await store.audit_rows(team_id="E1")
    assert (row.action, row.outcome) == ("app_uninstalled", "secrets_deleted")


async def test_a_workspace_adopted_by_its_organisation_keeps_its_links(store: Store) -> None:
    await store.link("T1", "W1", "authcode-of-w1-0001", "cli")
    await store.link("T1", "W2", "authcode-team-w2-02", "cli")
    await store.link("E1", "W2", "authcode-org-w2-002", "cli")  # linked again since: kept
    await store.add_audit(team_id="T1", user_id="W1", action="request", kind="rescue", outcome="ok")
    assert await store.owners.adopt_workspace("T1", "E1") == 1
    assert await store.authcode("E1", "W1") == "authcode-of-w1-0001"
    assert await store.authcode("E1", "W2") == "authcode-org-w2-002"
    assert await store.links("T1") == []
    assert [r.user_id for r in await store.audit_rows(team_id="E1")] == ["W1"]
    assert await store.owners.adopt_workspace("T1", "E1") == 0


async def test_an_organisations_uninstall_finds_its_workspaces_in_the_database(
    store: Store, keys: list[str]
) -> None:
    installs = DatabaseInstallationStore(store.database, Cipher(keys))
    await installs.async_save(org_install())
    # T2 has an installation of its own in the organisation: noted as the organisation's,
    # and its rows stay while that installation does.
    await installs.async_save(workspace_install(enterprise_id="E1", team_id="T2"))
    await store.owners.note_workspaces("E1", ["T1", "T2"])
    await store.owners.note_workspaces("E1", ["T1"])  # again, as another process might
    assert await store.owners.organisation("T1") == "E1"
    assert await store.owners.organisation("T9") is None
    for team, user in (("E1", "W1"), ("T1", "W2"), ("T2", "W3"), ("T9", "U9")):
        await store.link(team, user, f"authcode-{team}-{user}-0001", "cli")
        await tables.leave_traces(store, team, user, f"https://hooks.example/{team}")
    gone = await store.owners.forget_installation("E1", "app_uninstalled")
    assert gone == Forgotten(installation=True, links=2, retries=2)
    for table in ("links", "retries", "in_flight", "step_runs", "rescue_sessions", "shares"):
        assert await tables.owners_in(store, table) == ["T2", "T9"], table
    assert await tables.owners_in(store, "installations") == ["T2"]
    assert await tables.org_workspaces(store) == []


async def test_too_many_unused_states_push_out_the_oldest_and_expired_ones_are_purged(
    store: Store,
) -> None:
    states = DatabaseOAuthStateStore(store.database, expiration_seconds=600, kept=3)
    issued = [await states.async_issue() for _ in range(5)]
    assert len((await dump(store, "oauth_states")).splitlines()) == 3
    assert await states.async_consume(issued[0]) is False  # the oldest went first
    assert await states.async_consume(issued[-1]) is True
    stale = DatabaseOAuthStateStore(store.database, expiration_seconds=-1)

    async def kept() -> int:
        return len((await dump(store, "oauth_states")).splitlines())

    await stale.async_issue()  # one nobody came back with in time
    assert await kept() == 3
    await store.purge_audit(timedelta(days=90))  # the hourly retention purge
    assert await kept() == 2
    await stale.async_issue()
    assert await states.async_consume(issued[-2]) is True  # the expired one went with it
    assert await kept() == 1
