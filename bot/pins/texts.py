"""The sentences of asking for a PIN: the modal, the PIN message, retries, help, Lens by SMS.

Marked with `N_` for extraction (`_`/`ngettext` where built in a function); `_` translates
them where the message is built, in the current person's language. Placeholders are
`%(name)s`; Slack tokens (`<!date^…>`, `*bold*`, `` `code` ``) stay as they are.
"""

from __future__ import annotations

from bot.language import N_, ngettext
from bot.rescue.client import Kind
from bot.rescue.sms import PhoneProblem

# The slash commands: contract names, never translated.
COMMAND = {Kind.RESCUE: "/rescue-pin", Kind.LENS: "/lens-pin"}

MODAL_TITLE = {
    # Translators: modal title, at most 24 characters.
    Kind.RESCUE: N_("Rescue session PIN"),
    # Translators: modal title, at most 24 characters.
    Kind.LENS: N_("Rescue Lens PIN"),
}
# Translators: the modal's submit button, at most 24 characters.
MODAL_SUBMIT = N_("Get PIN")
# Translators: the modal's close button, at most 24 characters.
MODAL_CLOSE = N_("Cancel")
MODAL_INTRO = {
    Kind.RESCUE: N_(
        "Fill in what you know; every field is optional. The PIN is shown only to you."
    ),
    Kind.LENS: N_(
        "A Rescue Lens session uses the customer's phone camera. Every field is optional; "
        "the PIN is shown only to you."
    ),
}
# Translators: the label of a form input, at most 2000 characters.
NO_CONSOLE_LABEL = N_("Technician Console")
# Translators: a checkbox, at most 75 characters. The advice after "Technician Console isn't
# running" names it between asterisks: keep both the same.
NO_CONSOLE_OPTION = N_("Technician Console not required")
# Translators: the checkbox's description, under it.
NO_CONSOLE_HINT = N_(
    "Tick this to request the session even if your Technician Console is not running."
)


def too_long(limit: int, length: int) -> str:
    """An inline error under a form input (at most 2000 characters)."""
    # Translators: %(num)d is the limit Rescue sets; %(length)d how many were typed.
    return ngettext(
        "Rescue accepts at most %(num)d character here; this is %(length)d. Please shorten it.",
        "Rescue accepts at most %(num)d characters here; this is %(length)d. Please shorten it.",
        limit,
        length=length,
    )


# Translators: an inline error under a form input: half of an emoji or symbol, which some
# copy and paste leaves behind, cannot be sent.
UNSENDABLE = N_(
    "This text holds a broken character (half of an emoji or symbol, often left by copy and "
    "paste) that Rescue can't take. Please retype it."
)


def too_long_notice(limit: int) -> str:
    """A hint under a prefilled input that was cut (at most 2000 characters)."""
    return ngettext(
        "Cut to %(num)d character to fit Rescue's limit: please check the end.",
        "Cut to %(num)d characters to fit Rescue's limit: please check the end.",
        limit,
    )


# What the customer does with the PIN: in the customer's language, not the agent's.
CUSTOMER_WORDS = {
    # Translators: words for the CUSTOMER, read out or pasted by the agent. %(pin)s is the
    # 6-digit PIN. LogMeIn123.com is the address customers type: keep it as it is.
    Kind.RESCUE: N_("Please go to *LogMeIn123.com* and enter the code *%(pin)s*."),
    # Translators: words for the CUSTOMER. %(pin)s is the 6-digit PIN.
    Kind.LENS: N_("Please open the *Rescue Lens* app on your phone and enter the code *%(pin)s*."),
}
# Translators: words for the CUSTOMER. %(link)s is a URL.
DIRECT_LINK = N_("Or send them this link, which opens the session straight away: %(link)s")
# Translators: words for the CUSTOMER.
LENS_APP_HINT = N_(
    "If they don't have it, the Rescue Lens app is free in the App Store and Google Play."
)
PIN_HEADLINE = {
    # Translators: a header (at most 150 characters); %(pin)s is the PIN.
    Kind.RESCUE: N_("Rescue session PIN: %(pin)s"),
    # Translators: a header (at most 150 characters); %(pin)s is the PIN.
    Kind.LENS: N_("Rescue Lens session PIN: %(pin)s"),
}
# Translators: a notification's text. %(kind)s is Rescue or Rescue Lens, %(pin)s the PIN.
PIN_FALLBACK = N_("%(kind)s PIN: %(pin)s")
READ_TO_CUSTOMER = N_("*Read this to the customer:*")
NO_CONSOLE_USED = N_("Requested without the Technician Console.")
# Translators: %(command)s is the slash command, e.g. /rescue-pin.
EXPIRES_SOON = N_(
    "PIN codes expire after a while (your Rescue account sets how long). "
    "If the customer can't connect, run %(command)s again for a new one."
)
# Translators: <!date^%(epoch)s^{time}|%(time)s UTC> is a Slack date token showing the time in
# the reader's time zone: keep it exactly, translate only around it. %(command)s is /rescue-pin.
EXPIRES_AT = N_(
    "This PIN expires at <!date^%(epoch)s^{time}|%(time)s UTC> (your time). "
    "After that, run %(command)s again."
)
ONLY_YOU = N_("Only you can see this.")
# Translators: %(user)s is a Slack user ID (U…), for the admin's command line.
NOT_LINKED = N_(
    "Your Slack account isn't linked to a LogMeIn Rescue technician yet, so I can't request a "
    "PIN for you. Type `/rescue-pin link` to link it yourself with your Rescue authcode, or ask "
    "your Slack admin to run `python -m bot link %(user)s`."
)
BUSY = N_(
    "You already have a PIN request on its way to Rescue. Wait for its answer (a few seconds) "
    "before asking again: every request spends a PIN."
)
HEADLINE_FAILED = {
    # Translators: bold headline of a failure, shown before its reason (see the next entry).
    Kind.RESCUE: N_("No Rescue PIN"),
    # Translators: bold headline of a failure, shown before its reason (see the next entry).
    Kind.LENS: N_("No Rescue Lens PIN"),
}
# Translators: a failure's bold headline and, after it, why; keep the asterisks (Slack bold)
# and put your language's full stop inside them.
FAILED_LINE = N_("*%(headline)s.* %(reason)s")
# Translators: Slack mrkdwn; the commands between backticks stay as they are.
HELP = N_(
    "*Rescue PIN* starts LogMeIn Rescue sessions from Slack. The PIN is shown only to you.\n"
    "• `/rescue-pin [customer name]`: request a remote support PIN\n"
    "• `/lens-pin [customer name]`: request a Rescue Lens (camera) PIN\n"
    "• `/rescue-pin link`: link your Slack account to your Rescue technician authcode\n"
    "• `/rescue-pin unlink`: forget your authcode\n"
    "• `/rescue-pin help`: this message"
)
# Translators: button, at most 75 characters.
LINK_BUTTON = N_("Link")
# Translators: button, at most 75 characters.
LINK_AGAIN_BUTTON = N_("Link again")
# Translators: button, at most 75 characters.
SHARE_BUTTON = N_("Share in channel")
SHARED_HEADLINE = {
    # Translators: a header (at most 150 characters); %(pin)s is the PIN.
    Kind.RESCUE: N_("Rescue session PIN: %(pin)s"),
    # Translators: a header (at most 150 characters); %(pin)s is the PIN.
    Kind.LENS: N_("Rescue Lens PIN: %(pin)s"),
}
# Translators: %(user)s is a Slack mention token (keep <@%(user)s>); %(kind)s is "Rescue remote
# support" or "Rescue Lens camera".
SHARED_BY = N_("Shared by <@%(user)s> for a %(kind)s session.")
SHARED_PRIVATE_NOTE = N_("You shared this PIN in this conversation.")

# Retry without the console
# Translators: button, at most 75 characters.
RETRY_BUTTON = N_("Request without console")
# Translators: %(command)s is the slash command, e.g. /rescue-pin.
RETRY_GONE = N_("That retry has expired or was already used. Run %(command)s again.")
# Translators: keep the Slack date token <!date^%(epoch)s^{time_secs}|%(time)s UTC> exactly.
RETRY_AT = N_("You can try again from <!date^%(epoch)s^{time_secs}|%(time)s UTC>.")

# Shortcuts
# Translators: a hint under a form input; %(limit)s is a number of characters.
SHORTCUT_CUT = N_(
    "The message was cut to %(limit)s characters to fit Rescue's limit: please check it."
)

# Lens PIN by SMS (requestLensPINCode_v4)
# Translators: form input label, at most 2000 characters.
PHONE_LABEL = N_("Customer's mobile number")
# Translators: hint under the phone input, at most 2000 characters.
PHONE_HINT = N_(
    "Optional. Rescue texts the customer the invitation with the PIN. "
    "Type it with the country code, e.g. +49 151 2345678."
)
# Translators: %(region)s is an ISO region code, e.g. DE.
PHONE_HINT_REGION = N_(
    "Optional. Rescue texts the customer the invitation with the PIN. "
    "Numbers without a country code are read as %(region)s numbers."
)
PHONE_PLACEHOLDER = "+49 151 2345678"
# Translators: label of the select that picks the language of the customer's text message
# (and of the words the agent reads to the customer), at most 2000 characters.
LANG_LABEL = N_("Customer's language")
# Translators: hint under the customer's language select, at most 2000 characters.
CUSTOMER_LANGUAGE_HINT = N_(
    "The words you read or send to the customer are in this language; the rest stays in yours."
)
# The app's languages by their own names (the customer's language select): never translated.
LANGUAGE_NAMES = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "ja": "日本語",
    "pt_BR": "Português (Brasil)",
}
# Rescue's SMS languages (LangCode) by their own names: never translated.
LANG_NAMES = {
    "de": "Deutsch",
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "nl": "Nederlands",
    "pt-br": "Português (Brasil)",
}
PHONE_PROBLEMS = {
    PhoneProblem.TOO_LONG: N_("That is too long for a phone number."),
    PhoneProblem.NOT_A_NUMBER: N_("That isn't a phone number: use digits, spaces and a leading +."),
    PhoneProblem.NEEDS_COUNTRY: N_("Add the country code, e.g. +49 for Germany or +1 for the US."),
    PhoneProblem.INVALID: N_("No phone can have this number: please check it."),
    PhoneProblem.NOT_MOBILE: N_("This is not a mobile number, so it can't receive a text."),
}
# Translators: %(phone)s is the customer's number, masked (e.g. +49 151 •••• 78).
SMS_SENT = N_(":iphone: Rescue texted the invitation with this PIN to %(phone)s.")
SMS_NOT_RETRIED = N_(
    "The retry without the console does not text the customer (their number is not kept): "
    "read them the PIN it gives you."
)
# Translators: %(phone)s is the customer's number, masked.
SMS_NOT_SENT = N_(
    ":warning: The text to %(phone)s did *not* go out. Read the PIN to the customer instead."
)
