"""Idempotency keys: owned by the API key that used them, checked (1 to 255 printable ASCII
characters), forgotten after their life (at look-up, and swept by later writes). On SQLite
and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from api_support import ENTERPRISE, new_customer, new_quote
from sme_insure.http.app import create_app
from sme_insure.services import idempotency
from sme_insure.storage.schema import IdempotencyRecord, PremiumTransaction, utcnow

ENDORSEMENT = {"effective_date": "2026-06-01", "changes": {"sum_insured": 2_500_000}, "reason": "stock"}


def _policy(client, headers, **customer):
    quote = new_quote(client, headers, new_customer(client, headers, **customer)["id"])
    r = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def _endorse(client, headers, policy, key, body=ENDORSEMENT):
    return client.post(f"/v1/policies/{policy['id']}/endorsements", json=body,
                       headers={**headers, "Idempotency-Key": key})


def _rows(services, policy):
    with services.db.reading() as s:
        return s.scalar(select(func.count()).where(PremiumTransaction.policy_id == policy["id"]))


def _records(services, key):
    with services.db.reading() as s:
        return list(s.scalars(select(IdempotencyRecord).where(IdempotencyRecord.key == key)))


def test_each_api_key_owns_its_idempotency_keys(client, keys, clock):
    """Two channels of one tenant may use the same key, each for its own write."""
    web = client.post(f"/v1/quotes/{new_quote(client, keys.channel, new_customer(client, keys.channel)['id'])['id']}/bind",
                      json={}, headers={**keys.channel, "Idempotency-Key": "order-1"})
    partner_customer = new_customer(client, keys.channel2, identifier="91110000600037341L")
    partner_quote = new_quote(client, keys.channel2, partner_customer["id"])
    partner = client.post(f"/v1/quotes/{partner_quote['id']}/bind", json={},
                          headers={**keys.channel2, "Idempotency-Key": "order-1"})
    assert web.status_code == partner.status_code == 201, partner.text
    assert web.json()["id"] != partner.json()["id"]
    # each one's retry gets its own first response
    again = client.post(f"/v1/quotes/{partner_quote['id']}/bind", json={},
                        headers={**keys.channel2, "Idempotency-Key": "order-1"})
    assert again.status_code == 201 and again.json() == partner.json()


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there", "line\u00e9"])
def test_a_malformed_key_is_refused_naming_the_header(client, keys, clock, key):
    policy = _policy(client, keys.channel)
    r = client.post(f"/v1/policies/{policy['id']}/endorsements", json=ENDORSEMENT,
                    headers={**keys.channel, "Idempotency-Key": key.encode("latin-1")})
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert error["field"] == "Idempotency-Key"
    assert error["reason"] == "1 to 255 printable ASCII characters (space to ~)"


def test_the_longest_key_allowed_is_used(client, keys, clock, services):
    policy = _policy(client, keys.channel)
    key = "~ " + "k" * 253
    first, again = (_endorse(client, keys.channel, policy, key) for _ in range(2))
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert _rows(services, policy) == 2


def _age(services, key, days):
    with services.db.transaction() as s:
        s.execute(update(IdempotencyRecord).where(IdempotencyRecord.key == key)
                  .values(created_at=utcnow() - dt.timedelta(days=days)))


def test_an_expired_record_is_not_replayed_but_replaced(client, keys, clock, services):
    policy = _policy(client, keys.channel)
    first = _endorse(client, keys.channel, policy, "old-1")
    _age(services, "old-1", 6.9)  # still in its 7 days: replayed
    assert _endorse(client, keys.channel, policy, "old-1").json() == first.json()
    assert _rows(services, policy) == 2
    _age(services, "old-1", 7.1)
    later = _endorse(client, keys.channel, policy, "old-1", {**ENDORSEMENT, "effective_date": "2026-07-01"})
    assert later.status_code == 201, later.text
    assert later.json()["id"] != first.json()["id"] and _rows(services, policy) == 3
    [record] = _records(services, "old-1")  # the old one deleted, the new one stored
    created = record.created_at.replace(tzinfo=record.created_at.tzinfo or dt.UTC)
    assert created > utcnow() - dt.timedelta(minutes=5)


def test_keyed_writes_sweep_expired_records(client, keys, clock, services, monkeypatch):
    policy = _policy(client, keys.channel)
    _endorse(client, keys.channel, policy, "swept-1")
    _age(services, "swept-1", 30)
    monkeypatch.setattr(idempotency, "SWEEP_EVERY", 1)
    r = _endorse(client, keys.channel, policy, "sweeper", {**ENDORSEMENT, "effective_date": "2026-07-01"})
    assert r.status_code == 201, r.text
    assert _records(services, "swept-1") == []
    with services.db.reading() as s:
        cutoff = utcnow() - dt.timedelta(days=idempotency.KEEP_DAYS)
        assert s.scalar(select(func.count()).where(IdempotencyRecord.created_at < cutoff)) == 0


def test_a_record_stored_before_callers_were_recorded_is_still_replayed(client, keys, clock, services):
    policy = _policy(client, keys.channel)
    first = _endorse(client, keys.channel, policy, "legacy-1")
    with services.db.transaction() as s:
        s.execute(update(IdempotencyRecord).where(IdempotencyRecord.key == "legacy-1").values(caller=""))
    assert _endorse(client, keys.channel, policy, "legacy-1").json() == first.json()
    assert _rows(services, policy) == 2
    # its fingerprint covers the API key that stored it: another key is told so
    other = _endorse(client, keys.service, policy, "legacy-1")
    assert other.status_code == 409 and "different request" in other.json()["detail"]


def test_concurrent_retries_of_one_key_write_once(services, keys, clock):
    """Separate clients (connections) racing with one key: one endorsement, one answer; on
    PostgreSQL the losers meet the unique (tenant, key, caller) and replay the winner."""
    client = TestClient(create_app(services))
    policy = _policy(client, keys.channel, identifier=ENTERPRISE["identifier"])

    clients = [TestClient(create_app(services)) for _ in range(6)]
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda own: _endorse(own, keys.channel, policy, "race-1"), clients))
    assert {r.status_code for r in results} == {201}, [r.text for r in results]
    assert len({r.json()["id"] for r in results}) == 1
    assert _rows(services, policy) == 2
    assert len(_records(services, "race-1")) == 1
