"""Reserving on the tenant's own transactions and the demo rate study, as background jobs."""

from __future__ import annotations

import uuid

import pytest

from api_support import wait_for_job
from sme_insure.services.demo import create_demo
from sme_insure.services.documents_store import DiskDocumentStore


@pytest.fixture(scope="module")
def actuary(services, tmp_path_factory):
    services.documents = DiskDocumentStore(tmp_path_factory.mktemp("jobs-docs"))
    keys = {k.role.value: k.text for k in create_demo(services, tenant=f"a{uuid.uuid4().hex[:8]}",
                                                      customers=160)}
    return {"X-API-Key": keys["actuary"]}, {"X-API-Key": keys["channel"]}




def test_reserving_job_on_own_transactions(client, actuary):
    headers, channel = actuary
    r = client.post("/v1/reserving/runs", json={"as_of": "2026-03-01", "grain": "monthly"},
                    headers=headers)
    assert r.status_code == 202, r.text
    job = wait_for_job(client, headers, r.json()["job_id"])
    assert job["status"] == "succeeded", job["error"]
    result = job["result"]
    assert "<html" in result["html"].lower()
    assert client.post("/v1/reserving/runs", json={"as_of": "2026-03-01"},
                       headers=channel).status_code == 403


def test_study_job(client, actuary):
    headers, _ = actuary
    r = client.post("/v1/studies/runs", json={"policies": 4000}, headers=headers)
    assert r.status_code == 202
    job = wait_for_job(client, headers, r.json()["job_id"], seconds=240)
    assert job["status"] == "succeeded", job["error"]
    assert "GLM" in job["result"]["html"] or "glm" in job["result"]["html"].lower()
