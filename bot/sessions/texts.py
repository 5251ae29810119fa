"""The sentences of session follow-through: updates and the summary of a session.

Marked with `N_` for extraction; `_` translates them where the message is built.
"""

from __future__ import annotations

from bot.language import N_, _
from bot.language import duration as spoken_duration

# Translators: a header, at most 150 characters.
SESSION_CONNECTED_HEADLINE = N_("Customer connected")
# Translators: %(customer)s is the customer's name as typed in the PIN form.
SESSION_CONNECTED = N_("*%(customer)s* is connected: the session is under way.")
SESSION_CONNECTED_NO_NAME = N_("The customer is connected: the session is under way.")
# Translators: %(waited)s is a duration, e.g. "1 min, 15 sec".
SESSION_WAITED = N_("Waited %(waited)s before the session started.")
# Translators: %(name)s is the technician's name.
SESSION_TECHNICIAN = N_("Technician: %(name)s")
# Translators: %(session_id)s is Rescue's session number.
SESSION_ID = N_("Rescue session %(session_id)s")
# Translators: %(pin)s is the PIN, %(command)s the slash command (e.g. /rescue-pin).
SESSION_PIN_USED = N_("PIN %(pin)s is used now; %(command)s gives you a new one.")
# Translators: a header, at most 150 characters.
SESSION_ENDED_HEADLINE = N_("Session ended")
# Translators: a field's label in the session summary, followed by ":".
SESSION_CUSTOMER = N_("Customer")
# Translators: a field's label in the session summary, followed by ":".
SESSION_TICKET = N_("Ticket")
# Translators: a field's label in the session summary, followed by ":".
SESSION_TECH = N_("Technician")
# Translators: a field's label in the session summary, followed by ":" and a duration.
SESSION_WAITED_LABEL = N_("Waited")
# Translators: a field's label in the session summary, followed by ":" and a duration.
SESSION_LASTED_LABEL = N_("Lasted")
# Translators: a bold heading above the technician's notes.
SESSION_NOTES = N_("Technician's notes")
SESSION_NO_NOTES = N_("No notes were saved in Rescue.")
SESSION_NOTES_CUT = N_("(Notes cut here: Rescue's session report has them all.)")
SESSION_NOTES_GONE = N_("(The notes are no longer kept, so this summary goes without them.)")
# Translators: button, at most 75 characters.
SESSION_POST_BUTTON = N_("Post to conversation")
SESSION_POST_HINT = N_(
    "The button posts this summary (never the chat) in the conversation where you asked "
    "for the PIN. Only you can see this."
)
SESSION_POSTED_NOTE = N_("You posted this summary in the conversation.")
# Translators: %(user)s is a Slack user ID: keep the mention token <@%(user)s>.
SESSION_POSTED_BY = N_("Rescue session summary, posted by <@%(user)s>.")
SESSION_POST_NOT_YOURS = N_("Only the agent who requested this PIN can post its summary.")
SESSION_POST_GONE = N_("That session isn't on record any more, so its summary can't be posted.")
# Translators: `/invite @Rescue PIN` is a Slack command: keep it as it is.
SESSION_POST_FAILED = N_(
    "I couldn't post in that conversation (I may not be a member of it, and Slack no longer "
    "lets me answer there). Invite me with `/invite @Rescue PIN`, then click again, or copy "
    "the summary."
)
# Translators: a notification's text. %(customer)s is a name, %(lasted)s a duration.
SESSION_SUMMARY_FALLBACK = N_("Rescue session ended: %(customer)s, lasted %(lasted)s")
# Translators: %(headline)s is e.g. "Rescue session PIN: 123456"; keep <@%(user)s>.
SHARED_USED = N_(
    "%(headline)s: used. The customer is connected; ask <@%(user)s> if you need a new PIN."
)
# Translators: %(kind)s is Rescue or Rescue Lens, %(pin)s the PIN.
SHARED_USED_FOLLOWUP = N_("The %(kind)s PIN %(pin)s above is used now: the customer is connected.")
# Translators: a duration Rescue did not send as a number.
DURATION_UNKNOWN = N_("unknown")


def duration(seconds: int | None, raw: str = "") -> str:
    """`1 min, 15 sec` in the reader's language (Babel); as Rescue sent it when no number."""
    if seconds is None:
        return raw or _(DURATION_UNKNOWN)
    return spoken_duration(seconds)
