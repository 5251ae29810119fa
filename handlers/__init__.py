"""Thin Bolt listeners, one module per product feature. Each acks first, then calls bot/.

`register` only wires: every listener is a named function in its feature's module, and
reaches the process's resources through Bolt's context (handlers.listening.runtime_of).
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot import modals, texts, workflow_step
from bot.rescue import Kind
from bot.runtime import Runtime
from bot.session_messages import SESSION_POST_ACTION
from handlers import home, installs, link, pin, session, share, workflow
from handlers.listening import ProvideRuntime, on_error


def register(app: AsyncApp, runtime: Runtime) -> None:
    app.use(ProvideRuntime(runtime))
    app.error(on_error)
    # Asking for a PIN
    app.command(texts.COMMAND[Kind.RESCUE])(pin.rescue_pin)
    app.command(texts.COMMAND[Kind.LENS])(pin.lens_pin)
    app.shortcut(modals.MESSAGE_SHORTCUT)(pin.from_message)
    app.shortcut(modals.GLOBAL_SHORTCUT)(pin.from_anywhere)
    app.view(modals.PIN_CALLBACK)(pin.pin_submitted)
    app.action(modals.RETRY_ACTION)(pin.retry_without_console)
    # Linking
    app.view(modals.LINK_CALLBACK)(link.link_submitted)
    app.action(modals.LINK_OPEN_ACTION)(link.link_again)
    app.action(modals.HOME_UNLINK_ACTION)(link.home_unlink)
    # Sharing
    app.action(modals.SHARE_ACTION)(share.share)
    # Session follow-through
    app.action(SESSION_POST_ACTION)(session.post_summary)
    # App Home
    app.event("app_home_opened")(home.home_opened)
    app.action(modals.HOME_REQUEST_ACTION[Kind.RESCUE])(home.home_rescue)
    app.action(modals.HOME_REQUEST_ACTION[Kind.LENS])(home.home_lens)
    # The Workflow Builder step (a remote function) and the agent's two buttons
    app.function(workflow_step.FUNCTION_CALLBACK)(workflow.step_started)
    app.action(workflow_step.REQUEST_ACTION)(workflow.step_request)
    app.action(workflow_step.DECLINE_ACTION)(workflow.step_decline)
    # Uninstall and revocation
    app.event("app_uninstalled")(installs.app_uninstalled)
    app.event("tokens_revoked")(installs.tokens_revoked)
