"""Rescue PIN for Slack: the core (no Slack listener code lives here)."""
