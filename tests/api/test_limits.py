"""Resource limits over HTTP: body size (declared and streamed) → 413, per-key rate limit → 429
with Retry-After, pagination cap → 422, claim upload size, and long work as background jobs
with a timeout (GET /v1/jobs/{id})."""

from __future__ import annotations

import os
import time

import pytest
from fastapi.testclient import TestClient

from api_support import wait_for_job
from sme_insure.errors import PermissionDenied
from sme_insure.http.app import create_app
from sme_insure.http.limits import LimitsMiddleware, RateLimiter
from sme_insure.services import jobs
from sme_insure.services.keys import authenticate

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def small(services):
    """The app behind a small limiter: 1 request a second, bursts of 3, bodies up to 10 kB."""
    return TestClient(LimitsMiddleware(create_app(services), RateLimiter(1, 3), max_body=10_000,
                                       keys=services.actors))


def _actor(services, headers):
    with services.db.reading() as s:
        return authenticate(s, headers["X-API-Key"])


def test_body_over_the_limit_is_413_declared_or_streamed(client, small, keys):
    big = {"kind": "enterprise", "identifier": "x", "name": "n" * 20_000}
    r = small.post("/v1/customers", json=big, headers=keys.channel)
    assert r.status_code == 413 and r.headers["content-type"] == PROBLEM
    assert r.json()["title"] == "Request too large" and "10,000 bytes" in r.json()["detail"]

    def chunks():  # no Content-Length: counted as it streams
        for _ in range(30):
            yield b" " * 1000

    r = small.post("/v1/customers", content=chunks(), headers={**keys.service, "content-type": "application/json"})
    assert r.status_code == 413 and r.headers["content-type"] == PROBLEM
    r = client.post("/v1/customers", content=b"{" + b" " * 2_100_000 + b"}", headers=keys.admin)
    assert r.status_code == 413  # the app's own limit (2 MB by default)


def test_rate_limit_is_429_with_retry_after_per_key(client, small, keys):
    for known in (keys.actuary, keys.underwriter):  # checked once: known good, a bucket each
        assert client.get("/v1/products", headers=known).status_code == 200
    codes = [small.get("/v1/products", headers=keys.actuary).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and 429 in codes[3:]
    r = small.get("/v1/products", headers=keys.actuary)
    assert r.status_code == 429 and r.headers["content-type"] == PROBLEM
    assert int(r.headers["Retry-After"]) >= 1 and "1 requests/s" in r.json()["detail"]
    assert small.get("/v1/products", headers=keys.underwriter).status_code == 200  # another key's bucket


def test_made_up_keys_count_against_the_client_address(client, services, keys):
    """Sending a new key each time gains no bucket, nor does another key's public prefix with a
    wrong secret; a key known good keeps its own bucket (``X-API-Key`` or ``Bearer``)."""
    limited = TestClient(LimitsMiddleware(create_app(services), RateLimiter(0.001, 3),
                                          keys=services.actors))  # no refill during the test
    real = keys.channel["X-API-Key"]
    assert client.get("/v1/products", headers=keys.channel).status_code == 200  # now known good
    made_up = [{"X-API-Key": f"smei_{i:012x}_{'A' * 43}"} for i in range(3)]
    made_up += [{"Authorization": f"Bearer smei_{i:012x}_{'B' * 43}"} for i in range(2)]
    made_up += [{"X-API-Key": real[:18] + "x" * 43}, {}]  # the real prefix, a wrong secret; no key
    codes = [limited.get("/v1/products", headers=h).status_code for h in made_up]
    assert codes == [401, 401, 401, 429, 429, 429, 429]
    bearer = {"Authorization": f"Bearer {real}"}
    codes = [limited.get("/v1/products", headers=h).status_code for h in (keys.channel, bearer, keys.channel, bearer)]
    assert codes == [200, 200, 200, 429]  # its own burst of 3, untouched by the others


def test_pagination_is_capped(client, keys):
    assert client.get("/v1/policies?limit=200", headers=keys.admin).status_code == 200
    for path in ("/v1/policies?limit=201", "/v1/claims?limit=1000"):
        r = client.get(path, headers=keys.admin)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.limit"


def test_upload_too_large(client, keys):
    r = client.post("/v1/claims/1/documents", data={"doc_type": "photos"},
                    files={"file": ("big.pdf", b"%PDF" + b"0" * 13_000_000, "application/pdf")}, headers=keys.admin)
    assert r.status_code == 413 and r.headers["content-type"] == PROBLEM




def _answer(context, progress):
    progress(0.5, "half way")
    return {"answer": 42, "products": len(context.catalogue.codes()), "pid": os.getpid()}


def _slow(context, progress):
    for step in range(500):
        progress(step / 500)
        time.sleep(0.02)
    return {"never": "returned"}


def _busy(context, progress):
    """CPU-bound with no progress calls: only the server can stop it."""
    while True:
        sum(range(10_000))


def test_a_job_runs_in_its_own_process_and_reports_its_result(client, keys, services):
    job_id = jobs.submit(services, _actor(services, keys.actuary), kind="trivial", work=_answer,
                         timeout=60)
    body = wait_for_job(client, keys.actuary, job_id)
    assert body["status"] == "succeeded" and body["progress"] == 1.0, body
    result = body.pop("result")
    assert result["answer"] == 42 and result["products"] == len(services.catalogue.codes())
    assert result["pid"] != os.getpid()  # not on a thread of the server: it cannot starve requests
    assert body["error"] is None and body["finished_at"] >= body["started_at"] >= body["created_at"]
    assert body["created_at"].endswith(("Z", "+00:00"))  # a zoned date-time, as the contract says
    assert client.get(f"/v1/jobs/{job_id}", headers=keys.channel).status_code == 403
    assert client.get(f"/v1/jobs/{job_id}", headers=keys.other_admin).status_code == 404
    assert client.get("/v1/jobs/not-a-job", headers=keys.actuary).status_code == 422


@pytest.mark.parametrize("work", [_slow, _busy])
def test_a_job_past_its_time_is_stopped_and_fails_with_a_clear_message(client, keys, services, work):
    actor = _actor(services, keys.actuary)
    job_id = jobs.submit(services, actor, kind="slow", work=work, timeout=3)
    body = wait_for_job(client, keys.actuary, job_id, seconds=30)
    assert body["status"] == "failed" and body["result"] is None
    assert body["error"].startswith("timed out") and "3 s" in body["error"]
    time.sleep(0.5)  # the process was stopped; nothing overwrote the failure
    assert client.get(f"/v1/jobs/{job_id}", headers=keys.actuary).json()["status"] == "failed"
    assert not jobs.runner(services)._live  # no job process left behind


def test_work_that_cannot_reach_a_process_is_refused(keys, services):
    with pytest.raises(TypeError, match="module-level function"):
        jobs.submit(services, _actor(services, keys.actuary), kind="x", work=lambda c, p: {})


def test_only_actuarial_roles_start_jobs(keys, services):
    with pytest.raises(PermissionDenied):
        jobs.submit(services, _actor(services, keys.channel), kind="x", work=_slow)
