"""Benchmark development patterns from the CAS Loss Reserve Database (``cl.load_sample('clrd')``).

A line with too few origin periods of its own borrows the pattern of a comparable US line: the
industry total (all companies of the line summed) of accident years 1988–1997, volume-weighted
age-to-age factors, the line's configured tail. Paid basis uses ``CumPaidLoss``; incurred basis uses
case-incurred ``IncurLoss − BulkLoss`` (``IncurLoss`` already contains bulk IBNR).

The benchmark gives CDFs at ages 12, 24, …, 120 months. At other ages (quarterly or monthly grain,
a valuation inside a year) ``log CDF`` is interpolated linearly in age; below 12 months it is
extrapolated with the 12–24 slope, and beyond 120 months it is held at the 120-month value (the
tail), which errs on the side of more reserve.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache

import chainladder as cl
import numpy as np
import pandas as pd

from sme_insure.reserving.config import TailConfig
from sme_insure.reserving.estimators import tail_estimator
from sme_insure.reserving.vocabulary import Basis, BenchmarkLob


@lru_cache(maxsize=1)
def _industry() -> cl.Triangle:
    """CLRD summed over companies, one index entry per line of business (loaded once).

    chainladder's sample loader trips a pandas 3 deprecation warning about its own date parsing;
    it is silenced here because it says nothing about our data.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return cl.load_sample("clrd").groupby("LOB").sum()


def _benchmark_losses(lob: BenchmarkLob, basis: Basis) -> cl.Triangle:
    tri = _industry().loc[lob.value]
    if basis is Basis.PAID:
        return tri["CumPaidLoss"]
    return tri["IncurLoss"] - tri["BulkLoss"]


@lru_cache(maxsize=64)
def benchmark_cdf(lob: BenchmarkLob, basis: Basis, tail: TailConfig) -> pd.Series:
    """CDF to ultimate at ages 12…120 months (the 120 value is the tail factor)."""
    tri = _benchmark_losses(lob, basis)
    fitted = tail_estimator(tail).fit_transform(cl.Development().fit_transform(tri))
    cdf = fitted.cdf_.values.reshape(-1)[: len(tri.development)]
    return pd.Series(cdf, index=tri.development.to_numpy(), name="cdf")


def cdf_at_ages(curve: pd.Series, ages: np.ndarray) -> np.ndarray:
    """``curve`` (CDF by age) at ``ages`` (months), log-linear in age as the module explains."""
    known = curve.index.to_numpy(dtype=float)
    logs = np.log(curve.to_numpy(dtype=float))
    ages = np.asarray(ages, dtype=float)
    inside = np.interp(ages, known, logs)  # holds the end values outside the range
    slope = (logs[0] - logs[1]) / (known[1] - known[0])
    early = logs[0] + (known[0] - ages) * slope
    return np.exp(np.where(ages < known[0], early, inside))


@dataclass(frozen=True)
class BenchmarkPattern:
    """A benchmark pattern for one CLRD line and basis, with its tail."""

    lob: BenchmarkLob
    basis: Basis
    tail: TailConfig

    def cdf(self, ages: np.ndarray) -> np.ndarray:
        """CDF to ultimate at ``ages`` (months)."""
        return cdf_at_ages(benchmark_cdf(self.lob, self.basis, self.tail), ages)

    def development(self, ages: np.ndarray) -> cl.DevelopmentConstant:
        """A chainladder development estimator that imposes this pattern at ``ages``."""
        cdf = self.cdf(ages)
        patterns = {int(a): float(c) for a, c in zip(ages, cdf, strict=True)}
        return cl.DevelopmentConstant(patterns=patterns, style="cdf")

    def statement(self) -> str:
        """One line for reports: which data the pattern comes from."""
        measure = "paid" if self.basis is Basis.PAID else "case-incurred (IncurLoss − BulkLoss)"
        return (
            f"benchmark: CAS Loss Reserve Database, industry {self.lob.value}, {measure}, "
            f"accident years 1988–1997, volume-weighted LDFs, tail {self.tail.kind.value}"
        )
