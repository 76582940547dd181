"""Summaries of an impact table: overall, distribution, by segment, beyond the threshold (the
cap's fen bounds, marked per policy by the impact task).

Changes are premium-weighted where they are totals (Σ proposed / Σ current − 1) and per policy
where they are a distribution (counts of policies by change, exact at basis-point resolution).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sme_insure.errors import InputError, Issue
from sme_insure.studies.cells import ratio
from sme_insure.studies.config import CapConfig
from sme_insure.studies.factors import StudyFactor
from sme_insure.studies.impact import SUMS

PERCENTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)


@dataclass(frozen=True)
class Impact:
    """The impact table and its summaries."""

    table: pd.DataFrame
    overall: pd.DataFrame
    distribution: pd.DataFrame
    percentiles: pd.DataFrame
    segments: pd.DataFrame
    beyond: pd.DataFrame

    @property
    def overall_change(self) -> float:
        """Σ proposed / Σ current − 1 over the in-force book."""
        return float(self.overall["proposed_change"].iloc[0])


def _totals(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[list(SUMS)].astype(np.int64).copy()
    cur = out["current_fen"].to_numpy(float)
    out["proposed_change"] = ratio(out["proposed_fen"].to_numpy(float), cur) - 1
    out["capped_change"] = ratio(out["capped_fen"].to_numpy(float), cur) - 1
    return out


def _percentiles(dist: pd.DataFrame) -> pd.DataFrame:
    """Exact percentiles (lower) of the per-policy change from its counts."""
    cum = np.cumsum(dist["policies"].to_numpy())
    total = cum[-1]
    values = [
        dist["change_bp"].iloc[int(np.searchsorted(cum, q * total, side="left"))]
        for q in PERCENTILES
    ]
    return pd.DataFrame(
        {
            "percentile": [f"p{round(q * 100)}" for q in PERCENTILES],
            "change": np.asarray(values, dtype=float) / 10_000,
        }
    )


def _segments(table: pd.DataFrame, segments: tuple[StudyFactor, ...]) -> pd.DataFrame:
    parts = []
    for s in segments:
        sums = table.groupby(s.input)[list(SUMS)].sum().reindex(range(len(s.levels)), fill_value=0)
        out = _totals(sums)
        out.insert(0, "level", list(s.levels))
        out.insert(0, "segment", s.input)
        out["flag"] = np.where(out["policies"] == 0, "zero_exposure", "")
        parts.append(out)
    cols = ["segment", "level", *SUMS, "proposed_change", "capped_change", "flag"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)


def summarise(table: pd.DataFrame, segments: tuple[StudyFactor, ...], cap: CapConfig) -> Impact:
    """All summaries of an impact table (raises when no policy is in force)."""
    if table.empty or table["policies"].sum() == 0:
        raise InputError(
            [Issue("impact.in_force_on", None, "no policy of the book is in force on that date")]
        )
    overall = _totals(table[list(SUMS)].sum().to_frame().T)
    dist = table.groupby("change_bp", as_index=False)[list(SUMS)].sum()
    out_of = table["beyond"] != 0  # the cap's own fen bounds (see .impact)
    beyond = _totals(table.loc[out_of, list(SUMS)].sum().to_frame().T)
    beyond.insert(0, "threshold", f"+{cap.up:.0%} / −{cap.down:.0%}")
    beyond["share_of_policies"] = beyond["policies"] / overall["policies"].iloc[0]
    beyond["flag"] = np.where(beyond["policies"] == 0, "zero_exposure", "beyond_cap")
    return Impact(table, overall, dist, _percentiles(dist), _segments(table, segments), beyond)
