"""CARGO@2026.1: golden worksheets worked by hand (open cover and a single shipment at the
minimum), and input errors naming the field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from sme_insure.catalogue import check_catalogue
from sme_insure.catalogue.loader import load_products
from sme_insure.errors import ConfigurationError, RatingInputError
from support.golden import approx, money, steps

ROOT = Path(__file__).parents[2]
AS_OF = dt.date(2026, 3, 1)
CODE = "CARGO"
RISK = {
    "cover_basis": "annual_open_cover",
    "invoice_value": 30_000_000,
    "goods_category": "electronics",
    "conveyance": "sea",
    "route": "export",
    "deductible": 2000,
    "limit_per_shipment": 2_000_000,
}


COLUMNS = [
    "premium_cargo_all_risks",
    "technical_premium",
    "minimum_adjustment",
    "premium",
    "vat",
    "net_premium",
    "commission",
]
COV = "cargo_all_risks"


def test_golden_open_cover_electronics_by_sea_for_export(rater):
    result = rater.quote(CODE, RISK, as_of=AS_OF, worksheet=True)
    # base_rate cargo_rate[electronics, sea] = 1.10 ‰ × 30,000,000 invoice  → 33,000.00
    # factor cargo_route[export] = 1.20                                    → 39,600.00
    # factor cargo_valuation[invoice_plus_10, product default] = 1.10      → 43,560.00
    # factor cargo_cover_basis[annual_open_cover] = 1.00                   → 43,560.00
    # factor cargo_deductible[2000] = 0.95                                 → 41,382.00
    # minimum cargo_minimum[annual_open_cover] = 1,000.00                  → 41,382.00
    assert steps(result.worksheet(0)) == [
        (COV, 0, "cargo_rate@2026.1", approx(1.10), approx(33000)),
        (COV, 1, "cargo_route@2026.1", approx(1.20), approx(39600)),
        (COV, 2, "cargo_valuation@2026.1", approx(1.10), approx(43560)),
        (COV, 3, "cargo_cover_basis@2026.1", approx(1.00), approx(43560)),
        (COV, 4, "cargo_deductible@2026.1", approx(0.95), approx(41382)),
        (COV, 5, "cargo_minimum@2026.1", approx(1000), approx(41382)),
    ]
    # 41,382.00 CNY = 4,138,200 fen
    # VAT: net = round_half_up(4,138,200 / 1.06 = 3,903,962.26) = 3,903,962; VAT 234,238
    # commission = round_half_up(0.15 × 3,903,962 = 585,594.3) = 585,594
    assert money(result, COLUMNS) == {
        "premium_cargo_all_risks": 4138200,
        "technical_premium": 4138200,
        "minimum_adjustment": 0,
        "premium": 4138200,
        "vat": 234238,
        "net_premium": 3903962,
        "commission": 585594,
    }


def test_single_shipment_meets_its_minimum(rater):
    risk = {
        "cover_basis": "single_shipment",
        "invoice_value": 40_000,
        "goods_category": "textiles_garments",
        "conveyance": "road",
        "route": "domestic",
        "valuation_basis": "invoice",
        "limit_per_shipment": 40_000,
    }
    result = rater.quote(CODE, risk, as_of=AS_OF, worksheet=True)
    # 0.45 ‰ × 40,000 = 18.00; route[domestic] 1.00 → 18.00; valuation[invoice] 1.00 → 18.00;
    # cover_basis[single_shipment] 1.20 → 21.60; deductible[1000 default] 1.00 → 21.60;
    # minimum cargo_minimum[single_shipment] 50.00 → 50.00 (top-up 28.40)
    assert steps(result.worksheet(0)) == [
        (COV, 0, "cargo_rate@2026.1", approx(0.45), approx(18)),
        (COV, 1, "cargo_route@2026.1", approx(1.00), approx(18)),
        (COV, 2, "cargo_valuation@2026.1", approx(1.00), approx(18)),
        (COV, 3, "cargo_cover_basis@2026.1", approx(1.20), approx(21.60)),
        (COV, 4, "cargo_deductible@2026.1", approx(1.00), approx(21.60)),
        (COV, 5, "cargo_minimum@2026.1", approx(50), approx(50)),
    ]
    # VAT: 5,000 / 1.06 = 4,716.98 → net 4,717, VAT 283
    # commission = round_half_up(0.15 × 4,717 = 707.55) = 708
    assert money(result, COLUMNS) == {
        "premium_cargo_all_risks": 5000,
        "technical_premium": 5000,
        "minimum_adjustment": 2840,
        "premium": 5000,
        "vat": 283,
        "net_premium": 4717,
        "commission": 708,
    }


def test_unknown_level_names_the_field(rater):
    with pytest.raises(RatingInputError) as exc:
        rater.quote(CODE, {**RISK, "conveyance": "pipeline"}, as_of=AS_OF)
    assert [i.field for i in exc.value.issues] == ["conveyance"]


def test_out_of_range_names_the_field(rater):
    with pytest.raises(RatingInputError) as exc:
        rater.quote(CODE, {**RISK, "invoice_value": 5_000}, as_of=AS_OF)
    assert [i.field for i in exc.value.issues] == ["invoice_value"]
    assert "between" in exc.value.issues[0].reason


def test_catalogue_checks_clean(catalogue):
    assert check_catalogue(catalogue) == []


VERSION_2027 = dt.date(2027, 3, 1)


def test_2027_version_exempts_exported_goods_from_vat(rater):
    """CARGO@2026.2 (from 2027-01-01): the same premium, but insurance of exported goods carries
    no VAT (Caishui [2016] No. 36, Annex 4, art. 2); other routes keep it."""
    result = rater.quote(CODE, RISK, as_of=VERSION_2027, worksheet=True)
    assert result.product.version == "2026.2"
    # the steps of the 2026.1 golden worksheet → 41,382.00 CNY = 4,138,200 fen, all net:
    # VAT 0; commission = round_half_up(0.15 × 4,138,200 = 620,730) = 620,730
    assert money(result, COLUMNS) == {
        "premium_cargo_all_risks": 4138200,
        "technical_premium": 4138200,
        "minimum_adjustment": 0,
        "premium": 4138200,
        "vat": 0,
        "net_premium": 4138200,
        "commission": 620730,
    }
    domestic = rater.quote(CODE, {**RISK, "route": "domestic"}, as_of=VERSION_2027)
    # route[domestic] 1.00 instead of 1.20: 41,382.00 / 1.2 = 34,485.00 CNY = 3,448,500 fen
    # VAT: net = round_half_up(3,448,500 / 1.06 = 3,253,301.89) = 3,253,302; VAT 195,198
    assert money(domestic, ["premium", "vat", "net_premium"]) == {
        "premium": 3448500, "vat": 195198, "net_premium": 3253302}
    book = pd.DataFrame([RISK, {**RISK, "route": "domestic"}, {**RISK, "route": "import"}])
    batch = rater.rate(CODE, book, as_of=VERSION_2027).premiums
    assert batch["vat"].tolist()[:2] == [0, 195198] and batch["vat"].iloc[2] > 0
    before = rater.quote(CODE, RISK, as_of=AS_OF)  # 2026.1 quotes re-rate as they were
    assert int(before.premiums.iloc[0]["vat"]) == 234238


def test_exemption_must_name_levels_of_a_category_input(tmp_path):
    text = (ROOT / "products/cargo/2026.2.yaml").read_text(encoding="utf-8")
    folder = tmp_path / "products"
    folder.mkdir()
    (folder / "base.yaml").write_text((ROOT / "products/cargo/2026.1.yaml").read_text(encoding="utf-8"),
                                      encoding="utf-8")
    (folder / "bad.yaml").write_text(text.replace("levels: [export]", "levels: [outbound]"),
                                     encoding="utf-8")
    with pytest.raises(ConfigurationError) as info:
        load_products(folder)
    assert "exempt_when level 'outbound' is not a level of route" in str(info.value)
    (folder / "bad.yaml").write_text(text.replace("input: route", "input: invoice_value"),
                                     encoding="utf-8")
    with pytest.raises(ConfigurationError, match="'invoice_value' is not a category input"):
        load_products(folder)
