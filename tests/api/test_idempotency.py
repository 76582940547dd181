"""Idempotency keys and concurrent binds, on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from api_support import new_customer, new_quote
from sme_insure.storage.schema import Policy, PremiumTransaction


def _quote(client, keys):
    customer = new_customer(client, keys.channel)
    return new_quote(client, keys.channel, customer["id"])


def test_retry_returns_the_first_response(client, keys, clock):
    quote = _quote(client, keys)
    headers = {**keys.channel, "Idempotency-Key": "bind-1"}
    first = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=headers)
    again = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    other = client.post(f"/v1/quotes/{quote['id']}/bind", json={"consent": True}, headers=headers)
    assert other.status_code == 409 and "different request" in other.json()["detail"]
    # another key of the same tenant cannot replay the stored response with the same key: the
    # key is its own, so its request runs (and finds the quote bound)
    stranger = client.post(f"/v1/quotes/{quote['id']}/bind", json={},
                           headers={**keys.admin, "Idempotency-Key": "bind-1"})
    assert stranger.status_code == 409 and "already bound" in stranger.json()["detail"]


def test_endorsement_retry_charges_once(client, keys, clock, services):
    quote = _quote(client, keys)
    policy = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel).json()
    body = {"effective_date": "2026-06-01", "changes": {"sum_insured": 2_500_000}, "reason": "stock"}
    headers = {**keys.channel, "Idempotency-Key": "end-1"}
    a = client.post(f"/v1/policies/{policy['id']}/endorsements", json=body, headers=headers)
    b = client.post(f"/v1/policies/{policy['id']}/endorsements", json=body, headers=headers)
    assert a.json() == b.json()
    with services.db.reading() as s:
        n = s.scalar(select(func.count()).where(PremiumTransaction.policy_id == policy["id"]))
    assert n == 2


def test_concurrent_binds_make_exactly_one_policy(client, keys, clock, services):
    quote = _quote(client, keys)

    def bind(i):
        return client.post(f"/v1/quotes/{quote['id']}/bind", json={},
                           headers={**keys.channel, "Idempotency-Key": f"k{i}"})

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(bind, range(8)))
    codes = sorted(r.status_code for r in results)
    assert codes == [201] + [409] * 7, [r.text for r in results]
    with services.db.reading() as s:
        assert s.scalar(select(func.count()).where(Policy.quote_id == quote["id"])) == 1


def test_concurrent_retries_with_one_key_share_one_response(client, keys, clock):
    quote = _quote(client, keys)
    headers = {**keys.channel, "Idempotency-Key": "same"}
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _: client.post(f"/v1/quotes/{quote['id']}/bind", json={},
                                                      headers=headers), range(6)))
    assert {r.status_code for r in results} == {201}
    assert len({r.json()["id"] for r in results}) == 1
