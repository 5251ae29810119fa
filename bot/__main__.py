"""`python -m bot VERB`: the one place the core (bot/) is handed its listeners (handlers/)."""

from bot.cli import main
from handlers import register

raise SystemExit(main(register))
