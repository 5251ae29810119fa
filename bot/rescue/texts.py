"""The sentences for Rescue's answers: what each return code means and what to do next.

Marked with `N_` for extraction; `_` translates them where the message is built. Product
names stay as Rescue's own localized UI writes them (LogMeIn Rescue, Rescue Lens,
Technician Console).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.language import N_, _
from bot.rescue.client import Kind, Outcome

KIND_NAME = {
    # Translators: the kind of session, inside "Shared by <@U…> for a %(kind)s session."
    Kind.RESCUE: N_("Rescue remote support"),
    # Translators: the kind of session, inside "Shared by <@U…> for a %(kind)s session."
    Kind.LENS: N_("Rescue Lens camera"),
}
# Product names: the same in every language, never translated.
KIND_SHORT = {Kind.RESCUE: "Rescue", Kind.LENS: "Rescue Lens"}


@dataclass(frozen=True)
class FailureText:
    headline: str
    advice: str


# Translators: Slack mrkdwn; `/rescue-pin link` is a command and stays as it is.
LINK_AGAIN = N_("Type `/rescue-pin link` to link your account again with a fresh authcode.")
TRY_AGAIN_ADMIN = N_("Please try again in a moment. If it keeps happening, tell your Slack admin.")

FAILURES: dict[Outcome, FailureText] = {
    Outcome.ERROR: FailureText(
        N_(
            "Rescue could not create the PIN (it reported an unspecified error, such as a timeout)."
        ),
        N_("Please try again in a moment. If it keeps happening, check Rescue's status page."),
    ),
    Outcome.NOTLOGGEDIN: FailureText(
        N_("Rescue says your technician login is no longer valid."),
        N_(
            "Sign in to the Rescue Technician Console once, then try again. "
            "Type `/rescue-pin link` to link your account again with a fresh authcode."
        ),
    ),
    Outcome.NOTTECHNICIAN: FailureText(
        N_("Rescue says your linked account is not a technician, so it cannot create PINs."),
        N_(
            "Ask your Rescue administrator to give this account a technician role, "
            "or link your technician account with `/rescue-pin link`."
        ),
    ),
    Outcome.NOTECHCONSOLERUNNING: FailureText(
        N_("Your Technician Console isn't running, so Rescue didn't create a PIN."),
        # Translators: *Technician Console not required* names the checkbox in the PIN form:
        # use the same words as that checkbox's translation.
        N_(
            "Start the Technician Console and try again, or request the session without it "
            "(tick *Technician Console not required*): the session then waits in your queue."
        ),
    ),
    Outcome.OUTOFPINCODES: FailureText(
        N_("Rescue has run out of PIN codes for your account."),
        N_(
            "Ask your Rescue administrator to check the account's PIN code settings, "
            "or close sessions that are waiting, then try again."
        ),
    ),
    Outcome.POLLRATEEXCEEDED: FailureText(
        N_("Rescue refused the request because PINs were requested too quickly."),
        N_("Wait about a minute, then try again."),
    ),
    Outcome.INVALID_SECRETAUTHCODE: FailureText(
        N_(
            "Rescue rejected your authcode: it is no longer valid (a new one may have been "
            "requested since you linked)."
        ),
        LINK_AGAIN,
    ),
    Outcome.USER_IS_DELETED: FailureText(
        N_("Rescue says the technician account linked to you has been deleted."),
        N_(
            "Ask your Rescue administrator for an active technician account, then type "
            "`/rescue-pin link` to link your account again with a fresh authcode."
        ),
    ),
    Outcome.USER_DELETED_OR_DISABLED: FailureText(
        N_("Rescue says the technician account linked to you is deleted or disabled."),
        N_(
            "Ask your Rescue administrator to enable it (or give you a new one), then type "
            "`/rescue-pin link` to link your account again with a fresh authcode."
        ),
    ),
    Outcome.NO_ACCESS_TO_LENS: FailureText(
        N_("Your Rescue account isn't allowed to use Rescue Lens."),
        N_(
            "Ask your Rescue administrator to enable Rescue Lens for you, or use `/rescue-pin` "
            "for a remote support session instead."
        ),
    ),
    Outcome.HTTP_ERROR: FailureText(
        # Translators: %(detail)s is an HTTP status code, e.g. 503.
        N_("Rescue answered with an error (HTTP %(detail)s) instead of a PIN."),
        TRY_AGAIN_ADMIN,
    ),
    Outcome.EMPTY_ANSWER: FailureText(
        N_("Rescue sent back an empty answer instead of a PIN."),
        TRY_AGAIN_ADMIN,
    ),
    Outcome.HTML_ANSWER: FailureText(
        N_("Rescue sent back a web page instead of a PIN (it may be under maintenance)."),
        N_("Please try again in a few minutes. If it keeps happening, tell your Slack admin."),
    ),
    Outcome.NO_PIN: FailureText(
        N_("Rescue said OK but did not send a valid 6-digit PIN."),
        N_("Please try again. If it keeps happening, tell your Slack admin."),
    ),
    Outcome.UNKNOWN_CODE: FailureText(
        # Translators: %(detail)s is Rescue's return code as it sent it, e.g. FOO_BAR.
        N_(
            "Rescue answered with a code this app does not know (%(detail)s), "
            "so no PIN was created."
        ),
        N_("Please try again; if it happens again, tell your Slack admin the code."),
    ),
    Outcome.CONNECTION_ERROR: FailureText(
        N_("I couldn't reach Rescue, so no PIN was created."),
        N_(
            "Please try again in a moment. "
            "If it keeps happening, Rescue or the network may be down."
        ),
    ),
    Outcome.TIMEOUT: FailureText(
        N_("Rescue didn't answer in time. A PIN may or may not have been created."),
        N_("Please try again: if a PIN was created meanwhile it simply expires unused."),
    ),
    Outcome.DATABASE_UNAVAILABLE: FailureText(
        N_("The app couldn't reach its database, so it didn't ask Rescue for a PIN."),
        N_("Please try again in a minute. If it keeps happening, tell your Slack admin."),
    ),
}


def failure_text(outcome: Outcome, detail: str | None = None) -> tuple[str, str]:
    """The outcome's headline and advice, in the current language."""
    failure = FAILURES[outcome]
    headline = failure.headline
    if "%(detail)s" in headline:
        return _(headline, detail=detail or "?"), _(failure.advice)
    return _(headline), _(failure.advice)


def kind_name(kind: Kind) -> str:
    return _(KIND_NAME[kind])
