"""Fitting one group of segments (one multi-index Triangle) and assembling its per-origin arrays.

Steps, for segments sharing configuration, pattern, method and first loss origin (:mod:`.plan`):

1. cut the losses and premium to the origins with losses (:mod:`.span`), after checking that
   losses and premium list the same segments in the same order (chainladder pairs them by
   position, not by label);
2. develop the losses (own factors or a benchmark, :mod:`.development`) and fit the chosen
   chainladder method, with earned premium as ``sample_weight`` where the method needs it;
3. replace results the method cannot give by Bornhuetter–Ferguson or expected loss
   (:mod:`.fallback`) and add Mack standard errors where the method is Mack;
4. put back the older, loss-free origins, projected beyond the pattern.
"""

from __future__ import annotations

import chainladder as cl
import numpy as np

from sme_insure.reserving.development import FittedDevelopment, fit_benchmark, fit_own
from sme_insure.reserving.estimators import EXPOSURE_METHODS, method_estimator
from sme_insure.reserving.fallback import Fallback, FallbackFit, apply_fallback, fit_fallback
from sme_insure.reserving.plan import SegmentPlan
from sme_insure.reserving.rows import GroupFit, group_frames
from sme_insure.reserving.span import cut, older_origins_ultimate, usable_start
from sme_insure.reserving.triangles import TriangleSet, check_aligned
from sme_insure.reserving.vocabulary import MethodName, PatternSource


def last_column(tri: cl.Triangle) -> np.ndarray:
    """Values of a single-column Triangle at its last development column: (segments, origins)."""
    return tri.values[:, 0, :, -1]


def _develop(losses: cl.Triangle, plan: SegmentPlan) -> FittedDevelopment:
    if plan.source is PatternSource.BENCHMARK and plan.benchmark is not None:
        return fit_benchmark(losses, plan.benchmark)
    return fit_own(losses, plan.cfg)


def _fit_method(dev: FittedDevelopment, premium: cl.Triangle, plan: SegmentPlan) -> cl.MethodBase:
    estimator = method_estimator(plan.method, plan.cfg)
    if plan.method in EXPOSURE_METHODS:
        return estimator.fit(dev.X, sample_weight=premium)
    return estimator.fit(dev.X)


def _mack_errors(
    model: cl.MethodBase, plan: SegmentPlan, reason: np.ndarray, cdf: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mack standard errors of ultimate by origin and in total; NaN where not estimated.

    A fully developed origin has error 0 (chainladder shows NaN for that zero, #181); an origin
    projected by a fallback has no Mack error.
    """
    if plan.method is not MethodName.MACK:
        return np.full(reason.shape, np.nan), np.full(reason.shape[0], np.nan)
    by_origin = model.mack_std_err_.values[:, 0, :, -1]
    by_origin = np.where(np.isnan(by_origin) & (cdf == 1.0), 0.0, by_origin)
    by_origin = np.where(reason == Fallback.NONE.value, by_origin, np.nan)
    total = model.total_mack_std_err_.to_numpy(dtype=float)[:, 0]  # NaN: not estimable
    return by_origin, total


def _estimates(
    losses: cl.Triangle, premium: cl.Triangle, plan: SegmentPlan
) -> tuple[dict[str, np.ndarray], np.ndarray, FittedDevelopment, FallbackFit]:
    """Per-origin estimates on the cut triangle, total std. errors, development and fallback."""
    dev = _develop(losses, plan)
    model = _fit_method(dev, premium, plan)
    latest = np.nan_to_num(last_column(losses.latest_diagonal))  # NaN inside is 0 (#181)
    fallback = fit_fallback(dev, premium, plan.cfg)
    ultimate, reason = apply_fallback(
        last_column(model.ultimate_), latest, dev.unestimable_at_latest(), fallback
    )
    cdf = dev.cdf_at_latest()
    std_err, total_se = _mack_errors(model, plan, reason, cdf)
    fitted = {
        "latest_fen": latest,
        "ultimate_fen": ultimate,
        "cdf": cdf,
        "elr": fallback.elr,
        "fallback": reason,
        "std_err_fen": std_err,
    }
    return fitted, total_se, dev, fallback


def _prepend_older(
    fitted: dict[str, np.ndarray], start: int, premium: np.ndarray
) -> dict[str, np.ndarray]:
    """Add the ``start`` loss-free origins older than the fitted triangle (see :mod:`.span`)."""
    if start == 0:
        return fitted
    shape = (premium.shape[0], start)
    tail = np.repeat(fitted["cdf"][:, :1], start, axis=1)  # CDF from the oldest fitted age
    elr = np.repeat(fitted["elr"][:, :1], start, axis=1)
    older = {
        "latest_fen": np.zeros(shape),
        "ultimate_fen": older_origins_ultimate(premium[:, :start], elr, tail),
        "cdf": tail,
        "elr": elr,
        "fallback": np.full(shape, Fallback.NO_LOSSES.value, dtype=object),
        "std_err_fen": np.full(shape, np.nan),
    }
    return {k: np.concatenate([older[k], v], axis=1) for k, v in fitted.items()}


def fit_group(triangles: TriangleSet, plans: list[SegmentPlan]) -> GroupFit:
    """Fit the segments of ``plans`` (same group key) together; rows, totals, development."""
    first, positions = plans[0], [p.position for p in plans]
    losses = triangles.losses(first.cfg.basis).iloc[positions].sort_index()
    start = usable_start(first.first_loss_origin, losses.shape[2])
    premium = triangles.earned_premium.iloc[positions].sort_index()
    check_aligned(losses, premium)
    fitted, total_se, dev, fallback = _estimates(cut(losses, start), cut(premium, start), first)
    premium_fen = np.nan_to_num(last_column(premium))  # an origin without premium has 0 (#181)
    columns = _prepend_older(fitted, start, premium_fen)
    columns["ibnr_fen"] = columns["ultimate_fen"] - columns["latest_fen"]
    columns["earned_premium_fen"] = premium_fen
    exposure = triangles.earned_exposure.iloc[positions].sort_index()
    columns["earned_exposure"] = np.nan_to_num(last_column(exposure))
    counts = triangles.reported_count.iloc[positions].sort_index().latest_diagonal
    columns["reported_count"] = np.nan_to_num(last_column(counts))
    return group_frames(
        triangles, plans, losses, columns, total_se, fallback.elr_source, dev, start
    )
