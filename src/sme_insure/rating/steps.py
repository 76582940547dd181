"""Vectorised evaluation of each kind of rating step, keyed by step kind.

Every function takes the step, the evaluation context and the running amount (float64 CNY, one per
row) and returns ``(figure, new_amount)``: the figure is what the worksheet shows as the step's
rate, factor, charge or minimum.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from sme_insure.catalogue.steps import (
    BaseRateStep,
    FactorStep,
    FlatStep,
    LoadingsStep,
    Lookup,
    MinimumStep,
    PerUnitStep,
    Step,
)
from sme_insure.rating.frame import Prepared
from sme_insure.tables import RatingTable
from sme_insure.tables.coded import Coded
from sme_insure.tables.metadata import ValueUnit

Floats = npt.NDArray[np.float64]


@dataclass
class StepContext:
    """What a step needs: typed inputs, the table versions in use, and the coverage's rows."""

    prep: Prepared
    table: Callable[[str], RatingTable]
    coverage: str
    active: npt.NDArray[np.bool_]
    shared: dict[tuple[str, ...], Any] = field(default_factory=dict)  # lookups done in this pass

    def lookup(self, ref: Lookup) -> Floats:
        """Table values for every row; rows of this coverage that find none are reported. The
        same table and inputs in another coverage of the pass reuse the first lookup."""
        table = self.table(ref.table)
        keys = [self.prep.columns[name] for name in ref.inputs]
        memo = (table.label, *ref.inputs)
        found = self.shared.get(memo)
        if found is None:
            found = self.shared[memo] = table.lookup(keys)
        if found.may_fail:
            miss = found.failed & self.active & ~self.prep.log.bad
            if miss.any():
                self._report_misses(table, ref, keys, miss)
        return found.values

    def _report_misses(
        self, table: RatingTable, ref: Lookup, keys: list, miss: npt.NDArray
    ) -> None:
        rows = np.flatnonzero(miss)
        shown = pd.DataFrame(
            {
                n: np.asarray(k.texts(rows) if isinstance(k, Coded) else k[rows], dtype=object)
                for n, k in zip(ref.inputs, keys, strict=True)
            }
        )
        for combo, group in shown.groupby(
            list(ref.inputs), dropna=False, sort=False
        ).groups.items():
            values = combo if isinstance(combo, tuple) else (combo,)
            issue = table.explain_miss(list(values), ref.inputs)
            for row in rows[np.asarray(group)]:
                self.prep.log.add_issue(int(row), issue)

    def number(self, name: str) -> Floats:
        """A numeric input; rows of this coverage where it is missing are reported."""
        values = np.asarray(self.prep.columns[name], dtype=np.float64)
        if self.prep.any_missing(name):
            self.prep.log.add(
                np.isnan(values) & self.active & ~self.prep.log.bad,
                name,
                None,
                f"needed to rate coverage {self.coverage}",
            )
        return values


def _rate(step: BaseRateStep, ctx: StepContext, amount: Floats) -> tuple[Floats, Floats]:
    """amount + exposure × rate / divisor."""
    rate = ctx.lookup(step)
    divisor = ctx.table(step.table).meta.unit.divisor
    return rate, amount + ctx.number(step.exposure) * rate / divisor


def _per_unit(step: PerUnitStep, ctx: StepContext, amount: Floats) -> tuple[Floats, Floats]:
    """amount + units × charge."""
    charge = ctx.lookup(step)
    return charge, amount + ctx.number(step.units) * charge


def _factor(step: FactorStep, ctx: StepContext, amount: Floats) -> tuple[Floats, Floats]:
    """amount × factor."""
    factor = ctx.lookup(step)
    return factor, amount * factor


def _loadings(step: LoadingsStep, ctx: StepContext, amount: Floats) -> tuple[Floats, Floats]:
    """amount × (1 + Σ loadings)."""
    total = np.ones_like(amount)
    for ref in step.components:
        total = total + ctx.lookup(ref)
    return total, amount * total


def _stated(step: FlatStep | MinimumStep, ctx: StepContext, n: int) -> Floats:
    ref = step.lookup
    return ctx.lookup(ref) if ref else np.full(n, step.amount, dtype=np.float64)


def _flat(step: FlatStep, ctx: StepContext, amount: Floats) -> tuple[Floats, Floats]:
    """amount + flat charge."""
    charge = _stated(step, ctx, len(amount))
    return charge, amount + charge


def _minimum(step: MinimumStep, ctx: StepContext, amount: Floats) -> tuple[Floats, Floats]:
    """max(amount, minimum)."""
    floor = _stated(step, ctx, len(amount))
    return floor, np.maximum(amount, floor)


STEP_FUNCTIONS: dict[str, Callable[..., tuple[Floats, Floats]]] = {
    "base_rate": _rate,
    "per_unit": _per_unit,
    "factor": _factor,
    "loadings": _loadings,
    "flat": _flat,
    "minimum": _minimum,
}


def evaluate(step: Step, ctx: StepContext, amount: Floats) -> tuple[Floats, Floats]:
    """Apply one step to the running amounts."""
    return STEP_FUNCTIONS[step.kind](step, ctx, amount)


def unit_of(step: Step, ctx: StepContext) -> ValueUnit | None:
    """The unit of the figure a step shows, for the worksheet."""
    if isinstance(step, LoadingsStep):
        return ValueUnit.FACTOR
    table = getattr(step, "table", None)
    return ctx.table(table).meta.unit if table else ValueUnit.CNY
