"""The audit trail: export (pure) and retention."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import timedelta

from bot.audit.store import AuditStore
from bot.logs import get_logger
from bot.storage.schema import AuditRow

log = get_logger(__name__)

COLUMNS = (
    "at",
    "team_id",
    "user_id",
    "action",
    "kind",
    "channel_id",
    "cfield0",
    "tracking0",
    "no_tech_console",
    "outcome",
    "pin",
    "delivered",
    "id",
    "ref_id",
    "request_id",  # the one its log lines carry
    # Session follow-through: Rescue's session id, the customer's wait and the session's length
    "session_id",
    "waiting_seconds",
    "length_seconds",
    "sms",  # Lens by SMS: what became of the text (never the number)
)
PURGE_EVERY_SECONDS = 3600.0


def _plain(row: AuditRow) -> dict[str, object]:
    data = asdict(row)
    data["at"] = row.at.isoformat()
    return {column: data[column] for column in COLUMNS}


# A PIN request's `delivered` is written without its own flush to disk (issue 22): after a
# crash it may be missing. Not known is not "not delivered" (False): it reads so. JSON keeps
# null, which says the same to a program.
DELIVERY_UNKNOWN = "unknown"


def to_csv(rows: Sequence[AuditRow]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        plain = {k: "" if v is None else v for k, v in _plain(row).items()}
        if row.action == "request" and row.delivered is None:
            plain["delivered"] = DELIVERY_UNKNOWN
        writer.writerow(plain)
    return out.getvalue()


def to_json(rows: Sequence[AuditRow]) -> str:
    return json.dumps([_plain(row) for row in rows], ensure_ascii=False, indent=1) + "\n"


async def purge_forever(store: AuditStore, retention_days: int) -> None:
    """Delete rows past retention now and then every hour; runs until cancelled."""
    while True:
        try:
            gone = await store.purge_audit(timedelta(days=retention_days))
            if gone:
                log.info("audit_purged", rows=gone, retention_days=retention_days)
        except Exception:  # the database may be away for a moment; next hour will do
            log.warning("audit_purge_failed", exc_info=True)
        await asyncio.sleep(PURGE_EVERY_SECONDS)
