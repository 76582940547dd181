"""Claims at the valuation date, developed to ultimate and trended to the future policy period.

Per claim (transactions on or before the valuation date): latest = Σ paid (paid basis) or
Σ (paid + case reserve change) (incurred basis). Then, with the factors of its accident period o
(:mod:`.development`) and n = years from the loss date to the average accident date of the future
policy period:

* developed loss  = latest × f_o;   trended loss  = developed × (1 + s)^n (1 + q)^n
* developed count = g_o;            trended count = g_o × (1 + q)^n

s and q being the severity and frequency trends, so that trended loss ÷ trended count carries the
severity trend only. Amounts are rounded to fen and counts to 10⁻⁶ claim once per claim
(:mod:`.units`).

A claim whose accident period has no factor (reserving projected no ultimate for it) is taken at
its latest (f = g = 1) and marked ``undeveloped``: the study notes it and flags its period
(:func:`undeveloped_note`), so an undeveloped loss is never passed off as a developed one.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sme_insure.reserving import Basis, Grain
from sme_insure.studies.config import IndicationConfig, TrendConfig
from sme_insure.studies.development import Development
from sme_insure.studies.units import COUNT_SCALE, to_units

DAYS_PER_YEAR = 365.25
CLAIM_COLUMNS = (
    "policy_id",
    "loss_date",
    "reported",
    "latest_fen",
    "developed_fen",
    "trended_fen",
    "count_u",
    "trended_count_u",
)
_FREQ = {Grain.ANNUAL: "Y", Grain.QUARTERLY: "Q", Grain.MONTHLY: "M"}


def future_dates(cfg: IndicationConfig) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Average written date and average accident date of the future policy period.

    Policies written evenly over ``written_months`` from ``effective_from``, each for
    ``term_months``: written = E + w/2 months, accident = E + (w + t)/2 months (a month being
    365.25/12 days).
    """
    month = DAYS_PER_YEAR / 12
    start = pd.Timestamp(cfg.effective_from)
    written = start + pd.Timedelta(days=round(cfg.written_months / 2 * month))
    accident = start + pd.Timedelta(days=round((cfg.written_months + cfg.term_months) / 2 * month))
    return written, accident


def trend_years(dates: pd.Series, to: pd.Timestamp) -> np.ndarray:
    """Years from each date to ``to`` (365.25 days a year)."""
    return ((to - dates).dt.days.to_numpy(dtype=np.float64)) / DAYS_PER_YEAR


def claim_latest(claims: pd.DataFrame, valuation: dt.date, basis: Basis) -> pd.DataFrame:
    """One row per claim reported by the valuation date: policy, loss date, latest (fen)."""
    cut = claims.loc[claims["transaction_date"] <= pd.Timestamp(valuation)]
    amount = (
        cut["paid_fen"]
        if basis is Basis.PAID
        else (cut["paid_fen"] + cut["case_reserve_change_fen"])
    )
    per = (
        cut.assign(amount=amount.astype(np.int64))
        .groupby("claim_id", sort=True)
        .agg(
            policy_id=("policy_id", "first"),
            loss_date=("loss_date", "first"),
            latest_fen=("amount", "sum"),
        )
    )
    return per.reset_index()


def developed_claims(
    claims: pd.DataFrame,
    development: Development,
    valuation: dt.date,
    grain: Grain,
    trend: TrendConfig,
    accident_to: pd.Timestamp,
) -> pd.DataFrame:
    """Per claim: reported count, latest, developed and trended loss (fen), developed and trended
    counts (10⁻⁶ claim)."""
    per = claim_latest(claims, valuation, development.basis)
    origin = per["loss_date"].dt.to_period(_FREQ[grain]).astype(str)
    loss_f, count_f = development.factors()
    f, no_f = factor_of(origin, loss_f)
    g, no_g = factor_of(origin, count_f)
    n = trend_years(per["loss_date"], accident_to)
    freq, sev = (1 + trend.frequency) ** n, (1 + trend.severity) ** n
    latest = per["latest_fen"].to_numpy(dtype=np.float64)
    out = pd.DataFrame(
        {
            "claim_id": per["claim_id"].astype("string"),
            "policy_id": per["policy_id"].astype("string"),
            "loss_date": per["loss_date"].astype("datetime64[ns]"),
            "reported": np.ones(len(per), dtype=np.int64),
            "latest_fen": per["latest_fen"].to_numpy(dtype=np.int64),
            "developed_fen": to_units(latest * f, 1),
            "trended_fen": to_units(latest * f * sev * freq, 1),
            "count_u": to_units(g, COUNT_SCALE),
            "trended_count_u": to_units(g * freq, COUNT_SCALE),
            "origin": origin.to_numpy(dtype=object),
            "undeveloped": no_f | no_g,
        }
    )
    return out.sort_values("claim_id", kind="stable").reset_index(drop=True)


def factor_of(origin: pd.Series, factors: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Each claim's factor from its accident period, and where there is none (origin absent or
    factor not finite): there 1.0, the latest taken as ultimate, which the caller flags."""
    found = origin.map(factors).to_numpy(dtype=np.float64)
    missing = ~np.isfinite(found)
    return np.where(missing, 1.0, found), missing


def undeveloped_note(claims: pd.DataFrame) -> list[str]:
    """A note naming the accident periods and claims left undeveloped (none when all are)."""
    gone = claims.loc[claims["undeveloped"]]
    if gone.empty:
        return []
    origins = sorted(gone["origin"].astype(str).unique())
    return [
        f"{len(gone)} claim(s) of accident period(s) {', '.join(origins)} have no development "
        f"factor from reserving: taken at their latest ({gone['latest_fen'].sum() / 100:,.0f} "
        "CNY) as ultimate, their periods flagged `undeveloped`"
    ]
