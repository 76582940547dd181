"""Duplicate cover is looked for again when a quote binds and when a policy is reinstated: two
quotes of one customer for the same product and overlapping periods, both accepted while
neither was bound, do not both become policies, one after the other or at once; a duplicate
that an underwriter approved knowingly binds; a cancelled policy is not reinstated over the
policy that replaced it."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from api_support import new_customer, new_quote
from sme_insure.storage.schema import Policy


def _bind(client, headers, quote_id, key=None):
    extra = {"Idempotency-Key": key} if key else {}
    return client.post(f"/v1/quotes/{quote_id}/bind", json={}, headers={**headers, **extra})


def _first_policy(client, keys):
    """A customer with one bound SME property policy from 2026-03-10."""
    customer = new_customer(client, keys.channel, identifier="91350100M000100Y43")
    policy = _bind(client, keys.channel, new_quote(client, keys.channel, customer["id"])["id"])
    assert policy.status_code == 201, policy.text
    return customer, policy.json()


def _cancel(client, keys, policy, effective, reason):
    r = client.post(f"/v1/policies/{policy['id']}/cancellations", headers=keys.channel,
                    json={"effective_date": effective, "reason": reason})
    assert r.status_code == 201, r.text


def _approve(client, keys, quote_id, reason):
    referral = next(x for x in client.get("/v1/referrals", headers=keys.underwriter).json()
                    if x["quote_id"] == quote_id)
    r = client.post(f"/v1/referrals/{referral['id']}/decision", headers=keys.underwriter,
                    json={"approve": True, "reason": reason})
    assert r.status_code == 200, r.text


def _policies_of(services, customer_id):
    with services.db.reading() as s:
        return s.scalar(select(func.count()).where(Policy.customer_id == customer_id))


def test_second_overlapping_quote_is_refused_at_bind(client, keys, clock, services):
    customer = new_customer(client, keys.channel, identifier="91350100M000100Y43")
    first = new_quote(client, keys.channel, customer["id"])
    second = new_quote(client, keys.channel, customer["id"], start="2026-06-01")
    assert first["status"] == second["status"] == "quoted"  # neither was bound yet
    assert _bind(client, keys.channel, first["id"]).status_code == 201
    r = _bind(client, keys.channel, second["id"], key="dup-1")
    assert r.status_code == 409 and "duplicate cover" in r.json()["detail"]
    assert _policies_of(services, customer["id"]) == 1
    again = new_quote(client, keys.channel, customer["id"], start="2026-06-01")
    assert again["status"] == "referred" and again["reasons"][0]["code"] == "DUPLICATE_COVER"
    _approve(client, keys, again["id"], "second warehouse, separate premises")
    assert _bind(client, keys.channel, again["id"]).status_code == 201  # approved knowingly
    assert _policies_of(services, customer["id"]) == 2


def test_concurrent_binds_of_two_overlapping_quotes_make_one_policy(client, keys, clock, services):
    customer = new_customer(client, keys.channel, identifier="91350100M000100Y43")
    quotes = [new_quote(client, keys.channel, customer["id"], start=f"2026-03-{10 + i}")
              for i in range(4)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda q: _bind(client, keys.channel, q["id"], f"c-{q['id']}"), quotes))
    assert sorted(r.status_code for r in results) == [201, 409, 409, 409], [r.text for r in results]
    assert _policies_of(services, customer["id"]) == 1


def test_reinstatement_that_would_insure_the_risk_twice_is_refused(client, keys, clock, services):
    customer, first = _first_policy(client, keys)
    clock["today"] = dt.date(2026, 6, 1)
    _cancel(client, keys, first, "2026-06-10", "moved insurer")
    replacement = new_quote(client, keys.channel, customer["id"], start="2026-07-01")
    assert replacement["status"] == "quoted"  # the first policy is cancelled: no overlap
    assert _bind(client, keys.channel, replacement["id"]).status_code == 201
    r = client.post(f"/v1/policies/{first['id']}/reinstatement", json={"reason": "came back"},
                    headers=keys.channel)
    assert r.status_code == 409 and "twice" in r.json()["detail"]
    assert client.get(f"/v1/policies/{first['id']}", headers=keys.channel).json()["status"] == "cancelled"


def test_an_approved_duplicate_does_not_bind_over_a_policy_issued_since(client, keys, clock, services):
    customer, _ = _first_policy(client, keys)
    q1 = new_quote(client, keys.channel, customer["id"], start="2026-04-01")
    q2 = new_quote(client, keys.channel, customer["id"], start="2026-05-01")
    for q in (q1, q2):  # each referred for the first policy, and approved for it alone
        assert q["reasons"][0]["code"] == "DUPLICATE_COVER"
        _approve(client, keys, q["id"], "second site")
    assert _bind(client, keys.channel, q1["id"]).status_code == 201
    r = _bind(client, keys.channel, q2["id"])  # q1's policy was issued after q2 was quoted
    assert r.status_code == 409 and "issued after quote" in r.json()["detail"]
    assert _policies_of(services, customer["id"]) == 2


def test_a_policy_cancelled_for_a_later_date_covers_until_then(client, keys, clock, services):
    customer, first = _first_policy(client, keys)
    clock["today"] = dt.date(2026, 6, 1)
    _cancel(client, keys, first, "2026-09-01", "selling the business")
    during = new_quote(client, keys.channel, customer["id"], start="2026-06-02")
    assert during["status"] == "referred" and during["reasons"][0]["code"] == "DUPLICATE_COVER"
    after = new_quote(client, keys.channel, customer["id"], start="2026-09-01")
    assert after["status"] == "quoted"  # cover ends on the cancellation date
    assert _bind(client, keys.channel, after["id"]).status_code == 201


def test_a_flat_cancelled_policy_never_covered(client, keys, clock, services):
    customer, first = _first_policy(client, keys)
    _cancel(client, keys, first, first["start_date"], "changed my mind")
    again = new_quote(client, keys.channel, customer["id"])
    assert again["status"] == "quoted", again["reasons"]
