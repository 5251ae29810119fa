"""`python -m bot VERB`. The listeners (handlers/) are found through the package's entry point
`rescue_pin.listeners`, so the core never imports them and they can be tested on their own."""

from importlib.metadata import entry_points

from bot.cli import main

(listeners,) = entry_points(group="rescue_pin.listeners")
raise SystemExit(main(listeners.load()))
