"""The build-up of a policy's premium as its schedule shows it.

The premium rows keep no worksheet, so the build-up of the cover as it stands is made again:
the policy's current inputs re-rated on its own product and table versions with its
underwriter's adjustment, as endorsements and adjustments re-rate. It is shown only when it
ends at the recorded annual premium. A stored policy whose re-rate cannot reproduce its record
still has a schedule: it shows the last build-up recorded, the quote's at sale, under a note
that says so, while its recorded annual premium, VAT and premium transactions stay what the
document states. That is the case of

* a policy whose money was charged under older rules: loaded by an underwriter before migration
  0005 (the loading was applied to the rounded coverage fen: 375,910 fen where a re-rate gives
  375,909), or endorsed before it (the endorsement dropped the loading that the re-rate now
  applies);
* a group policy with a person erased (privacy erasure): the row holds a tombstone, not an ID
  number, and is never rated again;
* any other re-rate that fails or differs: logged at warning level, never an error for the
  reader.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from sme_insure.errors import ConfigurationError, InputError, NotFoundError
from sme_insure.services.context import Services
from sme_insure.services.quotes import rerate
from sme_insure.services.schedule_sealing import PERSONS, is_erased
from sme_insure.storage.schema import Policy, Quote

log = logging.getLogger(__name__)


class BuildUpBasis(StrEnum):
    """Where a schedule's premium build-up comes from."""

    RERATED = "rerated"  # the cover as it stands, re-rated to the recorded annual premium
    RECORDED = "recorded"  # the build-up recorded at sale (the quote's worksheet)


@dataclass(frozen=True)
class BuildUp:
    """The worksheet lines a schedule shows, and their basis."""

    basis: BuildUpBasis
    worksheet: list[dict[str, Any]]


def has_erased_persons(inputs: dict[str, Any]) -> bool:
    """Whether a schedule of insured persons holds a row erased at a person's request."""
    persons = inputs.get(PERSONS)
    return isinstance(persons, list) and any(is_erased(row) for row in persons)


def policy_buildup(session: Session, services: Services, policy: Policy) -> BuildUp:
    """The policy's build-up re-rated when that reproduces its recorded annual premium, else the
    one recorded at sale (see the module docstring): a schedule always has one."""
    if has_erased_persons(policy.inputs):
        log.info("policy %s: a person on its schedule was erased; its schedule shows the "
                 "build-up recorded at sale", policy.number)
        return recorded_buildup(session, policy)
    try:
        priced = rerate(services, policy)
    except (InputError, NotFoundError, ConfigurationError) as exc:
        log.warning("policy %s: its inputs cannot be re-rated on %s@%s (%s); its schedule shows "
                    "the build-up recorded at sale", policy.number, policy.product_code,
                    policy.product_version, exc)
        return recorded_buildup(session, policy)
    if priced.premium_fen != policy.annual_premium_fen:
        log.warning("policy %s: re-rating its inputs on %s@%s gives %d fen, its recorded annual "
                    "premium is %d fen; its schedule shows the build-up recorded at sale",
                    policy.number, policy.product_code, policy.product_version,
                    priced.premium_fen, policy.annual_premium_fen)
        return recorded_buildup(session, policy)
    return BuildUp(BuildUpBasis.RERATED, priced.worksheet)


def recorded_buildup(session: Session, policy: Policy) -> BuildUp:
    """The last build-up stored for the policy: its quote's worksheet (premium transactions keep
    none), as sold."""
    quote = session.get(Quote, policy.quote_id)
    return BuildUp(BuildUpBasis.RECORDED, list(quote.worksheet or []) if quote is not None else [])
