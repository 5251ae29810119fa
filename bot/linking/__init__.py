"""Linking a Slack user to a Rescue authcode."""
