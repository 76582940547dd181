"""Benefit illustrations: the account at each policy year-end, the surrender value and the
monthly pension at retirement, under the low/medium/high credited-rate scenarios.

Surrender value at the end of policy year y (rounding point 6):
SV_y = A_y − round_half_up(A_y × surrender charge of policy year y).

Pension contributions are not VAT-taxable (life insurance of more than one year is exempt from
VAT, 财税〔2016〕36号, kept by the VAT Law from 2026-01-01): no VAT is added to or split from any
amount here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from sme_insure.errors import InputError, Issue
from sme_insure.life import DEFAULT_REGISTRY, TableRegistry
from sme_insure.pension.members import MemberPlan, plans_to_frames
from sme_insure.pension.payout import annuity_factors, monthly_pension
from sme_insure.pension.projection import MONTHS, SCENARIOS, fen_share, project_accounts
from sme_insure.pension.terms import PensionTerms
from sme_insure.pension.validation import SLEEVES, IntArray, MemberArrays, validate_book

VAT_NOTE = (
    "Pension contributions are not VAT-taxable: life insurance of more than one year is exempt "
    "(财税〔2016〕36号). 养老保险缴费不征增值税。"
)


@dataclass(frozen=True)
class YearRow:
    """One policy year of an illustration; money in fen, per scenario keyed by its name."""

    policy_year: int
    age: int
    sleeve: str
    contributions: int
    top_ups: int
    surrender_charge_rate: float
    account: dict[str, int]
    surrender_value: dict[str, int]


@dataclass(frozen=True)
class Illustration:
    """A benefit illustration for one member (money in integer fen)."""

    member_id: str
    sex: str
    age: int
    retirement_age: int
    payout: str
    fixed_term_years: int | None
    rows: tuple[YearRow, ...]
    retirement_account: dict[str, int]
    monthly_pension: dict[str, int]
    annuity_factor: float
    credited_rates: dict[str, dict[str, float]]
    terms: PensionTerms
    vat_note: str = VAT_NOTE

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (terms as their validated data)."""
        out = asdict(self)
        out["terms"] = self.terms.model_dump(mode="json")
        return out


def _year_contributions(book: MemberArrays, m: int) -> tuple[IntArray, IntArray]:
    """Member contributions (regular + ad hoc) and top-ups paid in each policy year, fen."""
    years = int(book.years[m])
    own = np.full(years, MONTHS * book.monthly[m] + book.annual[m], dtype=np.int64)
    mine = book.ad_hoc_member == m
    np.add.at(own, book.ad_hoc_month[mine] // MONTHS, book.ad_hoc_fen[mine])
    top_ups = np.full(years, MONTHS * book.topup_monthly[m] + book.topup_annual[m], dtype=np.int64)
    return own, top_ups


def at_retirement(year_end: IntArray, years: IntArray) -> IntArray:
    """The account at the last policy year-end of each member, shape (scenario, member)."""
    if year_end.shape[1] == 0:
        return np.zeros(year_end.shape[:2], dtype=np.int64)
    return year_end[:, np.arange(years.size), years - 1]


@dataclass(frozen=True)
class BookIllustration:
    """Illustrations of a batch: arrays over (scenario, member[, year]) and the invalid members."""

    terms: PensionTerms
    members: MemberArrays
    year_end: IntArray
    annuity_factor: np.ndarray
    monthly_pension: IntArray
    issues: list[Issue]

    @property
    def retirement_account(self) -> IntArray:
        """Account at retirement, fen, shape (scenario, member)."""
        return at_retirement(self.year_end, self.members.years)

    def charge_rates(self) -> np.ndarray:
        """Surrender charge rate of each policy year 1..width."""
        width = self.year_end.shape[2]
        return np.array([self.terms.surrender_charge(y + 1) for y in range(width)])

    def surrender_values(self) -> IntArray:
        """SV = A − round_half_up(A × charge of the policy year), fen, (scenario, member, year)."""
        return self.year_end - fen_share(self.year_end, self.charge_rates())

    def summary(self) -> pd.DataFrame:
        """One row per valid member: row, member_id, account and monthly pension per scenario."""
        out = pd.DataFrame({"row": self.members.rows, "member_id": self.members.member_id})
        for k, scenario in enumerate(SCENARIOS):
            out[f"account_{scenario}"] = self.retirement_account[k]
            out[f"monthly_pension_{scenario}"] = self.monthly_pension[k]
        return out

    def member(self, m: int) -> Illustration:
        """The illustration of the m-th valid member."""
        book, years = self.members, int(self.members.years[m])
        own, top_ups = _year_contributions(book, m)
        values, rates = self.surrender_values(), self.charge_rates()
        rows = tuple(
            YearRow(
                policy_year=y + 1,
                age=int(book.age[m]) + y + 1,
                sleeve=SLEEVES[book.sleeve_by_year[m, y]].value,
                contributions=int(own[y]),
                top_ups=int(top_ups[y]),
                surrender_charge_rate=float(rates[y]),
                account={s.value: int(self.year_end[k, m, y]) for k, s in enumerate(SCENARIOS)},
                surrender_value={s.value: int(values[k, m, y]) for k, s in enumerate(SCENARIOS)},
            )
            for y in range(years)
        )
        return Illustration(
            member_id=str(book.member_id[m]),
            sex=str(book.sex[m]),
            age=int(book.age[m]),
            retirement_age=int(book.retirement_age[m]),
            payout="fixed_term" if book.is_fixed_term[m] else "life",
            fixed_term_years=int(book.fixed_term[m]) or None,
            rows=rows,
            retirement_account={
                s.value: int(self.retirement_account[k, m]) for k, s in enumerate(SCENARIOS)
            },
            monthly_pension={
                s.value: int(self.monthly_pension[k, m]) for k, s in enumerate(SCENARIOS)
            },
            annuity_factor=float(self.annuity_factor[m]),
            credited_rates={
                k.value: {s.value: self.terms.sleeves[k].credited(s) for s in SCENARIOS}
                for k in SLEEVES
            },
            terms=self.terms,
        )


def illustrate_book(
    terms: PensionTerms,
    members: pd.DataFrame,
    ad_hoc: pd.DataFrame | None = None,
    switches: pd.DataFrame | None = None,
    *,
    registry: TableRegistry = DEFAULT_REGISTRY,
) -> BookIllustration:
    """Validate a batch, project the valid members and price their pensions; list the invalid."""
    book, issues = validate_book(terms, members, ad_hoc, switches, registry=registry)
    year_end = project_accounts(terms, book)
    factors = annuity_factors(terms, book, registry=registry)
    accounts = at_retirement(year_end, book.years)
    return BookIllustration(
        terms, book, year_end, factors, monthly_pension(accounts, factors), issues
    )


def illustrate(
    terms: PensionTerms, plan: MemberPlan, *, registry: TableRegistry = DEFAULT_REGISTRY
) -> Illustration:
    """The illustration of one member; an invalid plan raises InputError listing every issue."""
    result = illustrate_book(terms, *plans_to_frames([plan]), registry=registry)
    if result.issues:
        raise InputError(result.issues, context=f"member {plan.member_id}")
    return result.member(0)
