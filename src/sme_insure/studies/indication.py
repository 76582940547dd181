"""Overall rate indication (Werner & Modlin, *Basic Ratemaking*, ch. 8), with credibility.

With L the developed and trended ultimate losses, E_L = LAE ratio × L, P_C the on-level (and
premium-trended) earned premium, X the exposure, V the variable expense ratio, Q_T the target
profit ratio, F the fixed expense ratio and F̄ the fixed expense per exposure:

* loss ratio method:    Δ_LR = [(L + E_L)/P_C + F] / (1 − V − Q_T) − 1
* pure premium method:  P̄ = [(L + E_L)/X + F̄] / (1 − V − Q_T);  Δ_PP = P̄ / (P_C / X) − 1

F̄ defaults to F × P_C / X, which makes the two methods agree. Credibility Z = min(1, √(n/n_full))
on the developed claims n; the credibility-weighted change is Z · Δ + (1 − Z) · complement, the
complement being a stated change or the trended present rates (1 + t)^y − 1, t the pure-premium
trend and y the years between the current and the proposed effective dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sme_insure.errors import InputError, Issue
from sme_insure.studies.cells import SUMS, flag_where, join_flags, ratio
from sme_insure.studies.config import CredibilityConfig, IndicationConfig, TrendConfig
from sme_insure.studies.credibility import classical_z
from sme_insure.studies.vocabulary import ComplementKind, Flag, IndicationMethod


@dataclass(frozen=True)
class Indication:
    """Per-period experience, each quantity of the formulas, and the changes."""

    periods: pd.DataFrame
    quantities: pd.DataFrame
    loss_ratio_change: float
    pure_premium_change: float
    credibility: float
    complement: float
    method: IndicationMethod
    selected: float

    @property
    def indicated(self) -> float:
        """The configured method's indicated change (before credibility)."""
        if self.method is IndicationMethod.LOSS_RATIO:
            return self.loss_ratio_change
        return self.pure_premium_change


def period_table(
    frame: pd.DataFrame, unallocated: pd.Series, undeveloped: Collection[str] = ()
) -> pd.DataFrame:
    """By period: sums, unallocated losses, loss ratio and pure premium; empty periods flagged,
    and so are the ``undeveloped`` periods (claims taken at their latest, see :mod:`.losses`)."""
    sums = frame.groupby("period", observed=False)[list(SUMS)].sum()
    sums["unallocated_loss"] = unallocated.reindex(sums.index).fillna(0.0).to_numpy()
    loss = sums["loss"].to_numpy() + sums["unallocated_loss"].to_numpy()
    out = sums.reset_index()
    out["loss_ratio"] = ratio(loss, out["projected_premium"].to_numpy())
    out["pure_premium"] = ratio(loss, out["exposure"].to_numpy())
    empty = out["exposure"].to_numpy() <= 0
    out["flag"] = join_flags(
        flag_where(empty, Flag.NO_DATA_PERIOD),
        flag_where(~empty & (out["projected_premium"] <= 0), Flag.NO_PREMIUM),
        flag_where(out["period"].astype(str).isin(list(undeveloped)), Flag.UNDEVELOPED),
    )
    out["period"] = out["period"].astype(str)
    return out


def complement(cfg: IndicationConfig, trend: TrendConfig, current_as_of: dt.date) -> float:
    """The complement of credibility (see the module docstring)."""
    if cfg.complement.kind is ComplementKind.VALUE:
        return cfg.complement.change
    years = (cfg.effective_from - current_as_of).days / 365.25
    return (1 + trend.pure_premium) ** years - 1


def _quantities(totals: dict[str, float], cfg: IndicationConfig) -> dict[str, float]:
    loss, prem, expo = totals["loss"], totals["premium"], totals["exposure"]
    lae = cfg.lae_ratio * loss
    denominator = 1 - cfg.variable_expense_ratio - cfg.profit_ratio
    fixed = cfg.fixed_expense_per_exposure
    fixed = cfg.fixed_expense_ratio * prem / expo if fixed is None else fixed
    lr_change = ((loss + lae) / prem + cfg.fixed_expense_ratio) / denominator - 1
    indicated_pp = ((loss + lae) / expo + fixed) / denominator
    return {
        "L": loss,
        "E_L": lae,
        "P_C": prem,
        "X": expo,
        "V": cfg.variable_expense_ratio,
        "Q_T": cfg.profit_ratio,
        "F": cfg.fixed_expense_ratio,
        "F_bar": fixed,
        "PLR": denominator,
        "loss_ratio": loss / prem,
        "indicated_pure_premium": indicated_pp,
        "current_average_premium": prem / expo,
        "loss_ratio_change": lr_change,
        "pure_premium_change": indicated_pp / (prem / expo) - 1,
    }


def indicate(
    periods: pd.DataFrame,
    cfg: IndicationConfig,
    trend: TrendConfig,
    credibility: CredibilityConfig,
    current_as_of: dt.date,
) -> Indication:
    """The overall indication from the period table (periods without exposure or premium left
    out; an ``undeveloped`` period stays in, flagged)."""
    left_out = {Flag.NO_DATA_PERIOD.value, Flag.NO_PREMIUM.value}
    used = periods.loc[[not left_out & set(f.split(";")) for f in periods["flag"]]]
    if used.empty or used["projected_premium"].sum() <= 0:
        raise InputError(
            [
                Issue(
                    "experience",
                    list(periods["period"]),
                    "no period of the experience window has exposure and premium",
                )
            ]
        )
    totals = {
        "loss": float(used["loss"].sum() + used["unallocated_loss"].sum()),
        "premium": float(used["projected_premium"].sum()),
        "exposure": float(used["exposure"].sum()),
    }
    q = _quantities(totals, cfg)
    z = float(classical_z(np.array([used["claims"].sum()]), credibility)[0])
    comp = complement(cfg, trend, current_as_of)
    method_change = (
        q["loss_ratio_change"]
        if cfg.method is IndicationMethod.LOSS_RATIO
        else q["pure_premium_change"]
    )
    q |= {
        "claims": float(used["claims"].sum()),
        "Z": z,
        "complement": comp,
        "credibility_weighted_change": z * method_change + (1 - z) * comp,
    }
    table = pd.DataFrame({"quantity": list(q), "value": list(q.values())})
    return Indication(
        periods,
        table,
        q["loss_ratio_change"],
        q["pure_premium_change"],
        z,
        comp,
        cfg.method,
        z * method_change + (1 - z) * comp,
    )
