"""Tenants never see each other's data; channels see only their own business; roles are enforced;
personal data is masked for roles that don't need it."""

from __future__ import annotations

import pytest

from api_support import new_customer, new_quote


@pytest.fixture
def world(client, keys, clock):
    customer = new_customer(client, keys.channel, kind="enterprise")
    quote = new_quote(client, keys.channel, customer["id"])
    policy = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel).json()
    return {"customer": customer, "quote": quote, "policy": policy}


READS = ["/v1/customers/{customer}", "/v1/quotes/{quote}", "/v1/policies/{policy}",
         "/v1/policies/{policy}/transactions", "/v1/policies/{policy}/document"]
WRITES = [("/v1/quotes/{quote}/bind", {}),
          ("/v1/policies/{policy}/endorsements",
           {"effective_date": "2026-06-01", "changes": {"deductible": 10000}, "reason": "x"}),
          ("/v1/policies/{policy}/cancellations", {"effective_date": "2026-06-01", "reason": "x"}),
          ("/v1/policies/{policy}/reinstatement", {"reason": "x"}),
          ("/v1/policies/{policy}/adjustments", {"actual": {"sum_insured": 1}, "reason": "x"}),
          ("/v1/policies/{policy}/renewals", {})]


def _fill(path, world):
    return path.format(customer=world["customer"]["id"], quote=world["quote"]["id"],
                       policy=world["policy"]["id"])


def test_other_tenant_gets_404_everywhere(client, keys, world):
    for path in READS:
        for headers in (keys.other_admin, keys.other_channel):
            r = client.get(_fill(path, world), headers=headers)
            assert r.status_code == 404, (path, r.status_code)
            assert r.headers["content-type"] == "application/problem+json"
    for path, body in WRITES:
        r = client.post(_fill(path, world), json=body, headers=keys.other_admin)
        assert r.status_code == 404, (path, r.text)
    listing = client.get("/v1/policies", headers=keys.other_admin).json()
    assert all(p["id"] != world["policy"]["id"] for p in listing["items"])


def test_channel_sees_only_its_own_business(client, keys, world):
    for path in READS[1:]:
        assert client.get(_fill(path, world), headers=keys.channel2).status_code == 404, path
        assert client.get(_fill(path, world), headers=keys.channel).status_code == 200, path
    for path, body in WRITES:
        assert client.post(_fill(path, world), json=body, headers=keys.channel2).status_code == 404, path
    assert client.get("/v1/policies", headers=keys.channel2).json()["total"] == 0
    assert client.get("/v1/policies", headers=keys.admin).json()["total"] >= 1


def test_roles(client, keys, world):
    assert client.post(f"/v1/quotes/{world['quote']['id']}/bind", json={},
                       headers=keys.actuary).status_code == 403
    assert client.get("/v1/referrals", headers=keys.channel).status_code == 403
    assert client.post("/v1/quotes", json={}, headers=keys.actuary).status_code in (403, 422)
    assert client.get(f"/v1/policies/{world['policy']['id']}", headers=keys.actuary).status_code == 200
    assert client.get("/v1/policies").status_code == 401
    assert client.get("/v1/policies", headers={"X-API-Key": "smei_nope_nope"}).status_code == 401
    assert client.get("/v1/health").status_code == 200


def test_personal_data_masked_for_roles_that_do_not_need_it(client, keys, clock):
    person = {"kind": "natural_person", "identifier": "11010519491231002X", "name": "李四",
              "phone": "13812345678"}
    masked = client.post("/v1/customers", json=person, headers=keys.channel).json()
    assert masked["identifier"] == "110105********002X" and masked["phone"] == "138****5678"
    full = client.get(f"/v1/customers/{masked['id']}", headers=keys.underwriter).json()
    assert full["identifier"] == "11010519491231002X" and full["phone"] == "13812345678"
    shown = client.get(f"/v1/customers/{masked['id']}", headers=keys.service).json()
    assert shown["identifier"] == "110105********002X"


def test_bad_request_is_problem_json_naming_the_field(client, keys, world):
    r = client.post("/v1/quotes", json={"product": "SME_PROPERTY", "customer_id": world["customer"]["id"],
                                        "start_date": "2026-03-10",
                                        "inputs": {"occupancy_class": "castle"}}, headers=keys.channel)
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"occupancy_class", "construction", "sum_insured"} <= fields
    r = client.post("/v1/quotes", json={"product": "NOPE", "customer_id": 1, "start_date": "2026-03-10",
                                        "inputs": {}}, headers=keys.channel)
    assert r.status_code == 404
    r = client.post("/v1/quotes", json={"product": "SME_PROPERTY", "customer_id": "x",
                                        "start_date": "soon", "inputs": {}}, headers=keys.channel)
    assert r.status_code == 422 and {"customer_id", "start_date"} <= {e["field"] for e in r.json()["errors"]}
