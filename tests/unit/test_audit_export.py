"""The audit trail's CSV: a PIN request whose delivery was never noted (`delivered` is
committed without its own flush, issue 22, and a crash can lose it) reads "unknown", never
"False"."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime

from bot.audit.export import DELIVERY_UNKNOWN, to_csv, to_json
from bot.storage.schema import AuditRow

ROW = AuditRow(
    id=1,
    at=datetime(2026, 12, 5, 12, 0, tzinfo=UTC),
    team_id="T1",
    user_id="U1",
    action="request",
    kind="rescue",
    channel_id="C1",
    cfield0="Jane",
    tracking0=None,
    no_tech_console=False,
    outcome="OK",
    pin="123456",
    delivered=None,
    ref_id=None,
)


def delivered_column(rows: list[AuditRow]) -> list[str]:
    return [line["delivered"] for line in csv.DictReader(io.StringIO(to_csv(rows)))]


def test_a_delivery_never_noted_reads_unknown_never_not_delivered() -> None:
    rows = [
        ROW,
        replace(ROW, id=2, delivered=False),
        replace(ROW, id=3, delivered=True),
        replace(ROW, id=4, action="summary", pin=None),  # not a delivery at all
    ]
    assert delivered_column(rows) == [DELIVERY_UNKNOWN, "False", "True", ""]
    assert DELIVERY_UNKNOWN == "unknown"
    assert '"delivered": null' in to_json([ROW])
