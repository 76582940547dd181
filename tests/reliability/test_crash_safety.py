"""Crash safety: the server is killed with SIGKILL at random moments while binds and endorsements
stream in; after each restart every acknowledged write is there, nothing is half-written, and
retries with the same Idempotency-Key return the original result. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid

import httpx
import pytest
from sqlalchemy import text

from sme_insure.customers import complete_uscc
from sme_insure.storage.database import Database

PG_URL = os.environ.get("SME_INSURE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
RISK = {"occupancy_class": "retail", "construction": "class_1", "province": "33",
        "sum_insured": 800_000, "fire_protection": "hydrants"}
START = (dt.date.today() + dt.timedelta(days=3)).isoformat()


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, env: dict[str, str]):
        self.env, self.port, self.keys, self.proc = env, _port(), {}, None

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "sme_insure.cli", "serve", "--port",
                                      str(self.port)], env=self.env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        for line in self.proc.stdout:  # type: ignore[union-attr]
            parts = line.split()
            if len(parts) == 2 and parts[1].startswith("smei_"):
                self.keys[parts[0]] = parts[1]
            if line.startswith("serving on"):
                break
        for _ in range(200):
            try:
                httpx.get(f"{self.base}/v1/health", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.05)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)  # type: ignore[union-attr]
        self.proc.wait(10)  # type: ignore[union-attr]


def _drive(server: Server, acked: list, stop: threading.Event, seed: int) -> None:
    rng = random.Random(seed)
    headers = {"X-API-Key": server.keys["channel"]}
    with httpx.Client(base_url=server.base, headers=headers, timeout=5) as c:
        while not stop.is_set():
            try:
                uscc = complete_uscc(f"92330100{rng.randrange(10**7, 10**8)}")
                cust = c.post("/v1/customers", json={"kind": "individual_business", "identifier": uscc,
                                                     "name": "crash"}).json()
                quote = c.post("/v1/quotes", json={"product": "SME_PROPERTY", "customer_id": cust["id"],
                                                   "start_date": START, "inputs": RISK}).json()
                key = f"bind-{uuid.uuid4().hex}"
                r = c.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers={"Idempotency-Key": key})
                if r.status_code == 201:
                    acked.append(("bind", key, quote["id"], r.json()))
                    ekey = f"end-{uuid.uuid4().hex}"
                    body = {"effective_date": START, "changes": {"sum_insured": 900_000}, "reason": "x"}
                    e = c.post(f"/v1/policies/{r.json()['id']}/endorsements", json=body,
                               headers={"Idempotency-Key": ekey})
                    if e.status_code == 201:
                        acked.append(("endorse", ekey, r.json()["id"], e.json(), body))
            except (httpx.HTTPError, KeyError, ValueError):
                time.sleep(0.02)  # the server is down: keep trying until stopped


def _check(db: Database, server: Server, acked: list) -> None:
    with db.reading() as s:
        orphans = s.execute(text("SELECT count(*) FROM policies p WHERE NOT EXISTS (SELECT 1 FROM "
                                 "premium_transactions t WHERE t.policy_id = p.id AND t.kind = 'written')")).scalar()
        unbound = s.execute(text("SELECT count(*) FROM quotes q WHERE q.status = 'bound' AND NOT EXISTS "
                                 "(SELECT 1 FROM policies p WHERE p.quote_id = q.id)")).scalar()
        mismatch = s.execute(text("SELECT count(*) FROM policies p WHERE p.annual_premium_fen <> (SELECT "
                                  "t.annual_premium_after_fen FROM premium_transactions t WHERE t.policy_id = p.id "
                                  "ORDER BY t.sequence DESC LIMIT 1)")).scalar()
        policies = {r[0] for r in s.execute(text("SELECT id FROM policies"))}
        endorsed = {r[0] for r in s.execute(text("SELECT id FROM premium_transactions WHERE kind='endorsement'"))}
    assert (orphans, unbound, mismatch) == (0, 0, 0)
    headers = {"X-API-Key": server.keys["channel"]}
    with httpx.Client(base_url=server.base, headers=headers, timeout=10) as c:
        for kind, key, obj, response, *body in acked:
            if kind == "bind":
                assert response["id"] in policies
                again = c.post(f"/v1/quotes/{obj}/bind", json={}, headers={"Idempotency-Key": key})
            else:
                assert response["id"] in endorsed
                again = c.post(f"/v1/policies/{obj}/endorsements", json=body[0],
                               headers={"Idempotency-Key": key})
            assert again.status_code == 201 and again.json() == response


def _url(kind: str, tmp_path) -> tuple[str, Database]:
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'crash.db'}"
        return url, Database(url)
    schema = f"crash_{uuid.uuid4().hex[:8]}"
    with Database(PG_URL).engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    return url, Database(url)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_sigkill_loses_nothing_acknowledged(kind, tmp_path):
    url, db = _url(kind, tmp_path)
    # the check replays every acknowledged request at once: the per-key rate limit would answer 429
    env = {**os.environ, "SME_INSURE_DATA_DIR": str(tmp_path), "SME_INSURE_DATABASE_URL": url,
           "SME_INSURE_RATE_PER_SECOND": "1e6", "SME_INSURE_RATE_BURST": "1e6"}
    server = Server(env)
    server.start()
    acked: list = []
    rng = random.Random(7)
    for round_ in range(4):
        stop = threading.Event()
        workers = [threading.Thread(target=_drive, args=(server, acked, stop, round_ * 10 + i))
                   for i in range(3)]
        for w in workers:
            w.start()
        time.sleep(rng.uniform(1.0, 2.5))
        server.kill()
        stop.set()
        for w in workers:
            w.join()
        server.start()
        _check(db, server, acked)
    assert len([a for a in acked if a[0] == "bind"]) >= 5
    server.kill()
