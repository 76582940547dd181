"""Buying the pension at retirement: a monthly life annuity or a monthly annuity certain.

The account A (fen) at retirement age R buys a pension of P per month, paid monthly in advance
(the first payment at retirement):

* life annuity:   P = round_half_up(A / (12 · ä^(12)_R))  on the member's annuity table (by sex)
  and the terms' interest rate, ä^(12) from the annual values by the terms' method (UDD:
  ä^(12)_R = α(12) ä_R − β(12); see :mod:`sme_insure.life.annuities`);
* fixed term n:  P = round_half_up(A / (12 · ä^(12)_n̄)),  ä^(12)_n̄ = (1 − vⁿ) / d^(12).

round_half_up to the fen is rounding point 5.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from sme_insure.errors import ConfigurationError, Issue
from sme_insure.life import (
    DEFAULT_REGISTRY,
    LifeTable,
    Sex,
    TableKind,
    TableRegistry,
    annuity_certain_due,
    whole_life_annuity_due,
)
from sme_insure.pension.projection import MONTHS, fen_share
from sme_insure.pension.terms import PensionTerms
from sme_insure.pension.validation import IntArray, MemberArrays


def annuity_tables(terms: PensionTerms, registry: TableRegistry) -> dict[Sex, LifeTable]:
    """The payout table per sex; each must be an annuity table (CL5/CL6 or the insurer's)."""
    tables = {sex: registry.get(table_id) for sex, table_id in terms.annuity.tables.items()}
    wrong = [
        Issue(f"annuity.tables.{sex.value}", t.table_id, f"is a {t.kind} table, not an annuity one")
        for sex, t in tables.items()
        if t.kind is not TableKind.ANNUITY
    ]
    if wrong:
        raise ConfigurationError(wrong)
    return tables


def annuity_factors(
    terms: PensionTerms, book: MemberArrays, *, registry: TableRegistry = DEFAULT_REGISTRY
) -> npt.NDArray[np.float64]:
    """ä^(12) per member: of a life annuity at the retirement age, or certain for the fixed term."""
    basis = terms.annuity
    factors = np.asarray(
        annuity_certain_due(
            term=np.maximum(book.fixed_term, 1), interest=basis.interest_rate, m=MONTHS
        ),
        dtype=np.float64,
    ).copy()
    for sex, table in annuity_tables(terms, registry).items():
        rows = (book.sex == sex) & ~book.is_fixed_term
        if rows.any():
            factors[rows] = whole_life_annuity_due(
                table,
                book.retirement_age[rows],
                interest=basis.interest_rate,
                m=MONTHS,
                method=basis.method,
            )
    return factors


def monthly_pension(accounts: IntArray, factors: npt.NDArray[np.float64]) -> IntArray:
    """P = round_half_up(A / (12 · ä^(12))) in fen; ``accounts`` may carry a scenario axis."""
    return fen_share(accounts, 1.0 / (MONTHS * factors))
