"""Product sections beyond rating: policy-level charges, subsidy, underwriting, documents, claims."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from sme_insure.catalogue.steps import NAME
from sme_insure.catalogue.terms import Model, Text
from sme_insure.catalogue.vocabulary import Operator, RuleAction, TaxTreatment


class Fee(Model):
    """A policy fee (not premium), with its own tax treatment."""

    code: str = Field(pattern=NAME)
    name: Text
    amount: float = Field(ge=0)
    tax: TaxTreatment


class Subsidy(Model):
    """A premium share paid by a third party (e.g. a city government scheme), split on the quote
    and the invoice: payer_share = round_half_up(premium × share), customer pays the rest."""

    payer: Text
    share: float = Field(gt=0, lt=1)


class ShortRate(Model):
    """One point of a short-rate scale: after ``months`` started months, ``earned`` of the
    premium is kept (0–1)."""

    months: int = Field(ge=1, le=12)
    earned: float = Field(gt=0, le=1)


class Cancellation(Model):
    """How premium is returned when the policyholder cancels: ``pro_rata`` to the day, by a
    ``short_rate`` scale, or ``none_after_start``: nothing once cover has begun (short-term
    cover, each day earned in full as it begins; from the start date all is returned, nothing
    having been on risk). Within ``cooling_off_days`` of issue the cancellation is flat (all
    premium returned)."""

    basis: str = Field(default="pro_rata", pattern=r"^(pro_rata|short_rate|none_after_start)$")
    cooling_off_days: int = Field(default=0, ge=0)
    short_rate: list[ShortRate] = Field(default_factory=list)

    @model_validator(mode="after")
    def _scale(self) -> Cancellation:
        if self.basis == "short_rate":
            months = [p.months for p in self.short_rate]
            if months != list(range(1, 13)):
                raise ValueError("a short-rate scale gives months 1 to 12 in order")
            earned = [p.earned for p in self.short_rate]
            if earned != sorted(earned) or earned[-1] != 1:
                raise ValueError("short-rate earned shares rise with months and reach 1 at 12")
        return self


class PolicyCharges(Model):
    """Charges at policy level, applied after the coverages are rounded to fen; the term;
    cancellation terms; and the input that a year-end adjustment re-rates on actual figures, if
    any.

    The term is ``term_months`` from the start date, or, for short-term cover bought by the day,
    ``term_days_input``: the integer input that states each insured person's days, counted from
    the start date. The policy then runs the longest person's days and each person is covered
    for their own days only (:mod:`sme_insure.policies.term`)."""

    minimum_premium: float | None = Field(default=None, ge=0)
    fees: list[Fee] = Field(default_factory=list)
    term_months: int = Field(default=12, ge=1, le=12)
    term_days_input: str | None = Field(
        default=None, pattern=NAME,
        description="An integer input giving each insured person's days of cover from the start "
        "date (a per-day roster); replaces term_months; cancellation basis none_after_start.",
    )
    cancellation: Cancellation = Field(default_factory=Cancellation)
    adjustable_inputs: list[str] = Field(
        default_factory=list,
        description="Inputs declared at inception and adjusted on actual figures at expiry "
        "(e.g. annual sales, payroll).",
    )

    @model_validator(mode="after")
    def _term(self) -> PolicyCharges:
        """A term in days replaces the months; its persons' days differ, so a share of the
        policy's term (pro rata) or of its months (short rate) would return days a person
        never had: such cover is earned as each day begins."""
        if self.term_days_input is None:
            return self
        if "term_months" in self.model_fields_set:
            raise ValueError("state term_months or term_days_input, not both")
        if self.cancellation.basis != "none_after_start":
            raise ValueError("a term in days is cancelled on the none_after_start basis; "
                             f"got {self.cancellation.basis!r}")
        return self


class Condition(Model):
    """A structured condition: a comparison on one input, or ``all`` / ``any`` of conditions."""

    input: str | None = Field(default=None, pattern=NAME)
    op: Operator | None = None
    value: Any = None
    all: list[Condition] | None = None
    any: list[Condition] | None = None

    @model_validator(mode="after")
    def _shape(self) -> Condition:
        leaf = self.input is not None and self.op is not None
        groups = (self.all is not None) + (self.any is not None)
        if leaf == bool(groups) or groups > 1:
            raise ValueError("a condition is either input/op/value, or one of all/any")
        if leaf and self.op in (Operator.IN, Operator.NOT_IN) and not isinstance(self.value, list):
            raise ValueError("in/not_in need a list value")
        return self


class Rule(Model):
    """An underwriting rule: when the condition holds, refer or decline with a reason."""

    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    action: RuleAction
    when: Condition
    message: Text


class Underwriting(Model):
    """Underwriting rules evaluated over the risk frame, and the quote validity."""

    rules: list[Rule] = Field(default_factory=list)
    quote_valid_days: int = Field(default=30, gt=0)


class DocumentRequirement(Model):
    """A document the product requires, at a stage (bind or claim)."""

    code: str = Field(pattern=NAME)
    name: Text
    stage: str = Field(pattern=r"^(bind|claim)$")
    coverages: list[str] = Field(default_factory=list, description="Empty means all coverages.")


class ClaimsSettings(Model):
    """Claims settings: the fast-track threshold (CNY) and how cancellation returns premium."""

    fast_track_limit: float | None = Field(default=None, ge=0)
    handler_authority: dict[str, float] = Field(default_factory=dict)
