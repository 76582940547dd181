"""The claim ledger: movements as signed rows, balances as sums of rows.

Each movement is one transaction row of the contract in :mod:`sme_insure.reserving.transactions`
(``paid_fen`` and ``case_reserve_change_fen``, signed):

==============  ==================  ================================  ==========================
kind            paid_fen            case_reserve_change_fen           allowed when
==============  ==================  ================================  ==========================
reserve_set     0                   + first reserve                   at report
reserve_change  0                   new reserve − old reserve          open; within the limit
payment         + amount            − amount (final: − whole reserve)  open; ≤ reserve and limit
recovery        − amount            0                                  any time after a payment
close           0                   − remaining reserve                open (also on refusal)
reopen          0                   + new reserve                      closed or refused
==============  ==================  ================================  ==========================

Balances at any date are sums over the rows up to it: paid = Σ paid_fen, case reserve =
Σ case_reserve_change_fen, incurred = paid + case reserve. Gross payments (what erodes a limit)
are Σ paid_fen over ``payment`` rows; recoveries do not restore a limit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sme_insure.claims.vocabulary import TransactionKind
from sme_insure.errors import InputError, Issue, StateError


@dataclass(frozen=True)
class Movement:
    """One row's money: what was paid (recovered, negative) and how the case reserve moved."""

    kind: TransactionKind
    paid_fen: int = 0
    case_reserve_change_fen: int = 0


@dataclass(frozen=True)
class Balances:
    """A claim's money, derivable from its rows."""

    payments_fen: int = 0
    recoveries_fen: int = 0
    reserve_fen: int = 0

    @property
    def paid_fen(self) -> int:
        """Net paid: payments less recoveries."""
        return self.payments_fen - self.recoveries_fen

    @property
    def incurred_fen(self) -> int:
        """Case-incurred: net paid plus the outstanding case reserve."""
        return self.paid_fen + self.reserve_fen

    def after(self, m: Movement) -> Balances:
        """Balances once ``m`` is recorded."""
        pay = m.paid_fen if m.kind is TransactionKind.PAYMENT else 0
        rec = -m.paid_fen if m.kind is TransactionKind.RECOVERY else 0
        return Balances(self.payments_fen + pay, self.recoveries_fen + rec,
                        self.reserve_fen + m.case_reserve_change_fen)

    @classmethod
    def from_rows(cls, rows: Iterable[Movement]) -> Balances:
        """Sum of rows: the reconciliation the stored running balances must agree with."""
        out = cls()
        for row in rows:
            out = out.after(row)
        return out


def _positive(name: str, amount: int) -> None:
    if amount <= 0:
        raise InputError([Issue(name, amount, "must be a positive amount in fen")])


def _within_limit(b: Balances, new_reserve: int, available_fen: int | None) -> None:
    """Payments plus reserve never promise more than the limit left for this claim."""
    if available_fen is not None and b.payments_fen + new_reserve > available_fen:
        raise StateError(f"a reserve of {new_reserve} fen with {b.payments_fen} fen paid exceeds "
                         f"the limit of {available_fen} fen available to this claim")


def initial_reserve(estimate_fen: int, available_fen: int | None) -> Movement:
    """The first reserve: the estimate, at most the limit available."""
    first = estimate_fen if available_fen is None else min(estimate_fen, available_fen)
    return Movement(TransactionKind.RESERVE_SET, 0, max(first, 0))


def reserve(b: Balances, new_reserve: int, available_fen: int | None) -> Movement:
    """Set the case reserve to ``new_reserve``."""
    if new_reserve < 0:
        raise InputError([Issue("reserve_fen", new_reserve, "must not be negative")])
    if new_reserve == b.reserve_fen:
        raise InputError([Issue("reserve_fen", new_reserve, "equals the current reserve")])
    _within_limit(b, new_reserve, available_fen)
    return Movement(TransactionKind.RESERVE_CHANGE, 0, new_reserve - b.reserve_fen)


def payment(b: Balances, amount: int, available_fen: int | None, *, final: bool) -> Movement:
    """Pay ``amount`` out of the reserve; a final payment releases what is left of it."""
    _positive("amount_fen", amount)
    if amount > b.reserve_fen:
        raise StateError(f"payment of {amount} fen exceeds the outstanding reserve of "
                         f"{b.reserve_fen} fen")
    if available_fen is not None and b.payments_fen + amount > available_fen:
        raise StateError(f"payment of {amount} fen exceeds the limit: {b.payments_fen} of "
                         f"{available_fen} fen already paid")
    release = b.reserve_fen if final else amount
    return Movement(TransactionKind.PAYMENT, amount, -release)


def recovery(b: Balances, amount: int) -> Movement:
    """Salvage, subrogation or a refund: negative paid, at most what was paid net."""
    _positive("amount_fen", amount)
    if amount > b.paid_fen:
        raise StateError(f"a recovery of {amount} fen exceeds the {b.paid_fen} fen paid net")
    return Movement(TransactionKind.RECOVERY, -amount, 0)


def close(b: Balances) -> Movement:
    """Close (or refuse): release the whole remaining reserve."""
    return Movement(TransactionKind.CLOSE, 0, -b.reserve_fen)


def reopen(b: Balances, new_reserve: int, available_fen: int | None) -> Movement:
    """Reopen with a new reserve (zero allowed: reopened to review)."""
    if new_reserve < 0:
        raise InputError([Issue("reserve_fen", new_reserve, "must not be negative")])
    _within_limit(b, new_reserve, available_fen)
    return Movement(TransactionKind.REOPEN, 0, new_reserve)
