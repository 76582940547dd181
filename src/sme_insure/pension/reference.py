"""Scalar reference projection of one member, in plain Python integers, for tests.

It follows the steps of :mod:`sme_insure.pension.projection` month by month with
:func:`sme_insure.money.to_fen` / :func:`sme_insure.money.share_fen`, and exists only to check
the vectorised engine (which must agree with it to the fen). It assumes a valid plan.
"""

from __future__ import annotations

from sme_insure.life import Sex, annuity_certain_due, get_table, whole_life_annuity_due
from sme_insure.money import share_fen, to_fen
from sme_insure.pension.members import MemberPlan
from sme_insure.pension.terms import PayoutKind, PensionTerms, Scenario, Sleeve

MONTHS = 12


def _sleeve_in_year(plan: MemberPlan, policy_year: int) -> Sleeve:
    """Sleeve after applying every switch that starts on or before ``policy_year``."""
    sleeve = Sleeve(plan.sleeve)
    for switch in sorted(plan.switches, key=lambda s: s.policy_year):
        if switch.policy_year <= policy_year:
            sleeve = Sleeve(switch.sleeve)
    return sleeve


def _contribution(plan: MemberPlan, year: int, month: int) -> int:
    """Fen received in month 1–12 of policy year ``year``, from every source."""
    total = to_fen(plan.monthly_contribution) + to_fen(plan.topup_monthly)
    if month == 1:
        total += to_fen(plan.annual_contribution) + to_fen(plan.topup_annual)
    total += sum(to_fen(a.amount) for a in plan.ad_hoc if (a.policy_year, a.month) == (year, month))
    return total


def year_end_accounts(terms: PensionTerms, plan: MemberPlan, scenario: Scenario) -> list[int]:
    """Account at the end of each policy year, fen, month by month with scalar rounding."""
    account, out = 0, []
    fee = terms.fees.annual_management_fee / MONTHS
    for year in range(1, plan.retirement_age - plan.age + 1):
        rate = terms.sleeves[_sleeve_in_year(plan, year)].credited(scenario)
        j = (1.0 + rate) ** (1.0 / MONTHS) - 1.0
        for month in range(1, MONTHS + 1):
            paid = _contribution(plan, year, month)
            account += paid - share_fen(paid, terms.fees.initial_charge)
            account += share_fen(account, j)
            account -= share_fen(account, fee)
        out.append(account)
    return out


def annuity_factor(terms: PensionTerms, plan: MemberPlan) -> float:
    """ä^(12) of the payout: life on the member's annuity table, or certain for the term."""
    basis = terms.annuity
    if PayoutKind(plan.payout) is PayoutKind.FIXED_TERM:
        return float(
            annuity_certain_due(term=plan.fixed_term_years, interest=basis.interest_rate, m=MONTHS)
        )
    table = get_table(basis.tables[Sex.parse(plan.sex)])
    value = whole_life_annuity_due(
        table, plan.retirement_age, interest=basis.interest_rate, m=MONTHS, method=basis.method
    )
    return float(value)


def monthly_pension(terms: PensionTerms, plan: MemberPlan, scenario: Scenario) -> int:
    """round_half_up(account at retirement / (12 · ä^(12))) in fen."""
    account = year_end_accounts(terms, plan, scenario)[-1]
    return share_fen(account, 1.0 / (MONTHS * annuity_factor(terms, plan)))
