"""Bolt's start-up warning that our client wins over SLACK_BOT_TOKEN is dropped, nothing else."""

from __future__ import annotations

import logging

import pytest
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.bolt import BOLT_LOGGER


def test_the_client_wins_warning_is_dropped_and_other_bolt_warnings_are_not(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-noise")
    with caplog.at_level(logging.WARNING, logger="slack_bolt"):
        AsyncApp(
            client=AsyncWebClient(token="xoxb-1-noise"),
            logger=BOLT_LOGGER,
            request_verification_enabled=False,
        )
        BOLT_LOGGER.warning("something Bolt really means")
    messages = [record.getMessage() for record in caplog.records]
    assert messages == ["something Bolt really means"]
