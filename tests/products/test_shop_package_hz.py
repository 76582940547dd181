"""SHOP_PACKAGE_HZ@2026.1, the Hangzhou city scheme variant of SHOP_PACKAGE: same rating, half the
premium paid by the city government, split on the quote."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sme_insure.catalogue import check_catalogue
from sme_insure.errors import RatingInputError
from support.golden import approx, money, steps

ROOT = Path(__file__).parents[2]
AS_OF = dt.date(2026, 3, 1)
CODE = "SHOP_PACKAGE_HZ"
RISK = {"plan": "plan_a", "province": "33"}


def test_variant_takes_the_base_product_and_adds_channel_and_subsidy(catalogue):
    base = catalogue.get("SHOP_PACKAGE", "2026.1")
    hz = catalogue.get(CODE, "2026.1")
    assert hz.channel == "hangzhou_city_scheme"
    assert hz.subsidy is not None and hz.subsidy.share == 0.5
    assert hz.subsidy.payer.en == "Hangzhou Municipal People's Government"
    assert hz.coverages == base.coverages and hz.inputs == base.inputs
    assert base.subsidy is None and base.channel is None


def test_golden_plan_a_zhejiang_with_city_subsidy(rater):
    result = rater.quote(CODE, RISK, as_of=AS_OF, worksheet=True)
    # property: flat shop_property_premium[plan_a] = 500.00       → 500.00
    #           factor shop_zone[33 Zhejiang] = 1.15             → 575.00
    # cash_in_safe: flat shop_cash_safe_premium[plan_a] = 50.00  →  50.00
    # cash_in_transit: flat shop_cash_transit_premium[plan_a] = 40 → 40.00
    # public_liability: flat shop_pl_premium[plan_a] = 150.00    → 150.00
    # business_interruption: not selected (default off)
    assert steps(result.worksheet(0)) == [
        ("property", 0, "shop_property_premium@2026.1", approx(500), approx(500)),
        ("property", 1, "shop_zone@2026.1", approx(1.15), approx(575)),
        ("cash_in_safe", 0, "shop_cash_safe_premium@2026.1", approx(50), approx(50)),
        ("cash_in_transit", 0, "shop_cash_transit_premium@2026.1", approx(40), approx(40)),
        ("public_liability", 0, "shop_pl_premium@2026.1", approx(150), approx(150)),
    ]
    # premium = 575 + 50 + 40 + 150 = 815.00 CNY = 81,500 fen
    # VAT: 57,500 → net 54,245.28 → 54,245, VAT 3,255;  5,000 → 4,716.98 → 4,717, VAT 283;
    #      4,000 → 3,773.58 → 3,774, VAT 226;  15,000 → 14,150.94 → 14,151, VAT 849
    #      total VAT 4,613, net premium 76,887
    # commission = round_half_up(0.05 × 76,887 = 3,844.35) = 3,844
    # subsidy = round_half_up(81,500 × 0.5) = 40,750; customer pays 81,500 − 40,750 = 40,750
    assert money(
        result,
        [
            "premium_property",
            "premium_cash_in_safe",
            "premium_cash_in_transit",
            "premium_public_liability",
            "premium_business_interruption",
            "premium",
            "vat",
            "net_premium",
            "commission",
            "subsidy",
            "total_payable",
            "customer_pays",
        ],
    ) == {
        "premium_property": 57500,
        "premium_cash_in_safe": 5000,
        "premium_cash_in_transit": 4000,
        "premium_public_liability": 15000,
        "premium_business_interruption": 0,
        "premium": 81500,
        "vat": 4613,
        "net_premium": 76887,
        "commission": 3844,
        "subsidy": 40750,
        "total_payable": 81500,
        "customer_pays": 40750,
    }
    subsidy_line = result.worksheet(0).query("kind == 'subsidy'").iloc[0]
    assert (subsidy_line.figure, subsidy_line.before, subsidy_line.after) == (407.5, 815.0, 407.5)


def test_unknown_level_names_the_field(rater):
    with pytest.raises(RatingInputError) as exc:
        rater.quote(
            CODE,
            {**RISK, "cover_business_interruption": True, "bi_gross_profit": 750000},
            as_of=AS_OF,
        )
    # the engine also reports the (now missing) tier as required by the selected coverage
    assert {i.field for i in exc.value.issues} == {"bi_gross_profit"}
    assert "not an allowed level" in exc.value.issues[0].reason


def test_out_of_range_names_the_field(rater):
    with pytest.raises(RatingInputError) as exc:
        rater.quote(CODE, {**RISK, "floor_area_m2": 0}, as_of=AS_OF)
    assert [i.field for i in exc.value.issues] == ["floor_area_m2"]


def test_catalogue_checks_clean(catalogue):
    assert check_catalogue(catalogue) == []
