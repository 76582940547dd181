"""Experience cells in analysis units, and flag handling shared by every study table.

Cells (integers, :mod:`.experience`) become floats here: policy-years, exposure (the study's unit),
premiums and losses in CNY, claim counts. Factor and period columns become ordered pandas
Categoricals with every declared level, so that a level without data is present (and flagged)
rather than silently missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sme_insure.studies.factors import StudyFactor
from sme_insure.studies.periods import PeriodGrid
from sme_insure.studies.units import BASE_SCALE, COUNT_SCALE, YEAR_SCALE, from_units
from sme_insure.studies.vocabulary import Flag

#: measure in analysis units ← (integer cell column, scale)
CONVERSIONS = {
    "policy_years": ("exposure_u", YEAR_SCALE),
    "exposure": ("base_u", BASE_SCALE),
    "earned_premium": ("premium_fen", 100),
    "onlevel_premium": ("onlevel_fen", 100),
    "projected_premium": ("projected_fen", 100),
    "reported_claims": ("reported", 1),
    "claims": ("count_u", COUNT_SCALE),
    "trended_claims": ("trended_count_u", COUNT_SCALE),
    "latest_loss": ("latest_fen", 100),
    "developed_loss": ("developed_fen", 100),
    "loss": ("trended_fen", 100),
}
SUMS = tuple(CONVERSIONS)


@dataclass(frozen=True)
class Experience:
    """Integer cells by period and factor levels, with what is needed to read them."""

    cells: pd.DataFrame
    grid: PeriodGrid
    factors: tuple[StudyFactor, ...]
    exposure_label: str

    def frame(self) -> pd.DataFrame:
        """Cells in analysis units, factor and period columns as Categoricals of labels."""
        out = {
            "period": pd.Categorical.from_codes(
                self.cells["period"].to_numpy(), categories=list(self.grid.labels)
            )
        }
        for f in self.factors:
            out[f.input] = pd.Categorical.from_codes(
                self.cells[f.input].to_numpy(), categories=list(f.levels)
            )
        for name, (column, scale) in CONVERSIONS.items():
            out[name] = from_units(self.cells[column].to_numpy(), scale)
        return pd.DataFrame(out)


def by_level(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Sums of every measure by each level of ``key`` (levels without data give zeros)."""
    return frame.groupby(key, observed=False)[list(SUMS)].sum()


def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, NaN where den is 0 (the caller flags it)."""
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den != 0, num / np.where(den != 0, den, 1.0), np.nan)


def join_flags(*columns: Iterable[Flag | None]) -> list[str]:
    """Per row, the distinct flags of several flag columns, joined by ``;``."""
    rows = zip(*columns, strict=True)
    return [";".join(dict.fromkeys(str(f) for f in row if f)) for row in rows]


def flag_where(mask: Sequence[bool] | np.ndarray, flag: Flag) -> list[Flag | None]:
    """``flag`` where ``mask`` holds, else ``None``."""
    return [flag if m else None for m in np.asarray(mask, dtype=bool)]


def check_flagged(frame: pd.DataFrame, table: str) -> None:
    """Every NaN of a study table sits in a row with a flag (no silent NaN)."""
    numeric = frame.select_dtypes("number")
    gaps = numeric.isna().any(axis=1).to_numpy()
    flags = frame["flag"].fillna("").astype(str).to_numpy() if "flag" in frame else None
    if gaps.any() and (flags is None or (flags[gaps] == "").any()):
        raise AssertionError(f"{table}: a missing figure without a flag")
