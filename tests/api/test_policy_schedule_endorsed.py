"""The policy schedule shows the cover as it stands, on SQLite and PostgreSQL: after an
endorsement its insured risk, annual premium and premium build-up are the endorsed ones (the
current inputs re-rated on the policy's own versions), and the premium transactions list every
row with the total charged. Figures as tests/api/test_lifecycle.py works them."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from api_support import new_customer, new_quote
from sme_insure.customers import complete_uscc

BAD_USCC = "91350100M000100Y44"  # wrong check character: referred (USCC_CHECK), then approved


def _rows(html):
    """The premium transaction rows: (kind, effective, premium, VAT, annual after, reason)."""
    cells = re.findall(r'<tr class="transaction">(.*?)</tr>', html, re.S)
    return [tuple(re.findall(r"<td[^>]*>(.*?)</td>", row))[1:] for row in cells]


def _cell(html, cell_id):
    return re.search(rf'id="{cell_id}">([^<]*)<', html).group(1)


def _endorsed_policy(client, keys):
    quote = new_quote(client, keys.channel, new_customer(client, keys.channel)["id"])
    policy = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel).json()
    body = {"effective_date": "2026-09-10", "changes": {"sum_insured": 3_000_000}, "reason": "new machine"}
    r = client.post(f"/v1/policies/{policy['id']}/endorsements", json=body, headers=keys.channel)
    assert r.status_code == 201, r.text
    return quote, policy, r.json()


def test_an_endorsed_policys_schedule_shows_the_cover_as_it_stands(client, keys, clock):
    quote, policy, endorsement = _endorsed_policy(client, keys)
    # (469,887 − 313,258) × 181/365 = 77,670.80 → 77,671 fen
    assert endorsement["premium_fen"] == 77_671
    html = client.get(f"/v1/policies/{policy['id']}/document", headers=keys.channel).text

    assert "<td>保险金额 / Sum insured</td><td>3,000,000 CNY</td>" in html
    # fire 3,000,000 × 1.45‰ × 1.1 × 0.95 × 1.0 × 0.9 × 0.95 = 3,886.62; natcat 812.25
    assert _cell(html, "annual-premium") == "4,698.87"
    assert "<td class=\"num\">3886.62</td>" in html and "<td class=\"num\">812.25</td>" in html
    assert "2591.08" not in html  # the bought cover's fire build-up (2,000,000 insured)

    # VAT by coverage, net = gross / 1.06 half up: written 177.31 (the golden worksheet); annual
    # after 220.00 + 45.98 = 265.98; endorsement (26,598 − 17,731) × 181/365 = 4,397.06 → 43.97
    assert (quote["money"]["vat"], endorsement["vat_fen"]) == (17_731, 4_397)
    assert _rows(html) == [
        ("承保 Written", "2026-03-10", "2026-03-01", "3,132.58", "177.31", "3,132.58", "new business"),
        ("批改 Endorsement", "2026-09-10", "2026-03-01", "776.71", "43.97", "4,698.87", "new machine")]
    assert _cell(html, "total-charged") == "3,909.29"  # 313,258 + 77,671 fen
    assert _cell(html, "total-vat") == "221.28"  # 17,731 + 4,397 fen


def test_a_loaded_policy_is_rebuilt_with_its_loading(client, keys, clock):
    """Endorsed to 3,000,000, re-rated with the underwriter's 20 % loading: fire 3,886.61625 × 1.2
    = 4,663.9395 → 4,663.94; natcat 812.25 × 1.2 = 974.70; annual 5,638.64."""
    quote = new_quote(client, keys.channel, new_customer(client, keys.channel, identifier=BAD_USCC)["id"])
    referral = next(r for r in client.get("/v1/referrals", headers=keys.underwriter).json()
                    if r["quote_id"] == quote["id"])
    client.post(f"/v1/referrals/{referral['id']}/decision",
                json={"approve": True, "reason": "surveyed", "loading": 0.2}, headers=keys.underwriter)
    policy = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel).json()
    assert policy["annual_premium_fen"] == 375_909
    body = {"effective_date": "2026-09-10", "changes": {"sum_insured": 3_000_000}, "reason": "new machine"}
    assert client.post(f"/v1/policies/{policy['id']}/endorsements", json=body,
                       headers=keys.channel).status_code == 201
    html = client.get(f"/v1/policies/{policy['id']}/document", headers=keys.channel).text
    assert _cell(html, "annual-premium") == "5,638.64"
    assert html.count("underwriter loading 20 %") == 2  # fire and natcat
    assert '<td class="num">4663.94</td>' in html and '<td class="num">974.70</td>' in html


def test_the_pdf_copy_is_the_endorsed_schedule(client, keys, clock):
    _, policy, _ = _endorsed_policy(client, keys)
    r = client.get(f"/v1/policies/{policy['id']}/document?format=pdf", headers=keys.channel)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    assert "4,698.87" in text and "776.71" in text and "3,909.29" in text and "3,000,000" in text


def test_an_optional_input_sent_as_none_is_shown_at_its_default(client, keys, clock):
    """CARGO's valuation basis is optional, defaulting to invoice + 10 %: sent as null it is rated
    on the default, and the schedule says so."""
    customer = new_customer(client, keys.channel, identifier=complete_uscc("91110000MA01A2D5"))
    cargo = {"cover_basis": "annual_open_cover", "invoice_value": 30_000_000, "goods_category": "electronics",
             "conveyance": "sea", "route": "domestic", "deductible": 2000, "limit_per_shipment": 2_000_000,
             "valuation_basis": None}
    quote = new_quote(client, keys.channel, customer["id"], cargo, "CARGO")
    policy = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel).json()
    html = client.get(f"/v1/policies/{policy['id']}/document", headers=keys.channel).text
    assert ("<td>保险价值确定方式 / Valuation basis</td><td>invoice_plus_10 （产品默认值 product default）</td>"
            in html)
