"""The command line: serve, socket, migrate, link, unlink, users, check, audit, forget, …

Each verb's work is in `bot/admin/` (verbs.py, forget.py); here are the verbs' names,
arguments, settings mode and exit codes (0 done, 1 a `Failure`, 2 bad settings, 130
interrupted)."""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from collections.abc import Callable, Coroutine
from importlib import import_module
from typing import TYPE_CHECKING, Any

from bot.admin.forget import forget
from bot.admin.link_sso import link_sso
from bot.admin.verbs import (
    Failure,
    audit,
    check,
    genkey,
    installations,
    link,
    migrate,
    rotate_key,
    unlink,
    users,
)
from bot.config import Mode, Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from bot.bolt import Wiring

Verb = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]


def _run_server(verb: str, settings: Settings, wire: Wiring) -> int:
    """serve (HTTP) or socket (Socket Mode), until stopped."""
    from bot.storage.migrate import MigrationFailed, SchemaBehind

    # Only the one server's modules: Socket Mode's client is not loaded to serve HTTP.
    run = import_module("bot.web" if verb == "serve" else "bot.socket_mode").run
    try:
        run(settings, wire)
    except (SchemaBehind, MigrationFailed) as error:
        raise Failure(str(error)) from None
    return 0


VERBS: dict[str, tuple[Mode, Verb | None, str]] = {
    "serve": ("serve", None, "run the HTTP server on $PORT (Slack posts to /slack/events)"),
    "socket": ("socket", None, "run the same app over Socket Mode (SLACK_APP_TOKEN)"),
    "link": ("store", link, "link a Slack user to a Rescue authcode read from stdin"),
    "unlink": ("store", unlink, "forget a Slack user's authcode"),
    "users": ("store", users, "list linked users (never their authcodes)"),
    "migrate": ("store", migrate, "bring the database schema up to this version (Alembic)"),
    "check": ("serve", check, "check the settings and the database, one line per problem"),
    "link-sso": ("slack", link_sso, "link users by Rescue SSO (all members, or the IDs given)"),
    "audit": ("store", audit, "export the audit trail (PIN requests and shares)"),
    "forget": (
        "store",
        forget,
        "delete everything held about a Slack user (audit rows kept, customer fields emptied)",
    ),
    "rotate-key": (
        "store",
        rotate_key,
        "re-encrypt every authcode and installation token with the first ENCRYPTION_KEY",
    ),
    "installations": ("store", installations, "list OAuth installations (never a token)"),
    "genkey": ("store", genkey, "print a new Fernet key for ENCRYPTION_KEY"),
}


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m bot", description="Rescue PIN for Slack")
    verbs = root.add_subparsers(dest="verb", required=True, metavar="VERB")
    for name, (_, _, summary) in VERBS.items():
        verb = verbs.add_parser(name, help=summary, description=summary)
        if name in ("link", "unlink"):
            verb.add_argument("user", help="the Slack user ID, e.g. U0123ABCD")
        if name == "link-sso":
            verb.add_argument("users", nargs="*", help="Slack user IDs (default: every member)")
            verb.add_argument("--relink", action="store_true", help="also re-link linked users")
        if name == "audit":
            verb.add_argument("--since", required=True, help="first day, YYYY-MM-DD (UTC)")
            verb.add_argument("--user", help="only this Slack user ID")
            verb.add_argument("--format", choices=("csv", "json"), default="csv")
        if name == "forget":
            verb.add_argument("user", help="the Slack user ID, e.g. U0123ABCD")
            verb.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        if name == "users":
            verb.add_argument("--team", help="only this Slack team (or enterprise) ID")
        if name in ("link", "unlink", "link-sso", "check", "forget"):
            _installation_arguments(name, verb)
    return root


def _installation_arguments(name: str, verb: argparse.ArgumentParser) -> None:
    """Whose: a workspace, or an organisation (Enterprise Grid, org-wide); with OAuth (no
    SLACK_BOT_TOKEN) also whose stored token the verb speaks to Slack with."""
    default = {
        "forget": "the one where the user is known",
        "check": "Slack is not asked",
    }.get(name, "SLACK_BOT_TOKEN's, or the only OAuth installation")
    which = verb.add_mutually_exclusive_group()
    which.add_argument("--team", help=f"a Slack workspace's team ID, T… (default: {default})")
    which.add_argument("--enterprise", help="an Enterprise Grid organisation's ID, E…")


def main(wire: Wiring, argv: list[str] | None = None) -> int:
    """`python -m bot VERB …`; `wire` puts the Slack listeners on the app (handlers.register)."""
    args = parser().parse_args(argv)
    mode, verb, _ = VERBS[args.verb]
    try:
        settings = load_settings(mode)
        from bot import logs

        logs.setup(settings.log_level, settings.log_format)
        if verb is None:
            return _run_server(args.verb, settings, wire)
        gc.enable()  # off while starting (bot/__main__.py); a server turns it on once started
        return asyncio.run(verb(args, settings))
    except SettingsError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except Failure as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
