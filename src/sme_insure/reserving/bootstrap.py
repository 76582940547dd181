"""Percentiles of IBNR from the bootstrap ODP model (England & Verrall 2002).

chainladder's ``BootstrapODPSample`` handles single-index triangles only, so it runs one segment
at a time; ``hat_adj=True`` applies the degrees-of-freedom (hat matrix) adjustment to the
residuals, which chainladder leaves off by default. Chain ladder fitted on the resampled triangles
adds process variance (chainladder does this for bootstrap samples). Negative samples are possible
(chainladder issue #449) and are kept: they are part of the distribution. The percentiles are
those of the chain-ladder ODP bootstrap whatever the segment's point method; when the hat matrix is
singular chainladder drops the adjustment, which :attr:`BootstrapPercentiles.hat_adjusted` says.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import chainladder as cl
import numpy as np

from sme_insure.errors import SmeInsureError
from sme_insure.reserving.config import BootstrapConfig


class BootstrapError(SmeInsureError, ArithmeticError):
    """The bootstrap could not produce a sound distribution for a segment."""


class HatSafeBootstrapODPSample(cl.BootstrapODPSample):
    """chainladder's ODP bootstrap with the hat-matrix adjustment computed safely.

    chainladder 0.10 computes the factors ``sqrt(1 / |1 − h_ii|)`` with ``np.divide(where=...)``
    and no ``out``, so where ``h_ii == 1`` (corner cells, whose residuals are 0) the factor is
    uninitialised memory, now and then a huge number that turns a zero residual into garbage.
    This override computes the same factors (Shapland, eq. 3.23: H = D (DᵀWD)⁻¹ DᵀW) into zeros.
    """

    def _get_hat(self, X: cl.Triangle, exp_incr_triangle: np.ndarray) -> np.ndarray:  # noqa: N803
        observed = ~np.isnan(X.nan_triangle)  # design rows run down each column in turn
        weights = exp_incr_triangle.T[observed.T]
        design = self.design_matrix_
        dw = design.T * weights
        leverage = np.einsum("ij,ji->i", design @ np.linalg.inv(dw @ design), dw)
        slack = np.abs(1.0 - leverage)
        factor = np.sqrt(np.divide(1.0, slack, out=np.zeros_like(slack), where=slack != 0))
        hat = np.full(observed.shape, np.nan)
        hat.T[observed.T] = factor
        return hat


@dataclass(frozen=True)
class BootstrapPercentiles:
    """IBNR percentiles: ``by_origin`` (levels, origins) and ``total`` (levels)."""

    levels: tuple[float, ...]
    by_origin: np.ndarray
    total: np.ndarray
    hat_adjusted: bool


def bootstrap_ibnr(losses: cl.Triangle, cfg: BootstrapConfig) -> BootstrapPercentiles:
    """Resample one segment's cumulative triangle ``cfg.n_sims`` times; IBNR percentiles."""
    if losses.shape[0] != 1:
        raise BootstrapError("bootstrap ODP takes one segment at a time")
    sampler = HatSafeBootstrapODPSample(
        n_sims=cfg.n_sims, hat_adj=cfg.hat_adj, random_state=cfg.random_state
    )
    with warnings.catch_warnings():  # a singular hat matrix is reported via hat_adjusted
        warnings.filterwarnings("ignore", message="Could not compute hat matrix")
        sims = cl.Chainladder().fit(sampler.fit_transform(losses))
    ibnr = np.nan_to_num(sims.ibnr_.values[:, 0, :, 0])  # zero IBNR is stored as NaN (#181)
    q = np.asarray(cfg.percentiles)
    return BootstrapPercentiles(
        cfg.percentiles,
        np.quantile(ibnr, q, axis=0),
        np.quantile(ibnr.sum(axis=1), q),
        hat_adjusted=getattr(sampler, "hat_", None) is not None,
    )


def percentile_label(level: float) -> str:
    """Column name for a level: 0.995 → ``ibnr_p99_5_fen``."""
    text = f"{level * 100:g}".replace(".", "_")
    return f"ibnr_p{text}_fen"
