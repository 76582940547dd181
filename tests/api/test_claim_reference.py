"""How a claim names its policy, on SQLite and PostgreSQL: a customer key gives both the policy
number and the insured's identifier (a company's USCC is public, so the identifier alone would
find anyone's policy, its number and its limits); an error never lists policy numbers to it."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from api_support import new_customer, new_quote
from sme_insure.customers import complete_uscc
from sme_insure.services.keys import authenticate, create_key
from sme_insure.storage.schema import Tenant


def _uscc() -> str:
    return complete_uscc(f"91330100{random.randrange(10**8):08d}")


@pytest.fixture
def customer_key(services, keys):
    """A ``customer`` key in the tenant of ``keys``."""
    with services.db.transaction() as s:
        tenant = s.get(Tenant, authenticate(s, keys.admin["X-API-Key"]).tenant_id).code
        return {"X-API-Key": create_key(s, tenant, "customer").text}


def _policies(client, keys, identifier, count=1):
    """``count`` policies of one insured over the same year (a duplicate approved knowingly)."""
    customer = new_customer(client, keys.channel, identifier=identifier)
    out = []
    for _ in range(count):
        quote = new_quote(client, keys.channel, customer["id"])
        if quote["status"] == "referred":
            referral = next(x for x in client.get("/v1/referrals", headers=keys.underwriter).json()
                            if x["quote_id"] == quote["id"])
            r = client.post(f"/v1/referrals/{referral['id']}/decision", headers=keys.underwriter,
                            json={"approve": True, "reason": "second site, same insured"})
            assert r.status_code == 200, r.text
        r = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel)
        assert r.status_code == 201, r.text
        out.append(r.json())
    return out


def _claim(client, headers, **reference):
    body = {"loss_date": "2026-05-25", "place": "杭州市西湖区文三路1号", "peril": "fire",
            "estimated_fen": 100_000, "description": "厨房起火", "contact_name": "李四", **reference}
    return client.post("/v1/claims", json=body, headers=headers)


def _claims_of(client, keys):
    return client.get("/v1/claims", headers=keys.admin).json()["total"]


def test_a_customer_key_needs_both_number_and_identifier(client, keys, customer_key, clock):
    ident = _uscc()
    first, second = _policies(client, keys, ident, count=2)  # both cover the loss date
    clock["today"] = dt.date(2026, 6, 1)
    before = _claims_of(client, keys)
    for reference, missing in [({"insured_identifier": ident}, ["policy_number"]),
                               ({"policy_number": first["number"]}, ["insured_identifier"]),
                               ({"policy_number": " ", "insured_identifier": ident}, ["policy_number"]),
                               ({}, ["policy_number", "insured_identifier"])]:
        r = _claim(client, customer_key, **reference)
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in r.json()["errors"]] == missing
        assert all("both the policy number and the insured's identifier" in e["reason"]
                   for e in r.json()["errors"])
        assert first["number"] not in r.text and second["number"] not in r.text
    assert _claims_of(client, keys) == before  # nothing recorded
    wrong = _claim(client, customer_key, policy_number=first["number"], insured_identifier=_uscc())
    assert wrong.status_code == 404 and second["number"] not in wrong.text
    r = _claim(client, customer_key, policy_number=second["number"], insured_identifier=ident)
    assert r.status_code == 201, r.text
    assert r.json()["policy_number"] == second["number"]


def test_a_channel_may_name_the_policy_by_identifier_and_sees_its_own_matches(client, keys, clock):
    ident = _uscc()
    first, second = _policies(client, keys, ident, count=2)
    single_ident = _uscc()
    [single] = _policies(client, keys, single_ident)
    clock["today"] = dt.date(2026, 6, 1)
    r = _claim(client, keys.channel, insured_identifier=ident)
    assert r.status_code == 422
    [error] = r.json()["errors"]
    assert error["field"] == "policy_number" and "several policies match" in error["reason"]
    assert first["number"] in error["reason"] and second["number"] in error["reason"]  # its own book
    assert _claim(client, keys.channel2, insured_identifier=ident).status_code == 404  # not its book
    r = _claim(client, keys.channel, insured_identifier=single_ident)
    assert r.status_code == 201 and r.json()["policy_number"] == single["number"]
