"""Assessment: from the assessed loss to the amount payable, in integer fen, one step at a time.

    net       = loss − salvage kept by the insured
    averaged  = net × sum insured / value at risk          (only when under-insured)
    for each deductible, in product order, on what is left (x):
        amount            x − min(x, amount)
        percent of loss   x − min(x, max(x × percent, minimum))
        days (BI)         x − x × min(days, interruption days) / interruption days
    indemnified = x × indemnity share                       (export credit: e.g. 90 %)
    payable     = min(indemnified, limit still available)   (sublimits, aggregate, per person)

A percentage without a minimum after an amount deductible is the co-insurance of medical
expenses: (loss − 100) × 80 % for a 100 CNY deductible and 20 % co-insurance. Each product is
rounded half up to the fen (:func:`~sme_insure.policies.proration.round_fraction`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from sme_insure.catalogue.vocabulary import DeductibleKind
from sme_insure.claims.limits import Deductible
from sme_insure.errors import InputError, Issue
from sme_insure.policies.proration import round_fraction


@dataclass(frozen=True)
class Loss:
    """What the assessor found: the loss, salvage the insured keeps, the full value at risk (for
    the average clause) and, for business interruption, how many days the business stopped."""

    amount_fen: int
    salvage_fen: int = 0
    value_at_risk_fen: int | None = None
    interruption_days: int | None = None


@dataclass(frozen=True)
class Terms:
    """The policy terms that apply to this loss."""

    deductibles: tuple[Deductible, ...] = ()
    sum_insured_fen: int | None = None
    indemnity_share: Fraction = Fraction(1)
    available_fen: int | None = None


@dataclass(frozen=True)
class Step:
    """One line of the assessment worksheet: the amount after the step."""

    step: str
    amount_fen: int
    note: str = ""


@dataclass(frozen=True)
class Assessment:
    """The payable amount and how it was reached."""

    payable_fen: int
    steps: tuple[Step, ...] = field(default_factory=tuple)


def net_of_salvage(loss: Loss) -> int:
    """The loss less salvage the insured keeps (never negative)."""
    return max(loss.amount_fen - loss.salvage_fen, 0)


def averaged(amount: int, sum_insured: int | None, value_at_risk: int | None) -> int:
    """The average clause: an under-insured loss is paid in proportion SI / value at risk."""
    if not sum_insured or not value_at_risk or value_at_risk <= sum_insured:
        return amount
    return round_fraction(Fraction(amount * sum_insured, value_at_risk))


def retention(amount: int, deductible: Deductible, interruption_days: int | None) -> int:
    """What one deductible keeps of ``amount`` (at most all of it)."""
    if deductible.kind is DeductibleKind.AMOUNT:
        return min(amount, deductible.amount_fen)
    if deductible.kind is DeductibleKind.PERCENT_OF_LOSS:
        return min(amount, max(round_fraction(amount * deductible.percent), deductible.minimum_fen))
    if not interruption_days:
        raise InputError([Issue("interruption_days", interruption_days,
                                "a time deductible needs the length of the interruption in days")])
    kept = Fraction(min(deductible.days, interruption_days), interruption_days)
    return round_fraction(amount * kept)


def _describe(d: Deductible) -> str:
    if d.kind is DeductibleKind.AMOUNT:
        return f"deductible {d.amount_fen} fen"
    if d.kind is DeductibleKind.PERCENT_OF_LOSS:
        return f"deductible {float(d.percent * 100):g} % of loss, minimum {d.minimum_fen} fen"
    return f"time deductible {d.days} days"


def _check(loss: Loss) -> None:
    bad = [Issue(name, value, "must not be negative") for name, value in (
        ("loss_fen", loss.amount_fen), ("salvage_fen", loss.salvage_fen),
        ("value_at_risk_fen", loss.value_at_risk_fen or 0),
        ("interruption_days", loss.interruption_days or 0)) if value < 0]
    if bad:
        raise InputError(bad)


def assess(loss: Loss, terms: Terms) -> Assessment:
    """Apply the steps of the module docstring; every step is kept for the worksheet."""
    _check(loss)
    amount = net_of_salvage(loss)
    steps = [Step("loss", loss.amount_fen), Step("net of salvage", amount, f"salvage {loss.salvage_fen} fen")]
    amount = averaged(amount, terms.sum_insured_fen, loss.value_at_risk_fen)
    steps.append(Step("average clause", amount, f"value at risk {loss.value_at_risk_fen} fen"))
    for deductible in terms.deductibles:
        amount -= retention(amount, deductible, loss.interruption_days)
        steps.append(Step("deductible", amount, _describe(deductible)))
    amount = round_fraction(amount * terms.indemnity_share)
    steps.append(Step("indemnity share", amount, f"{float(terms.indemnity_share * 100):g} %"))
    if terms.available_fen is not None:
        amount = min(amount, terms.available_fen)
    steps.append(Step("limit", amount, f"available {terms.available_fen} fen"))
    return Assessment(amount, tuple(steps))


def worksheet(assessment: Assessment) -> list[dict[str, object]]:
    """The steps as JSON-safe rows."""
    return [{"step": s.step, "amount_fen": s.amount_fen, "note": s.note} for s in assessment.steps]
