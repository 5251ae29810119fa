"""The install pages (/slack/install, /slack/oauth_redirect): web pages, plain text.

A browser shows them before the app knows anyone's Slack locale: they stay English.
"""

from __future__ import annotations

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
