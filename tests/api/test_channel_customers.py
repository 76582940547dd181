"""A channel key sees only the customers linked to it (it registered them or presented their
identifier: test_customer_channels.py), wherever a customer is looked up: registering a known
identifier (shown only what it sent), quoting by customer id, and the duplicate-cover reasons
and refusals, which name another policy only to callers who may see it (tenant-wide roles, the
channel that wrote it; never a visitor of the public pages)."""

from __future__ import annotations

import random
import re

from api_support import PROPERTY, new_customer, new_quote
from sme_insure.customers import complete_resident_id, complete_uscc

WITHHELD = "overlaps an existing policy of this customer"


def _uscc() -> str:
    return complete_uscc(f"91330100{random.randrange(10**8):08d}")


def _bind(client, headers, quote_id):
    return client.post(f"/v1/quotes/{quote_id}/bind", json={}, headers=headers)


def test_another_channels_identifier_links_without_its_details(client, keys, clock):
    pid = complete_resident_id(f"33010219800101{random.randrange(1000):03d}")
    person = {"kind": "natural_person", "identifier": pid, "name": "王小明", "phone": "13912345678"}
    first = client.post("/v1/customers", json=person, headers=keys.channel).json()
    r = client.post("/v1/customers", json={**person, "name": "x", "phone": None}, headers=keys.channel2)
    assert r.status_code == 201 and r.json()["id"] == first["id"] and r.json()["created"] is False
    assert r.json()["name"] == "x" and r.json()["phone"] is None  # what it sent, nothing stored
    assert "王小明" not in r.text and "5678" not in r.text
    again = client.post("/v1/customers", json=person, headers=keys.channel).json()
    staff = client.post("/v1/customers", json={**person, "name": "x"}, headers=keys.service).json()
    assert again["id"] == staff["id"] == first["id"]  # one customer across channels
    assert again["created"] is staff["created"] is False and staff["name"] == "王小明"
    assert again["name"] == "王小明"  # the registering channel is shown its record


def test_a_channel_quotes_only_customers_it_can_read(client, keys, clock):
    customer = new_customer(client, keys.channel, identifier=_uscc())
    assert client.get(f"/v1/customers/{customer['id']}", headers=keys.channel2).status_code == 404
    body = {"product": "SME_PROPERTY", "customer_id": customer["id"], "start_date": "2026-03-10",
            "inputs": PROPERTY}
    r = client.post("/v1/quotes", json=body, headers=keys.channel2)
    assert r.status_code == 404 and r.json()["detail"] == f"unknown customer {customer['id']}"
    compare = client.post("/v1/quote-comparisons", headers=keys.channel2,
                          json={**body, "options": [{"deductible": 5000}, {"deductible": 10000}]})
    assert compare.status_code == 404
    assert new_quote(client, keys.channel, customer["id"])["status"] == "quoted"
    assert new_quote(client, keys.admin, customer["id"])["status"] == "quoted"


def test_duplicate_cover_names_only_a_policy_the_caller_may_see(client, keys, clock):
    customer = new_customer(client, keys.channel, identifier=_uscc())
    pending = new_quote(client, keys.channel, customer["id"], start="2026-06-01")
    direct = _bind(client, keys.admin, new_quote(client, keys.admin, customer["id"])["id"]).json()
    # the channel's customer has a policy the insurer's staff wrote: the channel cannot see it
    assert client.get(f"/v1/policies/{direct['id']}", headers=keys.channel).status_code == 404
    referred = new_quote(client, keys.channel, customer["id"], start="2026-06-01")
    assert referred["status"] == "referred"
    [reason] = referred["reasons"]
    assert reason["code"] == "DUPLICATE_COVER" and reason["en"] == WITHHELD
    assert direct["number"] not in str(referred)
    refused = _bind(client, keys.channel, pending["id"])
    assert refused.status_code == 409 and direct["number"] not in refused.text
    assert "another policy of this customer covers part of this period" in refused.text
    # staff, and underwriters in the referral queue, see which policy it is
    named = f"overlaps policy {direct['number']} of this customer"
    assert client.get(f"/v1/quotes/{referred['id']}", headers=keys.admin).json()["reasons"][0]["en"] == named
    queue = client.get("/v1/referrals", headers=keys.underwriter).json()
    assert next(r for r in queue if r["quote_id"] == referred["id"])["quote"]["reasons"][0]["en"] == named


def test_a_channel_sees_the_number_of_its_own_policy(client, keys, clock):
    customer = new_customer(client, keys.channel, identifier=_uscc())
    pending = new_quote(client, keys.channel, customer["id"], start="2026-06-01")
    own = _bind(client, keys.channel, new_quote(client, keys.channel, customer["id"])["id"]).json()
    again = new_quote(client, keys.channel, customer["id"], start="2026-06-01")
    assert again["reasons"][0]["en"] == f"overlaps policy {own['number']} of this customer"
    refused = _bind(client, keys.channel, pending["id"])
    assert refused.status_code == 409 and f"policy {own['number']} of this customer" in refused.text


def _web_quote(client, identifier: str, start: str) -> str:
    form = {"kind": "individual_business", "identifier": identifier, "name": "杭州某小店",
            "start_date": start, **{k: str(v) for k, v in PROPERTY.items()}}
    r = client.post("/products/SME_PROPERTY/quote", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    return r.headers["location"]


def test_the_public_pages_never_name_the_other_policy(client, clock):
    identifier = complete_uscc(f"92330100{random.randrange(10**8):08d}")
    pending = _web_quote(client, identifier, "2026-06-01")
    bound = client.post(_web_quote(client, identifier, "2026-04-01") + "/bind",
                        data={"consent": "yes"}, follow_redirects=True)
    assert bound.status_code == 200
    number = re.search(r"SME_2026\d+", bound.text).group(0)
    page = client.get(_web_quote(client, identifier, "2026-06-01"))
    assert "同一客户已有重叠保单" in page.text and number not in page.text
    refused = client.post(pending + "/bind", data={"consent": "yes"})
    assert refused.status_code == 409 and number not in refused.text
