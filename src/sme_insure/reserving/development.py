"""Development patterns for a group of segments: own chain-ladder factors or a benchmark.

chainladder drops a link ratio whose base is a zero (open issue #181 turns zeros into NaN), and
when every origin of a segment is zero at an age, the factor from that age cannot be estimated:
chainladder then reports it as NaN and multiplies the CDF by 1 as if nothing developed. That is
harmless when nothing did (every pair 0 → 0) but wrong when losses emerged from zero (0 → x > 0):
the CDF from that age is in truth unbounded. :func:`unestimable_ages` finds those ages so that the
origins at them are projected by expected loss instead (see :mod:`.fallback`).
"""

from __future__ import annotations

from dataclasses import dataclass

import chainladder as cl
import numpy as np
import pandas as pd

from sme_insure.reserving.config import LineConfig
from sme_insure.reserving.estimators import development_estimator, tail_estimator
from sme_insure.reserving.patterns import BenchmarkPattern
from sme_insure.reserving.vocabulary import PatternSource


@dataclass(frozen=True)
class FittedDevelopment:
    """A cumulative triangle carrying ``ldf_``/``cdf_``, with where its pattern came from.

    ``unestimable`` has shape (segments, ages): True where the CDF from that age is undefined.
    """

    X: cl.Triangle
    source: PatternSource
    statement: str
    unestimable: np.ndarray

    def cdf_at_latest(self) -> np.ndarray:
        """CDF to ultimate at each origin's latest age, shape (segments, origins).

        In a triangle valued at one date the origin ``i`` of ``n`` is at age index ``n − 1 − i``.
        """
        cdf = self.X.cdf_.values[:, 0, 0, :]
        n = self.X.shape[2]
        return cdf[:, n - 1 - np.arange(n)]

    def unestimable_at_latest(self) -> np.ndarray:
        """``unestimable`` at each origin's latest age, shape (segments, origins)."""
        n = self.X.shape[2]
        return self.unestimable[:, n - 1 - np.arange(n)]


def fit_own(losses: cl.Triangle, cfg: LineConfig) -> FittedDevelopment:
    """Chain-ladder factors of the segments' own data, with the configured tail."""
    fitted = development_estimator(cfg.development).fit_transform(losses)
    fitted = tail_estimator(cfg.tail).fit_transform(fitted)
    statement = (
        f"own data: {cfg.development.average.value}-weighted LDFs, "
        f"n_periods {cfg.development.n_periods}, tail {cfg.tail.kind.value}"
    )
    return FittedDevelopment(fitted, PatternSource.OWN, statement, unestimable_ages(fitted))


def fit_benchmark(losses: cl.Triangle, pattern: BenchmarkPattern) -> FittedDevelopment:
    """The benchmark CDFs imposed on the segments' triangle (no own factors are estimated)."""
    ages = losses.development.to_numpy()
    fitted = pattern.development(ages).fit_transform(losses)
    none = np.zeros((losses.shape[0], len(ages)), dtype=bool)
    return FittedDevelopment(fitted, PatternSource.BENCHMARK, pattern.statement(), none)


def unestimable_ages(fitted: cl.Triangle) -> np.ndarray:
    """Ages whose CDF is undefined because losses emerged from zero at a link with no factor.

    Link ``k`` (age k → k+1) is bad for a segment when its factor is NaN and some origin observed at
    age k+1 has zero (or no) loss at age k and a non-zero loss at k+1. Every age ≤ k is then
    unestimable, since its CDF contains the factor of link k. A segment without a single factor
    (no losses, or losses in one origin only) has no pattern at all: every age is unestimable.
    """
    values = fitted.values[:, 0]  # (segments, origins, ages), cumulative; NaN = zero or unobserved
    observed = ~np.isnan(fitted.nan_triangle)  # (origins, ages): inside the triangle
    base = np.nan_to_num(values[..., :-1])  # NaN inside the triangle is a zero (#181)
    nxt = np.nan_to_num(values[..., 1:])
    emerged = (base == 0) & (nxt != 0) & observed[None, :, 1:]
    n_links = values.shape[-1] - 1
    ldf = fitted.ldf_.values[:, 0, 0, :n_links]
    bad_link = np.isnan(ldf) & emerged.any(axis=1)
    # age j is unestimable if any link k >= j is bad: reverse cumulative "or"
    bad_from = np.flip(np.logical_or.accumulate(np.flip(bad_link, -1), axis=-1), -1)
    last_age = np.zeros((values.shape[0], 1), dtype=bool)
    no_pattern = np.isnan(ldf).all(axis=-1)  # not one factor: no losses, or in one origin only
    return np.concatenate([bad_from, last_age], axis=-1) | no_pattern[:, None]


def development_table(fit: FittedDevelopment, segment_labels: list[str]) -> pd.DataFrame:
    """Selected LDF and CDF by segment and age, long format, for reports."""
    ages = fit.X.development.to_numpy()
    ldf = fit.X.ldf_.values[:, 0, 0, : len(ages)]
    cdf = fit.X.cdf_.values[:, 0, 0, : len(ages)]
    rows = [
        {
            "segment": label,
            "age_months": int(age),
            "ldf": float(ldf[s, a]),
            "cdf": float(cdf[s, a]),
            "unestimable": bool(fit.unestimable[s, a]),
            "pattern": fit.statement,
        }
        for s, label in enumerate(segment_labels)
        for a, age in enumerate(ages)
    ]
    return pd.DataFrame(rows)
