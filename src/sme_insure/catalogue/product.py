"""A product version: who may buy it, what it asks, what it covers and how it is rated.

A rated product has coverages (each with its rating steps); a pension product instead has a
``pension`` section (:class:`~sme_insure.pension.terms.PensionTerms`) and no coverages: it is
illustrated by :mod:`sme_insure.pension`, not rated.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from sme_insure.catalogue.sections import (
    ClaimsSettings,
    DocumentRequirement,
    PolicyCharges,
    Subsidy,
    Underwriting,
)
from sme_insure.catalogue.steps import (
    BaseRateStep,
    PerUnitStep,
    step_lookups,
)
from sme_insure.catalogue.terms import Coverage, Derived, InputSpec, Model, Text
from sme_insure.catalogue.vocabulary import CustomerType, InputType, Line, TaxTreatment
from sme_insure.pension.terms import PensionTerms
from sme_insure.tables.keys import canonical


class Product(Model):
    """One version of one product, effective over ``[effective_from, effective_to)``."""

    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    line: Line
    name: Text
    version: str = Field(min_length=1)
    effective_from: dt.date
    effective_to: dt.date | None = None
    currency: Literal["CNY"]
    description: Text | None = None
    channel: str | None = Field(default=None, description="Set on variants sold by one channel.")
    customer_types: list[CustomerType] = Field(min_length=1)
    industries: list[str] = Field(
        min_length=1, description="GB/T 4754 sections or divisions; ['*'] for every industry."
    )
    inputs: list[InputSpec] = Field(min_length=1)
    derived: list[Derived] = Field(default_factory=list)
    coverages: list[Coverage] = Field(
        default_factory=list, description="At least one, unless the product has `pension`."
    )
    policy: PolicyCharges = Field(default_factory=PolicyCharges)
    vat_rate: float = Field(ge=0, lt=1)
    commission_rate: float = Field(ge=0, lt=1)
    target_loss_ratio: float | None = Field(default=None, gt=0, lt=1.5)
    subsidy: Subsidy | None = None
    underwriting: Underwriting = Field(default_factory=Underwriting)
    documents: list[DocumentRequirement] = Field(default_factory=list)
    claims: ClaimsSettings = Field(default_factory=ClaimsSettings)
    pension: PensionTerms | None = Field(
        default=None, description="Terms of a pension product, which has no coverages."
    )

    @property
    def label(self) -> str:
        """``CODE@version``, what a quote records."""
        return f"{self.code}@{self.version}"

    def in_force(self, on: dt.date) -> bool:
        """Whether ``on`` falls in ``[effective_from, effective_to)``."""
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)

    def input(self, name: str) -> InputSpec:
        """The input of that name (``KeyError`` is caught by the validators below)."""
        return {i.name: i for i in self.inputs}[name]

    def numeric_names(self) -> set[str]:
        """Names usable as exposures or band keys: numeric inputs and derived numbers."""
        return {i.name for i in self.inputs if i.type.is_numeric} | {d.name for d in self.derived}

    @model_validator(mode="after")
    def _references(self) -> Product:
        problems = _reference_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _reference_problems(product: Product) -> list[str]:
    """Names that a step, limit or rule uses but the product does not declare."""
    inputs = {i.name: i for i in product.inputs}
    numeric = product.numeric_names()
    known = set(inputs) | {d.name for d in product.derived}
    problems: list[str] = []
    if product.effective_to and product.effective_to <= product.effective_from:
        problems.append("effective_to must be after effective_from")
    if product.pension is None and not product.coverages:
        problems.append("coverages: a product needs at least one coverage, or a pension section")
    if product.pension is not None and product.coverages:
        problems.append("coverages: a pension product has no coverages (it is not rated)")
    for name in ("inputs", "derived", "coverages"):
        names = [x.code if name == "coverages" else x.name for x in getattr(product, name)]
        problems += [
            f"{name}: {n!r} is declared twice" for n in {n for n in names if names.count(n) > 1}
        ]
    problems += [
        f"derived {d.name!r}: {n!r} is not a numeric input"
        for d in product.derived
        for n in d.product_of
        if n not in numeric
    ]
    for cov in product.coverages:
        where = f"coverage {cov.code!r}"
        if cov.optional and cov.selector in inputs:
            problems.append(
                f"{where}: input {cov.selector!r} is reserved for selecting the coverage"
            )
        problems += [
            f"{where}: requires unknown input {n!r}" for n in cov.requires if n not in inputs
        ]
        problems += _exemption_problems(where, cov, inputs)
        for i, step in enumerate(cov.steps):
            used = [n for lk in step_lookups(step) for n in lk.inputs]
            if isinstance(step, BaseRateStep):
                used += [step.exposure]
                if step.exposure not in numeric:
                    problems.append(f"{where} step {i}: exposure {step.exposure!r} is not numeric")
            if isinstance(step, PerUnitStep) and step.units not in numeric:
                problems.append(f"{where} step {i}: units {step.units!r} is not numeric")
            problems += [f"{where} step {i}: unknown input {n!r}" for n in used if n not in known]
        problems += [
            f"{where}: limit input {t.input!r} unknown"
            for t in cov.limits
            if t.input and t.input not in known
        ]
    problems += [
        f"policy: adjustable input {n!r} is not a numeric input of the product"
        for n in product.policy.adjustable_inputs
        if n not in inputs or not inputs[n].type.is_numeric
    ]
    problems += _term_problems(product.policy.term_days_input, inputs)
    for rule in product.underwriting.rules:
        problems += [
            f"rule {rule.code}: unknown input {n!r}"
            for n in _condition_inputs(rule.when)
            if n not in known
        ]
    return problems


def _condition_inputs(cond: object) -> list[str]:
    from sme_insure.catalogue.sections import Condition

    assert isinstance(cond, Condition)
    if cond.input:
        return [cond.input]
    return [n for sub in (cond.all or cond.any or []) for n in _condition_inputs(sub)]


def _term_problems(name: str | None, inputs: dict[str, InputSpec]) -> list[str]:
    """A term in days is read from an integer input bounded to at least one day and at most a
    stated number (the policy's longest term)."""
    if name is None:
        return []
    spec = inputs.get(name)
    if spec is None or spec.type is not InputType.INTEGER:
        return [f"policy: term_days_input {name!r} is not an integer input of the product"]
    if spec.min is None or spec.min < 1 or spec.max is None:
        return [f"policy: term_days_input {name!r} needs min ≥ 1 and a max (days)"]
    return []


def _exemption_problems(where: str, cov: Coverage, inputs: dict[str, InputSpec]) -> list[str]:
    """``exempt_when`` names a category input of the product and some of its levels, on a
    VAT-inclusive coverage."""
    rule = cov.exempt_when
    if rule is None:
        return []
    if cov.tax is not TaxTreatment.VAT_INCLUDED:
        return [f"{where}: exempt_when applies to a vat_included coverage only"]
    spec = inputs.get(rule.input)
    if spec is None or spec.type is not InputType.CATEGORY:
        return [f"{where}: exempt_when input {rule.input!r} is not a category input"]
    allowed = {canonical(v) for v in spec.levels or []}
    return [f"{where}: exempt_when level {v!r} is not a level of {rule.input}; allowed: "
            f"{sorted(allowed)}" for v in rule.levels if canonical(v) not in allowed]
