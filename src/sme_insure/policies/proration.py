"""Pro-rata arithmetic of mid-term changes and cancellations, in integer fen.

The cover period is ``[start, end)`` (days). A change effective on day ``d`` charges or returns

    Δ = round_half_up((new annual − old annual) × (end − d) / (end − start))

so a change of class 1 → 2 (760 → 960 CNY) effective a quarter of the way through charges
200 × 9/12 = 150 CNY when the remaining days are exactly three quarters of the term. Short-rate
cancellation keeps the earned share of a scale (months in force → share earned) instead.
"""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction

from sme_insure.errors import InputError, Issue


def remaining_fraction(start: dt.date, end: dt.date, effective: dt.date) -> Fraction:
    """Share of the term from ``effective`` to ``end``, exact."""
    if not start <= effective <= end:
        raise InputError([Issue("effective_date", effective.isoformat(),
                                f"must fall within the cover period {start} – {end}")])
    return Fraction((end - effective).days, (end - start).days)


def round_fraction(value: Fraction) -> int:
    """Round an exact fen amount half up (away from zero for negatives, as for positives)."""
    sign = -1 if value < 0 else 1
    return sign * math.floor(abs(value) + Fraction(1, 2))


def pro_rata(delta_annual_fen: int, start: dt.date, end: dt.date, effective: dt.date) -> int:
    """The charge (positive) or return (negative) of an annual premium change from ``effective``."""
    return round_fraction(delta_annual_fen * remaining_fraction(start, end, effective))


def months_in_force(start: dt.date, effective: dt.date) -> int:
    """Started months between ``start`` and ``effective`` (a part month counts as a month)."""
    months = (effective.year - start.year) * 12 + effective.month - start.month
    return months + (1 if effective.day > start.day else 0)


def short_rate_return(premium_fen: int, earned_share: Fraction) -> int:
    """Return premium on a short-rate cancellation: premium × (1 − earned share), half up."""
    return round_fraction(premium_fen * (1 - earned_share))


def earned(amount_fen: int, start: dt.date, end: dt.date, period: tuple[dt.date, dt.date]) -> Fraction:
    """Earned part of a transaction spread evenly over ``[start, end)`` within ``period``."""
    lo, hi = max(start, period[0]), min(end, period[1])
    if hi <= lo or end <= start:
        return Fraction(0)
    return Fraction(amount_fen * (hi - lo).days, (end - start).days)


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later (clamped to the month's end)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def term_years(start: dt.date, end: dt.date) -> float:
    """Policy-years of a term ``[start, end)``: ``months / 12`` for a term of whole months (a
    year containing 29 February is one policy-year, charged one annual premium), else
    ``days / 365`` (a term stated in days)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if months > 0 and add_months(start, months) == end:
        return months / 12
    return (end - start).days / 365


def exposure_years(start: dt.date, stop: dt.date, term: tuple[dt.date, dt.date], *,
                   in_days: bool = False) -> float:
    """Policy-years of the part ``[start, stop)`` of a term: its share of the term's days times
    :func:`term_years`, so the parts of a term always sum to the term's policy-years. A term
    stated in days (per-day cover, ``in_days``) is days / 365 even when its days happen to run
    from one date to the same date of a later month."""
    days = (term[1] - term[0]).days
    if days <= 0:
        return 0.0
    years = days / 365 if in_days else term_years(*term)
    return years * (stop - start).days / days

