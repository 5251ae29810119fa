"""The sentences of the Workflow Builder step `request_rescue_pin`.

Marked with `N_` for extraction; `_` translates them where the message is built.
"""

from __future__ import annotations

from bot.language import N_
from bot.rescue.client import Kind

STEP_HEADLINE = {
    # Translators: a header, at most 150 characters.
    Kind.RESCUE: N_("A workflow asks you for a Rescue session PIN"),
    # Translators: a header, at most 150 characters.
    Kind.LENS: N_("A workflow asks you for a Rescue Lens PIN"),
}
STEP_INTRO = N_(
    "Only you can request it, with your own Rescue link. The PIN comes to you privately, "
    "and the workflow carries on with it."
)
# Translators: button, at most 75 characters. STEP_NOT_COMPLETED names it.
STEP_REQUEST_BUTTON = N_("Request PIN")
# Translators: button, at most 75 characters.
STEP_DECLINE_BUTTON = N_("Decline")
STEP_DONE = N_(
    ":white_check_mark: You requested the PIN (above, only for you); the workflow has it now."
)
STEP_DECLINED = N_("You declined this request; the workflow was told.")
# Translators: %(agent)s is a Slack user ID: keep the mention token <@%(agent)s>.
STEP_NOT_YOURS = N_(
    "This request is for <@%(agent)s>: only they can request the PIN, with their own Rescue link."
)
# Translators: "Request PIN" is the button's name: use the button's translation.
STEP_NOT_COMPLETED = N_(
    "Your PIN is above, but Slack did not let me hand it to the workflow (it may have been "
    "stopped). Give the PIN to the customer yourself if they still need it. Clicking "
    "Request PIN again only hands this same PIN to the workflow; it never asks for a new one."
)
# completeSuccess/completeError that Slack may have taken (a timeout, a 5xx, a dropped
# connection, or "not running" on a second report): done, without inviting a second request.
STEP_DONE_UNCONFIRMED = N_(
    ":white_check_mark: You requested the PIN (above, only for you). Slack didn't confirm that "
    "the workflow received it, but it most likely did: there is no need to request another. "
    "If the workflow doesn't carry on, give this PIN to the customer yourself."
)
STEP_DECLINED_UNCONFIRMED = N_(
    "You declined this request. Slack didn't confirm that the workflow was told, "
    "but it most likely was."
)
# A click on a run another click already took (any process): no second PIN.
STEP_ALREADY_REQUESTING = N_(
    "The PIN for this request is already being requested; it will appear here in a moment. "
    "No second PIN is requested."
)
# Translators: %(pin)s is the 6-digit PIN.
STEP_ALREADY_DONE = N_(
    "This request already has its PIN: *%(pin)s* (only for you). No new PIN was requested."
)
STEP_ALREADY_ENDED = N_("This request is already over (declined or failed); nothing was requested.")
# Shown to the workflow's owner in Slack's own error message: plain text, no mrkdwn.
# Translators: plain text (no *bold*), shown in Workflow Builder's error message.
STEP_FAIL_DECLINED = N_("The agent declined to request a Rescue PIN.")
# Translators: plain text, shown in Workflow Builder's error message.
STEP_FAIL_NO_AGENT = N_("The step has no agent: choose the person who should request the PIN.")
# Translators: plain text; "rescue" and "lens" are the input's values: keep them.
STEP_FAIL_KIND = N_("The kind must be rescue or lens.")
# Translators: plain text. %(field)s is a field's label, %(length)s and %(limit)s numbers.
STEP_FAIL_TOO_LONG = N_(
    "%(field)s is %(length)s characters long; Rescue accepts at most %(limit)s."
)
# Translators: plain text. %(error)s is Slack's error code, e.g. channel_not_found.
STEP_FAIL_UNDELIVERED = N_("The agent could not be messaged in Slack (%(error)s).")
