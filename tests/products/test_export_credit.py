"""EXPORT_CREDIT@2026.1: a golden worksheet worked by hand (VAT-exempt), the credit-period band
edges, and input errors naming the field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sme_insure.catalogue import check_catalogue
from sme_insure.errors import RatingInputError
from support.golden import approx, money, steps

ROOT = Path(__file__).parents[2]
AS_OF = dt.date(2026, 3, 1)
CODE = "EXPORT_CREDIT"
RISK = {
    "insured_turnover": 12_000_000,
    "payment_method": "oa",
    "credit_period_days": 90,
    "country_grade": 3,
    "buyer_grade": "C",
    "buyer_credit_limit": 1_500_000,
    "indemnity_percentage": 85,
    "declaration": "whole_turnover",
}


COV = "short_term_credit"


def test_golden_open_account_90_days(rater):
    result = rater.quote(CODE, RISK, as_of=AS_OF, worksheet=True)
    # base_rate ec_base_rate[oa, 90 days in band [61, 91)] = 4.5 ‰ × 12,000,000 → 54,000.00
    # factor ec_country_grade[3] = 1.12                                     → 60,480.00
    # factor ec_buyer_grade[C] = 1.25                                       → 75,600.00
    # factor ec_indemnity[85] = 0.94                                        → 71,064.00
    # factor ec_declaration[whole_turnover] = 1.00                          → 71,064.00
    # factor ec_loss_history[none, product default] = 0.95                  → 67,510.80
    # minimum 3,000.00 (stated)                                             → 67,510.80
    assert steps(result.worksheet(0)) == [
        (COV, 0, "ec_base_rate@2026.1", approx(4.5), approx(54000)),
        (COV, 1, "ec_country_grade@2026.1", approx(1.12), approx(60480)),
        (COV, 2, "ec_buyer_grade@2026.1", approx(1.25), approx(75600)),
        (COV, 3, "ec_indemnity@2026.1", approx(0.94), approx(71064)),
        (COV, 4, "ec_declaration@2026.1", approx(1.00), approx(71064)),
        (COV, 5, "ec_loss_history@2026.1", approx(0.95), approx(67510.80)),
        (COV, 6, "", approx(3000), approx(67510.80)),
    ]
    # 67,510.80 CNY = 6,751,080 fen; exempt from VAT: VAT 0, net = premium
    # commission = round_half_up(0.05 × 6,751,080 = 337,554) = 337,554
    assert money(
        result,
        [
            "premium_short_term_credit",
            "technical_premium",
            "minimum_adjustment",
            "premium",
            "vat",
            "net_premium",
            "commission",
        ],
    ) == {
        "premium_short_term_credit": 6751080,
        "technical_premium": 6751080,
        "minimum_adjustment": 0,
        "premium": 6751080,
        "vat": 0,
        "net_premium": 6751080,
        "commission": 337554,
    }


@pytest.mark.parametrize(
    ("days", "rate"), [(0, 3.0), (30, 3.0), (31, 3.8), (91, 5.3), (181, 7.9), (360, 7.9)]
)
def test_credit_period_bands_are_half_open(rater, days, rate):
    ws = rater.quote(
        CODE, {**RISK, "credit_period_days": days}, as_of=AS_OF, worksheet=True
    ).worksheet(0)
    assert ws.iloc[0].figure == approx(rate)


def test_unknown_level_names_the_field(rater):
    with pytest.raises(RatingInputError) as exc:
        rater.quote(CODE, {**RISK, "payment_method": "cad"}, as_of=AS_OF)
    assert [i.field for i in exc.value.issues] == ["payment_method"]


def test_out_of_range_names_the_field(rater):
    with pytest.raises(RatingInputError) as exc:
        rater.quote(CODE, {**RISK, "credit_period_days": 400}, as_of=AS_OF)
    assert [i.field for i in exc.value.issues] == ["credit_period_days"]
    assert "between" in exc.value.issues[0].reason


def test_catalogue_checks_clean(catalogue):
    assert check_catalogue(catalogue) == []
