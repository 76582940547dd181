"""Background jobs: poll the state, progress and result of long work (reserving, studies)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from sme_insure.http.deps import ActorDep, ServicesDep
from sme_insure.services import jobs
from sme_insure.storage.audit_schema import Job

router = APIRouter(prefix="/v1", tags=["jobs"])
JobId = Annotated[str, Path(pattern="^[0-9a-f]{32}$", description="The id returned when the job was started")]


class JobOut(BaseModel):
    id: str
    kind: str
    status: jobs.JobStatus
    progress: float = Field(ge=0, le=1)
    note: str | None
    result: dict[str, Any] | None = Field(description="The job's output once it succeeded")
    error: str | None = Field(description="Why it failed (including a timeout)")
    timeout_seconds: float
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


def _utc(at: dt.datetime | None) -> dt.datetime | None:
    """Stored in UTC; SQLite gives it back without the zone."""
    return at.replace(tzinfo=dt.UTC) if at is not None and at.tzinfo is None else at


def job_out(job: Job) -> JobOut:
    """A job's public state."""
    return JobOut(id=job.id, kind=job.kind, status=jobs.JobStatus(job.status), progress=job.progress,
                  note=job.note, result=job.result, error=job.error, timeout_seconds=job.timeout_seconds,
                  created_at=_utc(job.created_at), started_at=_utc(job.started_at),
                  finished_at=_utc(job.finished_at))


@router.get("/jobs/{job_id}", response_model=JobOut)
def get_job(job_id: JobId, services: ServicesDep, actor: ActorDep) -> JobOut:
    """A background job of the caller's tenant (actuarial roles): queued, running (with its
    progress), succeeded (with its result) or failed (with the reason, e.g. a timeout)."""
    with services.db.reading() as session:
        return job_out(jobs.get_job(session, actor, job_id))
