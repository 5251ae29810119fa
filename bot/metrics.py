"""Prometheus metrics, one set per process (each process is scraped on its own).

Labels are bounded: kinds, outcomes, Slack method names and error codes. Never a user,
a team or a field value.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram
from prometheus_client import generate_latest as _generate

CONTENT_TYPE = CONTENT_TYPE_LATEST

PIN_REQUESTS = Counter(
    "rescue_pin_requests",
    "PIN requests that reached the app, by kind and outcome",
    ["kind", "outcome"],
)
RESCUE_SECONDS = Histogram(
    "rescue_pin_rescue_call_seconds",
    "Time of one call to the Rescue API, connect to last byte, by page",
    ["page"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0),
)
SLACK_API_ERRORS = Counter(
    "rescue_pin_slack_api_errors",
    "Slack calls that failed after retries, by method (or response_url) and error",
    ["method", "error"],
)
DELIVERIES = Counter(
    "rescue_pin_deliveries", "Private answers to agents, by the way they went", ["via"]
)
IN_FLIGHT = Gauge("rescue_pin_in_flight", "PIN requests under way in this process")
EVENTS = Counter(
    "rescue_pin_slack_events", "Requests to /slack/events, by how they were taken", ["result"]
)

SESSION_POSTS = Counter(
    "rescue_pin_session_posts",
    "Rescue's Post-to-URL posts, by result: matched, duplicate, unknown, refused",
    ["result"],
)

for _result in ("matched", "duplicate", "unknown", "refused"):
    SESSION_POSTS.labels(_result)  # each shows from the start, at 0


def render() -> bytes:
    return _generate(REGISTRY)
