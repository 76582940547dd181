"""Earned premium and exposure, pro rata to the day.

A premium transaction with cover ``[effective_from, effective_to]`` (both days included, so
``cover_days = effective_to − effective_from + 1``) earns, over a period ``[a, b]``::

    earned = written × days(cover ∩ [a, b]) / cover_days

and likewise for exposure. Only transactions booked on or before the valuation date count, and
nothing is earned after it: a policy straddling the valuation date earns the days up to and
including the valuation date.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sme_insure.reserving.vocabulary import Grain

_FREQ = {Grain.ANNUAL: "Y", Grain.QUARTERLY: "Q", Grain.MONTHLY: "M"}
_DAY = np.timedelta64(1, "D")


def cover_days(frame: pd.DataFrame) -> np.ndarray:
    """Days of cover, both ends included."""
    span = frame["effective_to"].to_numpy() - frame["effective_from"].to_numpy()
    return span / _DAY + 1.0


def overlap_days(
    start: np.ndarray, end: np.ndarray, period_start: np.ndarray, period_end: np.ndarray
) -> np.ndarray:
    """Days of ``[start, end]`` inside ``[period_start, period_end]`` (all days included), ≥ 0."""
    lo = np.maximum(start, period_start)
    hi = np.minimum(end, period_end)
    return np.clip((hi - lo) / _DAY + 1.0, 0.0, None)


def earned_fraction(frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    """Share of each row's cover that falls in ``[start, end]``: overlap days / cover days."""
    days = overlap_days(
        frame["effective_from"].to_numpy(),
        frame["effective_to"].to_numpy(),
        np.datetime64(start),
        np.datetime64(end),
    )
    return days / cover_days(frame)


def earned_between(
    frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, as_of: pd.Timestamp
) -> pd.DataFrame:
    """Per row: premium (fen, unrounded) and exposure earned in ``[start, min(end, as_of)]``.

    Rows booked after ``as_of`` earn nothing at that valuation.
    """
    booked = (frame["transaction_date"] <= as_of).to_numpy()
    share = earned_fraction(frame, start, min(end, as_of)) * booked
    return pd.DataFrame(
        {
            "earned_premium_fen": frame["written_fen"].to_numpy(dtype=float) * share,
            "earned_exposure": frame["exposure"].to_numpy(dtype=float) * share,
        },
        index=frame.index,
    )


def _split_by_period(frame: pd.DataFrame, as_of: pd.Timestamp, grain: Grain) -> pd.DataFrame:
    """One row per (transaction, origin period it earns in), with the days earned there."""
    start = frame["effective_from"]
    end = frame["effective_to"].clip(upper=as_of)
    live = (end >= start) & (frame["transaction_date"] <= as_of)
    frame, start, end = frame.loc[live], start[live], end[live]
    freq = _FREQ[grain]
    first = start.dt.to_period(freq).array.asi8
    last = end.dt.to_period(freq).array.asi8
    repeat = (last - first + 1).astype(np.int64)
    rows = np.repeat(np.arange(len(frame)), repeat)
    offset = np.arange(len(rows)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    periods = pd.PeriodIndex.from_ordinals(first[rows] + offset, freq=freq)
    days = overlap_days(
        start.to_numpy()[rows],
        end.to_numpy()[rows],
        periods.start_time.to_numpy(),
        periods.end_time.normalize().to_numpy(),
    )
    out = frame.iloc[rows].reset_index(drop=True)
    out["origin"] = periods.start_time
    out["share"] = days / cover_days(out)
    return out


def earned_by_origin(
    premiums: pd.DataFrame, as_of: pd.Timestamp, grain: Grain, by: Sequence[str]
) -> pd.DataFrame:
    """Earned premium (fen, unrounded) and exposure per segment and origin period to ``as_of``.

    Columns: ``*by, origin`` (period start), ``earned_premium_fen``, ``earned_exposure``.
    """
    split = _split_by_period(premiums, pd.Timestamp(as_of), grain)
    split["earned_premium_fen"] = split["written_fen"].to_numpy(dtype=float) * split["share"]
    split["earned_exposure"] = split["exposure"].to_numpy(dtype=float) * split["share"]
    keys = [*by, "origin"]
    grouped = split.groupby(keys, sort=True, observed=True)
    return grouped[["earned_premium_fen", "earned_exposure"]].sum().reset_index()
