"""A coverage's limits and deductibles, resolved to fen for one claim.

A limit comes from an input (e.g. the sum insured), a fixed amount, or a plan table. How much of
it is left depends on its basis: ``per_occurrence`` and ``per_shipment`` apply to each claim,
``aggregate`` is eroded by payments on every claim of the coverage under the policy, and
``per_person`` / ``per_buyer`` by payments on claims of the same insured person or buyer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sme_insure.catalogue.terms import Coverage, DeductibleTerm, LimitTerm
from sme_insure.catalogue.vocabulary import DeductibleKind, LimitBasis
from sme_insure.errors import ConfigurationError
from sme_insure.money import to_fen

#: ``lookup(table, key values) -> CNY``: a plan table read for a limit.
TableLookup = Callable[[str, list[Any]], float]

ERODED_BY_CLAIMS = {LimitBasis.AGGREGATE}
ERODED_BY_SUBJECT = {LimitBasis.PER_PERSON, LimitBasis.PER_BUYER}


@dataclass(frozen=True)
class Limit:
    """One limit of a claim: its basis, amount and what earlier claims have used of it."""

    basis: LimitBasis
    amount_fen: int
    used_fen: int = 0

    @property
    def available_fen(self) -> int:
        """What is left for this claim."""
        return max(self.amount_fen - self.used_fen, 0)


@dataclass(frozen=True)
class Deductible:
    """A deductible in fen or days: ``amount_fen``; ``percent`` of the loss with ``minimum_fen``;
    or ``days`` of a business interruption."""

    kind: DeductibleKind
    amount_fen: int = 0
    percent: Fraction = Fraction(0)
    minimum_fen: int = 0
    days: int = 0


def _input_cny(inputs: Mapping[str, Any], name: str, what: str) -> float:
    value = inputs.get(name)
    if value is None:
        raise ConfigurationError(f"{what}: the policy has no value for input {name!r}")
    return float(value)


def limit_amount(term: LimitTerm, inputs: Mapping[str, Any], lookup: TableLookup) -> int:
    """A limit term in fen."""
    if term.input is not None:
        return to_fen(_input_cny(inputs, term.input, "limit"))
    if term.amount is not None:
        return to_fen(term.amount)
    assert term.lookup is not None
    return to_fen(lookup(term.lookup.table, [inputs.get(n) for n in term.lookup.inputs]))


def coverage_limits(coverage: Coverage, inputs: Mapping[str, Any], lookup: TableLookup,
                    used: Mapping[LimitBasis, int] | None = None) -> tuple[Limit, ...]:
    """Every limit of the coverage, with the part ``used`` by earlier claims on its basis."""
    used = used or {}
    return tuple(Limit(t.basis, limit_amount(t, inputs, lookup), used.get(t.basis, 0))
                 for t in coverage.limits)


def available(limits: Sequence[Limit]) -> int | None:
    """The most this claim can pay under all its limits (``None``: unlimited)."""
    return min((lim.available_fen for lim in limits), default=None)


def _deductible(term: DeductibleTerm, inputs: Mapping[str, Any]) -> Deductible:
    if term.kind is DeductibleKind.DAYS:
        return Deductible(term.kind, days=term.days or 0)
    if term.kind is DeductibleKind.PERCENT_OF_LOSS:
        return Deductible(term.kind, percent=Fraction(str(term.percent)) / 100,
                          minimum_fen=to_fen(term.minimum or 0))
    cny = _input_cny(inputs, term.input, "deductible") if term.input else term.amount or 0
    return Deductible(term.kind, amount_fen=to_fen(cny))


def coverage_deductibles(coverage: Coverage, inputs: Mapping[str, Any],
                         peril: str) -> tuple[Deductible, ...]:
    """The deductibles that apply to a loss by ``peril``, in product order."""
    return tuple(_deductible(t, inputs) for t in coverage.deductibles
                 if not t.perils or peril in t.perils)


def sum_insured(coverage: Coverage, inputs: Mapping[str, Any], lookup: TableLookup) -> int | None:
    """The per-occurrence or aggregate limit as the sum insured of the average clause."""
    for term in coverage.limits:
        if term.basis in (LimitBasis.PER_OCCURRENCE, LimitBasis.AGGREGATE):
            return limit_amount(term, inputs, lookup)
    return None
