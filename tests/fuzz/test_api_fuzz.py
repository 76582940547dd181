"""schemathesis against the whole published contract: no 5xx, responses conform to the schema,
negative data rejected, positive data accepted; one tenant's objects probed with another
tenant's key answer 404. ``SME_INSURE_FUZZ_EXAMPLES`` sets the examples per operation (the CI
fuzz job uses 100); hypothesis prints the seed of any failure for replay."""

from __future__ import annotations

import os
import tempfile

import pytest
import schemathesis
from cryptography.fernet import Fernet
from hypothesis import HealthCheck, settings

from sme_insure.http.app import create_app
from sme_insure.privacy import Vault
from sme_insure.services.context import Services
from sme_insure.services.demo import create_demo
from sme_insure.services.jobs import JobRunner
from sme_insure.settings import default_catalogue
from sme_insure.storage.database import Database

EXAMPLES = int(os.environ.get("SME_INSURE_FUZZ_EXAMPLES", "10"))


def _app():
    folder = tempfile.mkdtemp(prefix="fuzz-")
    db = Database(f"sqlite:///{folder}/fuzz.db")
    db.migrate()
    services = Services(db, default_catalogue(), Vault(Fernet.generate_key()))
    # the contract is under test, not the studies: one job at a time, stopped after a few seconds
    services.jobs = JobRunner(db, services.catalogue, workers=1, timeout=5)  # type: ignore[attr-defined]
    keys = {k.role.value: k.text for k in create_demo(services, customers=60)}
    other = {k.role.value: k.text for k in create_demo(services, tenant="other", customers=30)}
    return create_app(services), keys, other


APP, KEYS, OTHER = _app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_contract_as_admin(case):
    case.call_and_validate(headers={"X-API-Key": KEYS["admin"]})


@schema.parametrize()
@settings(max_examples=max(EXAMPLES // 2, 3), deadline=None, suppress_health_check=list(HealthCheck))
def test_contract_as_channel(case):
    case.call_and_validate(headers={"X-API-Key": KEYS["channel"]})


@pytest.mark.parametrize("path", ["/v1/customers/{id}", "/v1/quotes/{id}", "/v1/policies/{id}",
                                  "/v1/policies/{id}/transactions", "/v1/policies/{id}/document"])
def test_other_tenant_ids_are_not_found(path):
    from fastapi.testclient import TestClient

    client = TestClient(APP)
    mine = client.get("/v1/policies?limit=1", headers={"X-API-Key": KEYS["admin"]}).json()["items"][0]
    ids = {"/v1/customers/{id}": mine["customer_id"], "/v1/quotes/{id}": mine["quote_id"]}
    url = path.format(id=ids.get(path, mine["id"]))
    assert client.get(url, headers={"X-API-Key": KEYS["admin"]}).status_code == 200
    assert client.get(url, headers={"X-API-Key": OTHER["admin"]}).status_code == 404
