"""Exposure rows of one policy's transactions (services.study_data): each cell keeps the
exposure that was in force with its inputs, and the rows sum to the transactions exactly —
also when a year-end adjustment dated from the start follows an endorsement, and when a
cancellation ends several parts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from types import SimpleNamespace

import pytest

from sme_insure.policies.states import TransactionKind as K
from sme_insure.services.study_data import _policy_rows

START, END = dt.date(2026, 1, 1), dt.date(2027, 1, 1)


def _t(seq, kind, effective, premium, annual, si, period_end=END):
    return SimpleNamespace(number="P1", product_code="X", product_version="1", start_date=START,
                           end_date=END, sequence=seq, kind=kind, effective_date=effective,
                           period_end=period_end, transaction_date=effective, premium_fen=premium,
                           annual_premium_after_fen=annual, inputs_after={"si": si})


def _cells(rows):
    exposure, premium = defaultdict(float), defaultdict(int)
    for r in rows:
        exposure[r["si"]] += r["exposure"]
        premium[r["si"]] += r["written_fen"]
    return dict(exposure), dict(premium)


def test_adjustment_from_the_start_after_an_endorsement_reverses_both_parts():
    mid = dt.date(2026, 7, 2)  # 182 days in, 183 left of 365
    txs = [_t(1, K.WRITTEN, START, 100_000, 100_000, 1),
           _t(2, K.ENDORSEMENT, mid, 50_137, 200_000, 2),   # (200,000 − 100,000) × 183/365
           _t(3, K.ADJUSTMENT, START, 149_863, 300_000, 3)]  # to 300,000 for the whole term
    rows = list(_policy_rows(txs))
    exposure, premium = _cells(rows)
    assert exposure[1] == pytest.approx(0) and exposure[2] == pytest.approx(0)
    assert exposure[3] == pytest.approx(1.0)
    assert sum(r["written_fen"] for r in rows) == sum(t.premium_fen for t in txs)
    assert premium[1] == 0 and premium[2] == 0 and premium[3] == 300_000
    assert all(e >= -1e-9 for e in exposure.values())


def test_cancellation_after_an_endorsement_ends_both_parts():
    mid, cancel = dt.date(2026, 7, 2), dt.date(2026, 4, 1)  # out of sequence: before the change
    txs = [_t(1, K.WRITTEN, START, 100_000, 100_000, 1),
           _t(2, K.ENDORSEMENT, mid, 50_137, 200_000, 2),
           _t(3, K.CANCELLATION, cancel, -125_000, 0, 2)]
    rows = list(_policy_rows(txs))
    exposure, _ = _cells(rows)
    assert exposure[1] == pytest.approx((cancel - START).days / 365)
    assert exposure[2] == pytest.approx(0)
    assert sum(r["written_fen"] for r in rows) == sum(t.premium_fen for t in txs)
