"""Erasure reaches the responses stored for ``Idempotency-Key`` retries: a replay no longer
returns an erased ID number, name or phone (the record is deleted, so the retry runs afresh:
binding the quote again is refused), while the records of other people, and of the person in
another tenant, are kept and still replayed. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from api_support import new_customer
from sme_insure.customers import complete_resident_id
from sme_insure.services.idempotency import SEALED
from sme_insure.services.keys import authenticate, create_key
from sme_insure.services.privacy_requests import erase_person
from sme_insure.storage.schema import IdempotencyRecord, Tenant, utcnow

PERSON = complete_resident_id("44030519850303005")
OTHER = complete_resident_id("44030519860404006")
PHONE = "13511112222"
OTHER_PHONE = "13533334444"
SECOND_EMPLOYER = "91110000600037341L"


def _bind(client, headers, key, persons, **employer):
    """A group accident policy bound with ``Idempotency-Key: key``: its quote and response."""
    customer = new_customer(client, headers, **employer)
    quote = client.post("/v1/quotes", json={
        "product": "GROUP_ACCIDENT", "customer_id": customer["id"], "start_date": "2026-03-10",
        "inputs": {"sum_insured": 400000, "cover_accident_medical": False},
        "persons": [{"id_number": i, "name": n, "occupational_class": 1} for i, n in persons]},
        headers=headers).json()
    bound = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers={**headers, "Idempotency-Key": key})
    assert bound.status_code == 201, bound.text
    return quote, bound


def _report(client, headers, key, policy, person, phone):
    r = client.post("/v1/claims", json={
        "policy_number": policy["number"], "loss_date": "2026-05-25", "place": "仓库", "peril": "accidental_disability",
        "estimated_fen": 5_000_000, "description": "fell", "contact_name": "联系人", "contact_phone": phone,
        "insured_person": person}, headers={**headers, "Idempotency-Key": key})
    assert r.status_code == 201 and r.json()["contact_phone"] == phone, r.text
    return r


def _tenant(services, headers):
    with services.db.reading() as s:
        return s.get(Tenant, authenticate(s, headers["X-API-Key"]).tenant_id)


def _stored_keys(services, tenant_id):
    with services.db.reading() as s:
        return set(s.scalars(select(IdempotencyRecord.key).where(IdempotencyRecord.tenant_id == tenant_id)))


def _more_records(services, tenant_id):
    """Two records of the tenant: one written eight days ago (past the seven days of retention),
    one written in clear before responses were sealed, with the person's phone."""
    with services.db.transaction() as s:
        s.add(IdempotencyRecord(tenant_id=tenant_id, key="old", caller="", request_hash="0" * 64, status_code=201,
                                response={SEALED: services.vault.encrypt(json.dumps({"id": 1}))},
                                created_at=utcnow() - dt.timedelta(days=8)))
        s.add(IdempotencyRecord(tenant_id=tenant_id, key="clear", caller="", request_hash="0" * 64, status_code=201,
                                response={"id": 2, "contact_name": "王五", "contact_phone": PHONE}))


def test_erasure_deletes_the_stored_responses_that_hold_the_person(client, keys, clock, services):
    quote, first = _bind(client, keys.admin, "bind-g1", [(PERSON, "王五"), (OTHER, "赵六")])
    _, kept = _bind(client, keys.admin, "bind-g2", [(OTHER, "赵六")], identifier=SECOND_EMPLOYER)
    _, elsewhere = _bind(client, keys.other_admin, "bind-g1", [(PERSON, "王五")])  # the person, another tenant
    assert PERSON in first.text and "王五" in first.text
    policy = first.json()
    clock["today"] = dt.date(2026, 6, 1)
    mine = _report(client, keys.admin, "claim-1", policy, PERSON, PHONE).json()
    theirs = _report(client, keys.admin, "claim-2", policy, OTHER, OTHER_PHONE)
    tenant = _tenant(services, keys.admin)
    handler = {"X-API-Key": _key(services, tenant.code, "claims_handler")}
    assert client.post(f"/v1/claims/{mine['id']}/close", json={"reason": "withdrawn"}, headers=handler).status_code == 200
    assert client.post(f"/v1/claims/{theirs.json()['id']}/close", json={"reason": "withdrawn"},
                       headers=handler).status_code == 200
    cancel = {"effective_date": "2026-06-02", "reason": "business sold"}
    assert client.post(f"/v1/policies/{policy['id']}/cancellations", json=cancel, headers=keys.admin).status_code == 201
    _more_records(services, tenant.id)
    assert _stored_keys(services, tenant.id) == {"bind-g1", "bind-g2", "claim-1", "claim-2", "old", "clear"}

    with services.db.transaction() as s:
        report = erase_person(s, services, tenant=tenant.code, identifier=PERSON, reason="request 2026-31")
    assert report["stored_responses_deleted"] == 4  # bind-g1, claim-1, clear, and the one past retention
    assert _stored_keys(services, tenant.id) == {"bind-g2", "claim-2"}

    again = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers={**keys.admin, "Idempotency-Key": "bind-g1"})
    assert again.status_code == 409 and f"quote {quote['id']} is already bound" in again.json()["detail"]
    assert PERSON not in again.text and "王五" not in again.text
    now = client.get(f"/v1/policies/{policy['id']}", headers=keys.admin)
    assert PERSON not in now.text and "王五" not in now.text and OTHER in now.text
    # other people's records, and the person's in another tenant, are replayed as they were
    assert _replay(client, keys.admin, "bind-g2", kept) and _replay(client, keys.other_admin, "bind-g1", elsewhere)
    claim = {"policy_number": policy["number"], "loss_date": "2026-05-25", "place": "仓库",
             "peril": "accidental_disability", "estimated_fen": 5_000_000, "description": "fell",
             "contact_name": "联系人", "contact_phone": OTHER_PHONE, "insured_person": OTHER}
    replayed = client.post("/v1/claims", json=claim, headers={**keys.admin, "Idempotency-Key": "claim-2"})
    assert replayed.json() == theirs.json()


def _replay(client, headers, key, first):
    quote_id = first.json()["quote_id"]
    r = client.post(f"/v1/quotes/{quote_id}/bind", json={}, headers={**headers, "Idempotency-Key": key})
    return r.status_code == 201 and json.loads(r.text) == first.json()


def _key(services, tenant, role):
    with services.db.transaction() as s:
        return create_key(s, tenant, role).text
