"""GROUP_ACCIDENT@2026.1 worked by hand, per person and through a schedule.

Reference example (shared/reference/china-sme-insurance.md §2, illustrative press report):
one-year accident cover of 400k costs 760 CNY in class 1 (1.9 ‰) and 960 CNY in class 2; moving
to class 2 after 3 months costs (960 − 760) × 9/12 = 150 CNY. An adult in the neutral age band
(18–50) on a schedule of fewer than 10 persons (no headcount discount), death and disability only:

  class 1: 400,000 × 1.90 ‰ = 760.00; × (1 + 0 loading) × 1.00 age × 1.00 headcount = 760.00
  class 2: 400,000 × 2.40 ‰ = 960.00; × 1 × 1.00 × 1.00                              = 960.00
  VAT (6 %, included): 76,000 / 1.06 = 71,698.11 → net 71,698, VAT 4,302
                       96,000 / 1.06 = 90,566.04 → net 90,566, VAT 5,434
  commission 15 % of net: 10,754.70 → 10,755; 13,584.90 → 13,585

Every coverage, class 5, age 55, sum insured 300,000, headcount 35, medical limit 20,000,
hospital allowance 100 a day:

  death and disability  300,000 × 6.00 ‰ = 1,800.00; × (1 + 0.25) = 2,250.00;
                        × 1.20 (age 51–60) = 2,700.00; × 0.90 (30–99 persons) = 2,430.00
  accident medical      ga_medical_premium[5, 20000] = 210.00; × 1.20 = 252.00; × 0.90 = 226.80
  hospital allowance    ga_allowance_premium[5, 100] = 150.00; × 1.20 = 180.00; × 0.90 = 162.00
  premium 2,430.00 + 226.80 + 162.00 = 2,818.80 = 281,880 fen
  VAT 243,000/1.06 = 229,245.28 → 13,755; 22,680/1.06 = 21,396.23 → 1,284;
      16,200/1.06 = 15,283.02 → 917; total 15,956, net 265,924; commission 39,888.6 → 39,889
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sme_insure.customers import complete_resident_id
from sme_insure.errors import RatingInputError
from sme_insure.rating.schedule import rate_schedule

AS_OF = dt.date(2026, 3, 1)
CODE = "GROUP_ACCIDENT"
ADULT = {"age": 30, "sum_insured": 400000, "headcount": 5, "cover_accident_medical": False}
MONEY = ["premium", "vat", "net_premium", "commission", "minimum_adjustment"]


def approx(x):
    return pytest.approx(x, abs=1e-6)


def money(result):
    row = result.premiums.iloc[0]
    return {c: int(row[c]) for c in MONEY}


def steps(ws):
    rows = ws[ws.coverage != "policy"]
    return [(r.coverage, r.tables, r.figure, r.after) for r in rows.itertuples()]


def test_reference_example_class_1_and_2(rater):
    one = rater.quote(CODE, {**ADULT, "occupational_class": 1}, as_of=AS_OF, worksheet=True)
    two = rater.quote(CODE, {**ADULT, "occupational_class": 2}, as_of=AS_OF)
    assert steps(one.worksheet(0)) == [
        ("death_disability", "ga_rate@2026.1", approx(1.90), approx(760)),
        ("death_disability", "ga_class_loading@2026.1", approx(1.00), approx(760)),
        ("death_disability", "ga_age@2026.1", approx(1.00), approx(760)),
        ("death_disability", "ga_headcount@2026.1", approx(1.00), approx(760)),
    ]
    assert money(one) == {
        "premium": 76_000,
        "vat": 4_302,
        "net_premium": 71_698,
        "commission": 10_755,
        "minimum_adjustment": 0,
    }
    assert money(two) == {
        "premium": 96_000,
        "vat": 5_434,
        "net_premium": 90_566,
        "commission": 13_585,
        "minimum_adjustment": 0,
    }
    # moving to class 2 after three months: (960 − 760) × 9/12 = 150 CNY
    assert (money(two)["premium"] - money(one)["premium"]) * 9 // 12 == 15_000


def test_reference_example_through_a_schedule(rater):
    ids = [complete_resident_id(f"1101051990010100{k}") for k in (1, 2)]  # age 36 on AS_OF
    persons = pd.DataFrame({"id_number": ids, "occupational_class": [1, 2]})
    policy = {"sum_insured": 400000, "cover_accident_medical": False}
    result = rate_schedule(rater, CODE, persons, policy, as_of=AS_OF)
    assert result.premiums["premium"].tolist() == [76_000, 96_000]
    assert result.totals["premium"] == 172_000


def test_every_coverage_heavy_class_older_larger_group(rater):
    risk = {
        "occupational_class": 5,
        "age": 55,
        "sum_insured": 300000,
        "headcount": 35,
        "medical_limit": 20000,
        "cover_hospital_allowance": True,
        "daily_allowance": 100,
    }
    result = rater.quote(CODE, risk, as_of=AS_OF, worksheet=True)
    dd, med, allow = "death_disability", "accident_medical", "hospital_allowance"
    assert steps(result.worksheet(0)) == [
        (dd, "ga_rate@2026.1", approx(6.00), approx(1800)),
        (dd, "ga_class_loading@2026.1", approx(1.25), approx(2250)),
        (dd, "ga_age@2026.1", approx(1.20), approx(2700)),
        (dd, "ga_headcount@2026.1", approx(0.90), approx(2430)),
        (med, "ga_medical_premium@2026.1", approx(210), approx(210)),
        (med, "ga_age@2026.1", approx(1.20), approx(252)),
        (med, "ga_headcount@2026.1", approx(0.90), approx(226.80)),
        (allow, "ga_allowance_premium@2026.1", approx(150), approx(150)),
        (allow, "ga_age@2026.1", approx(1.20), approx(180)),
        (allow, "ga_headcount@2026.1", approx(0.90), approx(162)),
    ]
    row = result.premiums.iloc[0]
    assert [int(row[f"premium_{c}"]) for c in (dd, med, allow)] == [243_000, 22_680, 16_200]
    assert money(result) == {
        "premium": 281_880,
        "vat": 15_956,
        "net_premium": 265_924,
        "commission": 39_889,
        "minimum_adjustment": 0,
    }


def test_medical_limit_defaults_and_is_shown(rater):
    result = rater.quote(
        CODE,
        {**ADULT, "occupational_class": 1, "cover_accident_medical": True},
        as_of=AS_OF,
        worksheet=True,
    )
    # ga_medical_premium[1, 10000 (product default)] = 40.00; 760 + 40 = 800 CNY
    assert int(result.premiums.iloc[0]["premium"]) == 80_000
    ws = result.worksheet(0)
    assert "medical_limit=10000 (product default)" in ws[ws.kind == "flat"].inputs.iloc[0]


def test_decline_class_is_not_a_level(rater, catalogue):
    product = catalogue.get(CODE, as_of=AS_OF)
    assert product.input("occupational_class").levels == [1, 2, 3, 4, 5, 6]
    with pytest.raises(RatingInputError) as exc:
        rater.quote(CODE, {**ADULT, "occupational_class": "decline"}, as_of=AS_OF)
    assert [i.field for i in exc.value.issues] == ["occupational_class"]


def test_heavy_classes_are_referred_by_rule(catalogue):
    product = catalogue.get(CODE, as_of=AS_OF)
    rule = next(r for r in product.underwriting.rules if r.code == "GA_HEAVY_CLASS_REFER")
    assert (rule.action, rule.when.input, rule.when.value) == (
        "refer",
        "occupational_class",
        [5, 6],
    )


def test_one_year_cover_is_vat_taxable(catalogue):
    product = catalogue.get(CODE, as_of=AS_OF)
    assert {c.tax for c in product.coverages} == {"vat_included"}
    assert product.vat_rate == 0.06
    assert product.claims.fast_track_limit is not None
