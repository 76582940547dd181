"""SME property, worked by hand.

Risk: industrial class 3, mixed construction (class_2), Zhejiang (33), sum insured 2,000,000,
extinguishers only, no losses, deductible 5,000; no optional cover.

Fire and explosion
  base rate prop_fire_rate[industrial_3] = 1.45 ‰ → 2,000,000 × 1.45 / 1000 = 2,900.00
  × prop_construction[class_2] 1.10           → 3,190.00
  × prop_si_size[1M ≤ SI < 5M] 0.95            → 3,030.50
  × prop_fire_protection[extinguishers] 1.00   → 3,030.50
  × prop_loss_history[none] 0.90               → 2,727.45
  × prop_deductible[5000] 0.95                 → 2,591.0775 → 2,591.08 (half up) = 259,108 fen
Typhoon, flood and rainstorm
  prop_natcat_rate[33] = 0.30 ‰ → 600.00; × 0.95 size → 570.00; × 0.95 deductible → 541.50
  = 54,150 fen
Premium 313,258 fen (above the 500 CNY policy minimum).
VAT per coverage: fire net = 259,108 / 1.06 = 244,441.51 → 244,442, VAT 14,666;
natcat net = 54,150 / 1.06 = 51,084.91 → 51,085, VAT 3,065; VAT 17,731, net 295,527.
Commission 15 % of net: 44,329.05 → 44,329.
"""

from __future__ import annotations

import datetime as dt

import pytest

AS_OF = dt.date(2026, 3, 1)
RISK = {
    "occupancy_class": "industrial_3",
    "construction": "class_2",
    "province": "33",
    "sum_insured": 2_000_000,
    "fire_protection": "extinguishers_only",
    "loss_history": "none",
    "deductible": 5000,
}


@pytest.fixture(scope="module")
def result(rater):
    return rater.quote("SME_PROPERTY", RISK, as_of=AS_OF, worksheet=True)


def test_money(result):
    money = result.premiums.iloc[0]
    assert money["premium_fire"] == 259_108
    assert money["premium_natcat"] == 54_150
    assert money["premium_earthquake"] == 0
    assert money["premium"] == 313_258
    assert money["vat"] == 17_731
    assert money["net_premium"] == 295_527
    assert money["commission"] == 44_329
    assert money["minimum_adjustment"] == 0
    assert money["customer_pays"] == 313_258


def test_worksheet_steps(result):
    ws = result.worksheet(0)
    fire = ws[ws.coverage == "fire"]
    assert fire.figure.tolist() == pytest.approx([1.45, 1.10, 0.95, 1.00, 0.90, 0.95])
    assert fire.after.tolist() == pytest.approx([2900, 3190, 3030.5, 3030.5, 2727.45, 2591.0775])
    assert fire.tables.iloc[0] == "prop_fire_rate@2026.1"
    assert "occupancy_class=industrial_3" in fire.inputs.iloc[0]
    natcat = ws[ws.coverage == "natcat"]
    assert natcat.after.tolist() == pytest.approx([600, 570, 541.5])
    assert set(ws.coverage) == {"fire", "natcat", "policy"}


def test_worksheet_reproduces_premium(result):
    """Each step's after = before (op) figure, and the rounded coverage totals add to the premium."""
    ws = result.worksheet(0)
    for r in ws[ws.coverage != "policy"].itertuples():
        expected = {
            "factor": r.before * r.figure,
            "base_rate": r.before + 2_000_000 * r.figure / 1000,
        }
        assert r.after == pytest.approx(expected[r.kind])
    last = ws[ws.coverage != "policy"].groupby("coverage").after.last()
    assert sum(round(v * 100 + 1e-9) for v in last) == result.premiums.iloc[0]["premium"]


def test_versions_recorded(result):
    versions = result.versions
    assert versions["product_version"] == "2026.1"
    assert versions["tables"]["prop_fire_rate"] == "2026.1"
    assert versions["as_of"] == "2026-03-01"


def test_optional_cover_and_minimum(rater):
    """BI selected: 300,000 gross profit × 1.10 ‰ × 1.0 (6 months) = 330 > 300 minimum.
    Small office risk: SI 50,000 × 0.50 ‰ ... far below 500 CNY policy minimum → topped up."""
    bi = rater.quote(
        "SME_PROPERTY",
        {**RISK, "cover_business_interruption": True, "gross_profit": 300_000},
        as_of=AS_OF,
    )
    assert bi.premiums.iloc[0]["premium_business_interruption"] == 33_000
    small = rater.quote(
        "SME_PROPERTY", {**RISK, "occupancy_class": "office", "sum_insured": 50_000}, as_of=AS_OF
    ).premiums.iloc[0]
    # fire 50,000 × 0.5‰ = 25 × 1.1 × 1.0 × 1.0 × 0.9 × 0.95 = 23.5125 → 23.51; natcat 15 × 1 × .95 = 14.25
    assert small["technical_premium"] == 2351 + 1425
    assert small["premium"] == 50_000
    assert small["minimum_adjustment"] == 50_000 - 3776
    assert small["premium_fire"] + small["premium_natcat"] == 50_000
