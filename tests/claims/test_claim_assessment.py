"""Assessment arithmetic by hand: salvage, average clause, deductibles (amount, percentage with
minimum, time deductible), co-insurance, indemnity share and limits, all in integer fen."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sme_insure.catalogue.vocabulary import DeductibleKind, LimitBasis
from sme_insure.claims.assessment import Loss, Terms, assess, retention
from sme_insure.claims.limits import (
    Deductible,
    Limit,
    available,
    coverage_deductibles,
    coverage_limits,
)
from sme_insure.errors import InputError

AMOUNT_5000 = Deductible(DeductibleKind.AMOUNT, amount_fen=500_000)
NATCAT = Deductible(DeductibleKind.PERCENT_OF_LOSS, percent=Fraction(1, 10), minimum_fen=300_000)
BI_3_DAYS = Deductible(DeductibleKind.DAYS, days=3)


def _cov(catalogue, product, code):
    return next(c for c in catalogue.get(product, "2026.1").coverages if c.code == code)


def test_amount_deductible_and_salvage():
    result = assess(Loss(28_000_000, salvage_fen=1_000_000), Terms((AMOUNT_5000,)))
    assert result.payable_fen == 26_500_000
    assert [s.amount_fen for s in result.steps] == [28_000_000, 27_000_000, 27_000_000, 26_500_000,
                                                   26_500_000, 26_500_000]


def test_percentage_deductible_with_minimum():
    # 10 % of 20,000 = 2,000 < minimum 3,000; 10 % of 50,000 = 5,000 > minimum
    assert assess(Loss(2_000_000), Terms((NATCAT,))).payable_fen == 1_700_000
    assert assess(Loss(5_000_000), Terms((NATCAT,))).payable_fen == 4_500_000
    assert assess(Loss(200_000), Terms((NATCAT,))).payable_fen == 0  # all of it retained


def test_time_deductible_for_business_interruption():
    # 10 days stopped, loss 100,000 CNY: 3 days of 10 are kept → 70,000 CNY
    assert assess(Loss(10_000_000, interruption_days=10), Terms((BI_3_DAYS,))).payable_fen == 7_000_000
    assert assess(Loss(10_000_000, interruption_days=2), Terms((BI_3_DAYS,))).payable_fen == 0
    with pytest.raises(InputError, match="interruption"):
        assess(Loss(10_000_000), Terms((BI_3_DAYS,)))


def test_medical_deductible_then_co_insurance(catalogue):
    medical = _cov(catalogue, "GROUP_ACCIDENT", "accident_medical")
    terms = Terms(coverage_deductibles(medical, {}, "accidental_injury"))
    # (1,000 − 100) × 80 % = 720 CNY
    assert assess(Loss(100_000), terms).payable_fen == 72_000


def test_average_clause_and_indemnity_share():
    under = Terms((), sum_insured_fen=80_000_000)
    # insured 800k of a 1M value: a 100k loss pays 80k
    assert assess(Loss(10_000_000, value_at_risk_fen=100_000_000), under).payable_fen == 8_000_000
    assert assess(Loss(10_000_000, value_at_risk_fen=50_000_000), under).payable_fen == 10_000_000
    credit = Terms((), indemnity_share=Fraction(90, 100))
    assert assess(Loss(1_234_567), credit).payable_fen == 1_111_110  # 1,111,110.3 → half up


def test_limits_cap_and_erode(catalogue):
    quake = _cov(catalogue, "SME_PROPERTY", "earthquake")
    limits = coverage_limits(quake, {"sum_insured": 2_000_000}, lambda *_: 0.0,
                             {LimitBasis.AGGREGATE: 135_000_000})
    assert limits == (Limit(LimitBasis.AGGREGATE, 200_000_000, 135_000_000),)
    assert available(limits) == 65_000_000
    assert assess(Loss(100_000_000), Terms(available_fen=available(limits))).payable_fen == 65_000_000
    shop = _cov(catalogue, "SHOP_PACKAGE", "property")
    plan = coverage_limits(shop, {"plan": "plan_a"}, lambda table, keys: {"plan_a": 500_000.0}[keys[0]])
    assert available(plan) == 50_000_000  # a per-occurrence sublimit looked up by plan
    theft = coverage_deductibles(shop, {}, "theft")
    assert [d.minimum_fen for d in theft] == [300_000]  # the theft deductible only


def test_retention_rounds_half_up():
    pct = Deductible(DeductibleKind.PERCENT_OF_LOSS, percent=Fraction(1, 10))
    assert retention(15, pct, None) == 2  # 1.5 → 2


@given(loss=st.integers(0, 10**10), salvage=st.integers(0, 10**9), cap=st.integers(0, 10**10),
       share=st.sampled_from([Fraction(1), Fraction(9, 10), Fraction(8, 10)]))
def test_payable_never_exceeds_net_loss_or_limit(loss, salvage, cap, share):
    terms = Terms((AMOUNT_5000, NATCAT), indemnity_share=share, available_fen=cap)
    payable = assess(Loss(loss, salvage_fen=salvage), terms).payable_fen
    assert 0 <= payable <= min(max(loss - salvage, 0), cap)
    assert payable <= assess(Loss(loss + 100_000, salvage_fen=salvage), terms).payable_fen
