"""Summaries of an impact table: overall, distribution, by segment, beyond the threshold (the
cap's fen bounds, marked per policy by the impact task), and the policies left out.

Changes are premium-weighted where they are totals (Σ proposed / Σ current − 1) and per policy
where they are a distribution (counts of policies by change, exact at basis-point resolution),
over rated policies; the overall and segment tables also count the unrated ones (and their
premiums where known), and each unrated policy is an issue row naming it and why.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sme_insure.errors import InputError, Issue
from sme_insure.studies.book import ISSUE_COLUMNS, empty_issues, issues_of
from sme_insure.studies.cells import ratio
from sme_insure.studies.config import CapConfig
from sme_insure.studies.factors import StudyFactor
from sme_insure.studies.impact import SUMS, Unrated
from sme_insure.studies.vocabulary import Flag

PERCENTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
NO_LEVEL = "(no level)"


@dataclass(frozen=True)
class Impact:
    """The impact table and its summaries."""

    table: pd.DataFrame
    overall: pd.DataFrame
    distribution: pd.DataFrame
    percentiles: pd.DataFrame
    segments: pd.DataFrame
    beyond: pd.DataFrame
    issues: pd.DataFrame

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
    """Sums by level of each segment; policies matching no level of it in a last row."""
    parts = []
    for s in segments:
        sums = table.groupby(s.input)[list(SUMS)].sum()
        codes = [*range(len(s.levels)), *([-1] if (sums.index < 0).any() else [])]
        out = _totals(sums.reindex(codes, fill_value=0))
        out.insert(0, "level", [*s.levels, NO_LEVEL][: len(codes)])
        out.insert(0, "segment", s.input)
        out["flag"] = _flags(out)
        parts.append(out.reset_index(drop=True))
    cols = ["segment", "level", *SUMS, "proposed_change", "capped_change", "flag"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)


def _flags(sums: pd.DataFrame) -> np.ndarray:
    """No policy at all, or none rated at both tables (the changes are then not defined)."""
    none = (sums["policies"] == 0) & (sums["unrated_policies"] == 0)
    return np.where(none, Flag.ZERO_EXPOSURE, np.where(sums["policies"] == 0, Flag.NO_RATED, ""))


def _issues(table: pd.DataFrame) -> pd.DataFrame:
    """One issue row per unrated policy: its id and why it is left out."""
    left = table.loc[table["unrated"] != Unrated.RATED].sort_values("policy_id", kind="stable")
    if left.empty:
        return empty_issues()
    out = pd.DataFrame(
        {
            "policy_id": left["policy_id"].astype(str).to_numpy(),
            "field": "impact",
            "value": None,
            "reason": [Unrated(int(u)).reason for u in left["unrated"]],
        }
    )
    return out[list(ISSUE_COLUMNS)].astype(object)


def require_rated(table: pd.DataFrame) -> None:
    """Raise :class:`InputError` when no policy is in force, or none is rated at both tables
    (then the first policies left out, and why, are the issues)."""
    if table.empty or table[["policies", "unrated_policies"]].to_numpy().sum() == 0:
        raise InputError(
            [Issue("impact.in_force_on", None, "no policy of the book is in force on that date")]
        )
    if table["policies"].sum() == 0:
        left = int(table["unrated_policies"].sum())
        raise InputError(
            issues_of(_issues(table), "impact"),
            context=f"none of the {left:,} in-force policies is rated at both the current and "
            "the proposed tables",
        )


def summarise(table: pd.DataFrame, segments: tuple[StudyFactor, ...], cap: CapConfig) -> Impact:
    """All summaries of an impact table (raises when no policy is in force, or none is rated
    at both tables)."""
    require_rated(table)
    rated = table.loc[table["unrated"] == Unrated.RATED]
    overall = _totals(table[list(SUMS)].sum().to_frame().T)
    dist = rated.groupby("change_bp", as_index=False)[list(SUMS)].sum()
    out_of = table["beyond"] != 0  # the cap's own fen bounds (see .impact)
    beyond = _totals(table.loc[out_of, list(SUMS)].sum().to_frame().T)
    beyond.insert(0, "threshold", f"+{cap.up:.0%} / −{cap.down:.0%}")
    beyond["share_of_policies"] = beyond["policies"] / overall["policies"].iloc[0]
    beyond["flag"] = np.where(beyond["policies"] == 0, "zero_exposure", "beyond_cap")
    return Impact(
        table,
        overall,
        dist,
        _percentiles(dist),
        _segments(table, segments),
        beyond,
        _issues(table),
    )
