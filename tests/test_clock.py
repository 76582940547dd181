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


def test_a_stored_utc_time_falls_on_its_beijing_business_day(monkeypatch):
    """Issued at 23:30 UTC on 03-01 is 07:30 on 03-02 in Beijing: the cooling-off days count from
    03-02 (SQLite hands the time back naive, in UTC)."""
    monkeypatch.delenv("SME_INSURE_TIMEZONE", raising=False)
    assert clock.day_of(dt.datetime(2026, 3, 1, 23, 30)) == dt.date(2026, 3, 2)
    assert clock.day_of(dt.datetime(2026, 3, 1, 15, 59, tzinfo=UTC)) == dt.date(2026, 3, 1)
