"""Survival probabilities and expectations of life from a :class:`LifeTable`.

Integer ages only; durations t may be fractional, in which case deaths are taken as uniformly
distributed over each year of age (UDD): for t = k + s with 0 ≤ s < 1,
ₜp_x = ₖp_x · (1 − s · q_{x+k}).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from sme_insure.life._grid import (
    FloatArray,
    check_ages,
    check_durations,
    scalar_or_array,
)
from sme_insure.life._sums import _padded
from sme_insure.life.tables import LifeTable


def survival_probability(table: LifeTable, age: npt.ArrayLike, t: npt.ArrayLike) -> FloatArray:
    """ₜp_x = ℓ_{x+t} / ℓ_x for whole t; fractional t under UDD: ₖp_x (1 − s q_{x+k}), t = k + s."""
    x = check_ages(table, age)
    duration = check_durations(t, "t", integer=False)
    x, duration = np.broadcast_arrays(x, duration)
    lx, qx, span = _padded(table)
    whole = np.minimum(np.floor(duration), span).astype(np.int64)
    part = np.where(duration >= span, 0.0, duration - np.floor(duration))
    idx = x - table.min_age
    kpx = lx[idx + whole] / lx[idx]
    return scalar_or_array(kpx * (1.0 - part * qx[idx + whole]))


def death_probability(table: LifeTable, age: npt.ArrayLike, t: npt.ArrayLike) -> FloatArray:
    """ₜq_x = 1 − ₜp_x (UDD within each year for fractional t)."""
    return scalar_or_array(1.0 - np.asarray(survival_probability(table, age, t)))


def curtate_expectation(table: LifeTable, age: npt.ArrayLike) -> FloatArray:
    """e_x = Σ_{k≥1} ₖp_x: expected number of whole future years lived."""
    x = check_ages(table, age)
    lx, _, span = _padded(table)
    idx = x - table.min_age
    k = np.arange(1, span + 1)
    return scalar_or_array((lx[idx[..., None] + k] / lx[idx][..., None]).sum(axis=-1))


def complete_expectation(table: LifeTable, age: npt.ArrayLike) -> FloatArray:
    """e̊_x = ∫₀^∞ ₜp_x dt = Σ_{k≥0} ₖp_x (1 − q_{x+k}/2) under UDD (= e_x + ½, closed table)."""
    x = check_ages(table, age)
    lx, qx, span = _padded(table)
    idx = x - table.min_age
    at = idx[..., None] + np.arange(span)
    kpx = lx[at] / lx[idx][..., None]
    return scalar_or_array((kpx * (1.0 - 0.5 * qx[at])).sum(axis=-1))
