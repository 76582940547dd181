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
    AdjustmentStep,
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
from sme_insure.rating.lookup import lookup
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
        done = self.shared.get(memo)
        if done is None:  # with the rows that failed, if any did (found once per pass)
            found = lookup(table, keys)
            failed = found.failed if found.may_fail else None
            done = self.shared[memo] = (found.values,
                                        failed if failed is not None and failed.any() else None)
        values, failed = done
        if failed is not None:
            miss = failed & self.active & ~self.prep.log.bad
            if miss.any():
                self._report_misses(table, ref, keys, miss)
        return values

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


def _target(amount: Floats, in_place: bool) -> Floats | None:
    """Where a step may write its result: over the running amount when rating in place (no
    worksheet keeps it) and it is a real array (not the read-only zeros a coverage starts from)."""
    return amount if in_place and amount.flags.writeable else None


def _rate(step: BaseRateStep, ctx: StepContext, amount: Floats,
          in_place: bool = False) -> tuple[Floats, Floats]:
    """amount + exposure × rate / divisor."""
    rate = ctx.lookup(step)
    divisor = ctx.table(step.table).meta.unit.divisor
    charge = np.multiply(ctx.number(step.exposure), rate)
    np.divide(charge, divisor, out=charge)
    return rate, np.add(amount, charge, out=charge if in_place else None)


def _per_unit(step: PerUnitStep, ctx: StepContext, amount: Floats,
              in_place: bool = False) -> tuple[Floats, Floats]:
    """amount + units × charge."""
    charge = ctx.lookup(step)
    total = np.multiply(ctx.number(step.units), charge)
    return charge, np.add(amount, total, out=total if in_place else None)


def _factor(step: FactorStep, ctx: StepContext, amount: Floats,
            in_place: bool = False) -> tuple[Floats, Floats]:
    """amount × factor."""
    factor = ctx.lookup(step)
    return factor, np.multiply(amount, factor, out=_target(amount, in_place))


def _loadings(step: LoadingsStep, ctx: StepContext, amount: Floats,
              in_place: bool = False) -> tuple[Floats, Floats]:
    """amount × (1 + Σ loadings)."""
    total = np.ones_like(amount)
    for ref in step.components:
        total = total + ctx.lookup(ref)
    return total, np.multiply(amount, total, out=_target(amount, in_place))


def _stated(step: FlatStep | MinimumStep, ctx: StepContext, n: int) -> Floats:
    ref = step.lookup
    return ctx.lookup(ref) if ref else np.full(n, step.amount, dtype=np.float64)


def _flat(step: FlatStep, ctx: StepContext, amount: Floats,
          in_place: bool = False) -> tuple[Floats, Floats]:
    """amount + flat charge."""
    charge = _stated(step, ctx, len(amount))
    return charge, np.add(amount, charge, out=_target(amount, in_place))


def _minimum(step: MinimumStep, ctx: StepContext, amount: Floats,
             in_place: bool = False) -> tuple[Floats, Floats]:
    """max(amount, minimum); always a new array (the engine compares it with the amount before)."""
    floor = _stated(step, ctx, len(amount))
    return floor, np.maximum(amount, floor)


def _adjust(step: AdjustmentStep, ctx: StepContext, amount: Floats,
            in_place: bool = False) -> tuple[Floats, Floats]:
    """amount × the underwriter's factor (the same for every row of the pass)."""
    factor = np.full(len(amount), step.factor, dtype=np.float64)
    return factor, np.multiply(amount, factor, out=_target(amount, in_place))


STEP_FUNCTIONS: dict[str, Callable[..., tuple[Floats, Floats]]] = {
    "base_rate": _rate,
    "per_unit": _per_unit,
    "factor": _factor,
    "loadings": _loadings,
    "flat": _flat,
    "minimum": _minimum,
    "underwriter_adjustment": _adjust,
}


def evaluate(step: Step | AdjustmentStep, ctx: StepContext, amount: Floats,
             in_place: bool = False) -> tuple[Floats, Floats]:
    """Apply one step to the running amounts. ``in_place``: the step may overwrite ``amount``
    and its own temporaries (the same operations in the same order, so the same figures)."""
    return STEP_FUNCTIONS[step.kind](step, ctx, amount, in_place)


def unit_of(step: Step | AdjustmentStep, ctx: StepContext) -> ValueUnit | None:
    """The unit of the figure a step shows, for the worksheet."""
    if isinstance(step, LoadingsStep | AdjustmentStep):
        return ValueUnit.FACTOR
    table = getattr(step, "table", None)
    return ctx.table(table).meta.unit if table else ValueUnit.CNY
