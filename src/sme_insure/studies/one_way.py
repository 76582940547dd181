"""One-way analyses: by level of one factor, against its current relativities.

Per level j (losses developed and trended, premium on-level):

* frequency  = claims_j / exposure_j          * severity  = loss_j / claims_j
* pure premium PP_j = loss_j / exposure_j      * loss ratio LR_j = loss_j / on-level premium_j
* PP relativity = PP_j / PP_base
* adjusted LR relativity = ρ_j × LR_j / LR_base (the one-way loss ratio approach)

with ρ the current relativity in premium terms (:mod:`.premium_lines`); the table's own
relativity v_j / v_base is shown beside it. The base level is the configured one, else the level
with the largest exposure. A factor no table rates has current relativity 1 everywhere (it is not
in the rating), flagged ``not_rated``.
Levels without exposure, claims or premium keep NaN in the undefined figures, with a flag.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sme_insure.studies.cells import by_level, flag_where, join_flags, ratio
from sme_insure.studies.factors import StudyFactor, base_index, current_relativities
from sme_insure.studies.premium_lines import Lines, current_premium_relativities, moves_premium
from sme_insure.studies.vocabulary import Flag

COLUMNS = (
    "factor",
    "level",
    "base",
    "policy_years",
    "exposure",
    "earned_premium",
    "onlevel_premium",
    "claims",
    "loss",
    "frequency",
    "severity",
    "pure_premium",
    "loss_ratio",
    "pp_relativity",
    "lr_relativity",
    "current_relativity",
    "table_relativity",
    "flag",
)


def table_relativities(factor: StudyFactor, base: int) -> np.ndarray:
    """v_j / v_base of the factor's table; 1 for a factor that is not rated."""
    if not factor.rated:
        return np.ones(len(factor.levels))
    return current_relativities(factor, base)


def one_way(frame: pd.DataFrame, factor: StudyFactor, lines: Lines) -> pd.DataFrame:
    """The one-way table of ``factor`` (one row per declared level, see the module docstring)."""
    sums = by_level(frame, factor.input)
    expo, claims = sums["exposure"].to_numpy(), sums["trended_claims"].to_numpy()
    loss, prem = sums["loss"].to_numpy(), sums["projected_premium"].to_numpy()
    base = base_index(factor, expo)
    pp, lr = ratio(loss, expo), ratio(loss, prem)
    current = current_premium_relativities(lines, factor, base)
    out = pd.DataFrame(
        {
            "factor": factor.input,
            "level": list(factor.levels),
            "base": np.arange(len(factor.levels)) == base,
            "policy_years": sums["policy_years"].to_numpy(),
            "exposure": expo,
            "earned_premium": sums["earned_premium"].to_numpy(),
            "onlevel_premium": prem,
            "claims": claims,
            "loss": loss,
            "frequency": ratio(claims, expo),
            "severity": ratio(loss, claims),
            "pure_premium": pp,
            "loss_ratio": lr,
            "pp_relativity": ratio(pp, np.full_like(pp, pp[base])),
            "lr_relativity": current * ratio(lr, np.full_like(lr, lr[base])),
            "current_relativity": current,
            "table_relativity": table_relativities(factor, base),
        }
    )
    undefined_base = pp[base] == 0 or not np.isfinite(pp[base])
    out["flag"] = join_flags(
        flag_where(expo <= 0, Flag.ZERO_EXPOSURE),
        flag_where(claims <= 0, Flag.NO_CLAIMS),
        flag_where(prem <= 0, Flag.NO_PREMIUM),
        flag_where(np.full(len(out), undefined_base), Flag.NO_CLAIMS),
        flag_where(np.full(len(out), not moves_premium(lines, factor)), Flag.NOT_RATED),
    )
    return out[list(COLUMNS)]


def one_ways(frame: pd.DataFrame, factors: tuple[StudyFactor, ...], lines: Lines) -> pd.DataFrame:
    """One-way tables of every factor, stacked."""
    return pd.concat([one_way(frame, f, lines) for f in factors], ignore_index=True)
