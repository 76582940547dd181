"""Impact (dislocation): the in-force book re-rated at current and at proposed tables.

The in-force book is every usable row with positive exposure whose cover contains the in-force
date (one row per policy: the latest start). Per policy, with premiums in fen from the same engine:

* change = proposed / current − 1, held in basis points (round half up) so that the distribution
  is exact and identical on any engine;
* the cap's bounds in fen: lo = ⌊current (1 − down)⌉, hi = ⌊current (1 + up)⌉;
* capped premium = min(max(proposed, lo), hi) when capping is applied, else the proposed premium;
* a policy is beyond the threshold when proposed > hi or proposed < lo: the same fen bounds as
  the cap (not the rounded change), so a policy is beyond exactly when capping moves it.

The task sums policies and premiums by segment levels and change; every summary (overall, by
segment, distribution, beyond the threshold) is read from that one table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sme_insure.studies.book import check_rows, typed
from sme_insure.studies.config import CapConfig
from sme_insure.studies.factors import StudyFactor
from sme_insure.studies.rerating import RatingContext, annual_premium
from sme_insure.studies.units import to_units

SUMS = ("policies", "current_fen", "proposed_fen", "capped_fen")


def in_force(rows: pd.DataFrame, on: dt.date, product_code: str) -> pd.DataFrame:
    """Usable rows in force on ``on`` with positive exposure, one per policy (latest start)."""
    day = pd.Timestamp(on)
    good = check_rows(rows, product_code).good
    live = (
        good
        & (rows["effective_from"] <= day).to_numpy(bool)
        & (rows["effective_to"] >= day).to_numpy(bool)
        & (rows["exposure"] > 0).to_numpy(bool)
    )
    picked = rows.loc[live].sort_values(["policy_id", "effective_from"], kind="stable")
    return picked.drop_duplicates("policy_id", keep="last").reset_index(drop=True)


def change_bp(current: np.ndarray, proposed: np.ndarray) -> np.ndarray:
    """10,000 × (proposed / current − 1), rounded half up to whole basis points."""
    return to_units(proposed / current - 1.0, 10_000)


def cap_bounds(current: np.ndarray, cfg: CapConfig) -> tuple[np.ndarray, np.ndarray]:
    """The cap's bounds in fen: ⌊current (1 − down)⌉ and ⌊current (1 + up)⌉ (half up)."""
    return to_units(current * (1 - cfg.down), 1), to_units(current * (1 + cfg.up), 1)


def cap(current: np.ndarray, proposed: np.ndarray, cfg: CapConfig) -> np.ndarray:
    """Capped premium in fen (the proposed premium when capping is not applied)."""
    if not cfg.apply:
        return proposed
    lo, hi = cap_bounds(current, cfg)
    return np.minimum(np.maximum(proposed, lo), hi)


def beyond(current: np.ndarray, proposed: np.ndarray, cfg: CapConfig) -> np.ndarray:
    """+1 where proposed > hi, −1 where proposed < lo, else 0 (the cap's bounds, whether or not
    capping is applied)."""
    lo, hi = cap_bounds(current, cfg)
    return np.where(proposed > hi, 1, np.where(proposed < lo, -1, 0)).astype(np.int64)


@dataclass(frozen=True)
class ImpactTask:
    """Per-policy premiums at current and proposed tables, summed by segment and change."""

    current: RatingContext
    proposed: RatingContext
    segments: tuple[StudyFactor, ...]
    in_force_on: dt.date
    cap: CapConfig

    @property
    def keys(self) -> list[str]:
        """Segment inputs, the change in basis points, and beyond the cap's bounds (±1, 0)."""
        return [*(s.input for s in self.segments), "change_bp", "beyond"]

    def records(self, part: pd.DataFrame) -> pd.DataFrame:
        """One row per in-force policy rated at both: premiums (fen), change, segment codes."""
        rows = in_force(typed(part.reset_index(drop=True)), self.in_force_on, self.current.code)
        now = self.current.rate(rows)
        cur = annual_premium(now, len(rows))
        new = annual_premium(self.proposed.rate(rows), len(rows))
        ok = (cur > 0) & (new >= 0)
        out = {"policy_id": rows["policy_id"].to_numpy()[ok]}
        for s in self.segments:
            out[s.input] = s.codes(now.prepared)[ok]
        cur, new = cur[ok], new[ok]
        out |= {
            "policies": np.ones(len(cur), dtype=np.int64),
            "current_fen": cur,
            "proposed_fen": new,
            "capped_fen": cap(cur, new, self.cap),
            "change_bp": change_bp(cur.astype(float), new.astype(float)),
            "beyond": beyond(cur, new, self.cap),
        }
        return pd.DataFrame(out)

    def __call__(self, part: pd.DataFrame) -> pd.DataFrame:
        return self.aggregate(self.records(part))

    def aggregate(self, records: pd.DataFrame) -> pd.DataFrame:
        """Sums by segment levels and change."""
        out = records.groupby(self.keys, as_index=False, sort=True)[list(SUMS)].sum()
        return out.astype(dict.fromkeys(self.keys, np.int64))

    def meta(self) -> pd.DataFrame:
        """Empty frame of the output's columns and types."""
        return pd.DataFrame({c: pd.Series(dtype=np.int64) for c in [*self.keys, *SUMS]})

    def combine(self, parts: list[pd.DataFrame]) -> pd.DataFrame:
        """Partial sums added up (integers: exact in any order)."""
        return self.aggregate(pd.concat(parts, ignore_index=True)).reset_index(drop=True)
