"""The App Home tab: what it shows for one agent, read from the database, and its view."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from slack_sdk.models.blocks import (
    Block,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.home import texts
from bot.language import _
from bot.linking import is_team_lead
from bot.pins import (
    ASSUMED_VALIDITY,
    HOME_REQUEST_ACTION,
    HOME_UNLINK_ACTION,
    LINK_OPEN_ACTION,
    validity,
)
from bot.rescue import texts as rescue_texts
from bot.rescue.client import Kind, Outcome
from bot.sessions import ENDED, IN_SESSION, SessionRow, duration
from bot.slack import calls as slack_calls
from bot.slack.blocks import buttons, escape
from bot.storage.database import now
from bot.storage.schema import AuditRow

if TYPE_CHECKING:  # the process's own; a feature only receives it
    from bot.runtime import Runtime

MY_ROWS, TEAM_ROWS = 10, 20


@dataclass(frozen=True)
class HomeRow:
    at: datetime
    user_id: str
    kind: Kind
    outcome: str
    pin: str | None
    cfield0: str | None
    tracking0: str | None
    expires_at: datetime
    session: str | None = None  # follow-through: "In session", "Ended, lasted 12 min"


def _home_line(row: HomeRow, now: datetime, with_user: bool) -> str:
    parts = [
        f"<!date^{int(row.at.timestamp())}^{{date_short}} {{time}}|{row.at:%Y-%m-%d %H:%M} UTC>"
    ]
    if with_user:
        parts.append(f"<@{row.user_id}>")
    parts.append(rescue_texts.KIND_SHORT[row.kind])
    parts += [escape(value) for value in (row.cfield0, row.tracking0) if value]
    if row.session and row.pin:
        parts += [f"~{row.pin}~", f"*{row.session}*"]  # the PIN was used
    elif row.outcome == Outcome.OK.value and row.pin:
        parts.append(
            f"*{row.pin}*" if now < row.expires_at else f"~{row.pin}~ {_(texts.HOME_EXPIRED)}"
        )
    else:
        parts.append(_(texts.OUTCOME_SHORT, outcome=row.outcome))
    return " · ".join(parts)


def home_view(
    linked: bool,
    mine: Sequence[HomeRow],
    team: Sequence[HomeRow] | None,
    now: datetime,
) -> dict[str, Any]:
    """The Home tab: link state, the two request buttons, recent requests (the team's for leads)."""
    if linked:
        state = _(texts.HOME_LINKED)
        link_buttons = buttons(
            (_(texts.HOME_RELINK), LINK_OPEN_ACTION, "home", None),
            (_(texts.HOME_UNLINK), HOME_UNLINK_ACTION, "home", "danger"),
        )
    else:
        state = _(texts.HOME_NOT_LINKED)
        link_buttons = buttons((_(texts.HOME_LINK), LINK_OPEN_ACTION, "home", "primary"))
    items: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=texts.HOME_TITLE)),
        SectionBlock(text=MarkdownTextObject(text=state)),
        link_buttons,
        buttons(
            *[
                (_(texts.HOME_REQUEST[kind]), HOME_REQUEST_ACTION[kind], kind.value, None)
                for kind in Kind
            ]
        ),
        DividerBlock(),
    ]
    for title, rows, with_user in (
        (_(texts.HOME_RECENT), mine, False),
        (_(texts.HOME_TEAM), team, True),
    ):
        if rows is None:
            continue
        items.append(HeaderBlock(text=PlainTextObject(text=title)))
        lines = [_home_line(row, now, with_user) for row in rows] or [_(texts.HOME_NONE)]
        items += [SectionBlock(text=MarkdownTextObject(text=line[:3000])) for line in lines]
    return View(type="home", blocks=items[:100]).to_dict()


def session_label(row: SessionRow | None) -> str | None:
    """App Home's words for a request's session: "In session", "Ended, lasted …"; None before."""
    if row is None:
        return None
    if row.state == IN_SESSION:
        return _(texts.HOME_IN_SESSION)
    if row.state == ENDED:
        if row.length_seconds is None and not row.length_raw:
            return _(texts.HOME_ENDED)
        lasted = duration(row.length_seconds, row.length_raw or "")
        return _(texts.HOME_ENDED_LASTED, lasted=lasted)
    return None


async def _rows(runtime: Runtime, rows: Sequence[AuditRow]) -> list[HomeRow]:
    valid_for = validity(runtime.settings) or ASSUMED_VALIDITY
    states: dict[int, SessionRow] = {}
    if runtime.settings.follow_through:
        states = await runtime.store.sessions.states([r.id for r in rows if r.pin])
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
            session_label(states.get(r.id)),
        )
        for r in rows
    ]


async def home_for(runtime: Runtime, team_id: str, user_id: str) -> dict[str, Any]:
    store = runtime.store
    linked = await store.is_linked(team_id, user_id)
    mine = await store.audit_rows(team_id=team_id, user_id=user_id, action="request", limit=MY_ROWS)
    team = None
    if await is_team_lead(runtime, user_id):
        team = await _rows(
            runtime, await store.audit_rows(team_id=team_id, action="request", limit=TEAM_ROWS)
        )
    return home_view(linked, await _rows(runtime, mine), team, now())


async def publish(
    runtime: Runtime, team_id: str, user_id: str, workspace: str | None = None
) -> bool:
    """Show the agent's App Home; False when Slack would not take it (already logged).

    `team_id` keys the links and audit rows; on an org-wide install (the organisation's
    key) the workspace the tab was opened in is named too, as org-wide tokens need."""
    view = await home_for(runtime, team_id, user_id)
    extra: dict[str, Any] = (
        {"team_id": workspace} if workspace is not None and workspace != team_id else {}
    )
    published = await slack_calls.call(
        runtime.slack, "views.publish", user_id=user_id, view=view, **extra
    )
    return published.ok
