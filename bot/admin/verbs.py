"""What each admin verb does (link, unlink, users, migrate, check, audit, rotate-key,
installations, genkey; link-sso and forget have modules of their own): `bot/cli.py` parses the
command line and runs one of them. Each verb opens the store through `open_store` and fails
with a one-line `Failure`."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.config import Settings

if TYPE_CHECKING:
    from bot.store import Store


class Failure(Exception):
    """A one-line reason; the command exits 1 with it."""


def _stdin_secret(prompt: str) -> str:
    # Never argv: ps and shell history keep it. Never echoed on a terminal.
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().strip()


@asynccontextmanager
async def open_store(settings: Settings) -> AsyncIterator[Store]:
    """The store for one verb, closed when the verb is done with it."""
    store = await _open(settings)
    try:
        yield store
    finally:
        await store.close()


async def _open(settings: Settings) -> Store:
    from bot.crypto import CryptoError, load_cipher
    from bot.storage.migrate import SchemaBehind
    from bot.store import Store

    try:
        cipher, created = load_cipher(settings.encryption_key, settings.sqlite_path)
    except CryptoError as error:
        raise Failure(str(error)) from None
    if created:
        print(
            f"Created the encryption key file {created} (mode 0600): back it up.", file=sys.stderr
        )
    try:
        return await Store.open(settings.sqlalchemy_url, cipher)
    except SchemaBehind as error:
        raise Failure(str(error)) from None
    except Exception as error:  # any driver error: its kind, never the URL (it has a password)
        raise Failure(f"cannot open the database ({type(error).__name__})") from None


async def migrate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.storage import migrate as schema
    from bot.storage.engines import create_engine

    engine = create_engine(settings.sqlalchemy_url)
    try:
        before, after = await schema.upgrade(engine)
    except Exception as error:  # never the URL: it may hold a password
        raise Failure(f"migration failed ({type(error).__name__}); nothing was changed") from None
    finally:
        await engine.dispose()
    if before == after:
        print(f"The database schema is already at {after}.")
    else:
        print(f"Migrated the database schema from {before or 'nothing'} to {after}.")
    return 0


async def _owner(args: argparse.Namespace, settings: Settings, store: Store) -> str:
    """The key a link is kept under: `--team`/`--enterprise`, else the installation's
    (SLACK_BOT_TOKEN's, asked with auth.test, or the one stored OAuth installation)."""
    from bot.admin.installation import slack_as

    given: str | None = args.team or args.enterprise
    if given:
        return given
    found = await slack_as(settings, store)
    if found.enterprise_id and not found.org_wide:
        # A Grid workspace's own token: its links are the organisation's to delete on an
        # org-wide uninstall.
        await store.owners.note_workspaces(found.enterprise_id, [found.owner])
    return found.owner


def slack_user_id(raw: str) -> str:
    if not raw or not raw.isalnum() or raw[0] not in "UW":
        raise Failure(f"{raw!r} is not a Slack user ID (they look like U0123ABCD)")
    return raw


async def link(args: argparse.Namespace, settings: Settings) -> int:
    from bot.storage.schema import Method

    user = slack_user_id(args.user)
    authcode = _stdin_secret("Authcode (not shown): ")
    if not authcode:
        raise Failure("no authcode on standard input")
    async with open_store(settings) as store:
        team = await _owner(args, settings, store)
        await store.link(team, user, authcode, Method.CLI, by="cli")
    print(f"Linked {user} in {team}.")
    return 0


async def unlink(args: argparse.Namespace, settings: Settings) -> int:
    user = slack_user_id(args.user)
    async with open_store(settings) as store:
        team = await _owner(args, settings, store)
        gone = await store.unlink(team, user)
    print(f"Unlinked {user} in {team}." if gone else f"{user} in {team} was not linked.")
    return 0 if gone else 1


def _when(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


async def users(args: argparse.Namespace, settings: Settings) -> int:
    async with open_store(settings) as store:
        rows = await store.links(args.team)
    if not rows:
        print("No linked users.")
        return 0
    header = ("TEAM", "USER", "LINKED", "HOW", "LAST USED", "LAST OUTCOME")
    table = [header] + [
        (
            r.team_id,
            r.user_id,
            _when(r.linked_at),
            r.method,
            _when(r.last_used_at),
            r.last_outcome or "-",
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    return 0


async def audit(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime

    from bot.audit import export as trail

    try:
        since = datetime.fromisoformat(args.since)
    except ValueError:
        raise Failure(f"--since {args.since!r} is not a date (YYYY-MM-DD)") from None
    since = since if since.tzinfo else since.replace(tzinfo=UTC)
    async with open_store(settings) as store:
        rows = list(reversed(await store.audit_rows(since=since, user_id=args.user)))
    sys.stdout.write(trail.to_csv(rows) if args.format == "csv" else trail.to_json(rows))
    return 0


async def rotate_key(args: argparse.Namespace, settings: Settings) -> int:
    from bot.crypto import CryptoError, load_cipher
    from bot.installs.store import DatabaseInstallationStore

    async with open_store(settings) as store:
        try:
            count = await store.rotate_key()
            cipher, _ = load_cipher(settings.encryption_key, settings.sqlite_path)
            installs = await DatabaseInstallationStore(store.database, cipher).rotate_key()
        except CryptoError as error:
            raise Failure(str(error)) from None
    print(
        f"Re-encrypted {count} authcode(s) and the tokens of {installs} installation(s) "
        "with the first key of ENCRYPTION_KEY."
    )
    return 0


async def installations(args: argparse.Namespace, settings: Settings) -> int:
    from bot.crypto import load_cipher
    from bot.installs.store import DatabaseInstallationStore

    async with open_store(settings) as store:
        cipher, _ = load_cipher(settings.encryption_key, settings.sqlite_path)
        found = await DatabaseInstallationStore(store.database, cipher).listing()
    if not found:
        print(
            "No OAuth installations."
            if settings.oauth_enabled
            else "No OAuth installations "
            "(this app runs with SLACK_BOT_TOKEN; set SLACK_CLIENT_ID/SECRET for OAuth)."
        )
        return 0
    print("owner\tkind\tname\tinstalled_at\tinstaller\ttoken_rotation\ttoken_expires_at")
    for info in found:
        expires = (
            datetime.fromtimestamp(info.bot_token_expires_at, UTC).isoformat()
            if info.bot_token_expires_at
            else "-"
        )
        print(
            "\t".join(
                (
                    info.owner,
                    "organisation" if info.org_wide else "workspace",
                    info.name or "-",
                    info.installed_at.isoformat(timespec="seconds"),
                    info.installer or "-",
                    "on" if info.rotating else "off",
                    expires,
                )
            )
        )
    return 0


async def check(args: argparse.Namespace, settings: Settings) -> int:
    from bot.admin.installation import client, slack_as
    from bot.slack.calls import call

    async with open_store(settings) as store:
        reachable = await store.ping()
        if not reachable:
            raise Failure("the database is not reachable")
        # Slack is asked only about the installation named: the bot token's, or a stored one.
        found = (
            await slack_as(settings, store, args.team, args.enterprise)
            if (args.team or args.enterprise)
            else None
        )
    print("Settings OK; the database is reachable.")
    if found is None:
        return 0
    if not found.asked:
        answer = await call(client(settings, found.token), "auth.test")
        if not answer.ok:
            raise Failure(f"Slack refused the bot token of {found.name} ({answer.error})")
    print(f"Slack accepts the bot token of {found.name}.")
    return 0


async def genkey(args: argparse.Namespace, settings: Settings) -> int:
    from cryptography.fernet import Fernet

    print(Fernet.generate_key().decode())
    return 0
