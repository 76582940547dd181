"""A worker process runs at most SME_INSURE_REQUEST_THREADS requests at once (default 2);
the others wait on the event loop, and all of them are answered."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import anyio.to_thread
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient

from api_support import new_customer
from sme_insure.http.app import REQUEST_THREADS, create_app
from sme_insure.privacy import Vault
from sme_insure.services.context import Services


def test_requests_share_a_few_threads_and_all_are_answered(database, catalogue, keys):
    services = Services(database, catalogue, Vault(Fernet.generate_key()))  # its own lifespan
    with TestClient(create_app(services)) as client:
        limiter = client.portal.call(anyio.to_thread.current_default_thread_limiter)
        assert REQUEST_THREADS == 2 and limiter.total_tokens == REQUEST_THREADS
        with ThreadPoolExecutor(8) as pool:
            made = list(pool.map(lambda _: new_customer(client, keys.channel)["id"], range(8)))
            read = list(pool.map(lambda i: client.get(f"/v1/customers/{i}", headers=keys.channel),
                                 made * 2))
    assert len(set(made)) == 1  # one identifier: one customer, found by the other seven
    assert [r.status_code for r in read] == [200] * 16
