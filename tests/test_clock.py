"""The business day is Beijing's, whatever the host's time zone."""

from __future__ import annotations

import datetime as dt

import pytest

from sme_insure import clock
from sme_insure.services.context import Services

UTC = dt.UTC


def test_the_business_day_starts_at_midnight_in_beijing(monkeypatch):
    monkeypatch.delenv("SME_INSURE_TIMEZONE", raising=False)
    assert clock.today(dt.datetime(2026, 12, 6, 15, 59, tzinfo=UTC)) == dt.date(2026, 12, 6)
    assert clock.today(dt.datetime(2026, 12, 6, 16, 0, tzinfo=UTC)) == dt.date(2026, 12, 7)  # 00:00 CST
    assert Services.__dataclass_fields__["today"].default is clock.today


def test_another_zone_is_named_or_refused(monkeypatch):
    monkeypatch.setenv("SME_INSURE_TIMEZONE", "Europe/London")
    assert clock.today(dt.datetime(2026, 12, 6, 23, 30, tzinfo=UTC)) == dt.date(2026, 12, 6)
    monkeypatch.setenv("SME_INSURE_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValueError, match="Mars/Olympus"):
        clock.today()
