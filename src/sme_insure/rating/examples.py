"""Example risks for any product, drawn from its declared inputs (for demos, tests and
benchmarks): levels uniformly, numbers log-uniformly within their declared range, optional
coverages at random. Fixed seed, so the same call gives the same book."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sme_insure.catalogue.product import Product
from sme_insure.catalogue.regions import province_codes
from sme_insure.catalogue.vocabulary import InputType


def example_risks(product: Product, n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` risks with every input of ``product`` filled in."""
    rng = np.random.default_rng(seed)
    cols: dict[str, object] = {}
    for spec in product.inputs:
        if spec.type is InputType.CATEGORY:
            cols[spec.name] = rng.choice(np.array(spec.levels, dtype=object), n)
        elif spec.type is InputType.REGION:
            cols[spec.name] = rng.choice(province_codes(), n)
        elif spec.type is InputType.BOOLEAN:
            cols[spec.name] = rng.random(n) < 0.5
        elif spec.type is InputType.INDUSTRY:
            cols[spec.name] = rng.choice(list("ACEFGHI"), n)
        elif spec.type is InputType.DATE:
            cols[spec.name] = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 365, n), "D")
        else:
            lo, hi = max(spec.min or 1.0, 1.0), spec.max or 1e7
            x = np.exp(rng.uniform(np.log(lo), np.log(hi), n))
            cols[spec.name] = np.round(x) if spec.type is not InputType.NUMBER else np.round(x, 2)
    for cov in product.coverages:
        if cov.optional:
            cols[cov.selector] = rng.random(n) < 0.5
    return pd.DataFrame(cols)
