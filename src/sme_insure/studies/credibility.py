"""Credibility: of each level's indicated relativity, and of the overall indication.

Classical (limited fluctuation), the default: full standard n_full = (z_{(1+p)/2} / k)², 1,082
claims for p = 90 % and k = 5 %; Z = min(1, √(n / n_full)) with n the level's (developed, trended)
claims.

Bühlmann–Straub, per factor, on relative pure premiums X_jt = PP_jt / PP_t of level j in period t
with weights w_jt = exposure:

* X̄_j = Σ_t w_jt X_jt / w_j;  X̄ = Σ_j w_j X̄_j / w
* EPV s² = Σ_j Σ_t w_jt (X_jt − X̄_j)² / Σ_j (T_j − 1)
* VHM a = [Σ_j w_j (X̄_j − X̄)² − (J − 1) s²] / (w − Σ_j w_j² / w)
* K = s² / a,  Z_j = w_j / (w_j + K); a ≤ 0 means no credible variation: Z = 0 (flagged).

Blended relativity = Z · indicated + (1 − Z) · current; a level that could not be estimated keeps
its current relativity (Z = 0).
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from sme_insure.studies.cells import ratio
from sme_insure.studies.config import CredibilityConfig
from sme_insure.studies.factors import StudyFactor
from sme_insure.studies.vocabulary import CredibilityMethod, Flag


def full_standard(cfg: CredibilityConfig) -> float:
    """Claims for full credibility: (z_{(1+p)/2} / k)²."""
    z = NormalDist().inv_cdf((1 + cfg.probability) / 2)
    return (z / cfg.tolerance) ** 2


def classical_z(claims: np.ndarray, cfg: CredibilityConfig) -> np.ndarray:
    """Z = min(1, √(n / n_full))."""
    n = np.clip(np.asarray(claims, dtype=np.float64), 0.0, None)
    return np.minimum(1.0, np.sqrt(n / full_standard(cfg)))


def buhlmann_straub_k(pp: np.ndarray, w: np.ndarray) -> float:
    """K = EPV / VHM from a (levels × periods) matrix of relative pure premiums and weights;
    ``inf`` when the VHM estimate is not positive."""
    w = np.where(np.isfinite(pp), w, 0.0)
    pp = np.nan_to_num(pp)
    wj = w.sum(axis=1)
    live = wj > 0
    pp, w, wj = pp[live], w[live], wj[live]
    xj = (w * pp).sum(axis=1) / wj
    t_j = (w > 0).sum(axis=1)
    dof = float(np.sum(t_j - 1))
    if dof <= 0 or len(wj) < 2:
        return float("inf")
    epv = float(np.sum(w * (pp - xj[:, None]) ** 2)) / dof
    total = wj.sum()
    xbar = float(np.sum(wj * xj) / total)
    vhm = (float(np.sum(wj * (xj - xbar) ** 2)) - (len(wj) - 1) * epv) / (
        total - float(np.sum(wj**2)) / total
    )
    return epv / vhm if vhm > 0 else float("inf")


def _relative_pp(frame: pd.DataFrame, factor: StudyFactor) -> tuple[np.ndarray, np.ndarray]:
    """(levels × periods) relative pure premium PP_jt / PP_t and exposure."""
    cube = frame.groupby([factor.input, "period"], observed=False)[["loss", "exposure"]].sum()
    loss = cube["loss"].unstack("period").to_numpy()
    expo = cube["exposure"].unstack("period").to_numpy()
    period_pp = ratio(loss.sum(axis=0), expo.sum(axis=0))
    return ratio(ratio(loss, expo), np.broadcast_to(period_pp, loss.shape)), expo


def level_z(
    frame: pd.DataFrame, factor: StudyFactor, claims: np.ndarray, cfg: CredibilityConfig
) -> tuple[np.ndarray, list[Flag | None]]:
    """Z of each level of ``factor`` by the configured method, and a flag where Z = 0 by
    construction (no credible variation)."""
    if cfg.method is CredibilityMethod.CLASSICAL:
        return classical_z(claims, cfg), [None] * len(claims)
    pp, expo = _relative_pp(frame, factor)
    k = buhlmann_straub_k(pp, expo)
    w = expo.sum(axis=1)
    if not np.isfinite(k):
        return np.zeros(len(w)), [Flag.NO_CREDIBLE_VARIATION] * len(w)
    return w / (w + k), [None] * len(w)


def blend(
    indicated: np.ndarray, current: np.ndarray, z: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Z · indicated + (1 − Z) · current; Z is 0 where the indication is missing."""
    z = np.where(np.isfinite(indicated), z, 0.0)
    return z * np.nan_to_num(indicated) + (1 - z) * current, z


def blended_relativities(
    relativities: pd.DataFrame,
    frame: pd.DataFrame,
    factors: tuple[StudyFactor, ...],
    cfg: CredibilityConfig,
) -> pd.DataFrame:
    """Add ``z``, ``blended`` and credibility flags to a GLM relativity table."""
    parts = []
    for f in factors:
        rows = relativities.loc[relativities["factor"] == f.input].copy()
        z, flags = level_z(frame, f, rows["claims"].to_numpy(), cfg)
        b, z = blend(rows["indicated"].to_numpy(), rows["current_relativity"].to_numpy(), z)
        rows["z"], rows["blended"] = z, b
        thin = (z < 1) & np.isfinite(rows["indicated"].to_numpy())
        extra = [
            str(fl) if fl else (str(Flag.THIN) if t else "")
            for fl, t in zip(flags, thin, strict=True)
        ]
        rows["flag"] = [
            ";".join(x for x in (a, e) if x) for a, e in zip(rows["flag"], extra, strict=True)
        ]
        parts.append(rows)
    return pd.concat(parts, ignore_index=True)
