"""Building blocks of a product: bilingual text, risk inputs, coverages and their limits."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sme_insure.catalogue.steps import NAME, Lookup, Step
from sme_insure.catalogue.vocabulary import DeductibleKind, InputType, LimitBasis, TaxTreatment
from sme_insure.tables.keys import canonical


class Model(BaseModel):
    """Base of catalogue models: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Model):
    """Text in Chinese and English."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class InputSpec(Model):
    """A risk input a quote needs. ``levels`` for categories; ``min``/``max`` bound numbers.

    ``default`` is used only when the value is missing and is shown in the worksheet: a product
    states its defaults, the engine never invents one.
    """

    name: str = Field(pattern=NAME)
    type: InputType
    label: Text
    required: bool = True
    levels: list[str | int] | None = None
    min: float | None = None
    max: float | None = None
    default: Any = None
    unit: str | None = None
    help: Text | None = None

    @model_validator(mode="after")
    def _check(self) -> InputSpec:
        if (self.type is InputType.CATEGORY) != (self.levels is not None):
            raise ValueError("levels are given for category inputs, and only for them")
        if self.levels is not None and len({str(v) for v in self.levels}) != len(self.levels):
            raise ValueError("levels must be distinct")
        if (self.min is not None or self.max is not None) and not self.type.is_numeric:
            raise ValueError("min/max apply to money, integer and number inputs only")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min must not exceed max")
        if self.type is InputType.MONEY and (self.min is None or self.min < 0):
            raise ValueError("money inputs need a non-negative min")
        if self.required and self.default is not None:
            raise ValueError("a required input cannot have a default")
        return self


class Derived(Model):
    """A derived number: the product of inputs times a stated constant.

    Example: payroll = headcount × monthly_wage × 12.5 (the employer's-liability convention).
    """

    name: str = Field(pattern=NAME)
    label: Text
    product_of: list[str] = Field(min_length=1)
    times: float = 1.0


class LimitTerm(Model):
    """A limit of a coverage: chosen by an input, fixed, or looked up by plan."""

    basis: LimitBasis
    input: str | None = Field(default=None, pattern=NAME)
    amount: float | None = Field(default=None, ge=0)
    lookup: Lookup | None = None

    @model_validator(mode="after")
    def _one_source(self) -> LimitTerm:
        if sum(x is not None for x in (self.input, self.amount, self.lookup)) != 1:
            raise ValueError("a limit comes from exactly one of input, amount or lookup")
        return self


class DeductibleTerm(Model):
    """A deductible: ``amount`` CNY, ``percent`` of the loss with ``minimum`` CNY, or ``days``.

    Either fixed in the product or chosen through ``input`` (whose value is the amount)."""

    kind: DeductibleKind
    perils: list[str] = Field(default_factory=list, description="Empty means all perils.")
    input: str | None = Field(default=None, pattern=NAME)
    amount: float | None = Field(default=None, ge=0)
    percent: float | None = Field(default=None, gt=0, le=100)
    minimum: float | None = Field(default=None, ge=0)
    days: int | None = Field(default=None, gt=0)


class TaxExemption(Model):
    """Rows on which a VAT-inclusive coverage is exempt after all: those whose ``input`` (a
    category) takes one of ``levels`` — e.g. insurance of exported goods by route."""

    input: str = Field(pattern=NAME)
    levels: list[str | int] = Field(min_length=1)
    basis: Text = Field(description="Why: the rule that exempts it, for the worksheet and audit.")

    def matches(self, value: object) -> bool:
        """Whether an input value is one of the exempt levels (compared as canonical text)."""
        return value is not None and canonical(value) in {canonical(v) for v in self.levels}


class Coverage(Model):
    """One coverage: perils, limits, deductibles, tax treatment and its rating steps."""

    code: str = Field(pattern=NAME)
    name: Text
    optional: bool = False
    selected_by_default: bool = Field(
        default=True, description="For optional coverages: included unless the risk says no."
    )
    perils: list[str] = Field(min_length=1)
    tax: TaxTreatment
    exempt_when: TaxExemption | None = Field(
        default=None, description="A VAT-inclusive coverage's rows that are exempt, by an input.")
    requires: list[str] = Field(
        default_factory=list, description="Inputs required only when this coverage is selected."
    )
    limits: list[LimitTerm] = Field(default_factory=list)
    deductibles: list[DeductibleTerm] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=1)

    @field_validator("steps")
    @classmethod
    def _minimums_last(cls, steps: list[Step]) -> list[Step]:
        """Minimum steps end a coverage: a factor after a minimum could take the premium under
        it, and an underwriter's adjustment goes before the first minimum (:mod:`.steps`)."""
        kinds = [s.kind for s in steps]
        if "minimum" in kinds and any(k != "minimum" for k in kinds[kinds.index("minimum"):]):
            raise ValueError(f"minimum steps must be the last steps of a coverage, not {kinds}")
        return steps

    @property
    def selector(self) -> str:
        """Name of the boolean input that selects an optional coverage: ``cover_<code>``."""
        return f"cover_{self.code}"
