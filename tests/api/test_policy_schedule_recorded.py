"""A policy whose current inputs, re-rated, do not reproduce its recorded annual premium still has
a schedule, on SQLite and PostgreSQL: it shows the build-up recorded at sale under a bilingual
note, with its recorded annual premium, VAT and premium transactions; the mismatch is logged at
warning level (it was a 500). A schedule with an erased person is never re-rated. Figures
hand-worked from the shipped tables as tests/api/test_underwriter_adjustment_lifecycle.py works
them."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re

import numpy as np
import pandas as pd
from pypdf import PdfReader

from api_support import new_customer, new_quote
from sme_insure.customers import complete_resident_id
from sme_insure.money import to_fen
from sme_insure.rating.totals import exemptions, policy_totals
from sme_insure.services import premium_buildup
from sme_insure.services.keys import authenticate
from sme_insure.services.privacy_requests import erase_person
from sme_insure.storage.schema import Policy, Quote, Tenant

BAD_USCC = "91350100M000100Y44"  # wrong check character: referred (USCC_CHECK), then approved
NOTE = "The build-up shown is the one recorded at sale"
LOG = "sme_insure.services.premium_buildup"
PERSON, OTHER = (complete_resident_id(f"3301061985050500{k}") for k in (7, 8))  # erased nowhere else


def _cell(html, cell_id):
    return re.search(rf'id="{cell_id}">([^<]*)<', html).group(1)


def _rows(html):
    """The premium transaction rows: (kind, effective, premium, VAT, annual after)."""
    cells = re.findall(r'<tr class="transaction">(.*?)</tr>', html, re.S)
    return [tuple(re.findall(r"<td[^>]*>(.*?)</td>", row))[1:7] for row in cells if row]


def _amounts(html):
    """The premium build-up's amount column, as shown."""
    table = html.split("Premium build-up")[1].split("</table>")[0]
    return re.findall(r'<td class="num">[^<]*</td><td class="num">([^<]*)</td></tr>', table)


def _old_loaded_money(services, quote, factor):
    """Money as an approval wrote it before migration 0005 (the removed
    referrals._adjusted_money): each coverage's rounded fen of the referred ``quote`` × factor,
    rounded again."""
    product = services.catalogue.get(quote["product"], quote["product_version"])
    cov = {c.code: np.array([to_fen(quote["money"][f"premium_{c.code}"] * factor / 100)], dtype=np.int64)
           for c in product.coverages}
    frame = policy_totals(product, cov, np.zeros(1, dtype=np.int64),
                          exemptions(product, pd.DataFrame([quote["inputs"]])))
    return {k: int(v) for k, v in frame.iloc[0].items()}


def _pre_0005_policy(client, keys, services):
    """A property risk loaded 20 % and bound before migration 0005, as the migration leaves it:
    the adjustment backfilled, the money as charged (fire 259,108 × 1.2 = 310,929.6 → 310,930;
    natcat 54,150 × 1.2 = 64,980; 375,910 fen), the worksheet the unloaded one (ending 3,132.58)."""
    quote = new_quote(client, keys.channel, new_customer(client, keys.channel, identifier=BAD_USCC)["id"])
    referral = next(r for r in client.get("/v1/referrals", headers=keys.underwriter).json()
                    if r["quote_id"] == quote["id"])
    assert client.post(f"/v1/referrals/{referral['id']}/decision", headers=keys.underwriter, json={
        "approve": True, "reason": "surveyed", "loading": 0.2}).status_code == 200
    with services.db.transaction() as s:
        stored = s.get(Quote, quote["id"])
        stored.worksheet = quote["worksheet"]
        stored.money = _old_loaded_money(services, quote, 1.2)
        stored.premium_fen = stored.money["premium"]
    policy = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel).json()
    assert (policy["annual_premium_fen"], policy["money"]["premium_fire"]) == (375_910, 310_930)
    assert policy["adjustment"]["factor"] == 1.2
    return policy


def test_a_policy_loaded_before_0005_shows_its_recorded_build_up(client, keys, services, clock, caplog):
    """A re-rate gives 375,909 fen (fire 2,591.0775 × 1.2 = 3,109.293 → 310,929), a fen less than
    charged: the schedule shows the recorded figures. VAT, net = gross / 1.06 half up by
    coverage: fire 310,930 − 293,330 = 17,600; natcat 64,980 − 61,302 = 3,678; 21,278."""
    policy = _pre_0005_policy(client, keys, services)
    with caplog.at_level(logging.WARNING, logger=LOG):
        r = client.get(f"/v1/policies/{policy['id']}/document", headers=keys.channel)
    assert r.status_code == 200, r.text
    html = r.text
    assert NOTE in html and "Premium build-up (as recorded at sale)" in html
    assert _cell(html, "annual-premium") == "3,759.10"
    assert policy["money"]["vat"] == 21_278 and "<td class=\"num\">212.78</td>" in html
    assert _amounts(html)[-1] == "3132.58"  # as the quote recorded it at sale
    assert _rows(html) == [("承保 Written", "2026-03-10", "2026-03-01", "3,759.10", "212.78", "3,759.10")]
    assert _cell(html, "total-charged") == "3,759.10" and _cell(html, "total-vat") == "212.78"
    warned = [rec for rec in caplog.records if rec.name == LOG]
    assert [rec.levelname for rec in warned] == ["WARNING"]
    assert "gives 375909 fen, its recorded annual premium is 375910 fen" in warned[0].getMessage()


def test_a_policy_endorsed_before_0005_shows_its_transactions(client, keys, services, clock, caplog):
    """Endorsed (no real change) on 2026-09-10 before the upgrade, the endorsement re-rated
    without the loading: 313,258 − 375,910 = −62,652 × 181/365 = −31,068.53 → −31,069 fen, the
    annual premium 313,258; VAT (17,731 − 21,278) × 181/365 = −1,758.9 → −1,759. A re-rate with
    the backfilled loading gives 375,909: the recorded figures are shown."""
    policy = _pre_0005_policy(client, keys, services)
    with services.db.transaction() as s:  # the endorsement as it ran before migration 0005
        stored = s.get(Policy, policy["id"])
        backfilled, stored.adjustment = stored.adjustment, None
    body = {"effective_date": "2026-09-10", "changes": {"deductible": 5000}, "reason": "no real change"}
    r = client.post(f"/v1/policies/{policy['id']}/endorsements", json=body, headers=keys.channel)
    assert r.status_code == 201, r.text
    assert (r.json()["premium_fen"], r.json()["vat_fen"], r.json()["annual_premium_after_fen"]) == (
        -31_069, -1_759, 313_258)
    with services.db.transaction() as s:  # migration 0005 backfills the loading
        s.get(Policy, policy["id"]).adjustment = backfilled
    with caplog.at_level(logging.WARNING, logger=LOG):
        html = client.get(f"/v1/policies/{policy['id']}/document", headers=keys.channel).text
    assert NOTE in html and _cell(html, "annual-premium") == "3,132.58"
    assert _rows(html) == [("承保 Written", "2026-03-10", "2026-03-01", "3,759.10", "212.78", "3,759.10"),
                           ("批改 Endorsement", "2026-09-10", "2026-03-01", "-310.69", "-17.59", "3,132.58")]
    assert _cell(html, "total-charged") == "3,448.41"  # 375,910 − 31,069 fen
    assert _cell(html, "total-vat") == "195.19"  # 21,278 − 1,759 fen
    assert any("gives 375909 fen, its recorded annual premium is 313258 fen" in rec.getMessage()
               for rec in caplog.records if rec.name == LOG and rec.levelname == "WARNING")


def _erased_group_policy(client, keys, services, clock):
    """Two persons, class 1, 400,000 each: 400,000 × 1.90 ‰ = 760.00 each, 1,520.00; VAT
    152,000 − 143,396 = 8,604. Expired, and the first person erased at their request."""
    employer = new_customer(client, keys.channel)
    body = {"product": "GROUP_ACCIDENT", "customer_id": employer["id"], "start_date": "2026-03-10",
            "inputs": {"sum_insured": 400_000, "cover_accident_medical": False},
            "persons": [{"id_number": PERSON, "name": "王五", "occupational_class": 1},
                        {"id_number": OTHER, "name": "赵六", "occupational_class": 1}]}
    quote = client.post("/v1/quotes", json=body, headers=keys.channel).json()
    policy = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel).json()
    assert (policy["annual_premium_fen"], policy["money"]["vat"]) == (152_000, 8_604)
    clock["today"] = dt.date(2027, 6, 1)
    with services.db.reading() as s:
        tenant = s.get(Tenant, authenticate(s, keys.admin["X-API-Key"]).tenant_id).code
    with services.db.transaction() as s:
        assert erase_person(s, services, tenant=tenant, identifier=PERSON, reason="request")[
            "schedules_erased"] == 2  # the quote's and the policy's
    return policy


def test_a_schedule_with_an_erased_person_is_not_re_rated(client, keys, services, clock, monkeypatch,
                                                          caplog):
    """It was a 422 (the tombstone is not an ID number): the recorded build-up is shown, the
    erased person's certificate says so, the other person's is as it was."""
    policy = _erased_group_policy(client, keys, services, clock)

    def refuse(*_args, **_kwargs):
        raise AssertionError("a schedule with an erased person was re-rated")

    monkeypatch.setattr(premium_buildup, "rerate", refuse)
    with caplog.at_level(logging.INFO, logger=LOG):
        r = client.get(f"/v1/policies/{policy['id']}/document", headers=keys.admin)
    assert r.status_code == 200, r.text
    html = r.text
    assert NOTE in html and _cell(html, "annual-premium") == "1,520.00"
    assert _amounts(html) == ["760.00", "760.00"]  # each person's line as recorded at sale
    assert _rows(html) == [("承保 Written", "2026-03-10", "2026-03-01", "1,520.00", "86.04", "1,520.00")]
    certificates = re.findall(r'<section class="certificate".*?</section>', html, re.S)
    assert "Insured person's personal data erased" in certificates[0] and "erased:" not in html
    assert "赵六" in certificates[1] and OTHER in certificates[1]
    assert [rec.levelname for rec in caplog.records if rec.name == LOG] == ["INFO"]


def test_the_pdf_copy_of_a_recorded_schedule(client, keys, services, clock):
    policy = _pre_0005_policy(client, keys, services)
    r = client.get(f"/v1/policies/{policy['id']}/document?format=pdf", headers=keys.channel)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    assert "recorded at sale" in text and "3,759.10" in text and "212.78" in text and "3132.58" in text
