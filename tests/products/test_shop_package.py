"""SHOP_PACKAGE@2026.1: a golden worksheet worked by hand, and input errors that name the field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sme_insure.catalogue import check_catalogue
from sme_insure.errors import RatingInputError
from support.golden import approx, money, steps

ROOT = Path(__file__).parents[2]
AS_OF = dt.date(2026, 3, 1)
CODE = "SHOP_PACKAGE"


def test_golden_plan_b_guangdong_with_business_interruption(rater):
    risk = {
        "plan": "plan_b",
        "province": "44",
        "cover_business_interruption": True,
        "bi_gross_profit": 1000000,
    }
    result = rater.quote(CODE, risk, as_of=AS_OF, worksheet=True)
    # property: flat shop_property_premium[plan_b] = 1,000.00       → 1,000.00
    #           factor shop_zone[44 Guangdong] = 1.25              → 1,250.00
    # cash_in_safe: flat shop_cash_safe_premium[plan_b] = 90.00    →    90.00
    # cash_in_transit: flat shop_cash_transit_premium[plan_b] = 70 →    70.00
    # public_liability: flat shop_pl_premium[plan_b] = 250.00      →   250.00
    # business_interruption: flat shop_bi_premium[1000000] = 650   →   650.00
    assert steps(result.worksheet(0)) == [
        ("property", 0, "shop_property_premium@2026.1", approx(1000), approx(1000)),
        ("property", 1, "shop_zone@2026.1", approx(1.25), approx(1250)),
        ("cash_in_safe", 0, "shop_cash_safe_premium@2026.1", approx(90), approx(90)),
        ("cash_in_transit", 0, "shop_cash_transit_premium@2026.1", approx(70), approx(70)),
        ("public_liability", 0, "shop_pl_premium@2026.1", approx(250), approx(250)),
        ("business_interruption", 0, "shop_bi_premium@2026.1", approx(650), approx(650)),
    ]
    # premium = 1,250 + 90 + 70 + 250 + 650 = 2,310.00 CNY = 231,000 fen
    # VAT per coverage, net = round_half_up(gross / 1.06):
    #   125,000 → net 117,924.53 → 117,925, VAT 7,075
    #     9,000 → net   8,490.57 →   8,491, VAT   509
    #     7,000 → net   6,603.77 →   6,604, VAT   396
    #    25,000 → net  23,584.91 →  23,585, VAT 1,415
    #    65,000 → net  61,320.75 →  61,321, VAT 3,679   total VAT 13,074
    # commission = round_half_up(0.10 × (231,000 − 13,074) = 21,792.6) = 21,793
    assert money(
        result,
        [
            "premium_property",
            "premium_cash_in_safe",
            "premium_cash_in_transit",
            "premium_public_liability",
            "premium_business_interruption",
            "technical_premium",
            "minimum_adjustment",
            "premium",
            "vat",
            "net_premium",
            "commission",
            "subsidy",
            "customer_pays",
        ],
    ) == {
        "premium_property": 125000,
        "premium_cash_in_safe": 9000,
        "premium_cash_in_transit": 7000,
        "premium_public_liability": 25000,
        "premium_business_interruption": 65000,
        "technical_premium": 231000,
        "minimum_adjustment": 0,
        "premium": 231000,
        "vat": 13074,
        "net_premium": 217926,
        "commission": 21793,
        "subsidy": 0,
        "customer_pays": 231000,
    }


def test_plan_only_quote_leaves_business_interruption_out(rater):
    result = rater.quote(CODE, {"plan": "plan_a", "province": "11"}, as_of=AS_OF, worksheet=True)
    # property 500 × shop_zone[11 Beijing] 1.00 = 500; cash 50 + 40; liability 150 → 740.00
    assert {c for c, *_ in steps(result.worksheet(0))} == {
        "property",
        "cash_in_safe",
        "cash_in_transit",
        "public_liability",
    }
    assert money(result, ["premium_business_interruption", "premium"]) == {
        "premium_business_interruption": 0,
        "premium": 74000,
    }


def test_business_interruption_needs_its_gross_profit_tier(rater):
    with pytest.raises(RatingInputError) as exc:
        rater.quote(
            CODE,
            {"plan": "plan_a", "province": "11", "cover_business_interruption": True},
            as_of=AS_OF,
        )
    assert [i.field for i in exc.value.issues] == ["bi_gross_profit"]


def test_unknown_level_names_the_field(rater):
    with pytest.raises(RatingInputError) as exc:
        rater.quote(CODE, {"plan": "plan_z", "province": "11"}, as_of=AS_OF)
    assert [i.field for i in exc.value.issues] == ["plan"]


def test_unknown_province_names_the_field(rater):
    with pytest.raises(RatingInputError) as exc:
        rater.quote(CODE, {"plan": "plan_a", "province": "99"}, as_of=AS_OF)
    assert [i.field for i in exc.value.issues] == ["province"]


def test_out_of_range_names_the_field(rater):
    with pytest.raises(RatingInputError) as exc:
        rater.quote(CODE, {"plan": "plan_a", "province": "11", "floor_area_m2": 1500}, as_of=AS_OF)
    assert [i.field for i in exc.value.issues] == ["floor_area_m2"]
    assert "between" in exc.value.issues[0].reason


def test_catalogue_checks_clean(catalogue):
    assert check_catalogue(catalogue) == []
