"""FLEXIBLE_PENSION@2026.1: a product with a ``pension`` section and no rating steps, whose terms
illustrate through sme_insure.pension."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from sme_insure.catalogue import Product
from sme_insure.pension import VAT_NOTE, MemberPlan, illustrate, load_terms
from sme_insure.pension.members import OPTIONAL, REQUIRED

ROOT = Path(__file__).resolve().parents[2]
PRODUCT_FILE = ROOT / "products" / "flexible_pension" / "2026.1.yaml"
EXAMPLE_TERMS = ROOT / "tests" / "pension" / "terms_example.yaml"
AS_OF = dt.date(2026, 3, 1)


@pytest.fixture(scope="module")
def product(catalogue):
    return catalogue.get("FLEXIBLE_PENSION", as_of=AS_OF)


def test_loads_with_pension_terms_and_no_coverages(product):
    assert product.line == "pension"
    assert product.coverages == []
    assert product.pension == load_terms(EXAMPLE_TERMS)
    assert product.pension.retirement.minimum_age == 60
    assert product.pension.retirement.minimum_fixed_term_years == 10


def test_contributions_are_not_vat_taxable(product):
    assert product.vat_rate == 0
    assert "not VAT-taxable" in product.description.en
    assert "不征增值税" in product.description.zh


def test_inputs_are_the_member_columns_of_the_illustration(product):
    assert {i.name for i in product.inputs} == (set(REQUIRED) - {"member_id"}) | set(OPTIONAL)


def test_terms_illustrate(product):
    plan = MemberPlan(
        member_id="W001",
        sex="female",
        age=30,
        retirement_age=60,
        sleeve="steady",
        monthly_contribution=500,
        topup_monthly=100,
    )
    ill = illustrate(product.pension, plan)
    assert len(ill.rows) == 30
    first = ill.rows[0]
    assert (first.contributions, first.top_ups) == (600_000, 120_000)  # 12 × 500, 12 × 100 CNY
    assert first.surrender_charge_rate == 0.03
    assert ill.rows[5].surrender_charge_rate == 0.0  # no charge after policy year 5
    pension = ill.monthly_pension
    assert 0 < pension["low"] <= pension["medium"] <= pension["high"]
    assert all(r.surrender_value["medium"] <= r.account["medium"] for r in ill.rows)
    assert ill.vat_note == VAT_NOTE


def test_a_product_needs_coverages_or_pension_not_both():
    data = yaml.safe_load(PRODUCT_FILE.read_text(encoding="utf-8"))
    Product.model_validate(data)
    with pytest.raises(ValidationError, match="at least one coverage, or a pension"):
        Product.model_validate({k: v for k, v in data.items() if k != "pension"})
    rated = yaml.safe_load((ROOT / "products" / "group_health" / "2026.1.yaml").read_text("utf-8"))
    with pytest.raises(ValidationError, match="a pension product has no coverages"):
        Product.model_validate({**data, "coverages": rated["coverages"]})
