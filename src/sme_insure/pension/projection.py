"""Monthly projection of pension accounts to retirement, vectorised over members and scenarios.

Month t = 0, 1, … of policy year y = t // 12, for every scenario s, in this order:

1. contribution C received at the start of the month: monthly amounts every month, annual
   amounts in the first month of each policy year, ad hoc amounts in their month (all in fen);
2. initial charge  F = round_half_up(C × initial_charge)            (rounding point 2)
   account        A ← A + C − F;
3. interest        I = round_half_up(A × j),  j = (1 + r)^{1/12} − 1  (rounding point 3)
   with r = max(scenario rate of the member's sleeve that year, that sleeve's guarantee),
   account        A ← A + I;
4. management fee  M = round_half_up(A × f / 12)                    (rounding point 4)
   account        A ← A − M.

The account after month 12y + 11 is the value at the end of policy year y + 1. Every amount is an
integer number of fen; round_half_up is :func:`fen_share` (= :func:`sme_insure.money.share_fen`
element by element), so the scalar reference and this engine agree to the fen.

Speed: members are sorted by decreasing accumulation period and run in blocks, so the members
still accumulating in year y are a prefix of each block and no work is spent on the retired.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from sme_insure.money import FEN_PER_CNY, to_fen_array
from sme_insure.pension.terms import PensionTerms, Scenario
from sme_insure.pension.validation import SLEEVES, IntArray, MemberArrays

MONTHS = 12
BLOCK = 16384
SCENARIOS = list(Scenario)


def monthly_credit_rates(terms: PensionTerms) -> npt.NDArray[np.float64]:
    """j[s, k] = (1 + max(rate_s, guarantee))^{1/12} − 1 for scenario s and sleeve k."""
    annual = np.array([[terms.sleeves[k].credited(s) for k in SLEEVES] for s in SCENARIOS])
    return (1.0 + annual) ** (1.0 / MONTHS) - 1.0


def fen_share(amount: IntArray, rate: npt.ArrayLike) -> IntArray:
    """round_half_up(amount × rate) in fen, broadcasting; the same operations as
    :func:`sme_insure.money.share_fen`, so scalar and vector results are identical."""
    return to_fen_array(np.asarray(amount, dtype=np.float64) * rate / FEN_PER_CNY)


def net_of_charge(contribution: IntArray, initial_charge: float) -> IntArray:
    """C − round_half_up(C × initial_charge), in fen."""
    return contribution - fen_share(contribution, initial_charge)


def _ad_hoc_by_month(
    book: MemberArrays, position: IntArray, lo: int, hi: int
) -> dict[int, tuple[IntArray, IntArray]]:
    """Ad hoc fen of sorted members lo..hi−1, summed per (member, month), grouped by month."""
    where = position[book.ad_hoc_member]
    inside = (where >= lo) & (where < hi)
    months, members, amounts = (
        book.ad_hoc_month[inside],
        where[inside] - lo,
        book.ad_hoc_fen[inside],
    )
    out: dict[int, tuple[IntArray, IntArray]] = {}
    for month in np.unique(months):
        at = months == month
        ids, inverse = np.unique(members[at], return_inverse=True)
        total = np.zeros(ids.size, dtype=np.int64)
        np.add.at(total, inverse, amounts[at])
        out[int(month)] = (ids, total)
    return out


def _with_ad_hoc(gross: IntArray, extra: tuple[IntArray, IntArray], charge: float) -> IntArray:
    """Net contribution when ad hoc amounts join the regular ones: charge on the month's total."""
    members, amounts = extra
    total = gross.copy()
    total[members] += amounts
    return net_of_charge(total, charge)


def _project_block(
    terms: PensionTerms,
    years: IntArray,
    regular: IntArray,
    first: IntArray,
    sleeves: npt.NDArray[np.int8],
    ad_hoc: dict[int, tuple[IntArray, IntArray]],
) -> IntArray:
    """Year-end accounts (scenario, member, year) of members sorted by decreasing years."""
    charge, fee = terms.fees.initial_charge, terms.fees.annual_management_fee / MONTHS
    net_regular, net_first = net_of_charge(regular, charge), net_of_charge(first, charge)
    rates, width = monthly_credit_rates(terms), int(years.max(initial=0))
    account = np.zeros((len(SCENARIOS), years.size), dtype=np.int64)
    year_end = np.zeros((len(SCENARIOS), years.size, width), dtype=np.int64)
    for year in range(width):
        k = int(np.count_nonzero(years > year))
        j, live = rates[:, sleeves[:k, year]], account[:, :k]
        for month in range(MONTHS):
            t = year * MONTHS + month
            if t in ad_hoc:
                live += _with_ad_hoc(first if month == 0 else regular, ad_hoc[t], charge)[:k]
            else:
                live += (net_first if month == 0 else net_regular)[:k]
            live += fen_share(live, j)
            live -= fen_share(live, fee)
        year_end[:, :k, year] = live
    return year_end


def project_accounts(terms: PensionTerms, book: MemberArrays, *, block: int = BLOCK) -> IntArray:
    """Account at each policy year-end, fen, shape (scenario, member, year); 0 after retirement.

    Members are sorted by decreasing accumulation years and run in blocks of ``block``, so the
    working arrays stay in cache and retired members drop out of each block's loop.
    """
    years = book.years
    order = np.argsort(-years, kind="stable")
    position = np.empty_like(order)
    position[order] = np.arange(order.size)
    regular = (book.monthly + book.topup_monthly)[order]
    first = regular + (book.annual + book.topup_annual)[order]
    sleeves, sorted_years = book.sleeve_by_year[order], years[order]
    year_end = np.zeros((len(SCENARIOS), order.size, int(years.max(initial=0))), dtype=np.int64)
    for lo in range(0, order.size, block):
        part = slice(lo, lo + block)
        block_years = sorted_years[part]
        ad_hoc = _ad_hoc_by_month(book, position, lo, lo + block)
        result = _project_block(
            terms, block_years, regular[part], first[part], sleeves[part], ad_hoc
        )
        year_end[:, part, : result.shape[2]] = result
    return year_end[:, position, :]
