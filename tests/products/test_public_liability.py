"""PUBLIC_LIABILITY@2026.1: golden worksheets worked by hand, and input errors naming the field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sme_insure.catalogue import check_catalogue
from sme_insure.errors import RatingInputError
from support.golden import approx, money, steps

ROOT = Path(__file__).parents[2]
AS_OF = dt.date(2026, 3, 1)
CODE = "PUBLIC_LIABILITY"
RISK = {
    "premises_category": "retail_services",
    "area_m2": 1200,
    "limit_per_occurrence": 1000000,
    "deductible": 2000,
    "loss_history": "one",
}


COLUMNS = [
    "premium_public_liability",
    "technical_premium",
    "minimum_adjustment",
    "premium",
    "vat",
    "net_premium",
    "commission",
]


def test_golden_retail_shop_1m_limit(rater):
    result = rater.quote(CODE, RISK, as_of=AS_OF, worksheet=True)
    # per_unit pl_area_rate[retail_services] = 0.70 CNY/m² × 1,200 m²  →   840.00
    # factor pl_ilf[1000000] = 1.30                                  → 1,092.00
    # factor pl_deductible[2000] = 0.95                              → 1,037.40
    # factor pl_loss_history[one] = 1.10                             → 1,141.14
    assert steps(result.worksheet(0)) == [
        ("public_liability", 0, "pl_area_rate@2026.1", approx(0.70), approx(840)),
        ("public_liability", 1, "pl_ilf@2026.1", approx(1.30), approx(1092)),
        ("public_liability", 2, "pl_deductible@2026.1", approx(0.95), approx(1037.40)),
        ("public_liability", 3, "pl_loss_history@2026.1", approx(1.10), approx(1141.14)),
    ]
    # 1,141.14 CNY = 114,114 fen, above the 500 policy minimum
    # VAT: net = round_half_up(114,114 / 1.06 = 107,654.72) = 107,655; VAT 6,459
    # commission = round_half_up(0.15 × 107,655 = 16,148.25) = 16,148
    assert money(result, COLUMNS) == {
        "premium_public_liability": 114114,
        "technical_premium": 114114,
        "minimum_adjustment": 0,
        "premium": 114114,
        "vat": 6459,
        "net_premium": 107655,
        "commission": 16148,
    }


def test_small_office_is_topped_up_to_the_policy_minimum(rater):
    risk = {
        "premises_category": "office_closed_factory",
        "area_m2": 300,
        "limit_per_occurrence": 500000,
    }
    result = rater.quote(CODE, risk, as_of=AS_OF, worksheet=True)
    # 0.40 × 300 = 120.00; × pl_ilf[500000] 1.00 = 120.00; × pl_deductible[1000 default] 1.00
    # = 120.00; × pl_loss_history[none default] 0.95 = 114.00
    assert steps(result.worksheet(0)) == [
        ("public_liability", 0, "pl_area_rate@2026.1", approx(0.40), approx(120)),
        ("public_liability", 1, "pl_ilf@2026.1", approx(1.00), approx(120)),
        ("public_liability", 2, "pl_deductible@2026.1", approx(1.00), approx(120)),
        ("public_liability", 3, "pl_loss_history@2026.1", approx(0.95), approx(114)),
    ]
    # policy minimum 500.00: top-up 386.00; VAT: 50,000 / 1.06 = 47,169.81 → net 47,170, VAT 2,830
    # commission = round_half_up(0.15 × 47,170 = 7,075.5) = 7,076
    assert money(result, COLUMNS) == {
        "premium_public_liability": 50000,
        "technical_premium": 11400,
        "minimum_adjustment": 38600,
        "premium": 50000,
        "vat": 2830,
        "net_premium": 47170,
        "commission": 7076,
    }


def test_unknown_level_names_the_field(rater):
    with pytest.raises(RatingInputError) as exc:
        rater.quote(CODE, {**RISK, "limit_per_occurrence": 750000}, as_of=AS_OF)
    assert [i.field for i in exc.value.issues] == ["limit_per_occurrence"]


def test_out_of_range_names_the_field(rater):
    with pytest.raises(RatingInputError) as exc:
        rater.quote(CODE, {**RISK, "area_m2": 60000}, as_of=AS_OF)
    assert [i.field for i in exc.value.issues] == ["area_m2"]
    assert "between" in exc.value.issues[0].reason


def test_catalogue_checks_clean(catalogue):
    assert check_catalogue(catalogue) == []
