"""A product variant sold by one channel (``channel:`` in its file; SHOP_PACKAGE_HZ is the Hangzhou
city scheme's) is quoted and bound only by that channel's keys and by tenant-wide roles. Other
channel keys and the public pages (channel ``web``) get the 404 of an unknown product, and
product listings leave it out."""

from __future__ import annotations

import random

from sqlalchemy import func, select

from api_support import new_customer
from sme_insure.customers import complete_uscc
from sme_insure.policies.states import Role
from sme_insure.services.actor import Actor
from sme_insure.services.customers import CustomerData, register_customer
from sme_insure.services.keys import authenticate, create_key
from sme_insure.services.quotes import price_quote, store_quote
from sme_insure.storage.schema import Policy, Tenant
from sme_insure.web.render import sign, web_actor

HZ = "SHOP_PACKAGE_HZ"
RISK = {"plan": "plan_a", "province": "33"}
START = "2026-03-10"


def _shop() -> str:
    return complete_uscc(f"92330100{random.randrange(10**8):08d}")


def _scheme_key(services, keys) -> dict[str, str]:
    """A channel key of the city scheme, in the tenant of ``keys``."""
    with services.db.transaction() as s:
        tenant = s.get(Tenant, authenticate(s, keys.admin["X-API-Key"]).tenant_id).code
        return {"X-API-Key": create_key(s, tenant, "channel", channel="hangzhou_city_scheme").text}


def _quote(client, headers, customer_id, product=HZ):
    return client.post("/v1/quotes", headers=headers, json={
        "product": product, "customer_id": customer_id, "start_date": START, "inputs": RISK})


def _unknown(detail: str, code: str) -> str:
    return detail.replace(code, "<code>")


def test_the_scheme_channel_and_staff_quote_and_bind_it(client, keys, services, clock):
    scheme = _scheme_key(services, keys)
    for headers in (scheme, keys.admin):
        shop = new_customer(client, headers, kind="individual_business", identifier=_shop(), industry="F52")
        r = _quote(client, headers, shop["id"])
        assert r.status_code == 201, r.text
        # 575 + 50 + 40 + 150 = 815.00 CNY; the city pays half: 40,750 fen
        # (tests/products/test_shop_package_hz.py works the figures)
        money = r.json()["money"]
        assert (money["premium"], money["subsidy"], money["customer_pays"]) == (81_500, 40_750, 40_750)
        bound = client.post(f"/v1/quotes/{r.json()['id']}/bind", json={}, headers=headers)
        assert bound.status_code == 201, bound.text
    for headers in (scheme, keys.admin, keys.actuary):
        assert HZ in [p["code"] for p in client.get("/v1/products", headers=headers).json()]
        assert client.get(f"/v1/products/{HZ}", headers=headers).status_code == 200


def test_another_channel_is_told_the_product_does_not_exist(client, keys, clock):
    shop = new_customer(client, keys.channel2, kind="individual_business", identifier=_shop(), industry="F52")
    r = _quote(client, keys.channel2, shop["id"])
    unknown = _quote(client, keys.channel2, shop["id"], product="NO_SUCH_PRODUCT")
    assert r.status_code == unknown.status_code == 404
    assert _unknown(r.json()["detail"], HZ) == _unknown(unknown.json()["detail"], "NO_SUCH_PRODUCT")
    assert HZ not in r.json()["detail"].split("known:")[1]
    compare = client.post("/v1/quote-comparisons", headers=keys.channel2, json={
        "product": HZ, "customer_id": shop["id"], "start_date": START, "inputs": RISK,
        "options": [{"plan": "plan_a"}, {"plan": "plan_b"}]})
    assert compare.status_code == 404
    listed = [p["code"] for p in client.get("/v1/products", headers=keys.channel2).json()]
    assert HZ not in listed and "SHOP_PACKAGE" in listed
    for path in (f"/v1/products/{HZ}", f"/v1/products/{HZ}?version=2026.1",
                 f"/v1/products/{HZ}?version=1999.9"):
        detail = client.get(path, headers=keys.channel2)
        assert detail.status_code == 404 and "2026.1" not in detail.json()["detail"], path


def test_a_quote_stored_for_another_channel_does_not_bind(client, keys, services, clock):
    """A quote of the product that a channel holds anyway (stored before the rule) is refused."""
    shop = new_customer(client, keys.channel2, kind="individual_business", identifier=_shop(), industry="F52")
    with services.db.transaction() as s:
        admin = authenticate(s, keys.admin["X-API-Key"])
        partner = authenticate(s, keys.channel2["X-API-Key"])
        draft = price_quote(s, services, admin, product_code=HZ, customer_id=shop["id"],
                            inputs=RISK, start_date=clock["today"])
        quote = store_quote(s, services, partner, draft)
        assert quote.status == "quoted"  # bindable, but for the product
        quote_id = quote.id
    r = client.post(f"/v1/quotes/{quote_id}/bind", json={}, headers=keys.channel2)
    assert r.status_code == 404 and HZ in r.json()["detail"]
    assert _policies(services, shop["id"]) == 0


def test_the_public_pages_do_not_offer_it(client, services, clock):
    assert HZ not in client.get("/").text
    assert client.get(f"/products/{HZ}").status_code == 404
    form = {"kind": "individual_business", "identifier": _shop(), "name": "杭州某小店",
            "start_date": "2026-04-01", **RISK}
    assert client.post(f"/products/{HZ}/quote", data=form, follow_redirects=False).status_code == 404
    # a quote the pages hold anyway (stored before the rule) does not bind either
    actor = web_actor(services)
    with services.db.transaction() as s:
        customer, _ = register_customer(s, services, actor, CustomerData(
            kind="individual_business", identifier=_shop(), name="杭州某小店",
            industry="F52"))
        staff = Actor(actor.tenant_id, None, Role.ADMIN)
        draft = price_quote(s, services, staff, product_code=HZ, customer_id=customer.id,
                            inputs=RISK, start_date=clock["today"])
        quote = store_quote(s, services, actor, draft)
        assert quote.status == "quoted"
        token = sign(services, "quote", quote.id)
    r = client.post(f"/quotes/{token}/bind", data={"consent": "yes"}, follow_redirects=False)
    assert r.status_code == 404
    assert _policies(services, customer.id) == 0


def _policies(services, customer_id: int) -> int:
    with services.db.reading() as s:
        return s.scalar(select(func.count()).where(Policy.customer_id == customer_id))
