"""Current relativities in premium terms, and table values for a wanted premium relativity.

A table may rate only part of a policy's premium (the fire base rate does not touch the natural
catastrophe cover), while the GLM measures relativities of the whole loss cost. Both are compared
on the premium scale: with every level of one table set to a common value x, the sample's total
premium is, by exact re-rating, P(x) = a + b·x (linear between minimum premiums), a = P(0),
b = (P(v_b) − a) / v_b. Then

* current premium relativity of level j:  ρ_j = (a + b·v_j) / (a + b·v_b)
* table value giving premium relativity R_j:  x_j = (R_j·(a + b·v_b) − a) / b

A table with b = 0 does not move the sample's premium (ρ = 1, values kept). A wanted relativity
below what the rest of the premium allows (x_j < ``FLOOR`` · v_j) is floored and noted.

The sample is deterministic on any engine: rows whose policy id hashes to 0 modulo m, with m set
from the row count so that about ``SAMPLE_ROWS`` rows are kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sme_insure.studies.book import typed
from sme_insure.studies.factors import StudyFactor
from sme_insure.studies.rerating import RatingContext, annual_premium
from sme_insure.tables import RatingTable, TableStatus

SAMPLE_ROWS = 50_000
FLOOR = 0.05
PROBE = "study-probe"


@dataclass(frozen=True)
class PremiumLine:
    """P(x) = a + b·x for one table, and the current value of each level."""

    a: float
    b: float
    values: np.ndarray

    def premium_at_levels(self) -> np.ndarray:
        """a + b·v_j; a constant (flat line) when the table does not move the premium."""
        if self.b <= 0:
            return np.ones(len(self.values))
        return self.a + self.b * self.values

    def values_for(self, wanted: np.ndarray, base: int) -> tuple[np.ndarray, np.ndarray]:
        """Table values giving premium relativities ``wanted`` (to level ``base``), and which
        were floored."""
        if self.b <= 0:
            return self.values.copy(), np.zeros(len(self.values), dtype=bool)
        x = (wanted * (self.a + self.b * self.values[base]) - self.a) / self.b
        floored = x < FLOOR * self.values
        return np.where(floored, FLOOR * self.values, x), floored


@dataclass(frozen=True)
class SampleTask:
    """Rows whose policy id hashes to 0 modulo ``modulus`` (same rows on any engine)."""

    modulus: int

    def __call__(self, part: pd.DataFrame) -> pd.DataFrame:
        ids = part["policy_id"].astype(str)
        keep = (pd.util.hash_pandas_object(ids, index=False).to_numpy() % self.modulus) == 0
        return part.loc[keep]

    def combine(self, parts: list[pd.DataFrame]) -> pd.DataFrame:
        """Sampled rows, in policy order."""
        frame = pd.concat(parts, ignore_index=True)
        return frame.sort_values("policy_id", kind="stable").reset_index(drop=True)

    def meta(self) -> pd.DataFrame:
        """Not used: the output has the source's columns."""
        return pd.DataFrame()


Lines = dict[str, PremiumLine | None]


def moves_premium(lines: Lines, factor: StudyFactor) -> bool:
    """Whether the factor's table moves the sample's premium at all."""
    line = lines.get(factor.input)
    return line is not None and line.b > 0


def current_premium_relativities(lines: Lines, factor: StudyFactor, base: int) -> np.ndarray:
    """ρ_j = P(v_j) / P(v_base); 1 for a factor that no table rates (or that moves nothing)."""
    line = lines.get(factor.input)
    if line is None:
        return np.ones(len(factor.levels))
    p = line.premium_at_levels()
    return p / p[base]


def modulus_for(rows: int) -> int:
    """m such that about ``SAMPLE_ROWS`` of ``rows`` rows are kept."""
    return max(1, rows // SAMPLE_ROWS)


def _constant(table: RatingTable, x: float) -> RatingTable:
    meta = table.meta.model_copy(update={"version": PROBE, "status": TableStatus.DRAFT})
    frame = table.frame.assign(**{table.meta.value: f"{x:.10g}"})
    return RatingTable.from_frame(meta, frame)


def _total(rating: RatingContext, rows: pd.DataFrame, table: RatingTable, x: float) -> float:
    probe = rating.with_drafts((_constant(table, x),))
    premium = annual_premium(probe.rate(rows), len(rows))
    return float(premium[premium >= 0].sum())


def premium_line(
    rating: RatingContext, sample: pd.DataFrame, factor: StudyFactor, base: int
) -> PremiumLine | None:
    """The premium line of ``factor``'s table on the sample (``None`` when not rated)."""
    if factor.table is None:
        return None
    values = factor.current_values()
    rows = typed(sample)
    a = _total(rating, rows, factor.table, 0.0)
    b = (_total(rating, rows, factor.table, values[base]) - a) / values[base]
    return PremiumLine(a, max(b, 0.0), values)
