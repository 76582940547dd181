"""Statutory timers of a claim (Insurance Law arts. 23–25, reference §3).

=================  ===============================  ====================  =======================
timer              starts                           due after             stops when
=================  ===============================  ====================  =======================
decision           report date                      ``decision_days``     decided (agreed or
                                                                          refused) or closed
payment            amount agreed                    ``payment_days``      agreed amount paid
refusal_notice     refusal decided                  ``refusal_notice``    refusal notified
certain_part       documents complete               ``certain_part_days`` amount agreed, or an
                                                                          advance paid, or closed
=================  ===============================  ====================  =======================

A running timer is ``approaching`` within ``warn_days`` of its due date and ``overdue`` after
it; a stopped one was ``met`` or ``late``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sme_insure.claims.rules import Deadlines
from sme_insure.claims.vocabulary import TimerName, TimerState


@dataclass(frozen=True)
class ClaimDates:
    """The dates of a claim that start and stop its timers."""

    report_date: dt.date
    docs_complete_on: dt.date | None = None
    decided_on: dt.date | None = None
    agreed_on: dt.date | None = None
    paid_in_full_on: dt.date | None = None
    refusal_decided_on: dt.date | None = None
    refusal_notice_on: dt.date | None = None
    certain_part_paid_on: dt.date | None = None
    closed_on: dt.date | None = None


@dataclass(frozen=True)
class Timer:
    """One timer: when it started, when it falls due, and when it stopped (if it did)."""

    name: TimerName
    started: dt.date
    due: dt.date
    stopped: dt.date | None

    def state(self, today: dt.date, warn_days: int) -> TimerState:
        """Where the timer stands on ``today``."""
        if self.stopped is not None:
            return TimerState.MET if self.stopped <= self.due else TimerState.LATE
        if today > self.due:
            return TimerState.OVERDUE
        if (self.due - today).days <= warn_days:
            return TimerState.APPROACHING
        return TimerState.RUNNING


def _first(*dates: dt.date | None) -> dt.date | None:
    found = [d for d in dates if d is not None]
    return min(found) if found else None


def _timer(name: TimerName, start: dt.date, days: int, stopped: dt.date | None) -> Timer:
    return Timer(name, start, start + dt.timedelta(days=days), stopped)


def timers(d: ClaimDates, rules: Deadlines) -> list[Timer]:
    """The timers that have started on a claim."""
    out = [_timer(TimerName.DECISION, d.report_date, rules.decision_days,
                  _first(d.decided_on, d.closed_on))]
    if d.agreed_on is not None:
        out.append(_timer(TimerName.PAYMENT, d.agreed_on, rules.payment_days, d.paid_in_full_on))
    if d.refusal_decided_on is not None:
        out.append(_timer(TimerName.REFUSAL_NOTICE, d.refusal_decided_on, rules.refusal_notice_days,
                          d.refusal_notice_on))
    elif d.docs_complete_on is not None:
        out.append(_timer(TimerName.CERTAIN_PART, d.docs_complete_on, rules.certain_part_days,
                          _first(d.agreed_on, d.certain_part_paid_on, d.closed_on)))
    return out


def days_between(start: dt.date, end: dt.date | None) -> int | None:
    """Whole days from ``start`` to ``end`` (for report-to-decision and report-to-payment)."""
    return None if end is None else (end - start).days
