"""GET /metrics, scraped as Prometheus would, after real flows through the app."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.fakes import FakeRescue, FakeSlack
from tests.support.harness import Harness, open_and_submit, running_app, settled

AUTHCODE = "metrics-authcode-55aa"
METRICS_TOKEN = "Kq3vN8sLx2Rw7TzP1mYc-metrics-scraper"


async def scrape(h: Harness) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with h.http.get(h.server.make_url("/metrics")) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        text = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_count_requests_outcomes_rescue_latency_and_slack_errors(
    harness: Harness,
) -> None:
    before = await scrape(harness)
    await harness.link("U1", AUTHCODE)
    await open_and_submit(harness, {"cfield0": "Jane Doe"})
    harness.rescue.answers[AUTHCODE] = "INVALID_SECRETAUTHCODE"
    await open_and_submit(harness, {"cfield0": "Jane Doe"})
    harness.slack.fail("views.open", "expired_trigger_id")
    _, _, rid = await harness.command("Jane")
    await harness.slack.response(rid)  # told the modal failed: the error was counted before
    status, _, _ = await harness.post(b"command=/rescue-pin", signed=False)
    assert status == 401
    await settled(harness, 2)  # both PIN requests delivered and noted

    after = await scrape(harness)
    for _ in range(100):  # the last request leaves the gauge just after its audit row
        if value(after, "rescue_pin_in_flight") == 0:
            break
        await asyncio.sleep(0.05)
        after = await scrape(harness)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("rescue_pin_requests_total", kind="rescue", outcome="OK") == 1
    assert delta("rescue_pin_requests_total", kind="rescue", outcome="INVALID_SECRETAUTHCODE") == 1
    assert delta("rescue_pin_rescue_call_seconds_count", page="requestPINCode.aspx") == 2
    assert (
        delta("rescue_pin_slack_api_errors_total", method="views.open", error="expired_trigger_id")
        == 1
    )
    assert delta("rescue_pin_deliveries_total", via="response_url") >= 2
    assert delta("rescue_pin_slack_events_total", result="unsigned") == 1
    assert delta("rescue_pin_slack_events_total", result="taken") >= 5
    assert value(after, "rescue_pin_in_flight") == 0
    # Nothing about a person or a secret is ever a label or a value.
    text = repr(after)
    for private in (AUTHCODE, "Jane", "U1", "T0001"):
        assert private not in text


async def get_metrics(h: Harness, headers: dict[str, str]) -> tuple[int, str, dict[str, str]]:
    async with h.http.get(h.server.make_url("/metrics"), headers=headers) as response:
        return response.status, await response.text(), dict(response.headers)


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer Kq3vN8sLx2Rw7TzP1mYc-metrics-scrapes",  # one character off
        "Bearer " + METRICS_TOKEN[:-1],  # a prefix
        "Basic " + METRICS_TOKEN,
        METRICS_TOKEN,
    ],
    ids=["missing", "wrong", "prefix", "not-bearer", "no-scheme"],
)
async def test_with_a_token_metrics_answer_nobody_else(
    fake_slack: FakeSlack, fake_rescue: FakeRescue, sqlite_url: str, authorization: str | None
) -> None:
    async with running_app(fake_slack, fake_rescue, sqlite_url, metrics_token=METRICS_TOKEN) as h:
        headers = {} if authorization is None else {"Authorization": authorization}
        status, text, answered = await get_metrics(h, headers)
    assert status == 401 and answered["WWW-Authenticate"].startswith("Bearer")
    assert "rescue_pin" not in text


async def test_with_a_token_metrics_answer_the_scraper_that_has_it(
    fake_slack: FakeSlack, fake_rescue: FakeRescue, sqlite_url: str
) -> None:
    async with running_app(fake_slack, fake_rescue, sqlite_url, metrics_token=METRICS_TOKEN) as h:
        for scheme in ("Bearer", "bearer"):
            status, text, _ = await get_metrics(h, {"Authorization": f"{scheme} {METRICS_TOKEN}"})
            assert status == 200 and "rescue_pin_requests" in text


async def test_without_a_token_metrics_answer_anyone(harness: Harness) -> None:
    for headers in ({}, {"Authorization": "Bearer anything-at-all"}):
        status, text, _ = await get_metrics(harness, headers)
        assert status == 200 and "rescue_pin_requests" in text
