"""The sentences of sharing a PIN into its conversation.

Marked with `N_` for extraction; `_` translates them where the message is built.
"""

from __future__ import annotations

from bot.language import N_, _

SHARE_NOT_YOURS = N_("Only the agent who requested this PIN can share it.")
SHARE_GONE = N_("That PIN isn't on record any more, so it can't be shared. Request a new one.")
# Translators: %(where)s is a channel mention (<#C…>) or "this conversation"; the
# <!date^%(epoch)s^{date_short_pretty} at {time}|%(fallback)s UTC> token is Slack's date in the
# reader's time zone: translate only its "at", keep everything else exactly.
SHARE_ALREADY = N_(
    "This PIN was already shared in %(where)s on "
    "<!date^%(epoch)s^{date_short_pretty} at {time}|%(fallback)s UTC>. A PIN is shared once."
)
# Translators: fills %(where)s in "This PIN was already shared in %(where)s on …".
SHARE_ALREADY_WHERE = N_("this conversation")
SHARE_MAYBE_POSTED = N_(
    "Slack didn't confirm the post, but it may have gone through: look in this conversation "
    "for the PIN. To keep it to one copy, it won't be posted again."
)
SHARE_FAILED = N_(
    "Slack didn't let me post in this conversation. Copy the PIN from the message above instead."
)


def share_already(channel_id: str | None, epoch: int, fallback: str) -> str:
    where = f"<#{channel_id}>" if channel_id else _(SHARE_ALREADY_WHERE)
    return _(SHARE_ALREADY, where=where, epoch=epoch, fallback=fallback)
