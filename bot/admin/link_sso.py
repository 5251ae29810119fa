"""`python -m bot link-sso`: every member of the workspace (or of each workspace of an
org-wide install's organisation), or those named, linked by Rescue SSO."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.admin.verbs import Failure, slack_user_id
from bot.config import Settings

if TYPE_CHECKING:
    from bot.runtime import Runtime


async def link_sso(args: argparse.Namespace, settings: Settings) -> int:
    from bot.admin.installation import slack_as
    from bot.installs import request_token
    from bot.linking import link as linking
    from bot.runtime import Runtime

    if not settings.sso_enabled:
        raise Failure("set RESCUE_SSO_COMPANY_ID and RESCUE_SSO_PASSWORD to link by SSO")
    wanted = [slack_user_id(u) for u in args.users]
    runtime = await Runtime.start(settings)
    try:
        found = await slack_as(settings, runtime.store, args.team, args.enterprise)
        scope = request_token.set(found.token)  # every call of this command: that token
        try:
            if wanted:
                members = await linking.members(runtime, wanted)
            elif found.org_wide and found.enterprise_id:
                # An org-wide token lists users one workspace at a time (users.list's team_id).
                teams = [args.team] if args.team else await _org_teams(runtime, found.enterprise_id)
                members = await linking.org_members(runtime, teams)
            else:
                members = await linking.members(runtime, [])
            done = await linking.link_members_by_sso(runtime, found.owner, members, args.relink)
        finally:
            request_token.reset(scope)
    except linking.MembersUnlisted as error:
        raise Failure(f"Slack refused users.list ({error})") from None
    finally:
        await runtime.stop()
    print(
        f"Linked {len(done.linked)}; already linked {len(done.skipped)};"
        f" not linked {len(done.refused)}."
    )
    for user_id in done.linked:
        print(f"  linked      {user_id}")
    for user_id, reason in done.refused:
        print(f"  not linked  {user_id}: {reason}")
    return 0 if not done.refused else 3


async def _org_teams(runtime: Runtime, enterprise_id: str) -> list[str]:
    """The organisation's workspaces (auth.teams.list), kept in the database as well."""
    from bot.runtime import OrgTeamsUnavailable

    try:
        teams = await runtime.org_teams(enterprise_id)
    except OrgTeamsUnavailable as error:
        raise Failure(f"Slack refused auth.teams.list ({error})") from None
    await runtime.store.owners.note_workspaces(enterprise_id, teams)
    return sorted(teams)
