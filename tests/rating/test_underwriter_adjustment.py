"""An underwriter's loading or discount is a rating step: after each coverage's technical steps,
before its minimum steps and before the policy minimum, so minimums always hold. Figures are
worked by hand from the shipped tables; the worksheet shows the step with its running amount."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from pydantic import ValidationError

from sme_insure.catalogue.steps import AdjustmentStep
from sme_insure.catalogue.terms import Coverage
from sme_insure.customers import complete_resident_id
from sme_insure.rating.schedule import rate_schedule

AS_OF = dt.date(2026, 3, 10)
LOADING_20 = AdjustmentStep(factor=1.2, description="underwriter loading 20 % by key 7 (underwriter)")
DISCOUNT_10 = AdjustmentStep(factor=0.9, description="underwriter discount 10 % by key 7 (underwriter)")
PROPERTY = {"occupancy_class": "industrial_3", "construction": "class_2", "province": "33",
            "sum_insured": 2_000_000, "fire_protection": "extinguishers_only", "deductible": 5000}
HAZARDOUS_PL = {"premises_category": "flammable_manufacturing", "area_m2": 100,
                "limit_per_occurrence": 500000}


def _rows(result) -> list[tuple]:
    ws = result.worksheet(result.premiums.index[0])
    return list(ws[["coverage", "kind", "figure", "before", "after"]].itertuples(index=False, name=None))


def test_loading_goes_before_the_policy_minimum(rater):
    """Public liability, flammable manufacturing, 100 m², CNY 500k: 100 m² × 1.60 = 160.00,
    × 1.00 (limit) × 1.00 (deductible 1,000) × 0.95 (no losses) = 152.00 technical; loaded
    × 1.2 = 182.40, under the CNY 500 policy minimum: 500.00 (the loading applied after the
    minimum gave 600.00)."""
    result = rater.quote("PUBLIC_LIABILITY", HAZARDOUS_PL, as_of=AS_OF, worksheet=True,
                         adjustment=LOADING_20)
    money = result.premiums.iloc[0]
    assert (money["technical_premium"], money["minimum_adjustment"], money["premium"]) == (
        18240, 31760, 50000)
    rows = _rows(result)
    kinds = [r[1] for r in rows]
    at = kinds.index("underwriter_adjustment")
    assert rows[at] == ("public_liability", "underwriter_adjustment", 1.2, 152.0, pytest.approx(182.4))
    assert at < kinds.index("policy_minimum")
    assert rows[kinds.index("policy_minimum")][3:] == (182.4, 500.0)
    ws = result.worksheet(result.premiums.index[0])
    assert ws.loc[at, "description"] == "underwriter loading 20 % by key 7 (underwriter)"
    assert ws.loc[at, "unit"] == "factor"


def test_a_discount_cannot_take_a_coverage_under_its_minimum(rater):
    """SME property with business interruption on CNY 300,000 gross profit: 300,000 × 1.1 ‰ ×
    1.00 (6 months) = 330.00; discounted × 0.9 = 297.00 < the CNY 300 BI minimum → 300.00.
    Fire 2,591.0775 × 0.9 = 2,331.96975 → 233,197 fen; natcat 541.50 × 0.9 = 487.35 → 48,735.
    Premium 233,197 + 48,735 + 30,000 = 311,932 fen; the BI minimum added 300 fen."""
    risk = {**PROPERTY, "cover_business_interruption": True, "gross_profit": 300_000,
            "indemnity_period": 6}
    result = rater.quote("SME_PROPERTY", risk, as_of=AS_OF, worksheet=True, adjustment=DISCOUNT_10)
    money = result.premiums.iloc[0]
    assert (money["premium_fire"], money["premium_natcat"], money["premium_business_interruption"],
            money["minimum_adjustment"], money["premium"]) == (233197, 48735, 30000, 300, 311932)
    bi = [r for r in _rows(result) if r[0] == "business_interruption"]
    assert [r[1] for r in bi] == ["base_rate", "factor", "underwriter_adjustment", "minimum"]
    assert bi[2][2:] == (0.9, 330.0, pytest.approx(297.0))
    assert bi[3][2:] == (300.0, pytest.approx(297.0), 300.0)


def test_loaded_property_quote_rounds_once_per_coverage(rater):
    """The USCC referral's property risk loaded 20 %: fire 2,591.0775 × 1.2 = 3,109.293 →
    310,929 fen; natcat 541.50 × 1.2 = 649.80 → 64,980 fen; premium 375,909 fen (loading the
    rounded 259,108 and 54,150 fen gave 375,910: the fire premium rounded twice)."""
    result = rater.quote("SME_PROPERTY", PROPERTY, as_of=AS_OF, adjustment=LOADING_20)
    money = result.premiums.iloc[0]
    assert (money["premium_fire"], money["premium_natcat"], money["premium"]) == (310929, 64980, 375909)


def test_single_quote_and_batch_give_the_same_figures(rater):
    """The quick path of one risk, a batch row among others and the worksheet's figures agree."""
    other = {**PROPERTY, "sum_insured": 5_000_000, "construction": "class_1"}
    single = rater.quote("SME_PROPERTY", PROPERTY, as_of=AS_OF, adjustment=LOADING_20)
    batch = rater.rate("SME_PROPERTY", pd.DataFrame([other, PROPERTY, other]), as_of=AS_OF,
                       adjustment=LOADING_20)
    explained = rater.rate("SME_PROPERTY", pd.DataFrame([PROPERTY]), as_of=AS_OF, worksheet=True,
                           adjustment=LOADING_20)
    assert single.premiums.iloc[0].to_dict() == batch.premiums.iloc[1].to_dict()
    assert explained.premiums.iloc[0].to_dict() == single.premiums.iloc[0].to_dict()


def test_without_an_adjustment_the_worksheet_has_no_such_step(rater):
    result = rater.quote("SME_PROPERTY", PROPERTY, as_of=AS_OF, worksheet=True)
    assert "underwriter_adjustment" not in [r[1] for r in _rows(result)]
    assert result.premiums.iloc[0]["premium"] == 313258


@pytest.mark.parametrize("factor", [0, -0.9, float("nan"), float("inf")])
def test_an_adjustment_factor_is_finite_and_positive(factor):
    with pytest.raises(ValidationError):
        AdjustmentStep(factor=factor)


def test_a_step_after_a_minimum_is_refused():
    """Minimum steps end a coverage: a factor after one could take the premium under it."""
    with pytest.raises(ValidationError, match="minimum steps must be the last steps"):
        Coverage.model_validate({
            "code": "c", "name": {"zh": "c", "en": "c"}, "perils": ["fire"], "tax": "vat_included",
            "steps": [{"kind": "flat", "amount": 100}, {"kind": "minimum", "amount": 50},
                      {"kind": "factor", "table": "t", "keys": ["x"]}]})


def _roster(classes):
    ids = [complete_resident_id(f"110105199203150{k:02d}") for k in range(len(classes))]
    return pd.DataFrame({"id_number": ids, "occupational_class": classes})


def test_a_schedule_is_adjusted_per_person_before_the_roster_minimum(rater):
    """GROUP_ACCIDENT_DAILY plan A, classes 1, 1, 3 (tests/personal/test_group_accident_daily.py):
    loaded 20 %: class 1 (1.20 + 0.30) × 1.2 = 1.44 + 0.36, class 3 (2.00 + 0.50) × 1.2 = 2.40 +
    0.60; 6.60 technical, under the 20.00 roster minimum: 2,000 fen (not 2,000 × 1.2).
    Plan B, ten of class 4 discounted 10 %: (5.04 + 1.40) × 0.9 = 4.536 → 454 fen + 1.26 → 126,
    580 fen a person, 5,800 the roster (above the minimum: no top-up)."""
    loaded = rate_schedule(rater, "GROUP_ACCIDENT_DAILY", _roster([1, 1, 3]), {"plan": "daily_a"},
                           as_of=dt.date(2026, 3, 2), adjustment=LOADING_20)
    assert loaded.premiums["premium"].tolist() == [180, 180, 300]
    assert (loaded.totals["technical_premium"], loaded.totals["premium"]) == (660, 2000)
    discounted = rate_schedule(rater, "GROUP_ACCIDENT_DAILY", _roster([4] * 10), {"plan": "daily_b"},
                               as_of=dt.date(2026, 3, 2), adjustment=DISCOUNT_10)
    assert discounted.premiums["premium"].tolist() == [580] * 10
    assert discounted.totals["premium"] == 5800


def test_a_priced_schedule_says_so_in_its_worksheet(rater):
    """The stored worksheet of a group risk is a line per person; the adjustment adds one."""
    from sme_insure.services.pricing import price

    persons = _roster([1, 1, 3]).to_dict("records")
    priced = price(rater, "GROUP_ACCIDENT_DAILY", {"plan": "daily_a", "persons": persons},
                   as_of=dt.date(2026, 3, 2), adjustment=LOADING_20)
    assert priced.premium_fen == 2000
    assert [w["figure"] for w in priced.worksheet[:3]] == [1.8, 1.8, 3.0]
    line = priced.worksheet[-1]
    assert (line["kind"], line["figure"], line["unit"]) == ("underwriter_adjustment", 1.2, "factor")
    assert line["description"].startswith("underwriter loading 20 % by key 7")
