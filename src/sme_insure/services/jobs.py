"""Long work (reserving, rate studies) as background jobs, each in its own process, with a timeout.

Why processes: actuarial work is CPU-bound Python; on a thread of the server it would hold the
GIL and every request would queue behind it (a quote waiting seconds while a study fits a GLM).
A job runs in a child process forked from a clean ``forkserver`` (the heavy modules preloaded),
so the server keeps answering, and a job past its limit is really stopped (terminated), not
abandoned. At most ``SME_INSURE_JOB_WORKERS`` jobs run at once; the rest wait in the queue.

A job's work is ``work(context, progress) -> dict``: a module-level function (or a
``functools.partial`` of one) so that it can be pickled to the child, which rebuilds a
:class:`JobContext` (database, catalogue) from the server's database URL and catalogue folders.
State (queued, running, succeeded, failed), progress, result or error live in the ``jobs``
table, so any server process can answer ``GET /v1/jobs/{id}``. A job whose process died with
the server is reported failed once its limit has passed.

    job_id = submit(services, actor, kind="reserving", work=partial(reserving_job, params))
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import multiprocessing
import os
import pickle
import queue
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from sme_insure.catalogue import Catalogue
from sme_insure.errors import NotFoundError, SmeInsureError, StateError
from sme_insure.logs import configure_logging
from sme_insure.services.actor import Action, Actor, authorize
from sme_insure.services.context import Services
from sme_insure.storage.audit_schema import Job
from sme_insure.storage.database import Database
from sme_insure.storage.schema import Tenant, utcnow

log = logging.getLogger(__name__)

WORKERS = int(os.environ.get("SME_INSURE_JOB_WORKERS", 2))
TIMEOUT_SECONDS = float(os.environ.get("SME_INSURE_JOB_TIMEOUT_SECONDS", 900))
MAX_WAITING = int(os.environ.get("SME_INSURE_JOB_MAX_WAITING", 20))  # per tenant, queued or running
PRELOAD = ["sme_insure.services.jobs", "sme_insure.services.actuarial_jobs"]


class JobStatus(StrEnum):
    """Where a job is."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


STOPPED_RUNNING = "stopped: the server shut down while it ran"


class JobTimedOut(Exception):
    """Raised inside a job's work by ``progress(...)`` once its time is up."""


@dataclass(frozen=True)
class JobContext:
    """What a job's work gets in its process: the database and the catalogue."""

    db: Database
    catalogue: Catalogue


def timed_out(timeout: float) -> str:
    """The error of a job stopped at its limit (by its process or by the server, whichever
    notices first: the process's own deadline starts once its catalogue is loaded)."""
    return (f"timed out: still running after the limit of {timeout:g} s; the work was "
            "stopped (narrow it, or raise the limit)")


def finish_if_running(db: Database, job_id: str, *, final: bool = True, **values: Any) -> bool:
    """Update a running job (the first to finish it wins); ``False`` if it had finished."""
    if final:
        values["finished_at"] = utcnow()
    with db.transaction() as session:
        done = session.execute(update(Job).where(Job.id == job_id, Job.status == JobStatus.RUNNING)
                               .values(**values))
    return done.rowcount == 1  # type: ignore[attr-defined]


class Progress:
    """Handed to a job's work: report how far it got (0–1) and a short note."""

    def __init__(self, db: Database, job_id: str, deadline: float) -> None:
        self._db, self._job_id, self._deadline = db, job_id, deadline
        self._written = 0.0

    def __call__(self, fraction: float, note: str | None = None) -> None:
        """Record progress (at most every half second); raise :class:`JobTimedOut` when the job
        has run out of time (the server stops the process soon after in any case)."""
        now = time.monotonic()
        if now > self._deadline:
            raise JobTimedOut(self._job_id)
        if now - self._written >= 0.5:
            self._written = now
            finish_if_running(self._db, self._job_id, progress=min(max(fraction, 0.0), 1.0),
                              note=(note or "")[:200] or None, final=False)


Work = Callable[[JobContext, Progress], dict[str, Any]]


def _watch(db: Database, job_id: str, server_pid: int, deadline: float) -> None:
    """In the job's process: end it when the server that started it is gone (a SIGKILL leaves
    no one to stop it) or well past its limit, so no job outlives its supervision."""
    while True:
        time.sleep(1.0)
        try:
            os.kill(server_pid, 0)
            alive = True
        except ProcessLookupError:
            alive = False
        except PermissionError:
            alive = True
        if not alive or time.monotonic() > deadline + 30:
            why = "lost: the server process running it stopped" if not alive else "timed out"
            finish_if_running(db, job_id, status=JobStatus.FAILED, error=why)
            os._exit(3)


def _child(url: str, source: tuple[Path, Path], job_id: str, work: Work, timeout: float,
           server_pid: int) -> None:
    """Entry point of a job's process: run the work, record its result or its error.

    Logging is configured first, as the server configures its own (level from
    ``SME_INSURE_LOG_LEVEL``, personal data masked): the process starts with none, and a record
    would otherwise reach Python's last-resort handler with ID and mobile numbers in clear."""
    configure_logging()
    db = Database(url)
    threading.Thread(target=_watch, args=(db, job_id, server_pid, time.monotonic() + timeout),
                     daemon=True, name="sme-job-watch").start()
    try:
        context = JobContext(db, Catalogue.load(*source))
        result = work(context, Progress(db, job_id, time.monotonic() + timeout))
        finish_if_running(db, job_id, status=JobStatus.SUCCEEDED, progress=1.0, result=result)
    except JobTimedOut:  # the server marks it too, unless its wait ended before our deadline
        finish_if_running(db, job_id, status=JobStatus.FAILED, error=timed_out(timeout))
    except SmeInsureError as exc:
        finish_if_running(db, job_id, status=JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
    except Exception:
        log.exception("job %s failed", job_id)
        finish_if_running(db, job_id, status=JobStatus.FAILED, error="unexpected error; it was logged")
    finally:
        db.engine.dispose()


class JobRunner:
    """Queues jobs; each of ``workers`` supervising threads runs one job process at a time."""

    def __init__(self, db: Database, catalogue: Catalogue, workers: int = WORKERS,
                 timeout: float = TIMEOUT_SECONDS) -> None:
        if catalogue.source is None:
            raise ValueError("jobs need a catalogue loaded from folders (Catalogue.load)")
        self.db, self.source, self.timeout = db, catalogue.source, timeout
        # daemon threads: a queued job must never keep the interpreter from exiting
        self._queue: queue.Queue[tuple[str, Work, float] | None] = queue.Queue()
        self._threads = [threading.Thread(target=self._serve, name=f"sme-job-{i}", daemon=True)
                         for i in range(max(workers, 1))]
        self._closed = False
        self._mp = multiprocessing.get_context("forkserver")
        self._mp.set_forkserver_preload(PRELOAD)
        self._live: dict[str, Any] = {}
        self._queued: set[str] = set()
        self._lock = threading.Lock()
        for thread in self._threads:
            thread.start()
        atexit.register(self.shutdown)  # before multiprocessing's exit handler (LIFO)

    def _serve(self) -> None:
        """One supervising thread: take the next queued job and see it through."""
        while (item := self._queue.get()) is not None:
            if not self._closed:
                self._supervise(*item)

    def submit(self, actor: Actor, kind: str, work: Work, timeout: float) -> str:
        """Queue ``work``; returns the job id."""
        if self._closed:
            raise StateError("the server is shutting down; submit the job again later")
        try:
            pickle.dumps(work)
        except (pickle.PicklingError, AttributeError, TypeError) as exc:
            raise TypeError("a job's work must be a module-level function or a functools.partial "
                            f"of one, with picklable arguments: {exc}") from exc
        job_id = uuid.uuid4().hex
        with self.db.transaction() as session:
            # the tenant's row serialises its submits: on PostgreSQL two could both count
            # MAX_WAITING − 1 and both insert (SQLite's writer lock already serialises them)
            session.execute(select(Tenant.id).where(Tenant.id == actor.tenant_id)
                            .with_for_update(key_share=True))  # FOR NO KEY UPDATE: inserts may go on
            _fail_lost(session, actor.tenant_id)
            waiting = session.scalar(select(func.count()).select_from(Job).where(
                Job.tenant_id == actor.tenant_id, Job.status.in_(UNFINISHED))) or 0
            if waiting >= MAX_WAITING:
                raise StateError(f"{waiting} jobs of this tenant are queued or running; "
                                 "wait for one to finish")
            session.add(Job(id=job_id, tenant_id=actor.tenant_id, kind=kind, status=JobStatus.QUEUED,
                            progress=0.0, timeout_seconds=timeout, created_by_key=actor.key_id))
        with self._lock:
            self._queued.add(job_id)
        self._queue.put((job_id, work, timeout))
        return job_id

    def _supervise(self, job_id: str, work: Work, timeout: float) -> None:
        """Start the job's process, wait up to its limit, stop it if it is still running.

        The job moves from ``_queued`` to ``_live`` in one step under the lock (a placeholder
        until its process exists), so :meth:`shutdown` always finds it in one of the two; a job
        whose process started after the shutdown is stopped here."""
        with self._lock:
            if self._closed:
                return  # still in _queued: shutdown fails it
            self._queued.discard(job_id)
            self._live[job_id] = None
        try:
            process = self._start(job_id, work, timeout)
            if process is not None:
                self._wait(job_id, process, timeout)
        finally:
            with self._lock:
                self._live.pop(job_id, None)

    def _start(self, job_id: str, work: Work, timeout: float) -> Any:
        """Claim the job (queued → running) and start its process; ``None`` if it is not to run
        (failed while it waited, the process could not start, or the server shut down)."""
        with self.db.transaction() as session:
            started = session.execute(update(Job).where(
                Job.id == job_id, Job.status == JobStatus.QUEUED).values(
                status=JobStatus.RUNNING, started_at=utcnow()))
        if started.rowcount != 1:  # type: ignore[attr-defined]
            return None  # failed while it waited (the server is shutting down)
        process = self._mp.Process(target=_child, name=f"sme-job-{job_id[:8]}", daemon=True,
                                   args=(self.db.url, self.source, job_id, work, timeout,
                                         os.getpid()))
        try:
            process.start()  # seconds the first time: the forkserver boots
        except Exception:
            log.exception("job %s: could not start its process", job_id)
            finish_if_running(self.db, job_id, status=JobStatus.FAILED,
                              error="could not start the job's process; it was logged")
            return None
        with self._lock:
            self._live[job_id] = process
            closed = self._closed
        if closed:  # shutdown saw only the placeholder
            finish_if_running(self.db, job_id, status=JobStatus.FAILED, error=STOPPED_RUNNING)
            _stop(process)
            return None
        return process

    def _wait(self, job_id: str, process: Any, timeout: float) -> None:
        """Wait up to the limit; stop a process still running, record one that died."""
        process.join(timeout)
        if process.is_alive():
            finish_if_running(self.db, job_id, status=JobStatus.FAILED, error=timed_out(timeout))
            _stop(process)
        elif process.exitcode != 0:
            finish_if_running(self.db, job_id, status=JobStatus.FAILED,
                              error=f"the job's process ended with exit code {process.exitcode}")

    def shutdown(self) -> None:
        """Stop taking work: jobs still queued and jobs running are marked failed, and their
        processes stopped (the server is going away; nothing would supervise them).

        Closing and reading ``_queued`` and ``_live`` happen under one lock, so every job is in
        one of them; a job being started (a placeholder in ``_live``) is failed here whether or
        not it was claimed yet, and its supervising thread stops its process once started."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            live, queued = dict(self._live), set(self._queued)
        for _ in self._threads:
            self._queue.put(None)
        waiting = queued | {job_id for job_id, process in live.items() if process is None}
        if waiting:
            with self.db.transaction() as session:
                session.execute(update(Job).where(Job.id.in_(waiting), Job.status == JobStatus.QUEUED)
                                .values(status=JobStatus.FAILED, finished_at=utcnow(),
                                        error="stopped: the server shut down before it started"))
        for job_id, process in live.items():
            finish_if_running(self.db, job_id, status=JobStatus.FAILED, error=STOPPED_RUNNING)
            if process is not None:
                _stop(process)


def _stop(process: Any) -> None:
    """Terminate a job process (SIGTERM, then SIGKILL after 5 s)."""
    process.terminate()
    process.join(5)
    if process.is_alive():
        process.kill()
        process.join()


_RUNNER_LOCK = threading.Lock()


def runner(services: Services) -> JobRunner:
    """The runner set on ``services.jobs``, else one created on first use."""
    with _RUNNER_LOCK:
        found = getattr(services, "jobs", None)
        if found is None:
            found = JobRunner(services.db, services.catalogue)
            services.jobs = found  # type: ignore[attr-defined]
    return found


def submit(services: Services, actor: Actor, *, kind: str, work: Work,
           timeout: float | None = None) -> str:
    """Run actuarial ``work`` in the background; returns the job id to poll."""
    authorize(actor, Action.ACTUARIAL)
    found = runner(services)
    return found.submit(actor, kind, work, timeout or found.timeout)


def _utc(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def _lost(job: Job, now: dt.datetime) -> bool:
    """A job its server can no longer be running or starting: running past its limit, or
    queued for longer than a full queue ahead of it could take (the server was killed)."""
    limit = dt.timedelta(seconds=job.timeout_seconds)
    if job.status == JobStatus.RUNNING and job.started_at is not None:
        return now - _utc(job.started_at) > limit + dt.timedelta(seconds=60)
    if job.status == JobStatus.QUEUED and job.created_at is not None:
        rounds = MAX_WAITING // max(WORKERS, 1) + 1
        return now - _utc(job.created_at) > limit * rounds + dt.timedelta(seconds=60)
    return False


LOST = "lost: the server process running it stopped"


def _fail_lost(session: Session, tenant_id: int) -> None:
    """Record the verdict on the tenant's lost jobs, so that they stop counting as waiting."""
    now = utcnow()
    unfinished = session.scalars(select(Job).where(Job.tenant_id == tenant_id,
                                                   Job.status.in_(UNFINISHED)))
    for job in unfinished:
        if _lost(job, now):
            job.status, job.error, job.finished_at = JobStatus.FAILED, LOST, now


def get_job(session: Session, actor: Actor, job_id: str) -> Job:
    """A job of the actor's tenant (another tenant's is not found)."""
    authorize(actor, Action.ACTUARIAL)
    job = session.scalars(select(Job).where(Job.id == job_id, Job.tenant_id == actor.tenant_id)).first()
    if job is None:
        raise NotFoundError("job", job_id)
    if _lost(job, utcnow()):
        job.status, job.error = JobStatus.FAILED, LOST
    return job
