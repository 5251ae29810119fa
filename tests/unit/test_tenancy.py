"""Whose request it is, read from Slack's payload shapes; the organisation's workspaces cached."""

from __future__ import annotations

import pytest

from bot.installs.tenancy import Installed, OrgDirectory, installed, who_is_asking, workspace_of
from bot.slack.identity import Requester

ORG_EVENT = {
    "team_id": "T2",
    "enterprise_id": "E1",
    "event": {"type": "app_home_opened", "user": "W1"},
    "authorizations": [{"enterprise_id": "E1", "team_id": None, "is_enterprise_install": True}],
}
ORG_ACTION = {
    "type": "block_actions",
    "team": None,
    "enterprise": {"id": "E1", "name": "Acme"},
    "is_enterprise_install": True,
    "user": {"id": "W1", "team_id": "T3"},
}


def test_the_serving_installation_is_the_organisation_on_org_wide_installs() -> None:
    assert installed(ORG_EVENT, None, None) == Installed("E1", None, True)
    assert installed(ORG_ACTION, "E1", None).owner == "E1"
    command = {"team_id": "T1", "enterprise_id": "E1", "is_enterprise_install": "false"}
    # A workspace install inside a Grid organisation is the workspace's.
    assert installed(command, "E1", "T1") == Installed("E1", "T1", False)
    assert installed(command, "E1", "T1").owner == "T1"
    assert installed({"team_id": "T9"}, None, "T9").owner == "T9"


def test_the_workspace_comes_from_wherever_the_payload_keeps_it() -> None:
    assert workspace_of(ORG_EVENT) == "T2"
    assert workspace_of(ORG_ACTION) == "T3"
    assert workspace_of({"team": {"id": "T4"}}) == "T4"
    assert workspace_of({"view": {"team_id": "T5"}}) == "T5"
    assert workspace_of({}) is None


async def test_a_user_is_of_the_organisation_when_their_workspace_is() -> None:
    asked: list[str] = []

    async def teams(enterprise: str) -> set[str]:
        asked.append(enterprise)
        return {"T2", "T3"}

    directory = OrgDirectory(teams)
    moved: list[tuple[str, str]] = []

    async def move(team: str, owner: str) -> int:
        moved.append((team, owner))
        return 1

    serving = Installed("E1", None, True)
    who, foreign = await who_is_asking(ORG_ACTION, serving, directory, move)
    assert (who, foreign) == (Requester("E1", "W1", None), False)
    who, foreign = await who_is_asking(ORG_ACTION, serving, directory, move)
    assert moved == [("T3", "E1")]  # once per workspace
    stranger = {**ORG_ACTION, "user": {"id": "U7", "team_id": "TOTHER"}}
    who, foreign = await who_is_asking(stranger, serving, directory, move)
    assert foreign and who.team_id == "TOTHER"
    # One fetch: the unknown workspace does not refetch within a minute.
    assert asked == ["E1"]


async def test_workspace_installs_refuse_other_workspaces() -> None:
    serving = Installed(None, "T1", False)
    body = {"user_id": "U1", "team_id": "T1"}
    assert await who_is_asking(body, serving, None) == (Requester("T1", "U1", None), False)
    _, foreign = await who_is_asking({"user_id": "U1", "team_id": "T2"}, serving, None)
    assert foreign


async def test_slack_unreachable_keeps_what_was_known(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0

    async def teams(enterprise: str) -> set[str]:
        nonlocal calls
        calls += 1
        if calls > 1:
            raise OSError("down")
        return {"T2"}

    directory = OrgDirectory(teams)
    assert await directory.teams("E1") == {"T2"}
    monkeypatch.setattr(OrgDirectory, "FRESH_SECONDS", 0.0)
    assert await directory.teams("E1", must_include="T9") == {"T2"}
    assert calls == 2


async def test_what_slack_says_of_an_organisation_is_handed_on_to_be_kept() -> None:
    kept: list[tuple[str, set[str]]] = []

    async def teams(enterprise: str) -> set[str]:
        return {"T2", "T3"}

    async def note(enterprise: str, workspaces: object) -> None:
        kept.append((enterprise, set(workspaces)))  # type: ignore[call-overload]

    directory = OrgDirectory(teams, note)
    await directory.teams("E1")
    assert kept == [("E1", {"T2", "T3"})]
    # A Grid workspace's own install: noted once a process, from its requests.
    serving = Installed("E1", "T4", False)
    body = {"user_id": "U1", "team_id": "T4", "enterprise_id": "E1"}
    for _ in range(2):
        assert await who_is_asking(body, serving, directory) == (Requester("T4", "U1", None), False)
    assert kept[1:] == [("E1", {"T4"})]
    directory.forget("E1")
    assert directory.known("E1") == set()
