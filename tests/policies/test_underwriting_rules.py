"""Underwriting rules: structured conditions evaluated vectorised over the risk frame."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from sme_insure.policies.states import Decision
from sme_insure.underwriting import decide_rows, eligibility_reasons

BASE = {"occupancy_class": "office", "construction": "class_1", "province": "11",
        "sum_insured": 1_000_000, "fire_protection": "hydrants"}


def test_rules_over_a_batch(rater):
    book = pd.DataFrame([
        BASE,
        {**BASE, "construction": "class_3"},                                  # refer (any)
        {**BASE, "occupancy_class": "industrial_6"},                          # refer (in)
        {**BASE, "sum_insured": 60_000_000},                                  # refer (gt)
        {**BASE, "fire_protection": "none", "loss_history": "two_or_more"},   # decline (all)
        {**BASE, "fire_protection": "none"},                                  # accept: one leg only
        {**BASE, "construction": "class_3", "fire_protection": "none", "loss_history": "two_or_more"},
    ])
    result = rater.rate("SME_PROPERTY", book, as_of=dt.date(2026, 3, 1))
    decisions = decide_rows(result.product, result.prepared)
    assert [d.decision for d in decisions] == [
        Decision.ACCEPT, Decision.REFER, Decision.REFER, Decision.REFER, Decision.DECLINE,
        Decision.ACCEPT, Decision.DECLINE]
    assert [r.code for r in decisions[6].reasons] == ["PROP_HAZARDOUS_REFER", "PROP_NO_PROTECTION_DECLINE"]
    assert decisions[3].reasons[0].message.zh.startswith("保险金额")


def test_eligibility(catalogue):
    product = catalogue.get("SME_PROPERTY", as_of=dt.date(2026, 3, 1))
    assert eligibility_reasons(product, "micro_enterprise", "C13") == []
    [reason] = eligibility_reasons(product, "flexible_worker", None)
    assert reason.code == "INELIGIBLE_CUSTOMER_TYPE" and reason.action is Decision.DECLINE
