"""Statutory timers: start, due date, stop and state, per the Insurance Law arts. 23–25."""

from __future__ import annotations

import datetime as dt

from sme_insure.claims.deadlines import ClaimDates, days_between, timers
from sme_insure.claims.rules import default_rules
from sme_insure.claims.vocabulary import TimerName, TimerState

RULES = default_rules().deadlines
D = dt.date


def _states(dates, today):
    return {t.name: (t.due, t.state(today, RULES.warn_days)) for t in timers(dates, RULES)}


def test_decision_within_30_days():
    dates = ClaimDates(D(2026, 6, 1))
    assert _states(dates, D(2026, 6, 20)) == {TimerName.DECISION: (D(2026, 7, 1), TimerState.RUNNING)}
    assert _states(dates, D(2026, 6, 26))[TimerName.DECISION][1] is TimerState.APPROACHING
    assert _states(dates, D(2026, 7, 2))[TimerName.DECISION][1] is TimerState.OVERDUE
    late = ClaimDates(D(2026, 6, 1), decided_on=D(2026, 7, 2))
    assert _states(late, D(2026, 8, 1))[TimerName.DECISION][1] is TimerState.LATE


def test_payment_within_10_days_of_agreement():
    dates = ClaimDates(D(2026, 6, 1), decided_on=D(2026, 6, 5), agreed_on=D(2026, 6, 5))
    assert _states(dates, D(2026, 6, 16))[TimerName.PAYMENT] == (D(2026, 6, 15), TimerState.OVERDUE)
    paid = ClaimDates(D(2026, 6, 1), decided_on=D(2026, 6, 5), agreed_on=D(2026, 6, 5),
                      paid_in_full_on=D(2026, 6, 15))
    assert _states(paid, D(2026, 7, 1))[TimerName.PAYMENT][1] is TimerState.MET


def test_refusal_notice_within_3_days():
    dates = ClaimDates(D(2026, 6, 1), decided_on=D(2026, 6, 10), refusal_decided_on=D(2026, 6, 10),
                       refusal_notice_on=D(2026, 6, 13), docs_complete_on=D(2026, 6, 2))
    states = _states(dates, D(2026, 6, 20))
    assert states[TimerName.REFUSAL_NOTICE] == (D(2026, 6, 13), TimerState.MET)
    assert TimerName.CERTAIN_PART not in states


def test_certain_part_after_60_days_of_complete_documents():
    dates = ClaimDates(D(2026, 6, 1), docs_complete_on=D(2026, 6, 2))
    assert _states(dates, D(2026, 7, 30))[TimerName.CERTAIN_PART] == (D(2026, 8, 1), TimerState.APPROACHING)
    advanced = ClaimDates(D(2026, 6, 1), docs_complete_on=D(2026, 6, 2), certain_part_paid_on=D(2026, 7, 31))
    assert _states(advanced, D(2026, 8, 2))[TimerName.CERTAIN_PART][1] is TimerState.MET
    assert days_between(D(2026, 6, 1), D(2026, 7, 31)) == 60 and days_between(D(2026, 6, 1), None) is None
