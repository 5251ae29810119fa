"""`python -m bot serve` under pyinstrument, for `python -m bench --profile`.

Writes profile.txt and profile.html to the benchmark's work folder when the server stops.
"""

from __future__ import annotations

import os
from pathlib import Path

from pyinstrument import Profiler

from bot.cli import main
from handlers import register

if __name__ == "__main__":
    profiler = Profiler(interval=0.0005)
    profiler.start()
    try:
        main(register, ["serve"])
    finally:
        profiler.stop()
        out = Path(os.environ.get("WORKDIR", "."))
        (out / "profile.txt").write_text(profiler.output_text(unicode=True, show_all=False))
        (out / "profile.html").write_text(profiler.output_html())
        print(f"profile written to {out}/profile.txt")
