"""Installations of the app (OAuth), in the app's own database (OAuth state: states.py).

slack_sdk's stock SQLAlchemy stores keep bot and refresh tokens in plain text; these keep
every token encrypted with the same key ring as authcodes (`rotate-key` re-encrypts them),
and keep only a hash of each OAuth state. One row per installation: a workspace, or on an
Enterprise Grid org-wide install the organisation (`owner` is its team or enterprise ID).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from bot.crypto import Cipher
from bot.installs.owners import note_workspaces
from bot.logs import get_logger, register_secrets
from bot.storage.database import Database
from bot.storage.schema import installations

log = get_logger(__name__)

_SECRET_COLUMNS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")


def owner_of(enterprise_id: str | None, team_id: str | None, org_wide: bool | None) -> str | None:
    """Whose installation serves a request: the organisation's when org-wide, else the team's."""
    if org_wide or team_id is None:
        return enterprise_id
    return team_id


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class InstallationInfo:
    """What `python -m bot installations` shows: never a token."""

    owner: str
    enterprise_id: str | None
    team_id: str | None
    org_wide: bool
    name: str | None
    installed_at: datetime
    installer: str | None
    rotating: bool  # token rotation on: a refresh token is kept
    bot_token_expires_at: int | None


class DatabaseInstallationStore(AsyncInstallationStore):
    """Bolt's installation store over the app's database, tokens encrypted at rest."""

    def __init__(self, database: Database, cipher: Cipher) -> None:
        self._db = database
        self._cipher = cipher
        self._logger = logging.getLogger("bot.installs.store")

    @property
    def logger(self) -> logging.Logger:
        return self._logger

    def _seal(self, value: str | None) -> str | None:
        return None if value is None else self._cipher.encrypt(value)

    def _open(self, value: str | None) -> str | None:
        if value is None:
            return None
        plain = self._cipher.decrypt(value)
        register_secrets([plain])  # scrubbed from any log line from now on
        return plain

    # Saving

    async def async_save(self, installation: Installation) -> None:
        owner = owner_of(
            installation.enterprise_id, installation.team_id, installation.is_enterprise_install
        )
        if owner is None:
            raise ValueError("an installation without a team or an enterprise")
        register_secrets(getattr(installation, name) for name in _SECRET_COLUMNS)
        row = {
            "enterprise_id": installation.enterprise_id,
            "team_id": None if installation.is_enterprise_install else installation.team_id,
            "is_enterprise_install": bool(installation.is_enterprise_install),
            "app_id": installation.app_id,
            "enterprise_name": installation.enterprise_name,
            "enterprise_url": installation.enterprise_url,
            "team_name": installation.team_name,
            "bot_id": installation.bot_id,
            "bot_user_id": installation.bot_user_id,
            "bot_scopes": ",".join(installation.bot_scopes or ()),
            "bot_token": self._seal(installation.bot_token),
            "bot_refresh_token": self._seal(installation.bot_refresh_token),
            "bot_token_expires_at": installation.bot_token_expires_at,
            "user_id": installation.user_id,
            "user_token": self._seal(installation.user_token),
            "user_refresh_token": self._seal(installation.user_refresh_token),
            "user_token_expires_at": installation.user_token_expires_at,
            "user_scopes": ",".join(installation.user_scopes or ()),
            "token_type": installation.token_type,
            "installed_at": datetime.fromtimestamp(installation.installed_at, UTC),
        }

        def work(tx: Connection) -> None:
            key = installations.c.owner == owner
            if tx.execute(update(installations).where(key).values(**row)).rowcount == 0:
                tx.execute(insert(installations).values(owner=owner, **row))
            enterprise, team = installation.enterprise_id, row["team_id"]
            if enterprise and isinstance(team, str):  # a Grid workspace's own install
                note_workspaces(tx, enterprise, [team])

        await self._db.write(work)
        log.info("installation_saved", owner=owner, org_wide=row["is_enterprise_install"])

    async def async_save_bot(self, bot: Bot) -> None:
        """A rotated bot token (Bolt's bot-only path): only the bot's columns change."""
        owner = owner_of(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        register_secrets([bot.bot_token, bot.bot_refresh_token])
        values = {
            "bot_id": bot.bot_id,
            "bot_user_id": bot.bot_user_id,
            "bot_scopes": ",".join(bot.bot_scopes or ()),
            "bot_token": self._seal(bot.bot_token),
            "bot_refresh_token": self._seal(bot.bot_refresh_token),
            "bot_token_expires_at": bot.bot_token_expires_at,
        }
        await self._db.write(
            lambda tx: tx.execute(
                update(installations).where(installations.c.owner == owner).values(**values)
            )
        )

    # Finding

    async def _row(self, owner: str | None) -> Any:
        if owner is None:
            return None
        return await self._db.read(
            lambda connection: connection.execute(
                select(installations).where(installations.c.owner == owner)
            ).first()
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        row = await self._row(owner_of(enterprise_id, team_id, is_enterprise_install))
        if row is None or (user_id is not None and row.user_id != user_id):
            # Only the installer has user tokens here; other users have no installation.
            return None
        return Installation(
            **self._bot_fields(row),
            enterprise_url=row.enterprise_url,
            bot_token=self._open(row.bot_token),
            bot_id=row.bot_id,
            bot_user_id=row.bot_user_id,
            user_id=row.user_id or "",
            user_token=self._open(row.user_token),
            user_scopes=row.user_scopes or "",
            user_refresh_token=self._open(row.user_refresh_token),
            user_token_expires_at=row.user_token_expires_at,
            token_type=row.token_type,
        )

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        row = await self._row(owner_of(enterprise_id, team_id, is_enterprise_install))
        if row is None or row.bot_token is None:
            return None
        return Bot(
            **self._bot_fields(row),
            bot_token=self._open(row.bot_token) or "",
            bot_id=row.bot_id or "",
            bot_user_id=row.bot_user_id or "",
        )

    def _bot_fields(self, row: Any) -> dict[str, Any]:
        """What an Installation and a Bot say alike about the installation and its bot."""
        return {
            "app_id": row.app_id,
            "enterprise_id": row.enterprise_id,
            "enterprise_name": row.enterprise_name,
            "team_id": row.team_id,
            "team_name": row.team_name,
            "bot_scopes": row.bot_scopes or "",
            "bot_refresh_token": self._open(row.bot_refresh_token),
            "bot_token_expires_at": row.bot_token_expires_at,
            "is_enterprise_install": row.is_enterprise_install,
            "installed_at": _utc(row.installed_at).timestamp(),
        }

    # Deleting (uninstall, revoked tokens)

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.delete_owner(owner_of(enterprise_id, team_id, team_id is None))

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        owner = owner_of(enterprise_id, team_id, team_id is None)
        if user_id is None:
            await self.delete_owner(owner)
            return
        # One user's tokens revoked: only the installer's user token is kept here.
        await self._db.write(
            lambda tx: tx.execute(
                update(installations)
                .where(installations.c.owner == owner, installations.c.user_id == user_id)
                .values(user_token=None, user_refresh_token=None, user_token_expires_at=None)
            )
        )

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.delete_owner(owner_of(enterprise_id, team_id, team_id is None))

    async def delete_owner(self, owner: str | None) -> bool:
        """Forget an installation and every token it had; True when there was one."""
        if owner is None:
            return False
        gone = await self._db.write(
            lambda tx: tx.execute(delete(installations).where(installations.c.owner == owner))
        )
        return bool(gone.rowcount)

    # Admin

    async def listing(self) -> list[InstallationInfo]:
        query = select(
            installations.c.owner,
            installations.c.enterprise_id,
            installations.c.team_id,
            installations.c.is_enterprise_install,
            installations.c.enterprise_name,
            installations.c.team_name,
            installations.c.installed_at,
            installations.c.user_id,
            installations.c.bot_refresh_token.is_not(None).label("rotating"),
            installations.c.bot_token_expires_at,
        ).order_by(installations.c.owner)
        rows = await self._db.read(lambda connection: connection.execute(query).all())
        return [
            InstallationInfo(
                owner=r.owner,
                enterprise_id=r.enterprise_id,
                team_id=r.team_id,
                org_wide=bool(r.is_enterprise_install),
                name=(r.enterprise_name if r.is_enterprise_install else r.team_name),
                installed_at=_utc(r.installed_at),
                installer=r.user_id,
                rotating=bool(r.rotating),
                bot_token_expires_at=r.bot_token_expires_at,
            )
            for r in rows
        ]

    async def rotate_key(self) -> int:
        """Re-encrypt every stored token with the first key; returns how many installations."""

        def work(tx: Connection) -> int:
            rows = tx.execute(
                select(installations.c.owner, *(installations.c[n] for n in _SECRET_COLUMNS))
            ).all()
            for row in rows:
                values = {
                    name: self._cipher.rotate(getattr(row, name))
                    for name in _SECRET_COLUMNS
                    if getattr(row, name) is not None
                }
                if values:
                    tx.execute(
                        update(installations)
                        .where(installations.c.owner == row.owner)
                        .values(**values)
                    )
            return len(rows)

        return await self._db.write(work)
