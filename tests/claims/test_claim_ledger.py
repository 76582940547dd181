"""The ledger: each movement's signs, its guards, and balances that are always the sum of rows."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sme_insure.claims import ledger
from sme_insure.claims.ledger import Balances
from sme_insure.claims.vocabulary import TransactionKind
from sme_insure.errors import InputError, SmeInsureError, StateError


def test_movements_and_balances():
    rows = [ledger.initial_reserve(1_000, None)]
    b = Balances.from_rows(rows)
    rows.append(ledger.reserve(b, 1_500, 2_000))
    rows.append(ledger.payment(Balances.from_rows(rows), 600, 2_000, final=False))
    rows.append(ledger.recovery(Balances.from_rows(rows), 100))
    rows.append(ledger.payment(Balances.from_rows(rows), 400, 2_000, final=True))
    rows.append(ledger.close(Balances.from_rows(rows)))
    b = Balances.from_rows(rows)
    assert [(m.kind, m.paid_fen, m.case_reserve_change_fen) for m in rows] == [
        (TransactionKind.RESERVE_SET, 0, 1_000), (TransactionKind.RESERVE_CHANGE, 0, 500),
        (TransactionKind.PAYMENT, 600, -600), (TransactionKind.RECOVERY, -100, 0),
        (TransactionKind.PAYMENT, 400, -900), (TransactionKind.CLOSE, 0, 0)]
    assert (b.payments_fen, b.recoveries_fen, b.paid_fen, b.reserve_fen, b.incurred_fen) == (
        1_000, 100, 900, 0, 900)


def test_guards():
    b = Balances(payments_fen=600, reserve_fen=400)
    with pytest.raises(StateError, match="outstanding reserve"):
        ledger.payment(b, 401, None, final=False)
    with pytest.raises(StateError, match="exceeds the limit"):
        ledger.payment(b, 400, 900, final=False)
    with pytest.raises(StateError, match="exceeds the limit"):
        ledger.reserve(b, 500, 1_000)
    with pytest.raises(InputError, match="positive"):
        ledger.payment(b, 0, None, final=False)
    with pytest.raises(InputError, match="equals"):
        ledger.reserve(b, 400, None)
    with pytest.raises(StateError, match="paid net"):
        ledger.recovery(b, 601)
    assert ledger.initial_reserve(5_000, 3_000).case_reserve_change_fen == 3_000


OPS = st.lists(st.tuples(st.sampled_from(["reserve", "pay", "final", "recover", "close", "reopen"]),
                         st.integers(0, 5_000)), max_size=40)


def _move(op, b, amount):
    limit = 10_000
    return {"reserve": lambda: ledger.reserve(b, amount, limit),
            "pay": lambda: ledger.payment(b, amount, limit, final=False),
            "final": lambda: ledger.payment(b, amount, limit, final=True),
            "recover": lambda: ledger.recovery(b, amount),
            "close": lambda: ledger.close(b),
            "reopen": lambda: ledger.reopen(b, amount, limit)}[op]()


@given(OPS)
def test_running_balances_equal_the_sum_of_rows(ops):
    rows = [ledger.initial_reserve(1_000, 10_000)]
    running = Balances().after(rows[0])
    for op, amount in ops:
        try:
            movement = _move(op, running, amount)
        except SmeInsureError:
            continue
        rows.append(movement)
        running = running.after(movement)
        assert running.reserve_fen >= 0 and running.payments_fen <= 10_000
    assert running == Balances.from_rows(rows)
    assert running.paid_fen == sum(m.paid_fen for m in rows)
    assert running.reserve_fen == sum(m.case_reserve_change_fen for m in rows)
