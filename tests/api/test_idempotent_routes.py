"""Retryable writes answer a retry with the first response: the document upload that completed
(paid and closed) a fast-track claim, renewal offers, referral decisions, quotes and customers
with an Idempotency-Key. On SQLite and PostgreSQL, with races between separate clients."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api_support import PROPERTY, new_customer, new_quote
from sme_insure.http.app import create_app
from sme_insure.services.documents_store import DiskDocumentStore
from sme_insure.storage.claims_schema import ClaimDocument, ClaimTransaction
from sme_insure.storage.schema import Quote

PDF = b"%PDF-1.4\n% claim document\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
DOCS = {"loss_report": PDF, "photos": JPEG, "repair_invoice": PDF + b"invoice"}


@pytest.fixture(scope="module", autouse=True)
def _documents_on_disk(services, tmp_path_factory):
    services.documents = DiskDocumentStore(tmp_path_factory.mktemp("idem-docs"))


def _clients(services, n):
    """Clients of their own (each request on its own connection), made before the threads."""
    return [TestClient(create_app(services)) for _ in range(n)]


def _policy(client, keys, **quote):
    customer = new_customer(client, keys.channel)
    q = new_quote(client, keys.channel, customer["id"], **quote)
    r = client.post(f"/v1/quotes/{q['id']}/bind", json={}, headers=keys.channel)
    assert r.status_code == 201, r.text
    return r.json()


def _fast_track_claim(client, keys, clock):
    policy = _policy(client, keys)
    clock["today"] = dt.date(2026, 6, 1)
    r = client.post("/v1/claims", headers=keys.channel, json={
        "policy_number": policy["number"], "loss_date": "2026-05-25", "place": "杭州市西湖区文三路1号",
        "peril": "fire", "estimated_fen": 800_000, "description": "厨房起火", "contact_name": "李四",
        "bank_account": "6222 0202 0011 2233 445"})
    assert r.status_code == 201 and r.json()["route"] == "fast_track", r.text
    return r.json()


def _upload(client, headers, claim, doc_type, data, key=None):
    extra = {"Idempotency-Key": key} if key else {}
    return client.post(f"/v1/claims/{claim['id']}/documents", data={"doc_type": doc_type},
                       files={"file": ("doc.pdf", data, "application/octet-stream")},
                       headers={**headers, **extra})


def _claim_rows(services, claim):
    with services.db.reading() as s:
        return tuple(s.scalar(select(func.count()).where(m.claim_id == claim["id"]))
                     for m in (ClaimDocument, ClaimTransaction))


def test_retrying_the_upload_that_paid_the_claim_returns_the_document(client, keys, clock, services):
    claim = _fast_track_claim(client, keys, clock)
    *_, last = [_upload(client, keys.channel, claim, code, DOCS[code]) for code in DOCS]
    assert last.status_code == 201 and last.json()["claim"]["status"] == "closed"
    rows = _claim_rows(services, claim)
    again = _upload(client, keys.channel, claim, "repair_invoice", DOCS["repair_invoice"])
    assert again.status_code == 200, again.text  # was 409 "claim ... is closed"
    assert again.json()["document"] == last.json()["document"]
    assert again.json()["claim"]["status"] == "closed"
    assert again.json()["claim"]["balances"]["paid_fen"] == 300_000  # 8,000 CNY less 5,000 deductible
    assert _claim_rows(services, claim) == rows  # no second document, no second payment


def test_an_upload_with_a_key_replays_its_first_response(client, keys, clock, services):
    claim = _fast_track_claim(client, keys, clock)
    for code in ("loss_report", "photos"):
        assert _upload(client, keys.channel, claim, code, DOCS[code]).status_code == 201
    first = _upload(client, keys.channel, claim, "repair_invoice", DOCS["repair_invoice"], key="up-1")
    again = _upload(client, keys.channel, claim, "repair_invoice", DOCS["repair_invoice"], key="up-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    other = _upload(client, keys.channel, claim, "repair_invoice", DOCS["repair_invoice"] + b"v2", key="up-1")
    assert other.status_code == 409 and "different request" in other.json()["detail"]


def test_concurrent_uploads_with_one_key_store_one_document(services, keys, clock):
    client = TestClient(create_app(services))
    claim = _fast_track_claim(client, keys, clock)

    def send(own):
        return _upload(own, keys.channel, claim, "photos", JPEG, key="up-race")

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(send, _clients(services, 4)))
    assert {r.status_code for r in results} == {201}, [r.text for r in results]
    assert len({r.json()["document"]["id"] for r in results}) == 1
    assert _claim_rows(services, claim)[0] == 1


def _renewals(services, policy):
    with services.db.reading() as s:
        return s.scalar(select(func.count()).where(Quote.renewal_of == policy["id"]))


def test_a_renewal_offer_retried_with_its_key_is_made_once(client, keys, clock, services):
    policy = _policy(client, keys)
    clock["today"] = dt.date(2027, 2, 15)
    headers = {**keys.channel, "Idempotency-Key": "renew-1"}
    first, again = (client.post(f"/v1/policies/{policy['id']}/renewals", json={}, headers=headers)
                    for _ in range(2))
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json() and first.json()["renewal_of"] == policy["id"]
    assert _renewals(services, policy) == 1


def test_concurrent_renewal_offers_with_one_key_make_one_offer(services, keys, clock):
    policy = _policy(TestClient(create_app(services)), keys)
    clock["today"] = dt.date(2027, 2, 15)
    headers = {**keys.channel, "Idempotency-Key": "renew-race"}

    def send(own):
        return own.post(f"/v1/policies/{policy['id']}/renewals", json={}, headers=headers)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(send, _clients(services, 4)))
    assert {r.status_code for r in results} == {201}, [r.text for r in results]
    assert len({r.json()["id"] for r in results}) == 1
    assert _renewals(services, policy) == 1


def _referral(client, keys):
    customer = new_customer(client, keys.channel)
    quote = new_quote(client, keys.channel, customer["id"], {**PROPERTY, "construction": "class_3"})
    assert quote["status"] == "referred"
    queue = client.get("/v1/referrals", headers=keys.underwriter).json()
    return next(r for r in queue if r["quote_id"] == quote["id"])


DECISION = {"approve": True, "reason": "sprinklers seen on site", "loading": 0.2}


def test_a_referral_decision_retried_with_its_key_replays(client, keys, clock):
    referral = _referral(client, keys)
    headers = {**keys.underwriter, "Idempotency-Key": "decide-1"}
    url = f"/v1/referrals/{referral['id']}/decision"
    first, again = (client.post(url, json=DECISION, headers=headers) for _ in range(2))
    assert first.status_code == again.status_code == 200, again.text  # was 409 "already decided"
    assert again.json() == first.json() and first.json()["status"] == "approved"
    unkeyed = client.post(url, json=DECISION, headers=keys.underwriter)
    assert unkeyed.status_code == 409 and "already decided" in unkeyed.json()["detail"]


def test_concurrent_referral_decisions_with_one_key_share_one_answer(services, keys, clock):
    referral = _referral(TestClient(create_app(services)), keys)
    headers = {**keys.underwriter, "Idempotency-Key": "decide-race"}

    def send(own):
        return own.post(f"/v1/referrals/{referral['id']}/decision", json=DECISION, headers=headers)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(send, _clients(services, 4)))
    assert {r.status_code for r in results} == {200}, [r.text for r in results]
    assert all(r.json() == results[0].json() for r in results)
    assert results[0].json()["status"] == "approved"


def test_quotes_comparisons_and_customers_take_a_key(client, keys, clock, services):
    headers = {**keys.channel, "Idempotency-Key": "q-1"}
    customer = new_customer(client, keys.channel)
    body = {"product": "SME_PROPERTY", "customer_id": customer["id"], "start_date": "2026-03-10",
            "inputs": PROPERTY}
    first, again = (client.post("/v1/quotes", json=body, headers=headers) for _ in range(2))
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    options = {**body, "options": [{"deductible": 5000}, {"deductible": 10000}]}
    cmp_headers = {**keys.channel, "Idempotency-Key": "cmp-1"}
    first, again = (client.post("/v1/quote-comparisons", json=options, headers=cmp_headers) for _ in range(2))
    assert first.status_code == again.status_code == 201, first.text
    assert again.json() == first.json() and len(first.json()) == 2
    with services.db.reading() as s:
        assert s.scalar(select(func.count()).where(Quote.customer_id == customer["id"])) == 3
    cust_headers = {**keys.channel, "Idempotency-Key": "c-1"}
    body = {"kind": "enterprise", "identifier": "91110000600037341L", "name": "北京某公司"}
    first, again = (client.post("/v1/customers", json=body, headers=cust_headers) for _ in range(2))
    assert first.status_code == again.status_code == 201 and again.json() == first.json()


def test_a_quote_retried_after_its_start_date_passed_is_replayed(client, keys, clock):
    """The route priced (and checked the start date) before it looked the key up: a retry the
    next day got 422 "start_date must be on or after" instead of its first response."""
    customer = new_customer(client, keys.channel)
    body = {"product": "SME_PROPERTY", "customer_id": customer["id"], "start_date": "2026-03-01",
            "inputs": PROPERTY}
    headers = {**keys.channel, "Idempotency-Key": "quote-retry-tomorrow"}
    first = client.post("/v1/quotes", json=body, headers=headers)
    assert first.status_code == 201, first.text
    clock["today"] = dt.date(2026, 3, 2)
    again = client.post("/v1/quotes", json=body, headers=headers)
    assert again.status_code == 201 and again.json() == first.json()
    options = {**body, "options": [{"deductible": 2000}, {"deductible": 5000}]}
    options.pop("inputs")
    clock["today"] = dt.date(2026, 2, 20)
    compare_headers = {**keys.channel, "Idempotency-Key": "compare-retry-tomorrow"}
    r = client.post("/v1/quote-comparisons", json={**options, "inputs": PROPERTY}, headers=compare_headers)
    assert r.status_code == 201, r.text
    clock["today"] = dt.date(2026, 3, 2)
    again = client.post("/v1/quote-comparisons", json={**options, "inputs": PROPERTY}, headers=compare_headers)
    assert again.status_code == 201 and again.json() == r.json()
    other = client.post("/v1/quotes", json={**body, "start_date": "2026-03-05"}, headers=headers)
    assert other.status_code == 409  # the same key with another body is still refused
