"""Installations: OAuth, Enterprise Grid tenancy, uninstalls.

What other features use: the token of the installation serving this request."""

from bot.installs.tenancy import request_token

__all__ = ["request_token"]
