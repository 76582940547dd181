"""Long work (reserving, rate studies) as background jobs with a timeout.

A job is a function of one :class:`Progress` argument that returns a JSON-able ``dict``. It runs
on a small thread pool; its state (queued, running, succeeded, failed), progress, result or error
live in the ``jobs`` table, so any worker process of the server can answer ``GET /v1/jobs/{id}``.

Timeouts: when a job runs past its limit it is marked failed with a message that says so, at
once, by a timer. Python cannot stop a thread from outside, so the work learns it on its next
``progress(...)`` call, which raises :class:`JobTimedOut`; a result that arrives late is dropped.
A job whose process died (a server restart) is reported failed once its limit has passed.

    job_id = submit(services, actor, kind="reserving", work=lambda progress: {...})
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from sme_insure.errors import NotFoundError, SmeInsureError, StateError
from sme_insure.services.actor import Action, Actor, authorize
from sme_insure.services.context import Services
from sme_insure.storage.audit_schema import Job
from sme_insure.storage.database import Database
from sme_insure.storage.schema import utcnow

log = logging.getLogger(__name__)

WORKERS = int(os.environ.get("SME_INSURE_JOB_WORKERS", 2))
TIMEOUT_SECONDS = float(os.environ.get("SME_INSURE_JOB_TIMEOUT_SECONDS", 900))
MAX_WAITING = int(os.environ.get("SME_INSURE_JOB_MAX_WAITING", 20))  # per tenant, queued or running


class JobStatus(StrEnum):
    """Where a job is."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


class JobTimedOut(Exception):
    """Raised inside a job's work by ``progress(...)`` once its time is up."""


class Progress:
    """Handed to a job's work: report how far it got (0–1) and a short note."""

    def __init__(self, runner: JobRunner, job_id: str, deadline: float) -> None:
        self._runner, self._job_id, self._deadline = runner, job_id, deadline
        self._written = 0.0

    def __call__(self, fraction: float, note: str | None = None) -> None:
        """Record progress (at most every half second); raise :class:`JobTimedOut` when the job
        has run out of time."""
        now = time.monotonic()
        if now > self._deadline:
            raise JobTimedOut(self._job_id)
        if now - self._written >= 0.5:
            self._written = now
            self._runner.finish_if_running(self._job_id, progress=min(max(fraction, 0.0), 1.0),
                                           note=(note or "")[:200] or None, final=False)


Work = Callable[[Progress], dict[str, Any]]


class JobRunner:
    """A thread pool whose jobs keep their state in the database."""

    def __init__(self, db: Database, workers: int = WORKERS) -> None:
        self.db = db
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sme-job")

    def submit(self, actor: Actor, kind: str, work: Work, timeout: float) -> str:
        """Queue ``work``; returns the job id."""
        job_id = uuid.uuid4().hex
        with self.db.transaction() as session:
            waiting = session.scalar(select(func.count()).select_from(Job).where(
                Job.tenant_id == actor.tenant_id, Job.status.in_(UNFINISHED))) or 0
            if waiting >= MAX_WAITING:
                raise StateError(f"{waiting} jobs of this tenant are queued or running; "
                                 "wait for one to finish")
            session.add(Job(id=job_id, tenant_id=actor.tenant_id, kind=kind, status=JobStatus.QUEUED,
                            progress=0.0, timeout_seconds=timeout, created_by_key=actor.key_id))
        self._pool.submit(self._run, job_id, work, timeout)
        return job_id

    def _run(self, job_id: str, work: Work, timeout: float) -> None:
        with self.db.transaction() as session:
            session.execute(update(Job).where(Job.id == job_id).values(
                status=JobStatus.RUNNING, started_at=utcnow()))
        timer = threading.Timer(timeout, self._time_out, (job_id, timeout))
        timer.daemon = True
        timer.start()
        try:
            result = work(Progress(self, job_id, time.monotonic() + timeout))
            self.finish_if_running(job_id, status=JobStatus.SUCCEEDED, progress=1.0, result=result)
        except JobTimedOut:
            pass  # already marked by the timer
        except SmeInsureError as exc:
            self.finish_if_running(job_id, status=JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        except Exception:
            log.exception("job %s failed", job_id)
            self.finish_if_running(job_id, status=JobStatus.FAILED,
                                   error="unexpected error; it was logged")
        finally:
            timer.cancel()

    def _time_out(self, job_id: str, timeout: float) -> None:
        self.finish_if_running(job_id, status=JobStatus.FAILED,
                               error=f"timed out: still running after the limit of {timeout:g} s; "
                                     "the work was abandoned (narrow it, or raise the limit)")

    def finish_if_running(self, job_id: str, *, final: bool = True, **values: Any) -> bool:
        """Update a running job (the first to finish it wins); ``False`` if it had finished."""
        if final:
            values["finished_at"] = utcnow()
        with self.db.transaction() as session:
            done = session.execute(update(Job).where(Job.id == job_id, Job.status == JobStatus.RUNNING)
                                   .values(**values))
        return done.rowcount == 1  # type: ignore[attr-defined]

    def shutdown(self) -> None:
        """Stop taking work; running jobs finish in the background."""
        self._pool.shutdown(wait=False, cancel_futures=True)


def runner(services: Services) -> JobRunner:
    """The runner set on ``services.jobs``, else one created on first use."""
    found = getattr(services, "jobs", None)
    if found is None:
        found = JobRunner(services.db)
        services.jobs = found  # type: ignore[attr-defined]
    return found


def submit(services: Services, actor: Actor, *, kind: str, work: Work,
           timeout: float | None = None) -> str:
    """Run actuarial ``work`` in the background; returns the job id to poll."""
    authorize(actor, Action.ACTUARIAL)
    return runner(services).submit(actor, kind, work, timeout or TIMEOUT_SECONDS)


def _lost(job: Job, now: dt.datetime) -> bool:
    """A running job whose limit passed long ago: the process running it has gone."""
    if job.status != JobStatus.RUNNING or job.started_at is None:
        return False
    started = job.started_at if job.started_at.tzinfo else job.started_at.replace(tzinfo=dt.UTC)
    return now - started > dt.timedelta(seconds=job.timeout_seconds + 60)


def get_job(session: Session, actor: Actor, job_id: str) -> Job:
    """A job of the actor's tenant (another tenant's is not found)."""
    authorize(actor, Action.ACTUARIAL)
    job = session.scalars(select(Job).where(Job.id == job_id, Job.tenant_id == actor.tenant_id)).first()
    if job is None:
        raise NotFoundError("job", job_id)
    if _lost(job, utcnow()):
        job.status, job.error = JobStatus.FAILED, "lost: the server process running it stopped"
    return job
