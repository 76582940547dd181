"""A renewal is an offer, never renewed without the customer's consent, on SQLite and PostgreSQL:
whether it was offered straight away or referred (a policy an underwriter had loaded) and then
approved, binding it without ``consent: true`` is refused naming the field, and nothing is bound.
On the pages, the key-terms box is not consent to renew: a renewal has its own box."""

from __future__ import annotations

import random

from sqlalchemy import select

from api_support import PROPERTY, new_customer, new_quote
from sme_insure.customers import complete_uscc
from sme_insure.services import binding
from sme_insure.storage.schema import Policy, Quote
from sme_insure.web.render import sign, unsign, web_actor

BAD_USCC = "91350100M000100Y44"  # wrong check character: referred (USCC_CHECK) and nothing else


def _approve(client, keys, quote_id, **adjustment):
    referral = next(r for r in client.get("/v1/referrals", headers=keys.underwriter).json()
                    if r["quote_id"] == quote_id)
    r = client.post(f"/v1/referrals/{referral['id']}/decision",
                    json={"approve": True, "reason": "surveyed", **adjustment}, headers=keys.underwriter)
    assert r.status_code == 200, r.text
    return r.json()["quote"]


def _policies_of(services, quote_id):
    with services.db.reading() as s:
        return list(s.scalars(select(Policy).where(Policy.quote_id == quote_id)))


def test_an_approved_renewal_binds_only_with_consent(client, keys, services, clock):
    customer = new_customer(client, keys.channel, identifier=BAD_USCC)
    loaded = _approve(client, keys, new_quote(client, keys.channel, customer["id"])["id"], loading=0.2)
    policy = client.post(f"/v1/quotes/{loaded['id']}/bind", json={}, headers=keys.channel).json()
    offer = client.post(f"/v1/policies/{policy['id']}/renewals", json={}, headers=keys.channel).json()
    assert offer["status"] == "referred" and offer["renewal_of"] == policy["id"]
    approved = _approve(client, keys, offer["id"])
    assert approved["status"] == "approved"

    r = client.post(f"/v1/quotes/{offer['id']}/bind", json={}, headers=keys.channel)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    [error] = r.json()["errors"]
    assert (error["field"], error["value"]) == ("consent", False)
    assert "consent: true" in error["reason"] and f"renews policy {policy['id']}" in error["reason"]
    assert _policies_of(services, offer["id"]) == []
    assert client.get(f"/v1/quotes/{offer['id']}", headers=keys.channel).json()["status"] == "approved"

    r = client.post(f"/v1/quotes/{offer['id']}/bind", json={"consent": True}, headers=keys.channel)
    assert r.status_code == 201, r.text
    assert r.json()["start_date"] == policy["end_date"]


def test_new_business_needs_no_consent_flag(client, keys, clock):
    quote = new_quote(client, keys.channel, new_customer(client, keys.channel)["id"])
    assert client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel).status_code == 201


def _web_renewal_offer(client, services) -> str:
    """A policy bought on the pages, then a renewal offer of it in the web channel: its token."""
    form = {"kind": "individual_business", "identifier": complete_uscc(f"92330100{random.randrange(10**8):08d}"),
            "name": "杭州某小店", "start_date": "2026-04-01", **{k: str(v) for k, v in PROPERTY.items()}}
    quote = client.post("/products/SME_PROPERTY/quote", data=form, follow_redirects=False)
    bound = client.post(quote.headers["location"] + "/bind", data={"consent": "yes"}, follow_redirects=False)
    assert bound.status_code == 303, bound.text
    policy_id = unsign(services, "policy", bound.headers["location"].removeprefix("/policies/"))
    with services.db.transaction() as s:
        offer = binding.offer_renewal(s, services, web_actor(services), policy_id)
        s.flush()
        assert offer.status == "offered"
        return sign(services, "quote", offer.id)


def test_on_the_pages_reading_the_terms_is_not_consent_to_renew(client, services, clock):
    token = _web_renewal_offer(client, services)
    shown = client.get(f"/quotes/{token}?lang=en")
    assert shown.status_code == 200 and 'name="renewal_consent"' in shown.text
    assert "I agree to renew my cover" in shown.text

    refused = client.post(f"/quotes/{token}/bind?lang=en", data={"consent": "yes"}, follow_redirects=False)
    assert refused.status_code == 422 and 'id="renewal_consent-error"' in refused.text
    quote_id = unsign(services, "quote", token)
    with services.db.reading() as s:
        assert s.get(Quote, quote_id).status == "offered"
    assert _policies_of(services, quote_id) == []

    bound = client.post(f"/quotes/{token}/bind", data={"consent": "yes", "renewal_consent": "yes"},
                        follow_redirects=False)
    assert bound.status_code == 303, bound.text
    assert len(_policies_of(services, quote_id)) == 1
