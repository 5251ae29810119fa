"""The App Home tab: what it shows for one agent, read from the database."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import blocks, linking
from bot.blocks import HomeRow
from bot.pins import ASSUMED_VALIDITY, validity
from bot.rescue import Kind
from bot.services import Services
from bot.store import AuditRow, now

MY_ROWS, TEAM_ROWS = 10, 20


def _rows(services: Services, rows: Sequence[AuditRow]) -> list[HomeRow]:
    valid_for = validity(services.settings) or ASSUMED_VALIDITY
    return [
        HomeRow(
            r.at,
            r.user_id,
            Kind(r.kind),
            r.outcome,
            r.pin,
            r.cfield0,
            r.tracking0,
            r.at + valid_for,
        )
        for r in rows
    ]


async def home_for(services: Services, team_id: str, user_id: str) -> dict[str, Any]:
    store = services.store
    linked = await store.is_linked(team_id, user_id)
    mine = await store.audit_rows(team_id=team_id, user_id=user_id, action="request", limit=MY_ROWS)
    team = None
    if await linking.is_team_lead(services, user_id):
        team = _rows(
            services, await store.audit_rows(team_id=team_id, action="request", limit=TEAM_ROWS)
        )
    return blocks.home_view(linked, _rows(services, mine), team, now())


async def publish(services: Services, team_id: str, user_id: str) -> None:
    await services.slack.views_publish(
        user_id=user_id, view=await home_for(services, team_id, user_id)
    )
