"""PRODUCT_LIABILITY@2026.1: golden worksheets worked by hand (including the interpolated
sales-volume factor), and input errors naming the field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from sme_insure.catalogue import Product, check_catalogue
from sme_insure.errors import RatingInputError
from support.golden import approx, money, steps

ROOT = Path(__file__).parents[2]
AS_OF = dt.date(2026, 3, 1)
CODE = "PRODUCT_LIABILITY"
RISK = {
    "hazard_class": "B",
    "estimated_annual_sales": 80_000_000,
    "limit_per_occurrence": 2000000,
    "aggregate_ratio": 10,
    "territory": "export_excl_north_america",
}


COLUMNS = [
    "premium_product_liability",
    "technical_premium",
    "minimum_adjustment",
    "premium",
    "vat",
    "net_premium",
    "commission",
]
COV = "product_liability"


def test_golden_class_b_exporter_2m_limit(rater):
    result = rater.quote(CODE, RISK, as_of=AS_OF, worksheet=True)
    # base_rate prodl_base_rate[B] = 1.00 ‰ × 80,000,000 sales          →  80,000.00
    # factor prodl_ilf[B, 2000000] = 1.83                               → 146,400.00
    # factor prodl_aggregate[10] = 1.2                                  → 175,680.00
    # factor prodl_sales_volume, 80M between 50M (1.0) and 200M (0.8):
    #   1.0 × (200 − 80)/(200 − 50) + 0.8 × (80 − 50)/(200 − 50) = 0.8 + 0.16 = 0.96
    #                                                                   → 168,652.80
    # factor prodl_territory[export_excl_north_america] = 1.50          → 252,979.20
    # minimum 2,000.00 (stated)                                         → 252,979.20
    assert steps(result.worksheet(0)) == [
        (COV, 0, "prodl_base_rate@2026.1", approx(1.00), approx(80000)),
        (COV, 1, "prodl_ilf@2026.1", approx(1.83), approx(146400)),
        (COV, 2, "prodl_aggregate@2026.1", approx(1.2), approx(175680)),
        (COV, 3, "prodl_sales_volume@2026.1", approx(0.96), approx(168652.80)),
        (COV, 4, "prodl_territory@2026.1", approx(1.50), approx(252979.20)),
        (COV, 5, "", approx(2000), approx(252979.20)),
    ]
    # 252,979.20 CNY = 25,297,920 fen
    # VAT: net = round_half_up(25,297,920 / 1.06 = 23,865,962.26) = 23,865,962; VAT 1,431,958
    # commission = round_half_up(0.15 × 23,865,962 = 3,579,894.3) = 3,579,894
    assert money(result, COLUMNS) == {
        "premium_product_liability": 25297920,
        "technical_premium": 25297920,
        "minimum_adjustment": 0,
        "premium": 25297920,
        "vat": 1431958,
        "net_premium": 23865962,
        "commission": 3579894,
    }


def test_small_seller_below_20m_is_quotable_and_meets_the_minimum(rater):
    risk = {
        "hazard_class": "A",
        "estimated_annual_sales": 2_000_000,
        "limit_per_occurrence": 400000,
        "territory": "domestic",
    }
    result = rater.quote(CODE, risk, as_of=AS_OF, worksheet=True)
    # 0.50 ‰ × 2,000,000 = 1,000.00; ILF[A, 400000] 1.00 → 1,000.00;
    # aggregate[5, product default] 1.0 → 1,000.00;
    # sales volume between the added 1M point (1.2) and 20M (1.2) = 1.2 → 1,200.00;
    # territory[domestic] 1.00 → 1,200.00; minimum 2,000.00 → 2,000.00 (top-up 800.00)
    assert steps(result.worksheet(0)) == [
        (COV, 0, "prodl_base_rate@2026.1", approx(0.50), approx(1000)),
        (COV, 1, "prodl_ilf@2026.1", approx(1.00), approx(1000)),
        (COV, 2, "prodl_aggregate@2026.1", approx(1.0), approx(1000)),
        (COV, 3, "prodl_sales_volume@2026.1", approx(1.2), approx(1200)),
        (COV, 4, "prodl_territory@2026.1", approx(1.00), approx(1200)),
        (COV, 5, "", approx(2000), approx(2000)),
    ]
    # VAT: 200,000 / 1.06 = 188,679.25 → net 188,679, VAT 11,321
    # commission = round_half_up(0.15 × 188,679 = 28,301.85) = 28,302
    assert money(result, COLUMNS) == {
        "premium_product_liability": 200000,
        "technical_premium": 200000,
        "minimum_adjustment": 80000,
        "premium": 200000,
        "vat": 11321,
        "net_premium": 188679,
        "commission": 28302,
    }


def test_ilf_matches_the_reference_at_8m(rater):
    figures = []
    for hazard in "ABC":
        ws = rater.quote(
            CODE,
            {**RISK, "hazard_class": hazard, "limit_per_occurrence": 8000000},
            as_of=AS_OF,
            worksheet=True,
        ).worksheet(0)
        figures.append(ws.query("step == 1").iloc[0].figure)
    assert figures == [1.85, 2.85, 3.85]


def test_unknown_level_names_the_field(rater):
    with pytest.raises(RatingInputError) as exc:
        rater.quote(CODE, {**RISK, "territory": "mars"}, as_of=AS_OF)
    assert [i.field for i in exc.value.issues] == ["territory"]


@pytest.mark.parametrize("sales", [500_000, 3_500_000_000])
def test_out_of_range_names_the_field(rater, sales):
    with pytest.raises(RatingInputError) as exc:
        rater.quote(CODE, {**RISK, "estimated_annual_sales": sales}, as_of=AS_OF)
    assert [i.field for i in exc.value.issues] == ["estimated_annual_sales"]
    assert "between" in exc.value.issues[0].reason


def test_catalogue_checks_clean(catalogue):
    assert check_catalogue(catalogue) == []


def test_the_deposit_is_adjustable_on_actual_sales_and_only_numeric_inputs_are(catalogue):
    """The wording adjusts the deposit on actual sales at expiry: the product declares it."""
    assert catalogue.get(CODE, "2026.1").policy.adjustable_inputs == ["estimated_annual_sales"]
    data = yaml.safe_load((ROOT / "products" / "product_liability" / "2026.1.yaml").read_text("utf-8"))
    for name in ("territory", "actual_sales"):
        with pytest.raises(ValidationError, match=f"adjustable input '{name}' is not a numeric input"):
            Product.model_validate({**data, "policy": {"adjustable_inputs": [name]}})
