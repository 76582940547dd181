"""An underwriter's loading or discount on a referred risk, as recorded and as rated.

The approval of a referral may load or discount the premium within the underwriter's
authority. That judgement is a rating input of the risk, not an edit of its money: it is
recorded on the quote (and on the policy bound from it) and every rating of the risk applies it
as a step, factor = 1 + loading or 1 − discount, after the coverages' technical steps and before
any minimum premium (:func:`sme_insure.catalogue.steps.with_adjustment`). Endorsements,
adjustments and re-rating therefore keep it, and minimums always hold.

A renewal is underwritten afresh: its offer is rated without the expiring term's adjustment and
referred, so that an underwriter decides again whether to give one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sme_insure.catalogue.steps import AdjustmentStep
from sme_insure.errors import InputError, Issue


class AdjustmentKind(StrEnum):
    """Which way the underwriter moved the premium."""

    LOADING = "loading"
    DISCOUNT = "discount"


def check_rates(loading: float, discount: float) -> None:
    """Refuse a loading or discount that is not a finite fraction ≥ 0 (a discount below 1),
    or both at once: :class:`InputError` naming the field and the value."""
    issues = []
    for name, value, top in (("loading", loading, math.inf), ("discount", discount, 1.0)):
        finite = isinstance(value, int | float) and math.isfinite(value)
        if not finite or not 0 <= value < top:
            shown = value if finite else str(value)
            allowed = "a finite fraction ≥ 0, e.g. 0.2 for 20 %"
            issues.append(Issue(name, shown, allowed + (", below 1" if name == "discount" else "")))
    if not issues and loading and discount:
        issues.append(Issue("loading", loading, "give a loading or a discount, not both"))
    if issues:
        raise InputError(issues, context="underwriter's decision")


@dataclass(frozen=True)
class UnderwriterAdjustment:
    """A loading or discount (``rate``, a fraction: 0.2 = 20 %) given by ``by`` on ``referral``."""

    kind: AdjustmentKind
    rate: float
    by: str
    referral_id: int | None = None

    @classmethod
    def from_decision(cls, *, loading: float, discount: float, by: str,
                      referral_id: int | None) -> UnderwriterAdjustment | None:
        """The adjustment an approval gives (``None`` for neither); the rates are checked."""
        check_rates(loading, discount)
        if not loading and not discount:
            return None
        kind = AdjustmentKind.LOADING if loading else AdjustmentKind.DISCOUNT
        return cls(kind, float(loading or discount), by, referral_id)

    @classmethod
    def from_record(cls, record: dict[str, Any] | None) -> UnderwriterAdjustment | None:
        """From what a quote or policy stores (``None`` stays ``None``)."""
        if not record:
            return None
        return cls(AdjustmentKind(record["kind"]), float(record["rate"]), str(record["by"]),
                   record.get("referral_id"))

    @property
    def factor(self) -> float:
        """1 + loading, or 1 − discount."""
        return 1 + self.rate if self.kind is AdjustmentKind.LOADING else 1 - self.rate

    def record(self) -> dict[str, Any]:
        """What a quote or policy stores (the factor too, for readers; rating derives it)."""
        return {"kind": str(self.kind), "rate": self.rate, "factor": self.factor, "by": self.by,
                "referral_id": self.referral_id}

    def step(self) -> AdjustmentStep:
        """The rating step, e.g. "underwriter loading 20 % by key 7 (underwriter)"."""
        return AdjustmentStep(factor=self.factor,
                              description=f"underwriter {self.kind} {self.rate * 100:g} % by {self.by}")


def adjustment_step(record: dict[str, Any] | None) -> AdjustmentStep | None:
    """The rating step of a stored adjustment record, or ``None``."""
    adjustment = UnderwriterAdjustment.from_record(record)
    return None if adjustment is None else adjustment.step()
