"""Triage at first notice of loss: red flags, the fast track, and the handler queue.

A claim goes on the fast track (assessed and paid as soon as its documents are complete) when
the product has a fast-track limit, the estimate is within it, a bank account was given, no
waiting period holds the payment, and no red flag is raised:

* ``early_loss``        the loss falls within N days of inception of new business;
* ``cover_increased``   an endorsement effective within N days before the loss raised the limit;
* ``repeat_claims``     the customer reported N other claims within a window before the loss;
* ``near_limit``        the estimate reaches a share of the limit still available;
* ``bank_account_seen`` the payee account was given on a claim of another customer.

Every other claim goes to a handler, queued by line and the authority level its estimate needs.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass

from sme_insure.claims.rules import Triage
from sme_insure.claims.vocabulary import RedFlag, Route
from sme_insure.money import to_fen


@dataclass(frozen=True)
class TriageFacts:
    """What triage looks at. ``limit_history`` is the claimed coverage's limit after each
    premium transaction, ``(effective_date, limit_fen)`` in sequence order."""

    loss_date: dt.date
    policy_start: dt.date
    renewal: bool
    limit_history: tuple[tuple[dt.date, int], ...]
    other_claims: int
    bank_account_seen: bool
    estimated_fen: int
    available_fen: int | None


@dataclass(frozen=True)
class Flag:
    """A raised red flag and what raised it."""

    code: RedFlag
    detail: str


@dataclass(frozen=True)
class Triaged:
    """The route and why."""

    route: Route
    flags: tuple[Flag, ...]
    reasons: tuple[str, ...]


def early_loss(facts: TriageFacts, rules: Triage) -> Flag | None:
    """Loss soon after inception of new business."""
    days = (facts.loss_date - facts.policy_start).days
    if not facts.renewal and days < rules.early_loss_days:
        return Flag(RedFlag.EARLY_LOSS, f"loss {days} days after inception")
    return None


def cover_increased(facts: TriageFacts, rules: Triage) -> Flag | None:
    """An endorsement raised the limit shortly before the loss."""
    since = facts.loss_date - dt.timedelta(days=rules.cover_increase_days)
    for (_, before), (effective, after) in itertools.pairwise(facts.limit_history):
        if since < effective <= facts.loss_date and after > before:
            return Flag(RedFlag.COVER_INCREASED,
                        f"limit raised from {before} to {after} fen effective {effective}")
    return None


def repeat_claims(facts: TriageFacts, rules: Triage) -> Flag | None:
    """Several other claims of the same customer within the window."""
    if facts.other_claims >= rules.repeat_claims:
        return Flag(RedFlag.REPEAT_CLAIMS, f"{facts.other_claims} other claims within "
                                           f"{rules.repeat_window_days} days")
    return None


def near_limit(facts: TriageFacts, rules: Triage) -> Flag | None:
    """The estimate is close to (or above) what is left of the limit."""
    if facts.available_fen is not None and facts.estimated_fen >= rules.near_limit_share * facts.available_fen:
        return Flag(RedFlag.NEAR_LIMIT, f"estimate {facts.estimated_fen} fen against "
                                        f"{facts.available_fen} fen available")
    return None


def bank_account_seen(facts: TriageFacts, rules: Triage) -> Flag | None:
    """The payee account appears on another customer's claim."""
    if facts.bank_account_seen:
        return Flag(RedFlag.BANK_ACCOUNT_SEEN, "bank account given on another customer's claim")
    return None


CHECKS = (early_loss, cover_increased, repeat_claims, near_limit, bank_account_seen)


def red_flags(facts: TriageFacts, rules: Triage) -> tuple[Flag, ...]:
    """Every red flag raised, in a fixed order."""
    return tuple(flag for check in CHECKS if (flag := check(facts, rules)) is not None)


def triage(flags: tuple[Flag, ...], *, estimated_fen: int, fast_track_limit: float | None,
           has_bank_account: bool, waiting_until: dt.date | None) -> Triaged:
    """Fast track or handler, with the reasons a claim is not fast-tracked."""
    reasons = [f"red flag: {f.code}" for f in flags]
    if fast_track_limit is None:
        reasons.append("the product has no fast track")
    elif estimated_fen > to_fen(fast_track_limit):
        reasons.append(f"estimate above the fast-track limit of {fast_track_limit:,.0f} CNY")
    if not has_bank_account:
        reasons.append("no bank account to pay into")
    if waiting_until is not None:
        reasons.append(f"waiting period until {waiting_until}")
    return Triaged(Route.HANDLER if reasons else Route.FAST_TRACK, flags, tuple(reasons))


def authority_level(levels: Mapping[str, float], estimated_fen: int) -> str:
    """The smallest handler authority level (name → maximum CNY) that covers the estimate;
    ``standard`` when the product defines none, the highest level when none is enough."""
    if not levels:
        return "standard"
    ordered = sorted(levels.items(), key=lambda kv: kv[1])
    return next((name for name, cny in ordered if estimated_fen <= to_fen(cny)), ordered[-1][0])
