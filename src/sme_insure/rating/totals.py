"""From coverage amounts to the money of a quote, in integer fen.

Rounding points, in order:

1. each selected coverage's amount (CNY, float) is rounded half up to fen after its last step;
2. the policy minimum premium tops the sum up: the shortfall is shared among coverages in
   proportion to their premium (floor), the remaining fen going to the largest coverage (the
   first coverage when all are zero);
3. VAT is split from each coverage's VAT-inclusive premium in integer arithmetic
   (net = round_half_up(gross / (1 + r))), exempt coverages carry none, nor the rows a
   coverage's ``exempt_when`` names (e.g. exported goods);
4. fees are added in fen; commission = round_half_up(net premium × rate);
   subsidy = round_half_up(premium × share), the customer paying premium + fees − subsidy.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
import pandas as pd

from sme_insure.catalogue.product import Product
from sme_insure.catalogue.terms import Coverage
from sme_insure.catalogue.vocabulary import TaxTreatment
from sme_insure.money import split_vat_array, to_fen, to_fen_array
from sme_insure.rating.fen import share_fen_of, to_fen_owned, vat_of
from sme_insure.rating.frame import Prepared, prepare
from sme_insure.tables.coded import Coded

Fen = npt.NDArray[np.int64]
Positions = npt.NDArray[np.intp]


def _add(arrays: Iterable[Fen]) -> Fen:
    """Element-wise sum without stacking the arrays into a matrix: one new array."""
    first, *rest = arrays
    if not rest:
        return first.copy()
    total = np.add(first, rest[0])
    for more in rest[1:]:
        total += more
    return total


def allocate_minimum(cov_fen: dict[str, Fen], minimum_fen: int, total: Fen | None = None,
                     *, in_place: bool = False) -> tuple[dict[str, Fen], Fen]:
    """Top up each row's total to ``minimum_fen``; returns new coverage fen and the adjustment.

    Only the rows below the minimum are touched: share_c = ⌊adj × p_c / total⌋, and the fen left
    over go to the largest coverage (the first one when every coverage is zero). Column by
    column, on contiguous arrays. ``in_place``: the coverage arrays are the caller's to change
    (the engine's own), so they are topped up where they are instead of being copied."""
    total = _add(cov_fen.values()) if total is None else total
    adj = np.subtract(minimum_fen, total)
    np.maximum(adj, 0, out=adj)
    rows = np.flatnonzero(adj > 0)  # on a bool mask: several times faster than on int64
    if rows.size == 0:
        return cov_fen, adj
    adj_r, den = adj[rows], total[rows]
    np.maximum(den, 1, out=den)  # all coverages 0 where total is 0
    codes, cols = _sharing(cov_fen, rows)
    shares = [np.multiply(adj_r, col) for col in cols]
    for share in shares:
        np.floor_divide(share, den, out=share)
    left = adj_r - _add(shares)
    largest = _largest(cols)
    out = dict(cov_fen)
    for i, c in enumerate(codes):
        fen = cov_fen[c] if in_place else cov_fen[c].copy()
        top_up = shares[i]
        np.add(top_up, left, out=top_up, where=largest == i)
        fen[rows] = np.add(cols[i], top_up, out=top_up)
        out[c] = fen
    return out, adj


def _sharing(cov_fen: dict[str, Fen], rows: Positions) -> tuple[list[str], list[Fen]]:
    """The coverages that share a top-up and their fen on the topped-up rows: the first one
    always, the others where not 0 on every such row (a zero coverage would take no share and
    never be the largest, so leaving it out changes no figure)."""
    first, *rest = cov_fen
    codes, cols = [first], [cov_fen[first][rows]]
    for c in rest:
        col = cov_fen[c][rows]
        if col.any():
            codes.append(c)
            cols.append(col)
    return codes, cols


def _largest(cols: list[Fen]) -> npt.NDArray[np.intp]:
    """Per row, the position of the largest coverage; strict comparison, so the first of equal
    coverages keeps the remainder (the first coverage when all are zero)."""
    largest, best = np.zeros(len(cols[0]), dtype=np.intp), cols[0]
    for i, col in enumerate(cols[1:], start=1):
        more = col > best
        largest[more], best = i, np.maximum(best, col)
    return largest


def exempt_rows(prep: Prepared, coverage: Coverage) -> npt.NDArray[np.bool_]:
    """Rows on which the coverage's ``exempt_when`` holds (its input takes a listed level)."""
    rule = coverage.exempt_when
    assert rule is not None
    column = prep.columns[rule.input]
    assert isinstance(column, Coded)
    codes = [i for i, level in enumerate(column.levels) if rule.matches(level)]
    return np.isin(column.codes, codes)


def exemptions(product: Product, risks: pd.DataFrame) -> dict[str, npt.NDArray[np.bool_]]:
    """Each ``exempt_when`` coverage's exempt rows for risks given as inputs (e.g. a stored
    quote whose money is re-derived after an underwriter's loading)."""
    if not any(c.exempt_when for c in product.coverages):
        return {}
    prep = prepare(product, risks)
    return {c.code: exempt_rows(prep, c) for c in product.coverages if c.exempt_when}


def policy_totals(product: Product, cov_fen: dict[str, Fen], cov_min_adj: Fen | None,
                  exempt: dict[str, npt.NDArray[np.bool_]] | None = None,
                  *, in_place: bool = False) -> pd.DataFrame:
    """Premium per coverage and the policy's money columns, all int64 fen. ``exempt``: rows on
    which a VAT-inclusive coverage is exempt (its ``exempt_when``). ``cov_min_adj``: what the
    coverages' own minimum steps added (``None``: nothing). ``in_place``: the coverage arrays
    are the caller's own, topped up to the policy minimum where they are."""
    technical = _add(cov_fen.values())
    minimum = product.policy.minimum_premium
    policy_adj = None
    if minimum is not None:
        cov_fen, policy_adj = allocate_minimum(cov_fen, to_fen(minimum), technical,
                                               in_place=in_place)
    premium = technical.copy() if policy_adj is None else technical + policy_adj
    vat = _vat(product, cov_fen, exempt or {})
    net = premium - vat
    fees, fee_vat = _fees(product, len(premium))
    subsidy = share_fen_of(premium, product.subsidy.share) if product.subsidy else None
    payable = premium + fees if product.policy.fees else premium
    out = {f"premium_{c}": v for c, v in cov_fen.items()}
    out |= {
        "technical_premium": technical,
        "minimum_adjustment": _sum_adjustments(cov_min_adj, policy_adj, len(premium)),
        "premium": premium,
        "vat": vat,
        "net_premium": net,
        "fees": fees,
        "fees_vat": fee_vat,
        "commission": share_fen_of(net, product.commission_rate),
        "subsidy": np.zeros(len(premium), dtype=np.int64) if subsidy is None else subsidy,
        "total_payable": payable,
        "customer_pays": payable if subsidy is None else payable - subsidy,
    }
    return money_frame(out)


SMALL = 4096  # rows up to which the money is laid out as one block (a copy of a few kB)


def money_frame(columns: dict[str, Fen]) -> pd.DataFrame:
    """The money columns as a DataFrame of int64. A small batch (a quote) is one 2-D block:
    some ten times quicker to build and to read a row of than a block per column; a large one
    keeps its arrays as they are (no copy)."""
    n = len(columns["premium"])
    if n > SMALL:
        return pd.DataFrame({k: np.asarray(v, dtype=np.int64) for k, v in columns.items()},
                            copy=False)
    block = np.empty((len(columns), n), dtype=np.int64)
    for i, values in enumerate(columns.values()):
        block[i] = values
    # a new Index per frame: pandas fills an Index's caches lazily, unsafely across threads
    return pd.DataFrame(block.T, columns=pd.Index(list(columns)), copy=False)


def _sum_adjustments(cov_min_adj: Fen | None, policy_adj: Fen | None, n: int) -> Fen:
    """minimum_adjustment = coverage minimums + policy minimum top-up (either may be absent)."""
    if cov_min_adj is None:
        return np.zeros(n, dtype=np.int64) if policy_adj is None else policy_adj
    return cov_min_adj.copy() if policy_adj is None else cov_min_adj + policy_adj


def _vat(product: Product, cov_fen: dict[str, Fen], exempt: dict[str, npt.NDArray[np.bool_]],
         ) -> Fen:
    """Σ over VAT-inclusive coverages of the VAT split from each (0 on its exempt rows); a
    coverage no row has is skipped (its VAT is 0). One scratch array for all coverages."""
    vat: Fen | None = None
    scratch: Fen | None = None
    for cov in product.coverages:
        if cov.tax is not TaxTreatment.VAT_INCLUDED or not cov_fen[cov.code].any():
            continue
        part = vat_of(cov_fen[cov.code], product.vat_rate, out=scratch)
        if cov.code in exempt:
            np.copyto(part, 0, where=exempt[cov.code])
        if vat is None:
            vat = part
        else:
            vat += part
            scratch = part
    n = len(next(iter(cov_fen.values())))
    return np.zeros(n, dtype=np.int64) if vat is None else vat


def _fees(product: Product, n: int) -> tuple[Fen, Fen]:
    fees = np.zeros(n, dtype=np.int64)
    fee_vat = np.zeros(n, dtype=np.int64)
    for fee in product.policy.fees:
        amount = np.full(n, to_fen(fee.amount), dtype=np.int64)
        fees += amount
        if fee.tax is TaxTreatment.VAT_INCLUDED:
            fee_vat += split_vat_array(amount, product.vat_rate)[1]
    return fees, fee_vat


def coverage_fen_owned(amount: npt.NDArray[np.float64], selected: npt.NDArray[np.bool_]) -> Fen:
    """:func:`coverage_fen` on an amount array the caller owns: set to 0 where not selected,
    then rounded to fen in its own memory (to_fen(0) = 0, so the same fen)."""
    if not selected.any():
        return np.zeros(len(amount), dtype=np.int64)
    if not (amount.flags.writeable and amount.flags.c_contiguous):
        amount = np.array(amount, dtype=np.float64)
    if not selected.all():
        np.copyto(amount, 0.0, where=~selected)
    return to_fen_owned(amount)


def coverage_fen(amount: npt.NDArray[np.float64], selected: npt.NDArray[np.bool_]) -> Fen:
    """Rounding point 1: a selected coverage's CNY amount to fen; 0 where not selected."""
    if selected.all():
        return to_fen_array(amount)
    if not selected.any():
        return np.zeros(len(amount), dtype=np.int64)
    return np.where(selected, to_fen_array(np.where(selected, amount, 0.0)), 0)
