"""The schedule renderer fills a missing input with the product's stated default as rating does
(:func:`sme_insure.rating.records.with_defaults`): an input stored as ``None`` is missing, shown
and taxed at the default, never read as a value of its own."""

from __future__ import annotations

import datetime as dt
import re

from sme_insure.policies.documents import render_schedule

EXEMPT = "exempt: 为出口货物提供的保险服务免征增值税"


def _cargo_with_route_default(catalogue):
    """CARGO@2026.2 (exported goods VAT-exempt by ``route``) as if ``route`` were optional,
    defaulting to export: the shipped product requires it, so no shipped product can show this."""
    product = catalogue.get("CARGO", "2026.2")
    inputs = [spec.model_copy(update={"required": False, "default": "export"}) if spec.name == "route"
              else spec for spec in product.inputs]
    return product.model_copy(update={"inputs": inputs})


def _render(product, inputs):
    policy = {"number": "CARG2027001", "start_date": dt.date(2027, 1, 15), "end_date": dt.date(2028, 1, 15),
              "status": "issued", "inputs": inputs,
              "money": {"premium": 4_138_200, "vat": 0, "net_premium": 4_138_200, "subsidy": 0,
                        "premium_cargo_all_risks": 4_138_200}}
    written = {"sequence": 1, "kind": "written", "effective_date": dt.date(2027, 1, 15),
               "transaction_date": dt.date(2027, 1, 10), "premium_fen": 4_138_200, "vat_fen": 0,
               "annual_premium_after_fen": 4_138_200, "reason": "new business"}
    return render_schedule(product=product, policy=policy, customer={"name": "x", "identifier": "y"},
                           worksheet=[], transactions=[written])


def _risk_row(html, label_en):
    return re.search(rf"<tr><td>[^<]*/ {label_en}</td><td>([^<]*)</td></tr>", html).group(1)


CARGO = {"cover_basis": "annual_open_cover", "invoice_value": 30_000_000, "goods_category": "electronics",
         "conveyance": "sea", "deductible": 2000, "limit_per_shipment": 2_000_000}


def test_an_input_stored_as_none_is_shown_and_taxed_at_the_default(catalogue):
    product = _cargo_with_route_default(catalogue)
    for stored in ({**CARGO, "route": None}, CARGO):
        html = _render(product, stored)
        assert EXEMPT in html
        assert _risk_row(html, "Route") == "export （产品默认值 product default）"
        assert _risk_row(html, "Valuation basis") == "invoice_plus_10 （产品默认值 product default）"


def test_a_given_input_is_shown_as_given(catalogue):
    html = _render(_cargo_with_route_default(catalogue), {**CARGO, "route": "domestic",
                                                         "valuation_basis": "invoice"})
    assert EXEMPT not in html
    assert _risk_row(html, "Route") == "domestic"
    assert _risk_row(html, "Valuation basis") == "invoice"
    assert _risk_row(html, "Invoice value") == "30,000,000 CNY"


def test_a_worksheet_line_without_figures_is_shown_with_a_dash(catalogue):
    """A group quote loaded before its adjustment line carried amounts stored ``after: None``
    (and a figure may be missing): the recorded build-up is shown, the missing amounts as —."""
    policy = {"number": "GROU2026001", "start_date": dt.date(2026, 3, 10), "end_date": dt.date(2027, 3, 10),
              "status": "expired", "inputs": {"sum_insured": 400_000, "cover_accident_medical": False},
              "money": {"premium": 182_400, "vat": 10_325, "net_premium": 172_075, "subsidy": 0,
                        "premium_death_disability": 182_400}}
    loading = {"coverage": "policy", "step": None, "kind": "underwriter_adjustment",
               "description": "underwriter loading 20 %", "inputs": "", "tables": "", "figure": 1.2,
               "unit": "factor", "before": None, "after": None}
    blank = {**loading, "description": "no figure", "figure": None}
    html = render_schedule(product=catalogue.get("GROUP_ACCIDENT", "2026.1"), policy=policy,
                           customer={"name": "x", "identifier": "y"}, worksheet=[loading, blank],
                           transactions=[], recorded=True)
    assert '<td class="num">1.2 factor</td><td class="num">—</td>' in html
    assert 'no figure</td><td></td><td></td><td class="num">—</td><td class="num">—</td>' in html
    assert "The build-up shown is the one recorded at sale" in html
