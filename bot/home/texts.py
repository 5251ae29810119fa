"""The sentences of App Home.

Marked with `N_` for extraction; `_` translates them where the view is built.
"""

from __future__ import annotations

from bot.language import N_
from bot.rescue.client import Kind

# The app's name: a product name, the same in every language.
HOME_TITLE = "Rescue PIN"
HOME_REQUEST = {
    # Translators: button, at most 75 characters.
    Kind.RESCUE: N_("Request a Rescue PIN"),
    # Translators: button, at most 75 characters.
    Kind.LENS: N_("Request a Lens PIN"),
}
HOME_LINKED = N_(":white_check_mark: Your Slack account is linked to a LogMeIn Rescue technician.")
HOME_NOT_LINKED = N_(
    ":warning: Your Slack account isn't linked to LogMeIn Rescue yet: link it to request PINs."
)
# Translators: button, at most 75 characters.
HOME_LINK = N_("Link")
# Translators: button, at most 75 characters.
HOME_RELINK = N_("Link again")
# Translators: button, at most 75 characters.
HOME_UNLINK = N_("Unlink")
HOME_RECENT = N_("Your recent PIN requests")
HOME_TEAM = N_("Your team's recent PIN requests")
HOME_NONE = N_("No PIN requests yet.")
# Translators: after a struck-through PIN in a list of requests.
HOME_EXPIRED = N_("expired")
# Translators: %(outcome)s is Rescue's return code, e.g. OUTOFPINCODES (kept as sent).
OUTCOME_SHORT = N_("failed: %(outcome)s")
# Translators: a session's state in the list of requests.
HOME_IN_SESSION = N_("In session")
# Translators: a session's state in the list of requests.
HOME_ENDED = N_("Ended")
# Translators: %(lasted)s is a duration, e.g. "1 min, 15 sec".
HOME_ENDED_LASTED = N_("Ended, lasted %(lasted)s")
