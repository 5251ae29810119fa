"""`python -m bot forget SLACK_USER_ID`: everything held about a person, after a question
(`--yes` skips it). Prints what went, table by table; never a secret or a customer's data."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from bot.admin.verbs import Failure, open_store, slack_user_id
from bot.config import Settings

if TYPE_CHECKING:
    from bot.installs.people import PersonForgotten


def _confirm(user: str, owner: str) -> None:
    """Only a person at a terminal answers the question; anything else must say --yes."""
    if not sys.stdin.isatty():
        raise Failure("not forgotten: standard input is no terminal to ask on; pass --yes")
    sys.stderr.write(
        f"Forget everything held about {user} in {owner}? Their link, retries and session "
        "rows are deleted and their audit rows lose the customer fields. [y/N] "
    )
    sys.stderr.flush()
    answer = sys.stdin.readline()
    if not answer:
        raise Failure("not forgotten: no answer (end of input)")
    if answer.strip().lower() not in ("y", "yes"):
        raise Failure("not forgotten: the answer was not yes")


def report(done: PersonForgotten) -> str:
    from bot.installs.people import COUNTED

    owner, *workspaces = done.keys
    where = f"{owner} (and its workspaces {', '.join(workspaces)})" if workspaces else owner
    width = max(len(label) for _, label in COUNTED)
    lines = [f"Forgot {done.user_id} in {where}:"]
    lines += [f"  {label.ljust(width)}  {done.counts[key]}" for key, label in COUNTED]
    return "\n".join(lines)


async def forget(args: argparse.Namespace, settings: Settings) -> int:
    user = slack_user_id(args.user)
    async with open_store(settings) as store:
        owner: str | None = args.team or args.enterprise
        if owner is None:
            homes = await store.people.homes(user)
            if not homes:
                print(f"Nothing is held about {user}.")
                return 0
            if len(homes) > 1:
                choices = ", ".join(homes)
                raise Failure(f"{user} is known in {choices}: pass --team or --enterprise")
            owner = homes[0]
        if not args.yes:
            _confirm(user, owner)
        done = await store.people.forget(owner, user, "forget")
    print(report(done))
    return 0
