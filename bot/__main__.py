"""`python -m bot VERB`. The listeners (handlers/) are found through the package's entry point
`rescue_pin.listeners`, so the core never imports them and they can be tested on their own."""

import gc

# Off while the process starts: imports, settings, Bolt and the store make objects that live as
# long as the process, and the collector walked them dozens of times finding nothing to free.
# A server's settle_heap (bot.runtime) turns it on once started; any other verb, at once.
gc.disable()

from importlib.metadata import entry_points  # noqa: E402

from bot.cli import main  # noqa: E402

(listeners,) = entry_points(group="rescue_pin.listeners")
raise SystemExit(main(listeners.load()))
