"""Helpers shared by the API tests (a module of its own: test files never import conftest)."""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid

from sqlalchemy import text

from sme_insure.services.keys import create_key
from sme_insure.storage.database import Database

PG_URL = os.environ.get("SME_INSURE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _fresh_pg(url: str) -> Database:
    """A private schema per test session so parallel workers and runs do not collide."""
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = Database(url)
    with admin.engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    db = Database(url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}")
    db.schema = schema  # type: ignore[attr-defined]
    return db


ENTERPRISE = {"kind": "enterprise", "identifier": "91350100M000100Y43", "name": "福州某制造有限公司",
              "phone": "13812341234", "industry": "C13", "employees": 15, "revenue_cny": 2_000_000,
              "assets_cny": 1_000_000}
PROPERTY = {"occupancy_class": "industrial_3", "construction": "class_2", "province": "33",
            "sum_insured": 2_000_000, "fire_protection": "extinguishers_only", "deductible": 5000}


def new_customer(client, headers, **change):
    r = client.post("/v1/customers", json={**ENTERPRISE, **change}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def new_quote(client, headers, customer_id, inputs=None, product="SME_PROPERTY", start="2026-03-10"):
    body = {"product": product, "customer_id": customer_id, "start_date": start,
            "inputs": inputs or PROPERTY}
    r = client.post("/v1/quotes", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def wait_for_job(client, headers, job_id, seconds=120, poll=0.3):
    """Poll ``GET /v1/jobs/{id}`` until the job succeeds or fails; its last state."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}", headers=headers).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(poll)
    raise AssertionError(f"job {job_id} did not finish: {job}")


TODAY = dt.date(2026, 3, 1)


class Keys:
    """Keys of one fresh tenant (and a second tenant for isolation tests)."""

    def __init__(self, services):
        tenant = f"t{uuid.uuid4().hex[:8]}"
        other = f"o{uuid.uuid4().hex[:8]}"
        with services.db.transaction() as s:
            make = lambda t, role, **kw: {"X-API-Key": create_key(s, t, role, **kw).text}  # noqa: E731
            self.admin = make(tenant, "admin")
            self.channel = make(tenant, "channel", channel="web")
            self.channel2 = make(tenant, "channel", channel="partner")
            self.service = make(tenant, "customer_service")
            self.actuary = make(tenant, "actuary")
            self.underwriter = make(tenant, "underwriter", authority={
                "max_sum_insured_fen": 100_000_000_00, "max_loading": 0.5, "max_discount": 0.1})
            self.junior = make(tenant, "underwriter", authority={
                "max_sum_insured_fen": 1_000_000_00, "max_loading": 0.1, "max_discount": 0.0})
            self.other_admin = make(other, "admin")
            self.other_channel = make(other, "channel", channel="web")
