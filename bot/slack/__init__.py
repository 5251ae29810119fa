"""Slack: every Web API call, its timeouts, retries and faults; payload readers; delivery."""
