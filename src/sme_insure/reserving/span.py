"""Cutting a group's triangle to the origins that have losses.

A segment whose first loss falls in origin ``s`` > 0 has nothing at the oldest ``s`` ages, so
chainladder cannot estimate the last factors (NaN), and Mack's sigma extrapolation and standard
errors turn to NaN. The group is therefore fitted on the triangle from origin ``s`` on, with ages
up to that origin's age: an ordinary, complete triangle.

The ``s`` older origins (earned premium perhaps, but no losses) lie beyond that pattern: their CDF
is the tail from the oldest fitted age, and they are projected by Bornhuetter–Ferguson with it,
``U = 0 + ELR · P · (1 − 1/CDF)``, which is 0 without a tail.
"""

from __future__ import annotations

import chainladder as cl
import numpy as np


def first_loss_origin(values: np.ndarray) -> int:
    """Index of the first origin with a non-zero loss in an (origins, ages) array; 0 if none."""
    has_loss = (np.nan_to_num(values) != 0).any(axis=-1)
    return int(np.argmax(has_loss)) if has_loss.any() else 0


def usable_start(start: int, n_origins: int) -> int:
    """``start``, unless fewer than two origins would remain (no factor to estimate): then 0.

    A segment with losses in its latest origin only has no development of its own either way;
    :func:`~.development.unestimable_ages` sends all its origins to expected loss.
    """
    return start if start <= n_origins - 2 else 0


def cut(tri: cl.Triangle, start: int) -> cl.Triangle:
    """``tri`` from origin ``start`` on, with the ages those origins reach (same valuation)."""
    if start == 0:
        return tri
    kept = tri[tri.origin >= tri.origin[start]]
    if kept.shape[3] > 1:
        kept = kept[kept.development <= kept.development[kept.shape[2] - 1]]
    return kept


def older_origins_ultimate(
    premium: np.ndarray, elr: np.ndarray, tail_cdf: np.ndarray
) -> np.ndarray:
    """BF for loss-free origins older than the pattern: ``ELR · P · (1 − 1/CDF_tail)``."""
    return elr * premium * (1.0 - 1.0 / tail_cdf)
