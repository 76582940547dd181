"""Earned premium at current rate level.

Extension of exposures (the default): every row is re-rated with the current tables and earns
its current annual premium P_cur pro rata, on-level EP = P_cur × exposure × share. It is exact
and needs the rating inputs.

Parallelogram method (fallback for books without rating inputs): on-level EP of period p =
EP × OLF_p, OLF_p = current rate level / average rate level earned in p, with policies written
evenly and rate changes from a history; computed by ``chainladder.ParallelogramOLF`` on a daily
grid.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence

import chainladder as cl
import numpy as np
import numpy.typing as npt
import pandas as pd

from sme_insure.errors import ConfigurationError, Issue
from sme_insure.studies.config import RateChange
from sme_insure.studies.periods import PeriodGrid


def _one_triangle(grid: PeriodGrid) -> cl.Triangle:
    """A latest-diagonal triangle with one origin per period (values are irrelevant)."""
    starts = pd.PeriodIndex(list(grid.labels), freq=_freq(grid)).start_time
    frame = pd.DataFrame(
        {
            "origin": starts,
            "development": pd.Timestamp(grid.ends[-1]),
            "premium": 1.0,
            "segment": "all",
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cl.Triangle(
            frame,
            origin="origin",
            development="development",
            columns=["premium"],
            index=["segment"],
            cumulative=True,
        )


def _freq(grid: PeriodGrid) -> str:
    return {"annual": "Y", "quarterly": "Q", "monthly": "M"}[grid.grain.value]


def parallelogram_factors(
    grid: PeriodGrid, history: Sequence[RateChange], current_as_of: dt.date, policy_months: int = 12
) -> npt.NDArray[np.float64]:
    """OLF of each period: current level ÷ average level earned in the period.

    Only changes effective on or before ``current_as_of`` count (later ones are not yet current).
    """
    used = [c for c in history if c.date <= current_as_of]
    if not used:
        raise ConfigurationError(
            [Issue("on_level.rate_history", None, f"no rate change on or before {current_as_of}")]
        )
    rates = pd.DataFrame(
        {"date": pd.to_datetime([c.date for c in used]), "change": [c.change for c in used]}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        olf = cl.ParallelogramOLF(
            rates,
            change_col="change",
            date_col="date",
            approximation_grain="D",
            policy_length=policy_months,
        )
        fitted = olf.fit(_one_triangle(grid))
    return np.asarray(fitted.olf_.values[0, 0, :, 0], dtype=np.float64)
