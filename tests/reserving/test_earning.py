"""Earned premium and exposure pro rata to the day."""

from __future__ import annotations

import pandas as pd
import pytest
from reserving_builders import premium_row

from sme_insure.reserving import Grain, earned_between, earned_by_origin


def _frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def test_policy_straddling_valuation_date():
    """1 July 2024 – 30 June 2025 (365 days), valued 31 Dec 2024: 184 days earned."""
    policy = _frame(premium_row("property", "2024-07-01", "2025-06-30", 365_000, exposure=1.0))
    earned = earned_by_origin(policy, pd.Timestamp("2024-12-31"), Grain.ANNUAL, ["line"])
    assert len(earned) == 1
    assert earned.loc[0, "earned_premium_fen"] == pytest.approx(365_000 * 184 / 365)
    assert earned.loc[0, "earned_exposure"] == pytest.approx(184 / 365)


def test_monthly_split_sums_to_the_whole():
    policy = _frame(premium_row("cargo", "2024-02-15", "2025-02-14", 366_000))  # 366 days
    earned = earned_by_origin(policy, pd.Timestamp("2024-06-30"), Grain.MONTHLY, ["line"])
    days = [15, 31, 30, 31, 30]  # 15–29 Feb (leap year), Mar, Apr, May, Jun
    assert earned["earned_premium_fen"].tolist() == pytest.approx([1000 * d for d in days])
    assert earned["origin"].dt.month.tolist() == [2, 3, 4, 5, 6]


def test_booking_after_valuation_earns_nothing_and_refunds_are_signed():
    rows = _frame(
        premium_row("property", "2024-01-01", "2024-12-31", 366_000),
        premium_row("property", "2024-07-01", "2024-12-31", -18_400, exposure=-0.5),
        {
            **premium_row("property", "2024-01-01", "2024-12-31", 1_000_000),
            "transaction_date": pd.Timestamp("2025-01-15"),
        },
    )
    earned = earned_between(
        rows, pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31"), pd.Timestamp("2024-12-31")
    )
    assert earned["earned_premium_fen"].tolist() == pytest.approx([366_000, -18_400, 0])
    assert earned["earned_exposure"].tolist() == pytest.approx([1.0, -0.5, 0.0])


def test_quarterly_origins_follow_calendar_quarters():
    policy = _frame(premium_row("property", "2024-03-01", "2024-05-31", 92_000))  # 92 days
    earned = earned_by_origin(policy, pd.Timestamp("2024-12-31"), Grain.QUARTERLY, ["line"])
    assert earned["origin"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-04-01")]
    assert earned["earned_premium_fen"].tolist() == pytest.approx([31_000, 61_000])
