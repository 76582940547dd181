"""Ultimates for origins the chosen method cannot project: no losses yet, or no usable pattern.

Chain ladder multiplies the latest value by the CDF, so an origin with nothing reported gets an
ultimate of 0 (chainladder shows NaN, issue #181), which is not a reserve. Such origins, and any
origin whose method result is not finite, are projected with Bornhuetter–Ferguson:

    U = C + ELR · P · (1 − 1/CDF)

where the a priori loss ratio ELR is the line's configured ``apriori_loss_ratio`` or, failing
that, the segment's Cape Cod loss ratio (chainladder ``CapeCod``, Σ C / Σ P/CDF). Both are fitted
by chainladder; where chainladder returns NaN with a finite CDF the value is an exact zero stored
as NaN (#181), and is read as 0. Where the CDF is unestimable (losses emerged from zero at a link
with no factor, see :mod:`.development`) the limit CDF → ∞ applies: ``U = C + ELR · P``, the
expected loss on top of what is already reported. A segment with no earned premium has no ELR
to apply and keeps ``U = C``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import chainladder as cl
import numpy as np

from sme_insure.reserving.config import LineConfig
from sme_insure.reserving.development import FittedDevelopment


class Fallback(StrEnum):
    """Why an origin's ultimate does not come from the chosen method."""

    NONE = ""
    NO_LOSSES = "bornhuetter_ferguson: no losses to develop"
    NOT_FINITE = "bornhuetter_ferguson: method result not finite"
    UNESTIMABLE = "expected_loss: development pattern not estimable"


@dataclass(frozen=True)
class FallbackFit:
    """BF ultimates for every origin and the loss ratio they used, arrays (segments, origins)."""

    ultimate: np.ndarray
    elr: np.ndarray
    elr_source: str


def _values(tri: cl.Triangle) -> np.ndarray:
    return tri.values[:, 0, :, -1]


def fit_fallback(dev: FittedDevelopment, premium: cl.Triangle, cfg: LineConfig) -> FallbackFit:
    """BF with the configured ELR, or Cape Cod with its own, on ``dev``'s pattern."""
    latest = np.nan_to_num(_values(dev.X.latest_diagonal))
    prem = np.nan_to_num(_values(premium))  # an origin with no earned premium has 0 (#181)
    if cfg.apriori_loss_ratio is not None:
        model = cl.BornhuetterFerguson(apriori=cfg.apriori_loss_ratio)
        model.fit(dev.X, sample_weight=premium)
        elr = np.full_like(prem, cfg.apriori_loss_ratio)
        source = f"configured a priori loss ratio {cfg.apriori_loss_ratio:.4f}"
    else:
        model = cl.CapeCod(trend=cfg.cape_cod_trend, decay=cfg.cape_cod_decay)
        model.fit(dev.X, sample_weight=premium)
        elr = _values(model.detrended_apriori_) * np.ones_like(prem)
        source = "Cape Cod loss ratio of the segment (no a priori configured)"
    elr = np.where(np.isfinite(elr), elr, 0.0)  # no premium: nothing to apply a ratio to
    bf = np.nan_to_num(_values(model.ultimate_))  # NaN with a finite CDF is an exact 0 (#181)
    ultimate = np.where(dev.unestimable_at_latest(), latest + elr * prem, bf)
    no_premium = prem == 0
    ultimate = np.where(no_premium, latest, ultimate)
    return FallbackFit(ultimate, elr, source)


def apply_fallback(
    method_ultimate: np.ndarray,
    latest: np.ndarray,
    unestimable: np.ndarray,
    fallback: FallbackFit,
) -> tuple[np.ndarray, np.ndarray]:
    """Final ultimates and the reason (a :class:`Fallback` value) per origin."""
    finite = np.isfinite(method_ultimate)
    reason = np.full(latest.shape, Fallback.NONE.value, dtype=object)
    reason[~finite] = Fallback.NOT_FINITE.value
    reason[~finite & (latest == 0)] = Fallback.NO_LOSSES.value
    reason[unestimable] = Fallback.UNESTIMABLE.value
    use = reason != Fallback.NONE.value
    return np.where(use, fallback.ultimate, method_ultimate), reason
