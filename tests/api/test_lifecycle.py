"""Quote → bind → issue → endorse → cancel → reinstate → renew, end to end over HTTP."""

from __future__ import annotations

import datetime as dt

from api_support import ENTERPRISE, PROPERTY, new_customer, new_quote


def test_quote_bind_issue(client, keys, clock):
    customer = new_customer(client, keys.channel)
    assert customer["entity_type"] == "enterprise" and customer["province"] == "35"
    assert customer["size_class"] == "micro"  # 15 employees in industry: micro by either test
    quote = new_quote(client, keys.channel, customer["id"])
    assert quote["status"] == "quoted" and quote["premium_fen"] == 313_258  # the golden worksheet
    assert quote["versions"]["tables"]["prop_fire_rate"] == "2026.1"
    assert quote["worksheet"][0]["tables"] == "prop_fire_rate@2026.1"
    assert quote["valid_until"] == "2026-03-31"
    r = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers={**keys.channel, "Idempotency-Key": "b1"})
    assert r.status_code == 201, r.text
    policy = r.json()
    assert policy["status"] == "issued" and policy["end_date"] == "2027-03-10"
    txs = client.get(f"/v1/policies/{policy['id']}/transactions", headers=keys.channel).json()
    assert [(t["kind"], t["premium_fen"], t["vat_fen"]) for t in txs] == [("written", 313_258, 17_731)]
    doc = client.get(f"/v1/policies/{policy['id']}/document", headers=keys.channel)
    assert doc.status_code == 200 and "保险单明细表 Policy Schedule" in doc.text
    assert "3,132.58" in doc.text and "177.31" in doc.text
    assert "prop_fire_rate@2026.1" in doc.text


def test_refused_binds(client, keys, clock):
    customer = new_customer(client, keys.channel)
    quote = new_quote(client, keys.channel, customer["id"])
    assert client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel).status_code == 201
    again = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel)
    assert again.status_code == 409 and "already bound" in again.json()["detail"]
    assert again.headers["content-type"] == "application/problem+json"
    other = new_customer(client, keys.channel, identifier="914403001922038216", industry="I65",
                         employees=5, revenue_cny=400_000, assets_cny=200_000)
    expired = new_quote(client, keys.channel, other["id"], start="2026-05-01")
    clock["today"] = dt.date(2026, 4, 15)
    r = client.post(f"/v1/quotes/{expired['id']}/bind", json={}, headers=keys.channel)
    assert r.status_code == 409 and "expired on 2026-03-31" in r.json()["detail"]
    clock["today"] = dt.date(2026, 3, 1)
    declined = new_quote(client, keys.channel, other["id"],
                         {**PROPERTY, "fire_protection": "none", "loss_history": "two_or_more"})
    assert declined["status"] == "declined"
    assert declined["reasons"][0]["code"] == "PROP_NO_PROTECTION_DECLINE"
    assert declined["reasons"][0]["zh"] and declined["reasons"][0]["en"]
    r = client.post(f"/v1/quotes/{declined['id']}/bind", json={}, headers=keys.channel)
    assert r.status_code == 409 and "declined" in r.json()["detail"]


def _policy(client, keys, inputs=None):
    customer = new_customer(client, keys.channel)
    quote = new_quote(client, keys.channel, customer["id"], inputs)
    return client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel).json()


def test_endorse_pro_rata_to_the_day(client, keys, clock):
    policy = _policy(client, keys)
    body = {"effective_date": "2026-09-10", "changes": {"sum_insured": 3_000_000}, "reason": "new machine"}
    r = client.post(f"/v1/policies/{policy['id']}/endorsements", json=body, headers=keys.channel)
    assert r.status_code == 201, r.text
    new = client.get(f"/v1/policies/{policy['id']}", headers=keys.channel).json()
    # fire 3,000,000 × 1.45‰ × 1.1 × 0.95 × 1.0 × 0.9 × 0.95 = 3,886.62; natcat 900 × .95 × .95 = 812.25
    assert new["annual_premium_fen"] == 388_662 + 81_225
    # (469,887 − 313,258) × 181/365 days = 156,629 × 181 / 365 = 77,670.80 → 77,671
    assert r.json()["premium_fen"] == 77_671
    back = {"effective_date": "2026-06-01", "changes": {"sum_insured": 2_000_000}, "reason": "x"}
    r = client.post(f"/v1/policies/{policy['id']}/endorsements", json=back, headers=keys.channel)
    assert r.status_code == 409 and "out of sequence" in r.json()["detail"]
    r = client.post(f"/v1/policies/{policy['id']}/endorsements",
                    json={**body, "effective_date": "2028-01-01"}, headers=keys.channel)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "effective_date"


def test_cancel_reinstate_and_renew(client, keys, clock):
    policy = _policy(client, keys)
    clock["today"] = dt.date(2026, 6, 1)
    r = client.post(f"/v1/policies/{policy['id']}/cancellations",
                    json={"effective_date": "2026-06-10", "reason": "sold the shop"}, headers=keys.channel)
    assert r.status_code == 201, r.text
    # pro rata: 313,258 × 273/365 = 85,519,434 / 365 = 234,299.82 → −234,300
    assert r.json()["premium_fen"] == -234_300
    assert client.get(f"/v1/policies/{policy['id']}", headers=keys.channel).json()["status"] == "cancelled"
    r = client.post(f"/v1/policies/{policy['id']}/endorsements",
                    json={"effective_date": "2026-07-01", "changes": {"deductible": 10000}, "reason": "x"},
                    headers=keys.channel)
    assert r.status_code == 409
    r = client.post(f"/v1/policies/{policy['id']}/reinstatement", json={"reason": "changed mind"},
                    headers=keys.channel)
    assert r.status_code == 201 and r.json()["premium_fen"] == 234_300
    clock["today"] = dt.date(2027, 2, 15)
    offer = client.post(f"/v1/policies/{policy['id']}/renewals", json={}, headers=keys.channel).json()
    assert offer["status"] == "offered" and offer["start_date"] == "2027-03-10"
    assert offer["renewal_of"] == policy["id"]
    r = client.post(f"/v1/quotes/{offer['id']}/bind", json={}, headers=keys.channel)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "consent"
    r = client.post(f"/v1/quotes/{offer['id']}/bind", json={"consent": True}, headers=keys.channel)
    assert r.status_code == 201


def test_referral_decided_within_authority(client, keys, clock):
    customer = new_customer(client, keys.channel)
    quote = new_quote(client, keys.channel, customer["id"], {**PROPERTY, "construction": "class_3"})
    assert quote["status"] == "referred"
    queue = client.get("/v1/referrals", headers=keys.underwriter).json()
    referral = next(r for r in queue if r["quote_id"] == quote["id"])
    r = client.post(f"/v1/referrals/{referral['id']}/decision",
                    json={"approve": True, "reason": "ok", "loading": 0.2}, headers=keys.junior)
    assert r.status_code == 403 and "authority" in r.json()["detail"]
    r = client.post(f"/v1/referrals/{referral['id']}/decision",
                    json={"approve": True, "reason": "sprinklers seen on site", "loading": 0.2},
                    headers=keys.underwriter)
    assert r.status_code == 200, r.text
    decided = r.json()
    assert decided["status"] == "approved" and decided["decision"]["reason"] == "sprinklers seen on site"
    assert decided["quote"]["status"] == "approved"
    assert decided["quote"]["premium_fen"] > quote["premium_fen"]
    r = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel)
    assert r.status_code == 201
    r = client.post(f"/v1/referrals/{referral['id']}/decision",
                    json={"approve": False, "reason": "again"}, headers=keys.underwriter)
    assert r.status_code == 409


def test_uscc_check_failure_refers(client, keys, clock):
    bad = new_customer(client, keys.channel, identifier="91350100M000100Y44")
    assert any(f.startswith("USCC_CHECK") for f in bad["flags"])
    quote = new_quote(client, keys.channel, bad["id"])
    assert quote["status"] == "referred"
    assert any(r["code"] == "USCC_CHECK" for r in quote["reasons"])


def test_wrong_resident_id_is_an_input_error(client, keys, clock):
    r = client.post("/v1/customers", json={"kind": "natural_person", "identifier": "11010519491231002Y",
                                           "name": "张三"}, headers=keys.channel)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "identifier"


def test_duplicate_customer_and_duplicate_cover(client, keys, clock):
    a = new_customer(client, keys.channel)
    b = client.post("/v1/customers", json=ENTERPRISE, headers=keys.admin).json()
    assert b["id"] == a["id"] and b["created"] is False
    # another channel gets no second record (and none of this one's details: test_customer_channels.py)
    c = client.post("/v1/customers", json=ENTERPRISE, headers=keys.channel2).json()
    assert c["id"] == a["id"] and c["created"] is False
    quote = new_quote(client, keys.channel, a["id"])
    client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel)
    second = new_quote(client, keys.channel, a["id"])
    assert second["status"] == "referred" and second["reasons"][0]["code"] == "DUPLICATE_COVER"
