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

import functools
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
import pandas as pd

from sme_insure.catalogue.product import Product
from sme_insure.catalogue.terms import Coverage
from sme_insure.catalogue.vocabulary import TaxTreatment
from sme_insure.money import share_fen_array, split_vat_array, to_fen, to_fen_array
from sme_insure.rating.frame import Prepared, prepare
from sme_insure.tables.coded import Coded

Fen = npt.NDArray[np.int64]


def _add(arrays: Iterable[Fen]) -> Fen:
    """Element-wise sum without stacking the arrays into a matrix."""
    return functools.reduce(np.add, arrays)


def allocate_minimum(cov_fen: dict[str, Fen], minimum_fen: int,
                     total: Fen | None = None) -> tuple[dict[str, Fen], Fen]:
    """Top up each row's total to ``minimum_fen``; returns new coverage fen and the adjustment.

    Only the rows below the minimum are touched: share_c = ⌊adj × p_c / total⌋, and the fen left
    over go to the largest coverage (the first one when every coverage is zero). Column by
    column, on contiguous arrays."""
    first, *rest = cov_fen
    codes = [first, *(c for c in rest if cov_fen[c].any())]  # a cover nobody has takes no share
    total = _add(cov_fen.values()) if total is None else total
    adj = np.maximum(minimum_fen - total, 0)
    rows = np.flatnonzero(adj)
    if rows.size == 0:
        return cov_fen, adj
    adj_r, den = adj[rows], np.maximum(total[rows], 1)  # all coverages 0 where total is 0
    cols = [cov_fen[c][rows] for c in codes]
    shares = [adj_r * col // den for col in cols]
    left = adj_r - _add(shares)
    largest, best = np.zeros(rows.size, dtype=np.intp), cols[0]
    for i, col in enumerate(cols[1:], start=1):
        more = col > best  # strict: the first of equal coverages keeps the remainder
        largest[more], best = i, np.maximum(best, col)
    out = dict(cov_fen)
    for i, c in enumerate(codes):
        fen = cov_fen[c].copy()
        fen[rows] += shares[i] + np.where(largest == i, left, 0)
        out[c] = fen
    return out, adj


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


def policy_totals(product: Product, cov_fen: dict[str, Fen], cov_min_adj: Fen,
                  exempt: dict[str, npt.NDArray[np.bool_]] | None = None) -> pd.DataFrame:
    """Premium per coverage and the policy's money columns, all int64 fen. ``exempt``: rows on
    which a VAT-inclusive coverage is exempt (its ``exempt_when``)."""
    exempt = exempt or {}
    technical = _add(cov_fen.values())
    minimum = product.policy.minimum_premium
    policy_adj = np.zeros_like(technical)
    if minimum is not None:
        cov_fen, policy_adj = allocate_minimum(cov_fen, to_fen(minimum), technical)
    out = {f"premium_{c}": v for c, v in cov_fen.items()}
    vat = np.zeros_like(technical)
    for cov in product.coverages:
        if cov.tax is TaxTreatment.VAT_INCLUDED and cov_fen[cov.code].any():
            cov_vat = split_vat_array(cov_fen[cov.code], product.vat_rate)[1]
            vat += np.where(exempt[cov.code], 0, cov_vat) if cov.code in exempt else cov_vat
    premium = technical + policy_adj
    net = premium - vat
    fees, fee_vat = _fees(product, len(premium))
    subsidy = share_fen_array(premium, product.subsidy.share) if product.subsidy else None
    payable = premium + fees if product.policy.fees else premium
    out |= {
        "technical_premium": technical,
        "minimum_adjustment": cov_min_adj + policy_adj,
        "premium": premium,
        "vat": vat,
        "net_premium": net,
        "fees": fees,
        "fees_vat": fee_vat,
        "commission": share_fen_array(net, product.commission_rate),
        "subsidy": np.zeros_like(premium) if subsidy is None else subsidy,
        "total_payable": payable,
        "customer_pays": payable if subsidy is None else payable - subsidy,
    }
    return pd.DataFrame({k: np.asarray(v, dtype=np.int64) for k, v in out.items()}, copy=False)


def _fees(product: Product, n: int) -> tuple[Fen, Fen]:
    fees = np.zeros(n, dtype=np.int64)
    fee_vat = np.zeros(n, dtype=np.int64)
    for fee in product.policy.fees:
        amount = np.full(n, to_fen(fee.amount), dtype=np.int64)
        fees += amount
        if fee.tax is TaxTreatment.VAT_INCLUDED:
            fee_vat += split_vat_array(amount, product.vat_rate)[1]
    return fees, fee_vat


def coverage_fen(amount: npt.NDArray[np.float64], selected: npt.NDArray[np.bool_]) -> Fen:
    """Rounding point 1: a selected coverage's CNY amount to fen; 0 where not selected."""
    if selected.all():
        return to_fen_array(amount)
    if not selected.any():
        return np.zeros(len(amount), dtype=np.int64)
    return np.where(selected, to_fen_array(np.where(selected, amount, 0.0)), 0)
