"""EMPLOYERS_LIABILITY@2026.1: golden worksheets worked by hand (payroll derived as headcount ×
monthly wage × 12.5), the policy minimum shared between coverages, and input errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sme_insure.catalogue import check_catalogue
from sme_insure.errors import RatingInputError
from support.golden import approx, money, steps

ROOT = Path(__file__).parents[2]
AS_OF = dt.date(2026, 3, 1)
CODE = "EMPLOYERS_LIABILITY"
RISK = {
    "occupational_class": 3,
    "headcount": 12,
    "monthly_wage": 6500,
    "limit_per_person": 1000000,
    "deductible_per_accident": 10000,
    "claims_free_years": 2,
}


COLUMNS = [
    "premium_death_disability",
    "premium_medical_expenses",
    "technical_premium",
    "minimum_adjustment",
    "premium",
    "vat",
    "net_premium",
    "commission",
]
DD, MED = "death_disability", "medical_expenses"


def test_golden_class_3_twelve_employees_1m_limit(rater):
    result = rater.quote(CODE, RISK, as_of=AS_OF, worksheet=True)
    # payroll = 12 × 6,500 × 12.5 = 975,000
    # death_disability:
    #   base_rate el_base_rate[3] = 2.60 ‰ × 975,000   → 2,535.00
    #   factor el_limit[1000000] = 1.95                 → 4,943.25
    #   factor el_deductible[10000] = 0.92              → 4,547.79
    #   factor el_no_claims[2] = 0.90                   → 4,093.011   (→ 4,093.01)
    # medical_expenses (selected by default):
    #   base_rate el_medical_rate[3] = 0.70 ‰ × 975,000 →   682.50
    #   factor el_no_claims[2] = 0.90                   →   614.25
    ws = result.worksheet(0)
    assert steps(ws) == [
        (DD, 0, "el_base_rate@2026.1", approx(2.60), approx(2535)),
        (DD, 1, "el_limit@2026.1", approx(1.95), approx(4943.25)),
        (DD, 2, "el_deductible@2026.1", approx(0.92), approx(4547.79)),
        (DD, 3, "el_no_claims@2026.1", approx(0.90), approx(4093.011)),
        (MED, 0, "el_medical_rate@2026.1", approx(0.70), approx(682.50)),
        (MED, 1, "el_no_claims@2026.1", approx(0.90), approx(614.25)),
    ]
    assert "payroll=975,000" in ws.iloc[0].inputs
    # premium = 4,093.01 + 614.25 = 4,707.26 CNY = 470,726 fen (above the 500 minimum)
    # VAT: 409,301 / 1.06 = 386,133.02 → net 386,133, VAT 23,168
    #       61,425 / 1.06 =  57,948.11 → net  57,948, VAT  3,477   total VAT 26,645
    # commission = round_half_up(0.12 × 444,081 = 53,289.72) = 53,290
    assert money(result, COLUMNS) == {
        "premium_death_disability": 409301,
        "premium_medical_expenses": 61425,
        "technical_premium": 470726,
        "minimum_adjustment": 0,
        "premium": 470726,
        "vat": 26645,
        "net_premium": 444081,
        "commission": 53290,
    }


def test_policy_minimum_is_shared_between_coverages(rater):
    risk = {
        "occupational_class": 1,
        "headcount": 2,
        "monthly_wage": 4000,
        "limit_per_person": 300000,
    }
    result = rater.quote(CODE, risk, as_of=AS_OF, worksheet=True)
    # payroll = 2 × 4,000 × 12.5 = 100,000
    # death_disability: 1.00 ‰ × 100,000 = 100.00; × el_limit[300000] 0.68 = 68.00;
    #   × el_deductible[0 default] 1.00 = 68.00; × el_no_claims[0 default] 1.00 = 68.00
    # medical_expenses: 0.30 ‰ × 100,000 = 30.00; × 1.00 = 30.00
    assert steps(result.worksheet(0)) == [
        (DD, 0, "el_base_rate@2026.1", approx(1.00), approx(100)),
        (DD, 1, "el_limit@2026.1", approx(0.68), approx(68)),
        (DD, 2, "el_deductible@2026.1", approx(1.00), approx(68)),
        (DD, 3, "el_no_claims@2026.1", approx(1.00), approx(68)),
        (MED, 0, "el_medical_rate@2026.1", approx(0.30), approx(30)),
        (MED, 1, "el_no_claims@2026.1", approx(1.00), approx(30)),
    ]
    # technical 6,800 + 3,000 = 9,800 fen; minimum 50,000 → top-up 40,200 shared pro rata (floor):
    #   DD 40,200 × 6,800 // 9,800 = 27,893; MED 40,200 × 3,000 // 9,800 = 12,306;
    #   the remaining 1 fen to the largest (DD) → DD 6,800 + 27,894 = 34,694, MED 15,306
    # VAT: 34,694 / 1.06 = 32,730.19 → 32,730, VAT 1,964; 15,306 / 1.06 = 14,439.62 → 14,440,
    #   VAT 866; total 2,830; commission = round_half_up(0.12 × 47,170 = 5,660.4) = 5,660
    assert money(result, COLUMNS) == {
        "premium_death_disability": 34694,
        "premium_medical_expenses": 15306,
        "technical_premium": 9800,
        "minimum_adjustment": 40200,
        "premium": 50000,
        "vat": 2830,
        "net_premium": 47170,
        "commission": 5660,
    }


def test_unknown_level_names_the_field(rater):
    # the decline class is not offered
    with pytest.raises(RatingInputError) as exc:
        rater.quote(CODE, {**RISK, "occupational_class": 7}, as_of=AS_OF)
    assert [i.field for i in exc.value.issues] == ["occupational_class"]


def test_out_of_range_names_the_field(rater):
    with pytest.raises(RatingInputError) as exc:
        rater.quote(CODE, {**RISK, "monthly_wage": 500}, as_of=AS_OF)
    assert [i.field for i in exc.value.issues] == ["monthly_wage"]
    assert "between" in exc.value.issues[0].reason


def test_catalogue_checks_clean(catalogue):
    assert check_catalogue(catalogue) == []
