"""Work for background-job tests: module-level, so a job's process can import it."""

from __future__ import annotations

import time


def busy(context, progress):
    """CPU-bound with no progress calls: only its supervision can stop it."""
    while True:
        sum(range(10_000))


def sleepy(context, progress):
    """Waits, reporting progress, for longer than any test limit."""
    for step in range(10_000):
        progress(step / 10_000)
        time.sleep(0.05)
    return {"never": "returned"}


def failing(context, progress):
    """Fails with personal data in its message, as a bad row's error might."""
    raise ValueError("row of customer 11010519491231002X, mobile 13812345678 is bad")


def out_of_time(context, progress):
    """Its process's own deadline passed (the server's wait has not yet ended)."""
    from sme_insure.services.jobs import JobTimedOut

    raise JobTimedOut("job")
