"""Loopback ports."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nothing listens on right now, for a process that must be told its port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
