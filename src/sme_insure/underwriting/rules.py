"""Underwriting rules evaluated vectorised over the same prepared risk frame as rating.

Conditions are structured data (input, operator, value; ``all``/``any`` groups), validated at load
time and evaluated here with numpy: no strings are ever evaluated as code. A comparison on a
missing value is false.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from sme_insure.catalogue.product import Product
from sme_insure.catalogue.sections import Condition
from sme_insure.catalogue.vocabulary import Operator
from sme_insure.rating.frame import Prepared
from sme_insure.tables.coded import Coded
from sme_insure.tables.keys import canonical

Mask = npt.NDArray[np.bool_]

_NUMERIC: dict[Operator, Callable[[np.ndarray, float], Mask]] = {
    Operator.EQ: np.equal, Operator.NE: np.not_equal, Operator.GT: np.greater,
    Operator.GE: np.greater_equal, Operator.LT: np.less, Operator.LE: np.less_equal,
}


def _coded(col: Coded, op: Operator, value: object) -> Mask:
    """Membership by a table over the levels, ``wanted[codes]``; the extra last entry (False)
    is where the missing code −1 lands. (``np.isin`` sorts: far slower on a batch of one.)"""
    listed = {canonical(v) for v in (value if isinstance(value, list) else [value])}
    wanted = np.zeros(len(col.levels) + 1, dtype=bool)
    wanted[[i for i, level in enumerate(col.levels) if level in listed]] = True
    hit = wanted[col.codes]
    if op in (Operator.EQ, Operator.IN):
        return hit
    if op in (Operator.NE, Operator.NOT_IN):
        return ~hit & ~col.missing
    raise ValueError(f"operator {op} does not apply to a category input")


def _number(col: np.ndarray, op: Operator, value: object) -> Mask:
    if op in (Operator.IN, Operator.NOT_IN):
        hit = np.isin(col, np.asarray(value, dtype=float))
        return hit if op is Operator.IN else ~hit & ~np.isnan(col)
    with np.errstate(invalid="ignore"):
        return _NUMERIC[op](col, float(value)) & ~np.isnan(col)  # type: ignore[arg-type]


def holds(cond: Condition, prep: Prepared) -> Mask:
    """Rows where the condition holds."""
    if cond.all is not None:
        out = np.ones(prep.n, dtype=bool)
        for sub in cond.all:
            out &= holds(sub, prep)
        return out
    if cond.any is not None:
        out = np.zeros(prep.n, dtype=bool)
        for sub in cond.any:
            out |= holds(sub, prep)
        return out
    col = prep.columns[cond.input]  # type: ignore[index]
    if isinstance(col, Coded):
        return _coded(col, cond.op, cond.value)  # type: ignore[arg-type]
    return _number(col, cond.op, cond.value)  # type: ignore[arg-type]


def rule_hits(product: Product, prep: Prepared) -> list[tuple[str, Mask]]:
    """``(rule code, rows it matches)`` for every rule of the product, in declared order."""
    return [(rule.code, holds(rule.when, prep)) for rule in product.underwriting.rules]
