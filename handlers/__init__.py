"""Thin Bolt listeners, one module per product feature. Each acks first, then calls bot/.

`register` only wires: every listener is a named function in its feature's module, and
reaches the process's resources through Bolt's context (handlers.listening.runtime_of).
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.linking.modal import LINK_CALLBACK
from bot.pins import modals
from bot.pins import texts as pin_texts
from bot.rescue.client import Kind
from bot.runtime import Runtime
from bot.sessions.messages import SESSION_POST_ACTION
from bot.workflow import step as workflow_step
from handlers import home, installs, link, pin, session, share, workflow
from handlers.acks import answering
from handlers.failures import on_error
from handlers.listening import ProvideRuntime


def register(app: AsyncApp, runtime: Runtime) -> None:
    # Every listener is `answering(...)` (handlers/acks.py): Slack hears its ack the moment it
    # is made, and a failure before or after it is told.
    app.use(ProvideRuntime(runtime))  # and each request's language (handlers/speaking.py)
    app.error(on_error)
    # Asking for a PIN. Bolt tries listeners in this order, running each one's matcher (tens
    # of microseconds) until one matches: the command and the form it opens come first.
    app.command(pin_texts.COMMAND[Kind.RESCUE])(answering(pin.rescue_pin))
    app.view(modals.PIN_CALLBACK)(answering(pin.pin_submitted))
    app.command(pin_texts.COMMAND[Kind.LENS])(answering(pin.lens_pin))
    app.shortcut(modals.MESSAGE_SHORTCUT)(answering(pin.from_message))
    app.shortcut(modals.GLOBAL_SHORTCUT)(answering(pin.from_anywhere))
    app.action(modals.RETRY_ACTION)(answering(pin.retry_without_console))
    # Linking
    app.view(LINK_CALLBACK)(answering(link.link_submitted))
    app.action(modals.LINK_OPEN_ACTION)(answering(link.link_again))
    app.action(modals.HOME_UNLINK_ACTION)(answering(link.home_unlink))
    # Sharing
    app.action(modals.SHARE_ACTION)(answering(share.share))
    # Session follow-through
    app.action(SESSION_POST_ACTION)(answering(session.post_summary))
    # App Home
    app.event("app_home_opened")(answering(home.home_opened))
    app.action(modals.HOME_REQUEST_ACTION[Kind.RESCUE])(answering(home.home_rescue))
    app.action(modals.HOME_REQUEST_ACTION[Kind.LENS])(answering(home.home_lens))
    # The Workflow Builder step (a remote function) and the agent's two buttons
    app.function(workflow_step.FUNCTION_CALLBACK)(answering(workflow.step_started))
    app.action(workflow_step.REQUEST_ACTION)(answering(workflow.step_request))
    app.action(workflow_step.DECLINE_ACTION)(answering(workflow.step_decline))
    # Uninstall, revocation, and a person who is gone
    app.event("app_uninstalled")(answering(installs.app_uninstalled))
    app.event("tokens_revoked")(answering(installs.tokens_revoked))
    app.event("user_change")(answering(installs.user_change))  # a deactivated account
