"""Every sentence a person reads, in one place. Slack mrkdwn where it is shown as mrkdwn."""

from __future__ import annotations

from dataclasses import dataclass

from bot.rescue.client import AuthOutcome, Kind, Outcome
from bot.rescue.sms import PhoneProblem

KIND_NAME = {Kind.RESCUE: "Rescue remote support", Kind.LENS: "Rescue Lens camera"}
KIND_SHORT = {Kind.RESCUE: "Rescue", Kind.LENS: "Rescue Lens"}
COMMAND = {Kind.RESCUE: "/rescue-pin", Kind.LENS: "/lens-pin"}

MODAL_TITLE = {Kind.RESCUE: "Rescue session PIN", Kind.LENS: "Rescue Lens PIN"}
MODAL_SUBMIT = "Get PIN"
MODAL_CLOSE = "Cancel"
MODAL_INTRO = {
    Kind.RESCUE: "Fill in what you know; every field is optional. The PIN is shown only to you.",
    Kind.LENS: "A Rescue Lens session uses the customer's phone camera. Every field is optional; "
    "the PIN is shown only to you.",
}
NO_CONSOLE_LABEL = "Technician Console"
NO_CONSOLE_OPTION = "Technician Console not required"
NO_CONSOLE_HINT = "Tick this to request the session even if your Technician Console is not running."


def too_long(limit: int, length: int) -> str:
    return f"Rescue accepts at most {limit} characters here; this is {length}. Please shorten it."


def too_long_notice(limit: int) -> str:
    return f"Cut to {limit} characters to fit Rescue's limit: please check the end."


# What the customer does with the PIN. `{pin}` and `{link}` are filled in.
CUSTOMER_WORDS = {
    Kind.RESCUE: "Please go to *LogMeIn123.com* and enter the code *{pin}*.",
    Kind.LENS: "Please open the *Rescue Lens* app on your phone and enter the code *{pin}*.",
}
DIRECT_LINK = "Or send them this link, which opens the session straight away: {link}"
LENS_APP_HINT = (
    "If they don't have it, the Rescue Lens app is free in the App Store and Google Play."
)
PIN_HEADLINE = {Kind.RESCUE: "Rescue session PIN", Kind.LENS: "Rescue Lens session PIN"}
PIN_FALLBACK = "{kind} PIN: {pin}"
READ_TO_CUSTOMER = "*Read this to the customer:*"
NO_CONSOLE_USED = "Requested without the Technician Console."
EXPIRES_SOON = (
    "PIN codes expire after a while (your Rescue account sets how long). "
    "If the customer can't connect, run {command} again for a new one."
)
EXPIRES_AT = (
    "This PIN expires at <!date^{epoch}^{{time}}|{time} UTC> (your time). "
    "After that, run {command} again."
)
ONLY_YOU = "Only you can see this."

LINK_FOR_OTHER = "You are linking <@{user}>: paste *their* authcode."
LINKED_OTHER = "<@{user}> is now linked to LogMeIn Rescue."
NOT_ADMIN = (
    "Only workspace admins and the team leads your admin named can link someone else. "
    "To link yourself, type `/rescue-pin link`."
)
SSO_REASONS = {
    "no_email": "Slack has no e-mail address for this user "
    "(the app needs the users:read.email scope).",
    "not_found": "Slack doesn't know this user.",
    "slack": "Slack didn't answer the app just now.",
    "bot": "This is a bot or app user.",
    "deleted": "This user is deactivated in Slack.",
    "foreign": "This user belongs to another organisation.",
    AuthOutcome.INVALID.value: "Rescue has no SSO technician with the ID {sso_id}.",
    AuthOutcome.ERROR.value: "Rescue couldn't issue an authcode just now.",
    AuthOutcome.INVALIDPARAM_COMPANY.value: "Rescue says RESCUE_SSO_COMPANY_ID is wrong.",
    AuthOutcome.UNREADABLE.value: "Rescue's answer couldn't be read.",
    AuthOutcome.UNREACHABLE.value: "Rescue couldn't be reached.",
}
SSO_FAILED = (
    "I tried to link you to LogMeIn Rescue through single sign-on, but: {reason} "
    "Type `/rescue-pin link` to link yourself with your authcode, or ask your Slack admin."
)
NOT_LINKED = (
    "Your Slack account isn't linked to a LogMeIn Rescue technician yet, so I can't request a "
    "PIN for you. Type `/rescue-pin link` to link it yourself with your Rescue authcode, or ask "
    "your Slack admin to run `python -m bot link {user}`."
)
FOREIGN_USER = (
    "Sorry, this app only serves the organisation that installed it. Ask your own admin "
    "whether your organisation has a Rescue PIN app."
)
BUSY = (
    "You already have a PIN request on its way to Rescue. Wait for its answer (a few seconds) "
    "before asking again: every request spends a PIN."
)


@dataclass(frozen=True)
class FailureText:
    headline: str
    advice: str


LINK_AGAIN = "Type `/rescue-pin link` to link your account again with a fresh authcode."

FAILURES: dict[Outcome, FailureText] = {
    Outcome.ERROR: FailureText(
        "Rescue could not create the PIN (it reported an unspecified error, such as a timeout).",
        "Please try again in a moment. If it keeps happening, check Rescue's status page.",
    ),
    Outcome.NOTLOGGEDIN: FailureText(
        "Rescue says your technician login is no longer valid.",
        "Sign in to the Rescue Technician Console once, then try again. " + LINK_AGAIN,
    ),
    Outcome.NOTTECHNICIAN: FailureText(
        "Rescue says your linked account is not a technician, so it cannot create PINs.",
        "Ask your Rescue administrator to give this account a technician role, "
        "or link your technician account with `/rescue-pin link`.",
    ),
    Outcome.NOTECHCONSOLERUNNING: FailureText(
        "Your Technician Console isn't running, so Rescue didn't create a PIN.",
        "Start the Technician Console and try again, or request the session without it "
        "(tick *Technician Console not required*): the session then waits in your queue.",
    ),
    Outcome.OUTOFPINCODES: FailureText(
        "Rescue has run out of PIN codes for your account.",
        "Ask your Rescue administrator to check the account's PIN code settings, "
        "or close sessions that are waiting, then try again.",
    ),
    Outcome.POLLRATEEXCEEDED: FailureText(
        "Rescue refused the request because PINs were requested too quickly.",
        "Wait about a minute, then try again.",
    ),
    Outcome.INVALID_SECRETAUTHCODE: FailureText(
        "Rescue rejected your authcode: it is no longer valid (a new one may have been "
        "requested since you linked).",
        LINK_AGAIN,
    ),
    Outcome.USER_IS_DELETED: FailureText(
        "Rescue says the technician account linked to you has been deleted.",
        "Ask your Rescue administrator for an active technician account, then "
        + LINK_AGAIN[0].lower()
        + LINK_AGAIN[1:],
    ),
    Outcome.USER_DELETED_OR_DISABLED: FailureText(
        "Rescue says the technician account linked to you is deleted or disabled.",
        "Ask your Rescue administrator to enable it (or give you a new one), then "
        + LINK_AGAIN[0].lower()
        + LINK_AGAIN[1:],
    ),
    Outcome.NO_ACCESS_TO_LENS: FailureText(
        "Your Rescue account isn't allowed to use Rescue Lens.",
        "Ask your Rescue administrator to enable Rescue Lens for you, or use `/rescue-pin` "
        "for a remote support session instead.",
    ),
    Outcome.HTTP_ERROR: FailureText(
        "Rescue answered with an error (HTTP {detail}) instead of a PIN.",
        "Please try again in a moment. If it keeps happening, tell your Slack admin.",
    ),
    Outcome.EMPTY_ANSWER: FailureText(
        "Rescue sent back an empty answer instead of a PIN.",
        "Please try again in a moment. If it keeps happening, tell your Slack admin.",
    ),
    Outcome.HTML_ANSWER: FailureText(
        "Rescue sent back a web page instead of a PIN (it may be under maintenance).",
        "Please try again in a few minutes. If it keeps happening, tell your Slack admin.",
    ),
    Outcome.NO_PIN: FailureText(
        "Rescue said OK but did not send a valid 6-digit PIN.",
        "Please try again. If it keeps happening, tell your Slack admin.",
    ),
    Outcome.UNKNOWN_CODE: FailureText(
        "Rescue answered with a code this app does not know ({detail}), so no PIN was created.",
        "Please try again; if it happens again, tell your Slack admin the code.",
    ),
    Outcome.CONNECTION_ERROR: FailureText(
        "I couldn't reach Rescue, so no PIN was created.",
        "Please try again in a moment. If it keeps happening, Rescue or the network may be down.",
    ),
    Outcome.TIMEOUT: FailureText(
        "Rescue didn't answer in time. A PIN may or may not have been created.",
        "Please try again: if a PIN was created meanwhile it simply expires unused.",
    ),
    Outcome.DATABASE_UNAVAILABLE: FailureText(
        "The app couldn't reach its database, so it didn't ask Rescue for a PIN.",
        "Please try again in a minute. If it keeps happening, tell your Slack admin.",
    ),
}

# A command or button that needed the database while it was unreachable.
DATABASE_DOWN = (
    "The Rescue PIN app couldn't reach its database just now, so nothing was done. "
    "Please try again in a minute. If it keeps happening, tell your Slack admin."
)

HEADLINE_FAILED = {Kind.RESCUE: "No Rescue PIN", Kind.LENS: "No Rescue Lens PIN"}


def failure_text(outcome: Outcome, detail: str | None = None) -> tuple[str, str]:
    failure = FAILURES[outcome]
    return failure.headline.format(detail=detail or "?"), failure.advice


HELP = (
    "*Rescue PIN* starts LogMeIn Rescue sessions from Slack. The PIN is shown only to you.\n"
    "• `/rescue-pin [customer name]`: request a remote support PIN\n"
    "• `/lens-pin [customer name]`: request a Rescue Lens (camera) PIN\n"
    "• `/rescue-pin link`: link your Slack account to your Rescue technician authcode\n"
    "• `/rescue-pin unlink`: forget your authcode\n"
    "• `/rescue-pin help`: this message"
)

# Linking
LINK_TITLE = "Link to Rescue"
LINK_SUBMIT = "Link"
LINK_INTRO = (
    "Paste your Rescue *authcode*: the secret code that lets tools request PINs as you. "
    "In the Rescue Technician Console it is under *Tools › Settings* (or ask your Rescue "
    "administrator). It is stored encrypted and never shown again."
)
LINK_AUTHCODE_LABEL = "Authcode"
LINK_EMAIL_LABEL = "Rescue e-mail"
LINK_PWD_LABEL = "Rescue password"
LINK_SIGNIN_INTRO = (
    "*Or sign in with Rescue instead* (leave the authcode empty). Careful: this asks Rescue for "
    "a new authcode, which may replace the one your other tools use. Your password is used for "
    "this one request and never stored."
)
LINK_EMPTY = "Paste your authcode, or sign in with your Rescue e-mail and password."
LINK_MALFORMED = "That doesn't look like an authcode: it should be one word of letters and digits."
LINK_BOTH = "Use either the authcode or the sign-in, not both."
LINK_PWD_MISSING = "Enter your Rescue password too."
LINK_EMAIL_MISSING = "Enter your Rescue e-mail too."
LINKED = "You're linked to LogMeIn Rescue. `/rescue-pin` and `/lens-pin` now request PINs as you."
UNLINKED = "Done: your Rescue authcode is forgotten. `/rescue-pin link` links you again."
NOT_LINKED_UNLINK = "You weren't linked, so there was nothing to forget."
SIGNIN_FAILED = {
    AuthOutcome.INVALID: "Rescue didn't accept that e-mail and password.",
    AuthOutcome.ERROR: "Rescue couldn't issue an authcode just now. Please try again.",
    AuthOutcome.INVALIDPARAM_COMPANY: "Rescue says the SSO company ID is wrong: tell your admin.",
    AuthOutcome.UNREADABLE: "Rescue's answer couldn't be read. Please try again later.",
    AuthOutcome.UNREACHABLE: "I couldn't reach Rescue. Please try again in a moment.",
}
LINK_AGAIN_BUTTON = "Link again"

# Delivery
DM_FALLBACK_NOTE = "(I couldn't reply where you asked, so here it is in a direct message.)"
SLACK_UNAVAILABLE = (
    "Slack didn't answer the Rescue PIN app just now, so nothing was done. "
    "Please try again in a moment."
)
STORE_REFUSED = (
    "The Rescue PIN app's database wouldn't take what was sent, so nothing was saved. "
    "Please try again with different text; if it keeps happening, tell your Slack admin."
)
LISTENER_FAILED = (
    "Sorry, something went wrong in the Rescue PIN app and your request wasn't completed. "
    "Please try again; if it keeps happening, tell your Slack admin."
)
OPEN_FAILED = "Slack didn't let me open the form in time. Please run {command} again."

# Sharing
SHARE_BUTTON = "Share in channel"
SHARED_HEADLINE = {Kind.RESCUE: "Rescue session PIN: {pin}", Kind.LENS: "Rescue Lens PIN: {pin}"}
SHARED_BY = "Shared by <@{user}> for a {kind} session."
SHARED_PRIVATE_NOTE = "You shared this PIN in this conversation."
SHARE_NOT_YOURS = "Only the agent who requested this PIN can share it."
SHARE_GONE = "That PIN isn't on record any more, so it can't be shared. Request a new one."
SHARE_ALREADY = (
    "This PIN was already shared in {where} on "
    "<!date^{epoch}^{{date_short_pretty}} at {{time}}|{fallback} UTC>. A PIN is shared once."
)
SHARE_ALREADY_WHERE = "this conversation"


def share_already(channel_id: str | None, epoch: int, fallback: str) -> str:
    where = f"<#{channel_id}>" if channel_id else SHARE_ALREADY_WHERE
    return SHARE_ALREADY.format(where=where, epoch=epoch, fallback=fallback)


SHARE_MAYBE_POSTED = (
    "Slack didn't confirm the post, but it may have gone through: look in this conversation "
    "for the PIN. To keep it to one copy, it won't be posted again."
)
SHARE_FAILED = (
    "Slack didn't let me post in this conversation. Copy the PIN from the message above instead."
)

# Retry without the console
RETRY_BUTTON = "Request without console"
RETRY_GONE = "That retry has expired or was already used. Run {command} again."
RETRY_AT = "You can try again from <!date^{epoch}^{{time_secs}}|{time} UTC>."

# App Home
HOME_TITLE = "Rescue PIN"
HOME_REQUEST = {Kind.RESCUE: "Request a Rescue PIN", Kind.LENS: "Request a Lens PIN"}
HOME_LINKED = ":white_check_mark: Your Slack account is linked to a LogMeIn Rescue technician."
HOME_NOT_LINKED = (
    ":warning: Your Slack account isn't linked to LogMeIn Rescue yet: link it to request PINs."
)
HOME_LINK = "Link"
HOME_RELINK = "Link again"
HOME_UNLINK = "Unlink"
HOME_RECENT = "Your recent PIN requests"
HOME_TEAM = "Your team's recent PIN requests"
HOME_NONE = "No PIN requests yet."
HOME_EXPIRED = "expired"
OUTCOME_SHORT = "failed: {outcome}"

# Shortcuts
SHORTCUT_CUT = "The message was cut to {limit} characters to fit Rescue's limit: please check it."

# --- Lens PIN by SMS (requestLensPINCode_v4) ---
PHONE_LABEL = "Customer's mobile number"
PHONE_HINT = (
    "Optional. Rescue texts the customer the invitation with the PIN. "
    "Type it with the country code, e.g. +49 151 2345678."
)
PHONE_HINT_REGION = (
    "Optional. Rescue texts the customer the invitation with the PIN. "
    "Numbers without a country code are read as {region} numbers."
)
PHONE_PLACEHOLDER = "+49 151 2345678"
LANG_LABEL = "SMS language"
LANG_NAMES = {
    "de": "Deutsch",
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "nl": "Nederlands",
    "pt-br": "Português (Brasil)",
}
PHONE_PROBLEMS = {
    PhoneProblem.TOO_LONG: "That is too long for a phone number.",
    PhoneProblem.NOT_A_NUMBER: "That isn't a phone number: use digits, spaces and a leading +.",
    PhoneProblem.NEEDS_COUNTRY: "Add the country code, e.g. +49 for Germany or +1 for the US.",
    PhoneProblem.INVALID: "No phone can have this number: please check it.",
    PhoneProblem.NOT_MOBILE: "This is not a mobile number, so it can't receive a text.",
}
SMS_SENT = ":iphone: Rescue texted the invitation with this PIN to {phone}."
SMS_NOT_RETRIED = (
    "The retry without the console does not text the customer (their number is not kept): "
    "read them the PIN it gives you."
)
SMS_NOT_SENT = (
    ":warning: The text to {phone} did *not* go out. Read the PIN to the customer instead."
)

# --- Workflow Builder step: request_rescue_pin ---
STEP_HEADLINE = {
    Kind.RESCUE: "A workflow asks you for a Rescue session PIN",
    Kind.LENS: "A workflow asks you for a Rescue Lens PIN",
}
STEP_INTRO = (
    "Only you can request it, with your own Rescue link. The PIN comes to you privately, "
    "and the workflow carries on with it."
)
STEP_REQUEST_BUTTON = "Request PIN"
STEP_DECLINE_BUTTON = "Decline"
STEP_DONE = (
    ":white_check_mark: You requested the PIN (above, only for you); the workflow has it now."
)
STEP_DECLINED = "You declined this request; the workflow was told."
STEP_NOT_YOURS = (
    "This request is for <@{agent}>: only they can request the PIN, with their own Rescue link."
)
STEP_NOT_COMPLETED = (
    "Your PIN is above, but Slack did not let me hand it to the workflow (it may have been "
    "stopped). Give the PIN to the customer yourself if they still need it. Clicking "
    "Request PIN again only hands this same PIN to the workflow; it never asks for a new one."
)
# completeSuccess/completeError that Slack may have taken (a timeout, a 5xx, a dropped
# connection, or "not running" on a second report): done, without inviting a second request.
STEP_DONE_UNCONFIRMED = (
    ":white_check_mark: You requested the PIN (above, only for you). Slack didn't confirm that "
    "the workflow received it, but it most likely did: there is no need to request another. "
    "If the workflow doesn't carry on, give this PIN to the customer yourself."
)
STEP_DECLINED_UNCONFIRMED = (
    "You declined this request. Slack didn't confirm that the workflow was told, "
    "but it most likely was."
)
# A click on a run another click already took (any process): no second PIN.
STEP_ALREADY_REQUESTING = (
    "The PIN for this request is already being requested; it will appear here in a moment. "
    "No second PIN is requested."
)
STEP_ALREADY_DONE = (
    "This request already has its PIN: *{pin}* (only for you). No new PIN was requested."
)
STEP_ALREADY_ENDED = "This request is already over (declined or failed); nothing was requested."
# Shown to the workflow's owner in Slack's own error message: plain text, no mrkdwn.
STEP_FAIL_DECLINED = "The agent declined to request a Rescue PIN."
STEP_FAIL_NO_AGENT = "The step has no agent: choose the person who should request the PIN."
STEP_FAIL_KIND = "The kind must be rescue or lens."
STEP_FAIL_TOO_LONG = "{field} is {length} characters long; Rescue accepts at most {limit}."
STEP_FAIL_UNDELIVERED = "The agent could not be messaged in Slack ({error})."

# Session follow-through (Rescue's Post-to-URL)
SESSION_CONNECTED_HEADLINE = "Customer connected"
SESSION_CONNECTED = "*{customer}* is connected: the session is under way."
SESSION_CONNECTED_NO_NAME = "The customer is connected: the session is under way."
SESSION_WAITED = "Waited {waited} before the session started."
SESSION_TECHNICIAN = "Technician: {name}"
SESSION_ID = "Rescue session {session_id}"
SESSION_PIN_USED = "PIN {pin} is used now; {command} gives you a new one."
SESSION_ENDED_HEADLINE = "Session ended"
SESSION_CUSTOMER = "Customer"
SESSION_TICKET = "Ticket"
SESSION_TECH = "Technician"
SESSION_WAITED_LABEL = "Waited"
SESSION_LASTED_LABEL = "Lasted"
SESSION_NOTES = "Technician's notes"
SESSION_NO_NOTES = "No notes were saved in Rescue."
SESSION_NOTES_CUT = "(Notes cut here: Rescue's session report has them all.)"
SESSION_NOTES_GONE = "(The notes are no longer kept, so this summary goes without them.)"
SESSION_POST_BUTTON = "Post to conversation"
SESSION_POST_HINT = (
    "The button posts this summary (never the chat) in the conversation where you asked "
    "for the PIN. Only you can see this."
)
SESSION_POSTED_NOTE = "You posted this summary in the conversation."
SESSION_POSTED_BY = "Rescue session summary, posted by <@{user}>."
SESSION_POST_NOT_YOURS = "Only the agent who requested this PIN can post its summary."
SESSION_POST_GONE = "That session isn't on record any more, so its summary can't be posted."
SESSION_POST_FAILED = (
    "I couldn't post in that conversation (I may not be a member of it, and Slack no longer "
    "lets me answer there). Invite me with `/invite @Rescue PIN`, then click again, or copy "
    "the summary."
)
SESSION_SUMMARY_FALLBACK = "Rescue session ended: {customer}, lasted {lasted}"
SHARED_USED = "{headline}: used. The customer is connected; ask <@{user}> if you need a new PIN."
SHARED_USED_FOLLOWUP = "The {kind} PIN {pin} above is used now: the customer is connected."
HOME_IN_SESSION = "In session"
HOME_ENDED = "Ended"
HOME_ENDED_LASTED = "Ended, lasted {lasted}"
DURATION_UNKNOWN = "unknown"


def duration(seconds: int | None, raw: str = "") -> str:
    """`1 min 15 s`, `2 h 3 min`; as Rescue sent it when it was no number of seconds."""
    if seconds is None:
        return raw or DURATION_UNKNOWN
    if seconds < 60:
        return f"{seconds} s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


# Installation over OAuth (/slack/install, /slack/oauth_redirect): web pages, plain text
INSTALL_TITLE = "Install Rescue PIN"
INSTALL_INTRO = (
    "Rescue PIN lets support agents start LogMeIn Rescue and Rescue Lens sessions from Slack. "
    "Add it to a workspace, or on Enterprise Grid to the whole organisation."
)
INSTALL_BUTTON = "Add to Slack"
INSTALLED_TITLE = "Rescue PIN is installed"
INSTALLED_WORKSPACE = (
    "Rescue PIN is installed in {name}. Agents link their Rescue accounts with /rescue-pin link."
)
INSTALLED_ORG = (
    "Rescue PIN is installed for the organisation {name}. Add it to the workspaces that should "
    "use it in the organisation's app settings; agents link once, for every workspace."
)
INSTALL_FAILED_TITLE = "Rescue PIN was not installed"
INSTALL_AGAIN = "Start the installation again"
INSTALL_REASON_SLACK = "Slack did not complete the installation. Please start it again."
INSTALL_REASONS = {
    "access_denied": "The installation was cancelled in Slack. Nothing was installed.",
    "invalid_browser": (
        "This installation did not start in this browser (or its cookie expired). "
        "Please start it again from the install page."
    ),
    "invalid_state": "This installation link has expired or was used already. Please start again.",
    "missing_code": "Slack's answer was incomplete. Please start the installation again.",
    "invalid_code": "Slack did not accept this installation. Please start it again.",
    "storage_error": "The app could not save the installation. Please try again later.",
}
