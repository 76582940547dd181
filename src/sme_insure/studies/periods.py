"""Experience periods and earning pro rata to the day.

Periods are calendar years, quarters or months (the reserving grain) clipped to the study window
``[start, min(end, valuation)]``. A row with cover [f, t] (both days included) earns in period p

    share_p = days([f, t] ∩ p) / (t − f + 1)

of its written premium and exposure, as :mod:`sme_insure.reserving.earning` does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from sme_insure.errors import InputError, Issue
from sme_insure.reserving import Grain

_FREQ = {Grain.ANNUAL: "Y", Grain.QUARTERLY: "Q", Grain.MONTHLY: "M"}
DAY = np.timedelta64(1, "D")


@dataclass(frozen=True)
class PeriodGrid:
    """Consecutive periods: first and last day (included) and the label of each."""

    grain: Grain
    starts: npt.NDArray[np.datetime64]
    ends: npt.NDArray[np.datetime64]
    labels: tuple[str, ...]

    @classmethod
    def between(cls, start: dt.date, end: dt.date, grain: Grain) -> PeriodGrid:
        """Calendar periods overlapping [start, end], clipped to it."""
        if end < start:
            raise InputError(
                [
                    Issue(
                        "period",
                        f"{start}–{end}",
                        "the window is empty: it ends "
                        "before it starts (is the valuation date before the start?)",
                    )
                ]
            )
        periods = pd.period_range(start, end, freq=_FREQ[grain])
        starts = np.maximum(
            periods.start_time.to_numpy().astype("datetime64[D]"), np.datetime64(start, "D")
        )
        ends = np.minimum(
            periods.end_time.to_numpy().astype("datetime64[D]"), np.datetime64(end, "D")
        )
        return cls(grain, starts, ends, tuple(str(p) for p in periods))

    def __len__(self) -> int:
        return len(self.labels)

    def days(self) -> npt.NDArray[np.int64]:
        """Days in each (clipped) period."""
        return ((self.ends - self.starts) / DAY + 1).astype(np.int64)

    def label_of(self, dates: pd.Series) -> npt.NDArray[np.int64]:
        """Index of the period containing each date; −1 outside the grid."""
        day = dates.to_numpy().astype("datetime64[D]")
        pos = np.searchsorted(self.starts, day, side="right") - 1
        inside = (pos >= 0) & (day <= self.ends[np.clip(pos, 0, None)])
        return np.where(inside, pos, -1).astype(np.int64)

    def frame(self) -> pd.DataFrame:
        """Label, first and last day of each period."""
        return pd.DataFrame(
            {
                "period": list(self.labels),
                "start": self.starts.astype("datetime64[ns]"),
                "end": self.ends.astype("datetime64[ns]"),
            }
        )


@dataclass(frozen=True)
class Split:
    """One record per (row, period) the row earns in: row position, period index, share."""

    row: npt.NDArray[np.int64]
    period: npt.NDArray[np.int64]
    share: npt.NDArray[np.float64]


def split_by_period(rows: pd.DataFrame, grid: PeriodGrid) -> Split:
    """Pro-rata shares of every row in every period of the grid (rows earning nothing dropped)."""
    start = rows["effective_from"].to_numpy().astype("datetime64[D]")
    end = rows["effective_to"].to_numpy().astype("datetime64[D]")
    cover = (end - start) / DAY + 1.0
    row_parts, period_parts, share_parts = [], [], []
    for p in range(len(grid)):
        lo = np.maximum(start, grid.starts[p])
        hi = np.minimum(end, grid.ends[p])
        days = (hi - lo) / DAY + 1.0
        hit = np.flatnonzero(days > 0)
        row_parts.append(hit)
        period_parts.append(np.full(hit.size, p, dtype=np.int64))
        share_parts.append(days[hit] / cover[hit])
    order = np.argsort(np.concatenate(row_parts), kind="stable")
    return Split(
        np.concatenate(row_parts)[order].astype(np.int64),
        np.concatenate(period_parts)[order],
        np.concatenate(share_parts)[order],
    )
