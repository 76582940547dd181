"""The policy schedule as PDF: the same document as the HTML (figures, certificates, masked
identifiers), and a clear 503 where the installation cannot lay out PDFs."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader

from api_support import new_customer, new_quote
from sme_insure.customers import complete_resident_id, complete_uscc
from sme_insure.errors import UnavailableError
from sme_insure.policies import pdf

IDS = [complete_resident_id(f"3301061990010100{k}") for k in (1, 2)]


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _bound(client, keys):
    customer = new_customer(client, keys.channel)
    quote = new_quote(client, keys.channel, customer["id"])
    return client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel).json()


def test_schedule_as_pdf(client, keys, clock):
    policy = _bound(client, keys)
    r = client.get(f"/v1/policies/{policy['id']}/document?format=pdf", headers=keys.channel)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == f'attachment; filename="{policy["number"]}.pdf"'
    text = _text(r.content)
    assert "Policy Schedule" in text and policy["number"] in text
    assert "3,132.58" in text and "177.31" in text  # premium and VAT of the golden worksheet
    assert "prop_fire_rate@2026.1" in text
    bad = client.get(f"/v1/policies/{policy['id']}/document?format=docx", headers=keys.channel)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query.format"


def test_group_certificates_in_the_pdf_mask_identifiers(client, keys, clock):
    customer = new_customer(client, keys.channel)
    body = {"product": "GROUP_ACCIDENT", "customer_id": customer["id"], "start_date": "2026-03-10",
            "inputs": {"sum_insured": 400000, "cover_accident_medical": False},
            "persons": [{"id_number": i, "name": f"p{n}", "occupational_class": 1}
                        for n, i in enumerate(IDS)]}
    quote = client.post("/v1/quotes", json=body, headers=keys.channel).json()
    policy = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel).json()
    r = client.get(f"/v1/policies/{policy['id']}/document?format=pdf", headers=keys.channel)
    text = _text(r.content)
    assert text.count("Certificate") >= 2
    assert IDS[0] not in text and IDS[0][-4:] in text


def test_without_pango_pdf_is_unavailable_not_an_error(client, keys, clock, monkeypatch):
    def missing():
        raise UnavailableError("PDF output needs WeasyPrint and the Pango libraries")

    monkeypatch.setattr(pdf, "_html_class", missing)
    policy = _bound(client, keys)
    r = client.get(f"/v1/policies/{policy['id']}/document?format=pdf", headers=keys.channel)
    assert r.status_code == 503 and r.headers["content-type"] == "application/problem+json"
    assert "Pango" in r.json()["detail"]
    assert client.get(f"/v1/policies/{policy['id']}/document", headers=keys.channel).status_code == 200


def test_pdf_is_scoped_like_the_html(client, keys, clock):
    policy = _bound(client, keys)
    r = client.get(f"/v1/policies/{policy['id']}/document?format=pdf", headers=keys.other_admin)
    assert r.status_code == 404


CARGO_EXPORT = {"cover_basis": "annual_open_cover", "invoice_value": 30_000_000,
                "goods_category": "electronics", "conveyance": "sea", "route": "export",
                "deductible": 2000, "limit_per_shipment": 2_000_000}


def test_schedule_names_the_vat_exemption_of_an_export_cargo_policy(client, keys, clock):
    clock["today"] = dt.date(2027, 1, 10)  # CARGO 2026.2 exempts exported goods from 2027
    customer = new_customer(client, keys.channel, identifier=complete_uscc("91110000MA01A2B3"))
    quote = new_quote(client, keys.channel, customer["id"], CARGO_EXPORT, "CARGO", "2027-01-15")
    assert quote["product_version"] == "2026.2" and quote["money"]["vat"] == 0, quote["money"]
    bound = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel)
    assert bound.status_code == 201, bound.text
    html = client.get(f"/v1/policies/{bound.json()['id']}/document", headers=keys.channel).text
    assert "exempt: 为出口货物提供的保险服务免征增值税" in html and "Annex 4, art. 2" in html
    domestic = new_quote(client, keys.channel, customer["id"], {**CARGO_EXPORT, "route": "domestic"},
                         "CARGO", "2027-01-15")
    assert domestic["money"]["vat"] > 0


def test_an_underwriters_loading_keeps_exported_goods_exempt(client, keys, clock):
    clock["today"] = dt.date(2027, 1, 10)
    customer = new_customer(client, keys.channel, identifier=complete_uscc("91110000MA01A2C4"))
    big = {**CARGO_EXPORT, "limit_per_shipment": 20_000_000}  # above 10m: referred
    quote = new_quote(client, keys.channel, customer["id"], big, "CARGO", "2027-01-15")
    assert quote["status"] == "referred" and quote["money"]["vat"] == 0
    referral = next(r for r in client.get("/v1/referrals", headers=keys.underwriter).json()
                    if r["quote_id"] == quote["id"])
    r = client.post(f"/v1/referrals/{referral['id']}/decision",
                    json={"approve": True, "reason": "surveyed", "loading": 0.1}, headers=keys.underwriter)
    assert r.status_code == 200, r.text
    money = r.json()["quote"]["money"]
    # 4,138,200 fen × 1.1 = 4,552,020 fen, still all net: VAT 0, commission 15 % = 682,803
    assert (money["premium"], money["vat"], money["net_premium"], money["commission"]) == (
        4552020, 0, 4552020, 682803)
