"""From coverage amounts to the money of a quote, in integer fen.

Rounding points, in order:

1. each selected coverage's amount (CNY, float) is rounded half up to fen after its last step;
2. the policy minimum premium tops the sum up: the shortfall is shared among coverages in
   proportion to their premium (floor), the remaining fen going to the largest coverage (the
   first coverage when all are zero);
3. VAT is split from each coverage's VAT-inclusive premium in integer arithmetic
   (net = round_half_up(gross / (1 + r))), exempt coverages carry none;
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
from sme_insure.catalogue.vocabulary import TaxTreatment
from sme_insure.money import share_fen_array, split_vat_array, to_fen, to_fen_array

Fen = npt.NDArray[np.int64]


def _add(arrays: Iterable[Fen]) -> Fen:
    """Element-wise sum without stacking the arrays into a matrix."""
    return functools.reduce(np.add, arrays)


def allocate_minimum(cov_fen: dict[str, Fen], minimum_fen: int) -> tuple[dict[str, Fen], Fen]:
    """Top up each row's total to ``minimum_fen``; returns new coverage fen and the adjustment.

    Only the rows below the minimum are touched: share_c = ⌊adj × p_c / total⌋, and the fen left
    over go to the largest coverage (the first one when every coverage is zero)."""
    codes = list(cov_fen)
    total = _add(cov_fen.values())
    adj = np.maximum(minimum_fen - total, 0)
    rows = np.flatnonzero(adj)
    if rows.size == 0:
        return cov_fen, adj
    matrix = np.stack([cov_fen[c][rows] for c in codes], axis=1)
    t = total[rows][:, None]
    share = np.where(t > 0, adj[rows][:, None] * matrix // np.where(t > 0, t, 1), 0)
    share[np.arange(rows.size), np.argmax(matrix, axis=1)] += adj[rows] - share.sum(axis=1)
    out = {c: cov_fen[c].copy() for c in codes}
    for i, c in enumerate(codes):
        out[c][rows] += share[:, i]
    return out, adj


def policy_totals(product: Product, cov_fen: dict[str, Fen], cov_min_adj: Fen) -> pd.DataFrame:
    """Premium per coverage and the policy's money columns, all int64 fen."""
    technical = _add(cov_fen.values())
    minimum = product.policy.minimum_premium
    policy_adj = np.zeros_like(technical)
    if minimum is not None:
        cov_fen, policy_adj = allocate_minimum(cov_fen, to_fen(minimum))
    out = {f"premium_{c}": v for c, v in cov_fen.items()}
    vat = np.zeros_like(technical)
    for cov in product.coverages:
        if cov.tax is TaxTreatment.VAT_INCLUDED:
            vat = vat + split_vat_array(cov_fen[cov.code], product.vat_rate)[1]
    premium = technical + policy_adj
    fees, fee_vat = _fees(product, len(premium))
    subsidy = share_fen_array(premium, product.subsidy.share) if product.subsidy else 0 * premium
    out |= {
        "technical_premium": technical,
        "minimum_adjustment": cov_min_adj + policy_adj,
        "premium": premium,
        "vat": vat,
        "net_premium": premium - vat,
        "fees": fees,
        "fees_vat": fee_vat,
        "commission": share_fen_array(premium - vat, product.commission_rate),
        "subsidy": subsidy,
        "total_payable": premium + fees,
        "customer_pays": premium + fees - subsidy,
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
    return np.where(selected, to_fen_array(np.where(selected, amount, 0.0)), 0)
