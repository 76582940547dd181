"""Claim terms over HTTP on SQLite and PostgreSQL: deductibles and shares a policy left to the
product default are the ones rated; a configuration gap sends a fast-track claim to a handler
without losing the upload; per-person limits are shared only by claims about the same person."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from api_support import PROPERTY, new_customer, new_quote
from sme_insure.claims.rules import ProductTerms
from sme_insure.customers import complete_resident_id
from sme_insure.services import claims_settlement
from sme_insure.services.claims_ledger import rules
from sme_insure.services.documents_store import DiskDocumentStore
from sme_insure.services.keys import authenticate, create_key
from sme_insure.storage.claims_schema import ClaimDocument, ClaimTransaction
from sme_insure.storage.schema import Tenant

PDF = b"%PDF-1.4\n% claim document\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
CLAIM_DAY = dt.date(2026, 6, 1)
EL = {"occupational_class": "2", "headcount": 20, "monthly_wage": 6000, "limit_per_person": 300000}


@pytest.fixture(scope="module", autouse=True)
def _documents_on_disk(services, tmp_path_factory):
    services.documents = DiskDocumentStore(tmp_path_factory.mktemp("claim-docs"))


@pytest.fixture
def handler(services, keys):
    with services.db.transaction() as s:
        tenant = s.get(Tenant, authenticate(s, keys.admin["X-API-Key"]).tenant_id).code
        return {"X-API-Key": create_key(s, tenant, "claims_handler").text}


def _policy(client, keys, inputs, product="SME_PROPERTY"):
    customer = new_customer(client, keys.channel)
    quote = new_quote(client, keys.channel, customer["id"], inputs, product=product)
    r = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel)
    assert r.status_code == 201, r.text
    return r.json(), quote


def _report(client, headers, policy, **fields):
    body = {"policy_number": policy["number"], "loss_date": "2026-05-25", "place": "杭州",
            "peril": "fire", "estimated_fen": 500_000, "description": "small kitchen fire",
            "contact_name": "李四", "contact_phone": "13812341234",
            "bank_account": "6222 0202 0011 2233 445", **fields}
    r = client.post("/v1/claims", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def _upload_all(client, headers, claim):
    """Every outstanding document; the last answer's claim."""
    last = None
    for code in claim["documents"]["outstanding"]:
        data = (JPEG if code == "photos" else PDF) + code.encode()
        last = client.post(f"/v1/claims/{claim['id']}/documents", data={"doc_type": code},
                           files={"file": ("d.pdf", data, "application/octet-stream")}, headers=headers)
        assert last.status_code == 201, last.text
    return last.json()["claim"]


def _post(client, headers, claim_id, what, body):
    r = client.post(f"/v1/claims/{claim_id}/{what}", json=body, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def _property_without_deductible(client, keys):
    inputs = {k: v for k, v in PROPERTY.items() if k != "deductible"}
    policy, quote = _policy(client, keys, inputs)
    assert any("deductible=2000 (product default)" in w["inputs"] for w in quote["worksheet"])
    return policy


def test_fast_track_settles_with_the_default_deductible(client, keys, clock):
    policy = _property_without_deductible(client, keys)
    clock["today"] = CLAIM_DAY
    claim = _report(client, keys.admin, policy)
    assert claim["route"] == "fast_track"
    settled = _upload_all(client, keys.admin, claim)
    # 500,000 fen loss − 2,000 CNY (200,000 fen) product-default deductible = 300,000 fen
    assert settled["status"] == "closed" and settled["agreed_fen"] == 300_000
    assert settled["balances"]["payments_fen"] == 300_000 and settled["balances"]["reserve_fen"] == 0
    deductible = next(s for s in settled["assessment"]["steps"] if s["step"] == "deductible")
    assert deductible["amount_fen"] == 300_000 and "200000 fen" in deductible["note"]


def test_handler_assesses_employers_liability_with_the_default_deductible(client, keys, handler, clock):
    policy, _ = _policy(client, keys, EL, product="EMPLOYERS_LIABILITY")
    clock["today"] = CLAIM_DAY
    claim = _report(client, handler, policy, loss_date="2026-04-01", peril="work_accident",
                    coverage="death_disability", estimated_fen=2_000_000)
    _upload_all(client, handler, claim)
    # deductible_per_accident defaults to 0: the whole assessed loss is payable
    assessed = _post(client, handler, claim["id"], "assess", {"loss_fen": 1_500_000, "reason": "injury"})
    assert assessed["agreed_fen"] == 1_500_000 and assessed["balances"]["reserve_fen"] == 1_500_000


def test_export_credit_share_defaults_to_the_products_90_percent(client, keys, handler, clock):
    inputs = {"insured_turnover": 5_000_000, "payment_method": "da", "credit_period_days": 90,
              "country_grade": 2, "buyer_grade": "B", "buyer_credit_limit": 1_000_000,
              "declaration": "whole_turnover"}  # no indemnity_percentage: the product says 90
    policy, _ = _policy(client, keys, inputs, product="EXPORT_CREDIT")
    clock["today"] = CLAIM_DAY
    claim = _report(client, keys.channel, policy, peril="protracted_default", estimated_fen=50_000_000)
    _upload_all(client, keys.channel, claim)
    assessed = _post(client, handler, claim["id"], "assess", {"loss_fen": 50_000_000, "reason": "unpaid"})
    assert assessed["agreed_fen"] == 45_000_000  # 90 % of 50,000,000 fen


def test_a_configuration_gap_keeps_the_upload_and_passes_the_claim_to_a_handler(
        client, keys, services, clock, monkeypatch):
    policy = _property_without_deductible(client, keys)
    clock["today"] = CLAIM_DAY
    claim = _report(client, keys.admin, policy)
    broken = rules(services).model_copy(deep=True)
    broken.products["SME_PROPERTY"] = ProductTerms(indemnity_input="no_such_input")
    monkeypatch.setattr(services, "claim_rules", broken, raising=False)
    after = _upload_all(client, keys.admin, claim)
    assert (after["status"], after["route"]) == ("open", "handler")
    assert claims_settlement.NOT_SETTLED in after["triage_reasons"]
    assert after["documents"]["outstanding"] == [] and after["documents"]["complete_on"] == "2026-06-01"
    assert after["balances"] == {"payments_fen": 0, "recoveries_fen": 0, "paid_fen": 0,
                                 "reserve_fen": 500_000, "incurred_fen": 500_000}
    with services.db.reading() as s:
        docs = s.scalars(select(ClaimDocument.doc_type).where(ClaimDocument.claim_id == claim["id"]))
        assert sorted(docs) == sorted(claim["documents"]["outstanding"])
        kinds = s.scalars(select(ClaimTransaction.kind).where(ClaimTransaction.claim_id == claim["id"]))
        assert list(kinds) == ["reserve_set"]


def _el_claim(client, headers, policy, loss_date, estimate, **subject):
    return _report(client, headers, policy, loss_date=loss_date, peril="work_accident",
                   coverage="death_disability", estimated_fen=estimate, description="工伤", **subject)


def _paid_in_full(client, handler, claim, amount):
    _upload_all(client, handler, claim)
    _post(client, handler, claim["id"], "assess", {"loss_fen": amount, "reason": "death benefit"})
    return _post(client, handler, claim["id"], "payments", {"amount_fen": amount, "type": "final", "reason": "pay"})


def test_per_person_limit_of_an_unnamed_claim_is_not_shared(client, keys, handler, clock):
    policy, _ = _policy(client, keys, EL, product="EMPLOYERS_LIABILITY")
    clock["today"] = CLAIM_DAY
    a = _el_claim(client, handler, policy, "2026-04-01", 30_000_000)
    assert _paid_in_full(client, handler, a, 30_000_000)["balances"]["payments_fen"] == 30_000_000
    b = _el_claim(client, handler, policy, "2026-05-10", 5_000_000)
    # 300,000 CNY per person: employee B's claim has all of it
    assert b["cover"]["limits"] == [{"basis": "per_person", "amount_fen": 30_000_000, "used_fen": 0}]
    assert b["cover"]["available_fen"] == 30_000_000 and b["balances"]["reserve_fen"] == 5_000_000


def test_claims_about_the_same_injured_person_share_the_per_person_limit(client, keys, handler, clock):
    one, two = (complete_resident_id(f"1101051990010100{k}") for k in (1, 2))
    policy, _ = _policy(client, keys, EL, product="EMPLOYERS_LIABILITY")
    clock["today"] = CLAIM_DAY
    first = _el_claim(client, handler, policy, "2026-04-01", 20_000_000, injured_person=one)
    assert _paid_in_full(client, handler, first, 20_000_000)["balances"]["payments_fen"] == 20_000_000
    again = _el_claim(client, handler, policy, "2026-05-10", 15_000_000, injured_person=one.lower())
    # 30,000,000 fen per person − 20,000,000 paid on the same person's first claim = 10,000,000
    assert again["cover"]["limits"] == [{"basis": "per_person", "amount_fen": 30_000_000,
                                         "used_fen": 20_000_000}]
    assert again["cover"]["available_fen"] == 10_000_000 and again["balances"]["reserve_fen"] == 10_000_000
    other = _el_claim(client, handler, policy, "2026-05-11", 5_000_000, injured_person=two)
    unnamed = _el_claim(client, handler, policy, "2026-05-12", 5_000_000)
    for claim in (other, unnamed):
        assert claim["cover"]["available_fen"] == 30_000_000 and claim["balances"]["reserve_fen"] == 5_000_000
    assert (again["injured_person"], again["insured_person"]) == (one, None)
    masked = client.get(f"/v1/claims/{again['id']}", headers=keys.channel).json()
    assert masked["injured_person"] == one[:6] + "*" * 8 + one[-4:]


def test_injured_person_is_checked_and_only_for_liability_lines(client, keys, handler, clock):
    person = complete_resident_id("11010519900101001")
    el, _ = _policy(client, keys, EL, product="EMPLOYERS_LIABILITY")
    prop = _property_without_deductible(client, keys)
    clock["today"] = CLAIM_DAY
    bad = person[:-1] + ("1" if person[-1] != "1" else "2")
    r = client.post("/v1/claims", json={
        "policy_number": el["number"], "loss_date": "2026-04-01", "place": "工地", "peril": "work_accident",
        "estimated_fen": 100_000, "description": "x", "contact_name": "王五", "injured_person": bad},
        headers=handler)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "injured_person"
    r = client.post("/v1/claims", json={
        "policy_number": prop["number"], "loss_date": "2026-05-25", "place": "杭州", "peril": "fire",
        "estimated_fen": 100_000, "description": "x", "contact_name": "李四", "injured_person": person},
        headers=handler)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "injured_person"
