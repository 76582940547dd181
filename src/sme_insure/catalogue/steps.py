"""The rating algorithm as ordered declarative steps.

Each coverage's premium starts at 0 CNY and runs through its steps in order:

=============  ==========================================================================
``base_rate``  amount += exposure × rate / divisor (divisor 1000 for ‰, 100 for %)
``per_unit``   amount += units × charge (CNY per unit)
``flat``       amount += a flat charge (CNY), from a table or stated in the product
``factor``     amount ×= factor
``loadings``   amount ×= (1 + Σ loadingᵢ): additive loadings, each from its own table
``minimum``    amount = max(amount, minimum) (CNY), from a table or stated in the product
=============  ==========================================================================

Steps name tables, never figures; the only numbers a product may state are minimums and flat
charges that are contractual rather than actuarial.

One more kind is never declared by a product: ``underwriter_adjustment`` (amount ×= factor), an
underwriter's loading or discount on one risk, its factor taken from the referral decision. The
engine places it in every coverage after the technical steps and before the first ``minimum``
step (:func:`with_adjustment`), and the policy minimum premium comes after the coverages, so
minimums hold whatever the factor. A coverage's ``minimum`` steps therefore end its steps.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

NAME = r"^[a-z][a-z0-9_]*$"


class Lookup(BaseModel):
    """A table reference: ``keys`` maps each table key (in the table's order) to an input name;
    a list means the input names equal the table's key names."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    table: str = Field(pattern=NAME)
    keys: dict[str, str]

    @field_validator("keys", mode="before")
    @classmethod
    def _list_to_map(cls, value: object) -> object:
        if isinstance(value, list):
            return {str(k): str(k) for k in value}
        return value

    @property
    def inputs(self) -> list[str]:
        """Input names, in table-key order."""
        return list(self.keys.values())


class _Step(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    description: str | None = None


class BaseRateStep(_Step, Lookup):
    """amount += exposure × rate / divisor."""

    kind: Literal["base_rate"]
    exposure: str = Field(pattern=NAME)


class PerUnitStep(_Step, Lookup):
    """amount += units × charge."""

    kind: Literal["per_unit"]
    units: str = Field(pattern=NAME)


class FactorStep(_Step, Lookup):
    """amount ×= factor."""

    kind: Literal["factor"]


class LoadingsStep(_Step):
    """amount ×= (1 + Σ loadings), each loading from its own table lookup."""

    kind: Literal["loadings"]
    components: list[Lookup] = Field(min_length=1)


class _AmountOrTable(_Step):
    table: str | None = Field(default=None, pattern=NAME)
    keys: dict[str, str] = Field(default_factory=dict)
    amount: float | None = Field(default=None, ge=0)

    @field_validator("keys", mode="before")
    @classmethod
    def _list_to_map(cls, value: object) -> object:
        return Lookup._list_to_map(value)

    @model_validator(mode="after")
    def _one_source(self) -> _AmountOrTable:
        if (self.table is None) == (self.amount is None):
            raise ValueError("give either a table (with keys) or an amount, not both")
        return self

    @property
    def lookup(self) -> Lookup | None:
        """The table reference, when the figure comes from a table."""
        return Lookup(table=self.table, keys=self.keys) if self.table else None


class FlatStep(_AmountOrTable):
    """amount += flat charge."""

    kind: Literal["flat"]


class MinimumStep(_AmountOrTable):
    """amount = max(amount, minimum)."""

    kind: Literal["minimum"]


class AdjustmentStep(_Step):
    """amount ×= factor: an underwriter's judgement (schedule) factor on one risk, a loading
    above 1 or a discount below 1. Placed by the engine (:func:`with_adjustment`), never
    declared in a product: the factor is data of the decision, not of the product."""

    kind: Literal["underwriter_adjustment"] = "underwriter_adjustment"
    factor: float = Field(gt=0, allow_inf_nan=False)


Step = Annotated[
    BaseRateStep | PerUnitStep | FactorStep | LoadingsStep | FlatStep | MinimumStep,
    Field(discriminator="kind"),
]


def with_adjustment(steps: list[Step], adjustment: AdjustmentStep | None,
                    ) -> list[Step | AdjustmentStep]:
    """A coverage's steps with the adjustment placed before its first ``minimum`` step (after
    the last step when it has none); the steps as they are without one."""
    if adjustment is None:
        return list(steps)
    at = next((i for i, s in enumerate(steps) if isinstance(s, MinimumStep)), len(steps))
    return [*steps[:at], adjustment, *steps[at:]]


def step_lookups(step: Step | AdjustmentStep) -> list[Lookup]:
    """Every table reference of a step (none for a stated amount or an adjustment)."""
    if isinstance(step, AdjustmentStep):
        return []
    if isinstance(step, LoadingsStep):
        return list(step.components)
    if isinstance(step, FlatStep | MinimumStep):
        return [step.lookup] if step.lookup else []
    return [Lookup(table=step.table, keys=step.keys)]
