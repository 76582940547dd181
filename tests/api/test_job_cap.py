"""A tenant's cap on waiting jobs holds under concurrent submits, on SQLite and PostgreSQL."""

from __future__ import annotations

import functools
import queue
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from sme_insure.errors import StateError
from sme_insure.services import jobs
from sme_insure.services.keys import authenticate
from sme_insure.storage.audit_schema import Job


def test_concurrent_submits_never_pass_the_cap(services, keys, monkeypatch):
    """8 submits at once with a cap of 2: exactly 2 queued, 6 refused. On PostgreSQL each used
    to count 0 or 1 waiting and insert (3 or 4 queued); the tenant's row now serialises them."""
    monkeypatch.setattr(jobs, "MAX_WAITING", 2)
    with services.db.reading() as s:
        actor = authenticate(s, keys.actuary["X-API-Key"])
    runner = jobs.JobRunner.__new__(jobs.JobRunner)  # the real submit, a queue nobody serves
    runner.db, runner._closed, runner._lock = services.db, False, threading.Lock()
    runner._queued, runner._queue = set(), queue.Queue()
    start = threading.Barrier(8)

    def submit(i: int) -> str:
        start.wait()
        try:
            return runner.submit(actor, "study", functools.partial(print, i), 60)
        except StateError:
            return "refused"

    with ThreadPoolExecutor(8) as pool:
        out = list(pool.map(submit, range(8)))
    with services.db.reading() as s:
        queued = s.scalar(select(func.count()).select_from(Job).where(Job.tenant_id == actor.tenant_id))
    assert queued == 2 and out.count("refused") == 6, out
