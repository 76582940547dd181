"""The reserving estimator: every segment's method fitted from one multi-index Triangle.

:class:`ReservingModel` follows chainladder's (scikit-learn's) contract: settings in the
constructor, stored as given; ``fit`` learns attributes ending in ``_`` and returns ``self``.
It plans every segment (:mod:`.plan`: configuration, own or benchmark pattern, method), fits
each group of alike segments as one multi-index Triangle (:mod:`.group`: chainladder method,
fallbacks for zero origins and cells, Mack errors, bootstrap percentiles) and adds totals.

The work per group is in :mod:`.group`. Amounts are fen as floats here;
:class:`~.results.ReservingResult` rounds them for output.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd

from sme_insure.reserving.config import ReservingConfig
from sme_insure.reserving.group import fit_group
from sme_insure.reserving.plan import group_plans, plan_segments
from sme_insure.reserving.totals import grand_total
from sme_insure.reserving.triangles import TriangleSet


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence numpy's RuntimeWarnings inside chainladder: NaN stands for zero there (#181)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


class ReservingModel:
    """Fit every segment of a :class:`~.triangles.TriangleSet` with its configured method.

    Parameters
    ----------
    config : ReservingConfig, optional
        Methods and assumptions per line (defaults: Mack on case-incurred, own pattern).

    Attributes
    ----------
    plans_ : list[SegmentPlan]     configuration, pattern and method of each segment
    origins_ : DataFrame           one row per segment and active origin (fen, unrounded)
    totals_ : DataFrame            one row per segment, then the grand total
    development_ : DataFrame       selected LDF and CDF by segment and age
    """

    def __init__(self, config: ReservingConfig | None = None) -> None:
        self.config = config

    def fit(self, X: TriangleSet) -> ReservingModel:  # noqa: N803 - scikit-learn's name
        """Fit all segments of ``X``; returns ``self``."""
        config = self.config if self.config is not None else ReservingConfig()
        self.plans_ = plan_segments(X, config)
        with _quiet():
            fits = [fit_group(X, group) for group in group_plans(self.plans_)]
        order = ["_position", "_origin_index"]
        origins = pd.concat([f.origins for f in fits]).sort_values(order)
        totals = pd.concat([f.totals for f in fits]).sort_values("_position")
        self.origins_ = origins.drop(columns=order).reset_index(drop=True)
        totals = totals.drop(columns="_position").reset_index(drop=True)
        self.totals_ = pd.concat([totals, grand_total(totals, X.by)], ignore_index=True)
        self.development_ = pd.concat([f.development for f in fits], ignore_index=True)
        return self
