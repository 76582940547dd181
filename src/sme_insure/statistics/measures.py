"""SME insurance statistics from policy, premium-transaction and claim frames.

Definitions (each published table states them):

* ``insured_entities`` — distinct customers with a policy in force on at least one day of the
  period; ``policies_in_force`` — such policies; ``new_policies`` — policies starting in it.
* ``sum_insured_fen`` — sum insured of the policies in force on the period's last day.
* ``written_premium_fen`` — premium transactions dated in the period (new business, endorsements,
  cancellations, adjustments; VAT-inclusive).
* ``earned_premium_fen`` — each transaction spread evenly over its cover ``[effective, end)``,
  the part falling in the period (exact, rounded half up once per group).
* ``claims_reported`` — claims reported in the period; ``claims_paid_fen`` — payments net of
  recoveries dated in the period; ``outstanding_fen`` — case reserves at the period's end.
* ``decided_claims`` / ``decided_within_30d`` — claims decided in the period and those decided
  within 30 days of report; ``paid_within_10d_of_agreement`` — first payments in the period made
  within 10 days of agreeing the amount; ``median_report_to_decision_days`` and
  ``median_report_to_payment_days``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sme_insure.errors import InputError, Issue
from sme_insure.statistics.period import Period

DIMENSIONS = ("line", "product", "entity_type", "size_class", "industry", "region", "channel")
MEASURES = ("insured_entities", "policies_in_force", "new_policies", "sum_insured_fen",
            "written_premium_fen", "earned_premium_fen", "claims_reported", "claims_paid_fen",
            "outstanding_fen", "decided_claims", "decided_within_30d", "paid_within_10d_of_agreement",
            "median_report_to_decision_days", "median_report_to_payment_days")


def _check_dims(by: list[str]) -> None:
    bad = [d for d in by if d not in DIMENSIONS]
    if bad:
        raise InputError([Issue("by", bad, f"allowed: {list(DIMENSIONS)}")])


def _in_force(policies: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    stop = policies["cancelled_on"].fillna(policies["end_date"])  # NaT: not cancelled
    return (policies["start_date"] < end) & (stop > start)


def _earned(tx: pd.DataFrame, period: Period) -> pd.Series:
    lo = np.maximum(tx["effective_date"].values, np.datetime64(period.start))
    hi = np.minimum(tx["period_end"].values, np.datetime64(period.end))
    span = (tx["period_end"] - tx["effective_date"]).dt.days.clip(lower=1).to_numpy()
    days = np.clip((hi - lo).astype("timedelta64[D]").astype(np.int64), 0, None)
    return pd.Series(tx["premium_fen"].to_numpy() * days / span, index=tx.index)


def policy_measures(policies: pd.DataFrame, premium_tx: pd.DataFrame, period: Period,
                    by: list[str]) -> pd.DataFrame:
    """Policy and premium measures by the ``by`` dimensions."""
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    live = policies[_in_force(policies, start, end)]
    at_end = policies[_in_force(policies, end - pd.Timedelta(days=1), end)]
    keys = by or None
    grp = (lambda f: f.groupby(by, dropna=False, observed=True)) if keys else (lambda f: f.groupby(lambda _: "all"))
    out = pd.DataFrame({
        "insured_entities": grp(live)["customer_id"].nunique(),
        "policies_in_force": grp(live)["policy_id"].count(),
        "new_policies": grp(live[(live["start_date"] >= start) & (live["start_date"] < end)])["policy_id"].count(),
        "sum_insured_fen": grp(at_end)["sum_insured_fen"].sum(),
    })
    tx = premium_tx.merge(policies[["policy_id", *by]], on="policy_id", how="left")
    dated = tx[(tx["transaction_date"] >= start) & (tx["transaction_date"] < end)]
    out["written_premium_fen"] = grp(dated)["premium_fen"].sum()
    tx = tx.assign(earned=_earned(tx, period))
    out["earned_premium_fen"] = grp(tx)["earned"].sum().map(lambda v: int(np.floor(v + 0.5)))
    return out


def claim_measures(claims: pd.DataFrame, claim_tx: pd.DataFrame, period: Period,
                   by: list[str]) -> pd.DataFrame:
    """Claims measures and timeliness by the ``by`` dimensions."""
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    grp = (lambda f: f.groupby(by, dropna=False, observed=True)) if by else (lambda f: f.groupby(lambda _: "all"))
    reported = claims[(claims["report_date"] >= start) & (claims["report_date"] < end)]
    tx = claim_tx.merge(claims[["claim_id", *by]], on="claim_id", how="left")
    in_period = tx[(tx["transaction_date"] >= start) & (tx["transaction_date"] < end)]
    to_end = tx[tx["transaction_date"] < end]
    decided = claims[(claims["decided_on"] >= start) & (claims["decided_on"] < end)]
    paid = claims[(claims["first_paid_on"] >= start) & (claims["first_paid_on"] < end)]
    quick = (paid["first_paid_on"] - paid["agreed_on"]).dt.days <= 10
    return pd.DataFrame({
        "claims_reported": grp(reported)["claim_id"].count(),
        "claims_paid_fen": grp(in_period)["paid_fen"].sum(),
        "outstanding_fen": grp(to_end)["case_reserve_change_fen"].sum(),
        "decided_claims": grp(decided)["claim_id"].count(),
        "decided_within_30d": grp(decided[(decided["decided_on"] - decided["report_date"]).dt.days <= 30])["claim_id"].count(),
        "paid_within_10d_of_agreement": grp(paid[quick])["claim_id"].count(),
        "median_report_to_decision_days": grp(decided)["report_to_decision_days"].median(),
        "median_report_to_payment_days": grp(paid)["report_to_payment_days"].median(),
    })


def statistics(policies: pd.DataFrame, premium_tx: pd.DataFrame, claims: pd.DataFrame,
               claim_tx: pd.DataFrame, period: Period, by: list[str]) -> pd.DataFrame:
    """Every measure by the ``by`` dimensions for one period; counts and money as integers, a
    group without claims shows 0 claims (and no median), never a silent NaN in a money column."""
    _check_dims(by)
    left = policy_measures(policies, premium_tx, period, by)
    right = claim_measures(claims, claim_tx, period, by)
    table = left.join(right, how="outer")
    counts = [m for m in MEASURES if not m.startswith("median")]
    table[counts] = table[counts].fillna(0).astype(np.int64)  # an absent group has zero of each
    return table[list(MEASURES)].sort_index()
