"""A scalar reference rater, written for clarity, used only by tests.

It reads tables row by row from their CSV frames (not the engine's grids), walks the steps of each
coverage with plain Python floats, and does the money arithmetic of ``rating.totals`` one risk at a
time. The vectorised engine must agree with it to the fen on generated books of every product.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from sme_insure.catalogue.product import Product
from sme_insure.catalogue.steps import Lookup, step_lookups
from sme_insure.catalogue.vocabulary import InputType, TaxTreatment
from sme_insure.money import share_fen, split_vat, to_fen
from sme_insure.tables import MatchKind, RatingTable, TableStore
from sme_insure.tables.keys import canonical


class NoRate(Exception):
    """The reference rater found no value for a row."""


def _matches(row: Any, key: Any, value: Any) -> bool:
    if key.match is MatchKind.EXACT:
        return canonical(row[key.name]) == canonical(value)
    lo = float(row[f"{key.name}_from"])
    hi = float(row[f"{key.name}_to"]) if row[f"{key.name}_to"] != "" else math.inf
    return lo <= float(value) < hi


def table_value(table: RatingTable, values: list[Any]) -> float:
    """Find a value by scanning the rows of the table."""
    keys = table.meta.keys
    interp = keys[-1].match is MatchKind.INTERPOLATE
    plain = keys[:-1] if interp else keys
    rows = [
        r
        for _, r in table.frame.iterrows()
        if all(_matches(r, k, v) for k, v in zip(plain, values, strict=False))
    ]
    if not interp:
        if len(rows) != 1:
            raise NoRate(values)
        return float(rows[0][table.meta.value])
    x = float(values[-1])
    pts = sorted((float(r[keys[-1].name]), float(r[table.meta.value])) for r in rows)
    for (p0, v0), (p1, v1) in itertools.pairwise(pts):
        if p0 <= x <= p1:
            return v0 * (p1 - x) / (p1 - p0) + v1 * (x - p0) / (p1 - p0)
    raise NoRate(values)


def _inputs(product: Product, risk: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for spec in product.inputs:
        v = risk.get(spec.name)
        if v is None and spec.default is not None:
            v = spec.default
        if v is not None and spec.type.is_numeric:
            v = float(v)
        if v is not None and spec.type is InputType.BOOLEAN:
            v = "true" if v in (True, "true", 1) else "false"
        values[spec.name] = v
    for d in product.derived:
        value = d.times
        for name in d.product_of:
            value = value * values[name]
        values[d.name] = value
    return values


def _get(store: TableStore, pins: dict[str, str], ref: Lookup, values: dict[str, Any]) -> float:
    return table_value(store.get(ref.table, pins[ref.table]), [values[n] for n in ref.inputs])


def coverage_amount(
    product: Product, cov: Any, values: dict, store: TableStore, pins: dict
) -> tuple[float, int]:
    """Premium of one coverage in CNY and its minimum-step adjustment in fen."""
    amount, min_adj = 0.0, 0
    for step in cov.steps:
        if step.kind == "base_rate":
            rate = _get(store, pins, step, values)
            amount = (
                amount
                + values[step.exposure]
                * rate
                / store.get(step.table, pins[step.table]).meta.unit.divisor
            )
        elif step.kind == "per_unit":
            amount = amount + values[step.units] * _get(store, pins, step, values)
        elif step.kind == "factor":
            amount = amount * _get(store, pins, step, values)
        elif step.kind == "loadings":
            total = 1.0
            for ref in step.components:
                total = total + _get(store, pins, ref, values)
            amount = amount * total
        else:
            figure = _get(store, pins, step.lookup, values) if step.lookup else step.amount
            if step.kind == "flat":
                amount = amount + figure
            else:
                new = max(amount, figure)
                min_adj += to_fen(new) - to_fen(amount)
                amount = new
    return amount, min_adj


def _exempt(cov: Any, values: dict[str, Any]) -> bool:
    """The coverage's exempt_when holds for this risk."""
    rule = cov.exempt_when
    return rule is not None and canonical(values[rule.input]) in {canonical(v) for v in rule.levels}


def reference_rate(
    product: Product, risk: dict[str, Any], store: TableStore, pins: dict[str, str]
) -> dict[str, int]:
    """Money of one risk in fen, computed one step at a time."""
    values = _inputs(product, risk)
    cov_fen: dict[str, int] = {}
    min_adj = 0
    for cov in product.coverages:
        selected = True
        if cov.optional:
            flag = risk.get(cov.selector)
            selected = cov.selected_by_default if flag is None else flag in (True, "true", 1)
        if not selected:
            cov_fen[cov.code] = 0
            continue
        amount, adj = coverage_amount(product, cov, values, store, pins)
        cov_fen[cov.code], min_adj = to_fen(amount), min_adj + adj
    technical = sum(cov_fen.values())
    policy_adj = 0
    if product.policy.minimum_premium is not None:
        policy_adj = max(to_fen(product.policy.minimum_premium) - technical, 0)
        largest = max(cov_fen, key=lambda c: cov_fen[c])
        shares = {
            c: (policy_adj * v // technical if technical > 0 else 0) for c, v in cov_fen.items()
        }
        shares[largest] += policy_adj - sum(shares.values())
        cov_fen = {c: cov_fen[c] + shares[c] for c in cov_fen}
    premium = technical + policy_adj
    vat = sum(
        split_vat(cov_fen[c.code], product.vat_rate)[1]
        for c in product.coverages
        if c.tax is TaxTreatment.VAT_INCLUDED and not _exempt(c, values)
    )
    fees = sum(to_fen(f.amount) for f in product.policy.fees)
    subsidy = share_fen(premium, product.subsidy.share) if product.subsidy else 0
    out = {f"premium_{c}": v for c, v in cov_fen.items()}
    out |= {
        "technical_premium": technical,
        "minimum_adjustment": min_adj + policy_adj,
        "premium": premium,
        "vat": vat,
        "net_premium": premium - vat,
        "fees": fees,
        "commission": share_fen(premium - vat, product.commission_rate),
        "subsidy": subsidy,
        "total_payable": premium + fees,
        "customer_pays": premium + fees - subsidy,
    }
    return out


def used_tables(product: Product) -> set[str]:
    """Ids of every table the product's steps use."""
    return {lk.table for c in product.coverages for s in c.steps for lk in step_lookups(s)}
