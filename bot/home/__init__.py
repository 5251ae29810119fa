"""The App Home tab.

What other features use: publishing someone's Home again when what it shows has changed."""

from bot.home.view import publish

__all__ = ["publish"]
