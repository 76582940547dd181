"""Members and their contribution plans: one typed plan, or a batch as pandas frames.

Batch input is three frames (one row per member, and optional side tables keyed by
``member_id``):

* ``members``: ``member_id, sex, age, retirement_age, sleeve, payout`` (required) and
  ``fixed_term_years, monthly_contribution, annual_contribution, topup_monthly, topup_annual``.
  Money is CNY; an empty cell means 0, text that is not a number is an error. ``topup_*`` are
  employer or platform top-ups. Annual amounts are paid in the first month of each policy year.
* ``ad_hoc``: ``member_id, policy_year, month (1–12), amount``.
* ``switches``: ``member_id, policy_year, sleeve``: the sleeve from that policy year on.

Rounding point 1: each CNY amount becomes integer fen, half up (:func:`sme_insure.money.to_fen`),
as it is read. Ages are integer ages last birthday at the policy start; policy year y ends at
age ``age + y``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd

from sme_insure.life import Sex
from sme_insure.pension.terms import PayoutKind, Sleeve

REQUIRED = ("member_id", "sex", "age", "retirement_age", "sleeve", "payout")
MONEY = ("monthly_contribution", "annual_contribution", "topup_monthly", "topup_annual")
OPTIONAL = ("fixed_term_years", *MONEY)
AD_HOC = ("member_id", "policy_year", "month", "amount")
SWITCHES = ("member_id", "policy_year", "sleeve")


@dataclass(frozen=True, slots=True)
class AdHocContribution:
    """A one-off contribution (CNY) in month 1–12 of a policy year."""

    policy_year: int
    month: int
    amount: float


@dataclass(frozen=True, slots=True)
class SleeveSwitch:
    """Move the account to ``sleeve`` from the start of ``policy_year``."""

    policy_year: int
    sleeve: Sleeve | str


@dataclass(frozen=True)
class MemberPlan:
    """One member's plan, as given (validated when illustrated, never on construction)."""

    member_id: str
    sex: Sex | str
    age: int
    retirement_age: int
    sleeve: Sleeve | str
    payout: PayoutKind | str = PayoutKind.LIFE
    fixed_term_years: int | None = None
    monthly_contribution: float = 0.0
    annual_contribution: float = 0.0
    topup_monthly: float = 0.0
    topup_annual: float = 0.0
    ad_hoc: tuple[AdHocContribution, ...] = field(default=())
    switches: tuple[SleeveSwitch, ...] = field(default=())


def plans_to_frames(
    plans: list[MemberPlan],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The batch frames ``(members, ad_hoc, switches)`` for a list of plans."""
    rows = [{k: getattr(p, k) for k in (*REQUIRED, *OPTIONAL)} for p in plans]
    ad_hoc = [{"member_id": p.member_id, **asdict(a)} for p in plans for a in p.ad_hoc]
    switches = [{"member_id": p.member_id, **asdict(s)} for p in plans for s in p.switches]
    return (
        pd.DataFrame(rows, columns=[*REQUIRED, *OPTIONAL], dtype=object),
        pd.DataFrame(ad_hoc, columns=list(AD_HOC), dtype=object),
        pd.DataFrame(switches, columns=list(SWITCHES), dtype=object),
    )
