"""Impact (dislocation): the in-force book re-rated at current and at proposed tables.

The in-force book is every usable row with positive exposure whose cover contains the in-force
date (one row per policy: the latest start). Per policy, with premiums in fen from the same engine:

* change = proposed / current − 1, held in basis points (round half up) so that the distribution
  is exact and identical on any engine;
* the cap's bounds in fen: lo = ⌊current (1 − down)⌉, hi = ⌊current (1 + up)⌉;
* capped premium = min(max(proposed, lo), hi) when capping is applied, else the proposed premium;
* a policy is beyond the threshold when proposed > hi or proposed < lo: the same fen bounds as
  the cap (not the rounded change), so a policy is beyond exactly when capping moves it.

A policy is rated when both premiums exist and the current one is positive; any other in-force
policy is *unrated* (:class:`Unrated` says why) and is kept, not dropped: it is counted in
``unrated_policies`` with its premiums where known (``unrated_current_fen``,
``unrated_proposed_fen``) and listed by id, while the rated sums (``policies``, ``current_fen``,
``proposed_fen``, ``capped_fen``) and so every change and the off-balance cover rated policies only.

The task sums policies and premiums by segment levels, change, beyond, why unrated and (unrated
policies only) policy id; every summary (overall, by segment, distribution, beyond the
threshold, the policies left out) is read from that one table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import pandas as pd

from sme_insure.studies.book import check_rows, typed
from sme_insure.studies.config import CapConfig
from sme_insure.studies.factors import StudyFactor
from sme_insure.studies.rerating import RatingContext, annual_premium
from sme_insure.studies.units import to_units

RATED_SUMS = ("policies", "current_fen", "proposed_fen", "capped_fen")
UNRATED_SUMS = ("unrated_policies", "unrated_current_fen", "unrated_proposed_fen")
SUMS = (*RATED_SUMS, *UNRATED_SUMS)


class Unrated(IntEnum):
    """Why an in-force policy is left out of the impact's rated sums (an integer key of the
    impact table; ``RATED``: it is in)."""

    RATED = 0
    NOT_RATED_CURRENT = 1
    NOT_RATED_PROPOSED = 2
    ZERO_CURRENT_PREMIUM = 3

    @property
    def reason(self) -> str:
        """The issue text of a policy left out for this reason."""
        return _REASONS[self]


_REASONS = {
    Unrated.RATED: "rated at both tables",
    Unrated.NOT_RATED_CURRENT: "not rated at the current tables: left out of the impact's totals",
    Unrated.NOT_RATED_PROPOSED: "not rated at the proposed tables: left out of the impact's totals",
    Unrated.ZERO_CURRENT_PREMIUM: (
        "zero current premium (no change can be measured): left out of the impact's totals"
    ),
}


def unrated(current: np.ndarray, proposed: np.ndarray) -> np.ndarray:
    """:class:`Unrated` code per policy from its premiums (−1: not rated); the first that holds
    of: not rated at current, not rated at proposed, current premium ≤ 0."""
    return np.select(
        [current < 0, proposed < 0, current <= 0],
        [Unrated.NOT_RATED_CURRENT, Unrated.NOT_RATED_PROPOSED, Unrated.ZERO_CURRENT_PREMIUM],
        Unrated.RATED,
    ).astype(np.int64)


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
        """Segment inputs, the change in basis points, beyond the cap's bounds (±1, 0), why
        unrated (:class:`Unrated`) and the policy id (empty for rated policies)."""
        return [*(s.input for s in self.segments), "change_bp", "beyond", "unrated", "policy_id"]

    def records(self, part: pd.DataFrame) -> pd.DataFrame:
        """One row per in-force policy: premiums (fen), change, segment codes; the measures of
        an unrated policy in the unrated sums (its premiums where known), its change 0."""
        rows = in_force(typed(part.reset_index(drop=True)), self.in_force_on, self.current.code)
        now = self.current.rate(rows)
        cur = annual_premium(now, len(rows))
        new = annual_premium(self.proposed.rate(rows), len(rows))
        why = unrated(cur, new)
        ok, ids = why == Unrated.RATED, rows["policy_id"].to_numpy(dtype=object)
        out = {s.input: s.codes(now.prepared) for s in self.segments}
        safe = np.where(ok, cur, 1).astype(float)  # no division by a missing premium
        out |= {
            "change_bp": np.where(ok, change_bp(safe, new.astype(float)), 0),
            "beyond": np.where(ok, beyond(cur, new, self.cap), 0),
            "unrated": why,
            "policy_id": np.where(ok, "", ids),
            "policies": ok.astype(np.int64),
            "current_fen": np.where(ok, cur, 0),
            "proposed_fen": np.where(ok, new, 0),
            "capped_fen": np.where(ok, cap(cur, new, self.cap), 0),
            "unrated_policies": (~ok).astype(np.int64),
            "unrated_current_fen": np.where(ok, 0, np.maximum(cur, 0)),
            "unrated_proposed_fen": np.where(ok, 0, np.maximum(new, 0)),
        }
        return pd.DataFrame(out)

    def __call__(self, part: pd.DataFrame) -> pd.DataFrame:
        return self.aggregate(self.records(part))

    def aggregate(self, records: pd.DataFrame) -> pd.DataFrame:
        """Sums by the keys (an unrated policy stays a row of its own: its id is a key)."""
        records = records.astype({"policy_id": object})
        out = records.groupby(self.keys, as_index=False, sort=True)[list(SUMS)].sum()
        return out.astype({k: np.int64 for k in self.keys if k != "policy_id"})

    def meta(self) -> pd.DataFrame:
        """Empty frame of the output's columns and types."""
        columns = {c: pd.Series(dtype=np.int64) for c in [*self.keys, *SUMS]}
        return pd.DataFrame(columns | {"policy_id": pd.Series(dtype=object)})

    def combine(self, parts: list[pd.DataFrame]) -> pd.DataFrame:
        """Partial sums added up (integers: exact in any order)."""
        return self.aggregate(pd.concat(parts, ignore_index=True)).reset_index(drop=True)
