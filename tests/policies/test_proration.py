"""Pro-rata arithmetic, with the reference's worked example."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sme_insure.errors import InputError
from sme_insure.policies.proration import (
    earned,
    months_in_force,
    pro_rata,
    remaining_fraction,
    round_fraction,
    short_rate_return,
)


def test_reference_example_class_1_to_2_after_three_months():
    """Reference §2: 760 → 960 CNY moving to class 2 after three months costs (960 − 760) × 9/12
    = 150 CNY. With exactly three quarters of the term left (273 of 364 days) that is 150.00; on a
    365-day year from 1 April the remaining 275 days give 200 × 275/365 = 150.68."""
    assert pro_rata(96_000 - 76_000, dt.date(2026, 1, 1), dt.date(2026, 12, 31), dt.date(2026, 4, 2)) == 15_000
    assert pro_rata(96_000 - 76_000, dt.date(2026, 1, 1), dt.date(2027, 1, 1), dt.date(2026, 4, 1)) == 15_068


def test_returns_are_negative_and_round_half_away_from_zero():
    assert round_fraction(Fraction(301, 2)) == 151
    assert round_fraction(Fraction(-301, 2)) == -151
    assert pro_rata(-1000, dt.date(2026, 1, 1), dt.date(2026, 1, 5), dt.date(2026, 1, 3)) == -500


def test_outside_the_term_is_refused():
    with pytest.raises(InputError, match="effective_date"):
        remaining_fraction(dt.date(2026, 1, 1), dt.date(2027, 1, 1), dt.date(2027, 2, 1))


def test_months_in_force_and_short_rate():
    assert months_in_force(dt.date(2026, 1, 10), dt.date(2026, 1, 10)) == 0
    assert months_in_force(dt.date(2026, 1, 10), dt.date(2026, 1, 11)) == 1
    assert months_in_force(dt.date(2026, 1, 10), dt.date(2026, 4, 10)) == 3
    assert short_rate_return(100_000, Fraction(1, 2)) == 50_000


dates = st.dates(dt.date(2025, 1, 1), dt.date(2028, 1, 1))


@given(start=dates, days=st.integers(1, 400), split=st.integers(0, 400), amount=st.integers(-10**9, 10**9))
def test_earned_parts_add_up(start, days, split, amount):
    end = start + dt.timedelta(days=days)
    mid = start + dt.timedelta(days=min(split, days))
    assert earned(amount, start, end, (start, mid)) + earned(amount, start, end, (mid, end)) == amount


def test_a_term_of_whole_months_is_months_over_12_policy_years():
    """One annual premium buys one policy-year, 29 February or not; a term in days is days/365;
    the parts of a term sum to it."""
    from sme_insure.policies.proration import exposure_years, term_years

    assert term_years(dt.date(2027, 3, 10), dt.date(2028, 3, 10)) == 1.0  # 366 days
    assert term_years(dt.date(2026, 1, 31), dt.date(2026, 2, 28)) == 1 / 12  # clamped month end
    assert term_years(dt.date(2026, 3, 10), dt.date(2026, 3, 11)) == 1 / 365
    term = (dt.date(2027, 3, 10), dt.date(2028, 3, 10))
    cut = dt.date(2027, 9, 10)
    parts = exposure_years(term[0], cut, term) + exposure_years(cut, term[1], term)
    assert abs(parts - 1.0) < 1e-12 and exposure_years(cut, term[1], term) == 182 / 366
