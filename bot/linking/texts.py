"""The sentences of linking a Slack user to a Rescue authcode: the link modal and its answers.

Marked with `N_` for extraction; `_` translates them where the message is built.
"""

from __future__ import annotations

from bot.language import N_
from bot.rescue.client import AuthOutcome

# Translators: modal title, at most 24 characters.
LINK_TITLE = N_("Link to Rescue")
# Translators: the modal's submit button, at most 24 characters.
LINK_SUBMIT = N_("Link")
# Translators: the modal's close button, at most 24 characters.
LINK_CLOSE = N_("Cancel")
# Translators: *Tools › Settings* names the Technician Console's menu as Rescue's own
# localized UI does.
LINK_INTRO = N_(
    "Paste your Rescue *authcode*: the secret code that lets tools request PINs as you. "
    "In the Rescue Technician Console it is under *Tools › Settings* (or ask your Rescue "
    "administrator). It is stored encrypted and never shown again."
)
# Translators: %(user)s is a Slack user ID: keep the mention token <@%(user)s>.
LINK_FOR_OTHER = N_("You are linking <@%(user)s>: paste *their* authcode.")
# Translators: form input label, at most 2000 characters.
LINK_AUTHCODE_LABEL = N_("Authcode")
# Translators: form input label, at most 2000 characters.
LINK_EMAIL_LABEL = N_("Rescue e-mail")
# Translators: form input label, at most 2000 characters.
LINK_PWD_LABEL = N_("Rescue password")
LINK_SIGNIN_INTRO = N_(
    "*Or sign in with Rescue instead* (leave the authcode empty). Careful: this asks Rescue for "
    "a new authcode, which may replace the one your other tools use. Your password is used for "
    "this one request and never stored."
)
LINK_EMPTY = N_("Paste your authcode, or sign in with your Rescue e-mail and password.")
LINK_MALFORMED = N_(
    "That doesn't look like an authcode: it should be one word of letters and digits."
)
LINK_BOTH = N_("Use either the authcode or the sign-in, not both.")
LINK_PWD_MISSING = N_("Enter your Rescue password too.")
LINK_EMAIL_MISSING = N_("Enter your Rescue e-mail too.")
LINKED = N_(
    "You're linked to LogMeIn Rescue. `/rescue-pin` and `/lens-pin` now request PINs as you."
)
# Translators: %(user)s is a Slack user ID: keep the mention token <@%(user)s>.
LINKED_OTHER = N_("<@%(user)s> is now linked to LogMeIn Rescue.")
UNLINKED = N_("Done: your Rescue authcode is forgotten. `/rescue-pin link` links you again.")
NOT_LINKED_UNLINK = N_("You weren't linked, so there was nothing to forget.")
NOT_ADMIN = N_(
    "Only workspace admins and the team leads your admin named can link someone else. "
    "To link yourself, type `/rescue-pin link`."
)
SIGNIN_FAILED = {
    AuthOutcome.INVALID: N_("Rescue didn't accept that e-mail and password."),
    AuthOutcome.ERROR: N_("Rescue couldn't issue an authcode just now. Please try again."),
    AuthOutcome.INVALIDPARAM_COMPANY: N_(
        "Rescue says the SSO company ID is wrong: tell your admin."
    ),
    AuthOutcome.UNREADABLE: N_("Rescue's answer couldn't be read. Please try again later."),
    AuthOutcome.UNREACHABLE: N_("I couldn't reach Rescue. Please try again in a moment."),
}
# Why single sign-on could not link someone: the %(reason)s of SSO_FAILED.
SSO_NOT_CONFIGURED = N_("Single sign-on to Rescue is not configured for this app.")
SSO_REASONS = {
    "no_email": N_(
        "Slack has no e-mail address for this user (the app needs the users:read.email scope)."
    ),
    "not_found": N_("Slack doesn't know this user."),
    "slack": N_("Slack didn't answer the app just now."),
    "bot": N_("This is a bot or app user."),
    "deleted": N_("This user is deactivated in Slack."),
    "foreign": N_("This user belongs to another organisation."),
    # Translators: %(sso_id)s is the person's single sign-on ID (often an e-mail address).
    AuthOutcome.INVALID.value: N_("Rescue has no SSO technician with the ID %(sso_id)s."),
    AuthOutcome.ERROR.value: N_("Rescue couldn't issue an authcode just now."),
    # Translators: RESCUE_SSO_COMPANY_ID is a setting's name: keep it as it is.
    AuthOutcome.INVALIDPARAM_COMPANY.value: N_("Rescue says RESCUE_SSO_COMPANY_ID is wrong."),
    AuthOutcome.UNREADABLE.value: N_("Rescue's answer couldn't be read."),
    AuthOutcome.UNREACHABLE.value: N_("Rescue couldn't be reached."),
}
# Translators: %(reason)s is one full sentence saying why (e.g. "Slack doesn't know this user.").
SSO_FAILED = N_(
    "I tried to link you to LogMeIn Rescue through single sign-on, but: %(reason)s "
    "Type `/rescue-pin link` to link yourself with your authcode, or ask your Slack admin."
)
