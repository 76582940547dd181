"""The coverage check at first notice of loss: is the policy in force on the loss date, is the
peril insured by a coverage bought, and which documents the claim needs.

The cover in force on a date is the policy as its premium transactions left it: the inputs of
the last row (by sequence) effective on or before that date, among the rows that change the
cover (an adjustment on actual figures does not; ``claims_ledger.policy_facts`` leaves it out). A policy covers ``[start, end)``,
up to the day before a cancellation takes effect; under a term in days, each insured person only
their own days from the start (:func:`check_person_in_force`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sme_insure.catalogue.product import Product
from sme_insure.catalogue.sections import DocumentRequirement
from sme_insure.catalogue.terms import Coverage
from sme_insure.customers.resident_id import normalise_resident_id
from sme_insure.errors import InputError, Issue, StateError
from sme_insure.policies.term import person_end
from sme_insure.rating.records import with_defaults

#: Where a group policy keeps its schedule of insured persons, and the ID column of a person.
PERSONS, ID_COLUMN = "persons", "id_number"


@dataclass(frozen=True)
class PolicyFacts:
    """What the check needs to know of a policy: its dates and the inputs after each change
    (``history`` holds ``(effective_date, inputs_after)`` in sequence order)."""

    number: str
    start: dt.date
    end: dt.date
    cancelled_on: dt.date | None
    history: tuple[tuple[dt.date, Mapping[str, Any]], ...]

    def inputs_at(self, day: dt.date) -> Mapping[str, Any]:
        """Inputs in force on ``day``: the last change effective on or before it."""
        found = [inputs for effective, inputs in self.history if effective <= day]
        return found[-1] if found else self.history[0][1]


def check_loss_date(loss_date: dt.date, today: dt.date) -> None:
    """A loss is reported after it happens."""
    if loss_date > today:
        raise InputError([Issue("loss_date", loss_date.isoformat(),
                                f"is in the future; a loss is reported on or after it ({today})")])


def check_in_force(policy: PolicyFacts, loss_date: dt.date) -> None:
    """Raise :class:`StateError` unless the policy covered ``loss_date``."""
    if loss_date < policy.start:
        raise StateError(f"policy {policy.number} was not in force on {loss_date}: "
                         f"cover starts {policy.start}")
    if loss_date >= policy.end:
        raise StateError(f"policy {policy.number} had expired on {loss_date}: "
                         f"cover ran {policy.start} – {policy.end}")
    if policy.cancelled_on is not None and loss_date >= policy.cancelled_on:
        raise StateError(f"policy {policy.number} was cancelled from {policy.cancelled_on}, "
                         f"before the loss on {loss_date}")


def check_person_in_force(policy: PolicyFacts, product: Product, inputs: Mapping[str, Any],
                          loss_date: dt.date) -> None:
    """Raise :class:`StateError` unless the insured person's own cover ran on ``loss_date``:
    under a term in days each person is covered ``[start, start + their days)``
    (:func:`sme_insure.policies.term.person_end`), within the policy's term. ``inputs``: the
    policy's inputs with the person's row over them (:func:`rated_inputs`)."""
    end = person_end(product, policy.start, inputs)
    if end is not None and loss_date >= end:
        days = (end - policy.start).days
        raise StateError(f"the insured person was covered under policy {policy.number} for {days} "
                         f"day(s), {policy.start} – {end - dt.timedelta(days=1)}; the loss on "
                         f"{loss_date} is after their cover")


class ScheduleSubject(Protocol):
    """How the insured person is found on a schedule and their row read. Schedules are stored
    sealed (``services.schedule_sealing.SealedSubject`` matches by keyed hash and decrypts only
    the matching row); :class:`ClearSubject` reads a schedule in clear."""

    def matches(self, row: Mapping[str, Any]) -> bool:
        """Whether ``row`` is the person's."""
        ...

    def reveal(self, row: Mapping[str, Any]) -> Mapping[str, Any]:
        """The person's row in clear."""
        ...


@dataclass(frozen=True)
class ClearSubject:
    """The person named by a clear resident ID, on a schedule held in clear."""

    id_number: str

    def matches(self, row: Mapping[str, Any]) -> bool:
        """Same ID once both are normalised (full-width digits, lower-case ``x``)."""
        return normalise_resident_id(str(row.get(ID_COLUMN, ""))) == normalise_resident_id(self.id_number)

    def reveal(self, row: Mapping[str, Any]) -> Mapping[str, Any]:
        """The row as it is."""
        return row


def person_inputs(inputs: Mapping[str, Any], subject: str | ScheduleSubject | None,
                  loss_date: dt.date) -> Mapping[str, Any]:
    """For a group policy, the policy inputs with the insured person's own row over them; the
    person (a clear ID, or a :class:`ScheduleSubject`) must be on the schedule in force on the
    loss date. Other policies: ``inputs``."""
    persons = inputs.get(PERSONS)
    if persons is None or subject is None:
        return inputs
    finder = ClearSubject(subject) if isinstance(subject, str) else subject
    for person in persons:
        if finder.matches(person):
            policy = {k: v for k, v in inputs.items() if k != PERSONS}
            return {**policy, **finder.reveal(person)}
    raise StateError(f"the insured person was not on the policy's schedule on {loss_date}")


def rated_inputs(product: Product, inputs: Mapping[str, Any], subject: str | ScheduleSubject | None,
                 loss_date: dt.date) -> Mapping[str, Any]:
    """The inputs a claim's limits and deductibles are read from: :func:`person_inputs`, with
    every missing input that has a stated default set to it, as rating read the risk (the
    default is what the premium was charged for, and it is not stored on the policy)."""
    return with_defaults(product, person_inputs(inputs, subject, loss_date))


def is_selected(coverage: Coverage, inputs: Mapping[str, Any]) -> bool:
    """A compulsory coverage always; an optional one when its ``cover_<code>`` input says so."""
    if not coverage.optional:
        return True
    chosen = inputs.get(coverage.selector)
    return coverage.selected_by_default if chosen is None else bool(chosen)


def find_coverage(product: Product, inputs: Mapping[str, Any], peril: str,
                  code: str | None) -> Coverage:
    """The bought coverage that insures ``peril`` (the one named by ``code``, if given)."""
    bought = [c for c in product.coverages if is_selected(c, inputs)]
    if code is not None:
        named = [c for c in product.coverages if c.code == code]
        if not named:
            raise InputError([Issue("coverage", code, "not a coverage of this product; "
                                    f"bought: {[c.code for c in bought]}")])
        if named[0] not in bought:
            raise StateError(f"coverage {code} was not bought on this policy")
        bought = named
    for coverage in bought:
        if peril in coverage.perils:
            return coverage
    insured = sorted({p for c in bought for p in c.perils})
    raise InputError([Issue("peril", peril, f"not insured by {'coverage ' + code if code else 'this policy'};"
                            f" insured perils: {insured}")])


def claim_documents(product: Product, coverage: str) -> list[DocumentRequirement]:
    """Documents a claim under ``coverage`` needs, in product order: asked once, in full."""
    return [d for d in product.documents
            if d.stage == "claim" and (not d.coverages or coverage in d.coverages)]


def outstanding(required: Sequence[str], received: Sequence[str]) -> list[str]:
    """Required document codes not yet received."""
    have = set(received)
    return [code for code in required if code not in have]
