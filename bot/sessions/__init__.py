"""Session follow-through: Rescue's Post-to-URL turned into what the agent sees.

What other features use: a request's fresh reference (the PIN request writes it into
Rescue's reserved field), a follow-through row's states and how long a session lasted, in
the reader's words (App Home shows them)."""

from bot.sessions.post import new_reference
from bot.sessions.rows import ENDED, IN_SESSION, SessionRow
from bot.sessions.texts import duration

__all__ = ["ENDED", "IN_SESSION", "SessionRow", "duration", "new_reference"]
