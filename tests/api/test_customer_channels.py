"""One customer across channels (``customer_channels``): a channel that presents a customer's
identifier is linked to the customer and may serve it, shown only what it sent, never another
channel's stored name or phone; a channel renews its own policies whoever registered the
customer; the public pages sell to a business a partner registered. A channel that never
presented the identifier, and any other tenant, still does not find the customer (404)."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import delete, func, select

from api_support import PROPERTY, new_customer, new_quote
from sme_insure.customers import complete_resident_id, complete_uscc
from sme_insure.services.keys import create_key
from sme_insure.storage.schema import Customer, CustomerChannel, Policy, Tenant
from sme_insure.web.render import web_actor


def _uscc(prefix: str = "91") -> str:
    return complete_uscc(f"{prefix}330100{random.randrange(10**8):08d}")


def _bind(client, headers, quote_id):
    r = client.post(f"/v1/quotes/{quote_id}/bind", json={}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def _quote_body(customer_id: int) -> dict:
    return {"product": "SME_PROPERTY", "customer_id": customer_id, "start_date": "2026-03-10",
            "inputs": PROPERTY}


def test_a_partner_presenting_a_known_identifier_is_shown_only_what_it_sent(client, keys, clock):
    identifier = _uscc()
    first = new_customer(client, keys.channel, identifier=identifier, name="福州某制造有限公司",
                         phone="13812341234", industry="C13", employees=15, revenue_cny=2_000_000)
    sent = {"kind": "enterprise", "identifier": identifier, "name": "某制造厂", "phone": "13900005555",
            "industry": "C13", "employees": 400, "revenue_cny": 50_000_000.0}
    r = client.post("/v1/customers", json=sent, headers=keys.channel2)
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["id"] == first["id"] and got["created"] is False  # one customer, not a second record
    assert got["name"] == "某制造厂" and got["phone"] == "139****5555"
    assert got["size_class"] == "medium" and first["size_class"] == "micro"  # from its own figures
    assert got["province"] == "33" and got["entity_type"] == "enterprise"  # from the code
    assert "福州某制造有限公司" not in r.text and "138****1234" not in r.text
    read = client.get(f"/v1/customers/{first['id']}", headers=keys.channel2).json()
    assert read["name"] is None and read["phone"] is None  # withheld: another channel stored them
    assert read["size_class"] == "micro" and read["industry"] == "C13"  # what its quotes rate on
    # the registering channel and the insurer's staff still see the stored record
    assert client.get(f"/v1/customers/{first['id']}", headers=keys.channel).json()["name"] == "福州某制造有限公司"
    assert client.get(f"/v1/customers/{first['id']}", headers=keys.admin).json()["phone"] == "13812341234"
    quote = new_quote(client, keys.channel2, first["id"])
    assert quote["status"] == "quoted" and quote["customer_id"] == first["id"]
    assert _bind(client, keys.channel2, quote["id"])["customer_id"] == first["id"]


def test_a_person_registered_elsewhere_is_not_named_to_a_partner(client, keys, clock):
    pid = complete_resident_id(f"33010219800101{random.randrange(1000):03d}")
    person = {"kind": "natural_person", "identifier": pid, "name": "王小明", "phone": "13912345678"}
    first = client.post("/v1/customers", json=person, headers=keys.service).json()  # staff
    r = client.post("/v1/customers", json={**person, "name": "王先生", "phone": None}, headers=keys.channel2)
    assert r.status_code == 201 and r.json()["id"] == first["id"] and r.json()["created"] is False
    assert r.json()["name"] == "王先生" and r.json()["phone"] is None
    assert "王小明" not in r.text and "5678" not in r.text
    read = client.get(f"/v1/customers/{first['id']}", headers=keys.channel2)
    assert read.status_code == 200 and "王小明" not in read.text and "5678" not in read.text
    # what a partner sends is validated as a registration is: the resident ID says natural person
    wrong = client.post("/v1/customers", json={**person, "kind": "enterprise"}, headers=keys.channel)
    assert wrong.status_code == 422 and "王小明" not in wrong.text
    assert client.get(f"/v1/customers/{first['id']}", headers=keys.channel).status_code == 404  # not linked


def test_a_channel_that_never_presented_the_identifier_does_not_find_the_customer(client, keys, clock):
    identifier = _uscc()
    customer = new_customer(client, keys.channel2, identifier=identifier)
    assert client.get(f"/v1/customers/{customer['id']}", headers=keys.channel).status_code == 404
    r = client.post("/v1/quotes", json=_quote_body(customer["id"]), headers=keys.channel)
    assert r.status_code == 404 and r.json()["detail"] == f"unknown customer {customer['id']}"
    # another tenant: its own, separate customer, and never this one
    assert client.get(f"/v1/customers/{customer['id']}", headers=keys.other_channel).status_code == 404
    other = new_customer(client, keys.other_channel, identifier=identifier)
    assert other["created"] is True and other["id"] != customer["id"] and other["name"] == "福州某制造有限公司"
    r = client.post("/v1/quotes", json=_quote_body(customer["id"]), headers=keys.other_channel)
    assert r.status_code == 404


def _renew(client, headers, policy_id):
    return client.post(f"/v1/policies/{policy_id}/renewals", json={}, headers=headers)


def test_a_channel_renews_its_own_policy_of_a_customer_staff_registered(client, keys, clock):
    customer = new_customer(client, keys.admin, identifier=_uscc())
    assert new_customer(client, keys.channel2, identifier=customer["identifier"])["created"] is False
    quote = new_quote(client, keys.channel2, customer["id"])
    policy = _bind(client, keys.channel2, quote["id"])
    clock["today"] = dt.date(2027, 2, 20)
    r = _renew(client, keys.channel2, policy["id"])
    assert r.status_code == 201, r.text
    offer = r.json()
    assert offer["status"] == "offered" and offer["renewal_of"] == policy["id"]
    assert offer["customer_id"] == customer["id"] and offer["start_date"] == "2027-03-10"


def test_a_renewal_finds_the_customer_through_the_channels_own_policy(client, keys, services, clock):
    """A policy the channel sold to a customer it is not linked to (one registered elsewhere,
    sold before channels were linked and the link since removed): the renewal finds the
    customer through the policy; reading or quoting the customer by id is still refused."""
    customer = new_customer(client, keys.channel, identifier=_uscc())
    new_customer(client, keys.channel2, identifier=customer["identifier"])
    policy = _bind(client, keys.channel2, new_quote(client, keys.channel2, customer["id"])["id"])
    with services.db.transaction() as s:
        s.execute(delete(CustomerChannel).where(CustomerChannel.customer_id == customer["id"],
                                                CustomerChannel.channel == "partner"))
    assert client.get(f"/v1/customers/{customer['id']}", headers=keys.channel2).status_code == 404
    clock["today"] = dt.date(2027, 2, 20)
    renewal = _renew(client, keys.channel2, policy["id"])
    assert renewal.status_code == 201, renewal.text
    assert renewal.json()["customer_id"] == customer["id"]
    body = {**_quote_body(customer["id"]), "start_date": "2027-03-10"}
    assert client.post("/v1/quotes", json=body, headers=keys.channel2).status_code == 404


def _web_partner(services) -> dict:
    """A partner channel's key in the tenant of the public pages."""
    with services.db.transaction() as s:
        code = s.get(Tenant, web_actor(services).tenant_id).code
        return {"X-API-Key": create_key(s, code, "channel", channel="partner").text}


def test_the_web_form_sells_to_a_business_a_partner_registered(client, services, clock):
    partner = _web_partner(services)
    identifier = _uscc("92")
    registered = new_customer(client, partner, kind="individual_business", identifier=identifier,
                              name="杭州某小店", phone="13700001111", industry=None)
    form = {"kind": "individual_business", "identifier": identifier, "name": "小店",
            "start_date": "2026-04-01", **{k: str(v) for k, v in PROPERTY.items()}}
    r = client.post("/products/SME_PROPERTY/quote", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    bound = client.post(r.headers["location"] + "/bind", data={"consent": "yes"}, follow_redirects=False)
    assert bound.status_code == 303 and bound.headers["location"].startswith("/policies/")
    with services.db.reading() as s:
        key = services.vault.lookup_hash(identifier)
        tenant = web_actor(services).tenant_id
        assert s.scalar(select(func.count()).select_from(Customer).where(
            Customer.tenant_id == tenant, Customer.identifier_hash == key)) == 1
        assert s.scalars(select(Policy.channel).where(Policy.customer_id == registered["id"])).all() == ["web"]
    # the partner's own view of its customer is unchanged; it does not see the web's policy
    assert client.get(f"/v1/customers/{registered['id']}", headers=partner).json()["name"] == "杭州某小店"
    mine = client.get(f"/v1/policies?customer_id={registered['id']}", headers=partner).json()
    assert mine["total"] == 0 and mine["items"] == []


def test_the_policy_document_withholds_another_channels_stored_name(client, keys, clock):
    """The document of a policy the partner sold names the policyholder as GET does for it:
    the name stored for the registering channel is withheld (—); staff see it."""
    identifier = _uscc()
    first = new_customer(client, keys.channel, identifier=identifier, name="福州某制造有限公司")
    sent = {"kind": "enterprise", "identifier": identifier, "name": "某厂", "industry": "C13",
            "employees": 15, "revenue_cny": 2_000_000}
    assert client.post("/v1/customers", json=sent, headers=keys.channel2).status_code == 201
    policy = _bind(client, keys.channel2, new_quote(client, keys.channel2, first["id"])["id"])
    doc = client.get(f"/v1/policies/{policy['id']}/document", headers=keys.channel2)
    assert doc.status_code == 200 and "福州某制造有限公司" not in doc.text
    assert "福州某制造有限公司" in client.get(f"/v1/policies/{policy['id']}/document", headers=keys.admin).text
