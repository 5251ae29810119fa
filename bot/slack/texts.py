"""The sentences for faults: Slack, the database or the app itself got in the way.

Marked with `N_` for extraction; `_` translates them where the message is built.
"""

from __future__ import annotations

from bot.language import N_

# A command or button that needed the database while it was unreachable.
DATABASE_DOWN = N_(
    "The Rescue PIN app couldn't reach its database just now, so nothing was done. "
    "Please try again in a minute. If it keeps happening, tell your Slack admin."
)
# A write whose data the database refused (not an outage): nothing of it was kept.
STORE_REFUSED = N_(
    "The Rescue PIN app's database wouldn't take what was sent, so nothing was saved. "
    "Please try again with different text; if it keeps happening, tell your Slack admin."
)
FOREIGN_USER = N_(
    "Sorry, this app only serves the organisation that installed it. Ask your own admin "
    "whether your organisation has a Rescue PIN app."
)
DM_FALLBACK_NOTE = N_("(I couldn't reply where you asked, so here it is in a direct message.)")
SLACK_UNAVAILABLE = N_(
    "Slack didn't answer the Rescue PIN app just now, so nothing was done. "
    "Please try again in a moment."
)
LISTENER_FAILED = N_(
    "Sorry, something went wrong in the Rescue PIN app and your request wasn't completed. "
    "Please try again; if it keeps happening, tell your Slack admin."
)
# Translators: %(command)s is the slash command, e.g. /rescue-pin.
OPEN_FAILED = N_("Slack didn't let me open the form in time. Please run %(command)s again.")
