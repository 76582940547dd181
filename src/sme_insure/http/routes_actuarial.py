"""Actuarial work over HTTP, as background jobs (poll ``GET /v1/jobs/{id}``): reserving on the
tenant's own transactions, and the demo rate study on a synthetic book with known truth."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, status
from pydantic import Field, StrictInt

from sme_insure.http.deps import ActorDep, ServicesDep
from sme_insure.http.schemas import DateText, In
from sme_insure.reserving.vocabulary import Grain
from sme_insure.services import actuarial_jobs, jobs

router = APIRouter(prefix="/v1", tags=["actuarial"])


class ReservingIn(In):
    as_of: DateText
    by: list[str] = Field(default_factory=lambda: ["line"], max_length=4)
    grain: Grain = Grain.QUARTERLY


class StudyIn(In):
    policies: StrictInt = Field(default=20_000, ge=2_000, le=200_000,
                          description="Size of the synthetic SME property book")
    seed: StrictInt = Field(default=7, ge=0, le=2**31)


@router.post("/reserving/runs", status_code=status.HTTP_202_ACCEPTED)
def start_reserving(body: ReservingIn, services: ServicesDep, actor: ActorDep) -> dict[str, str]:
    """Reserves by segment and origin at ``as_of`` from this tenant's transactions (job)."""
    work = partial(actuarial_jobs.reserving_job, actor, body.as_of, body.by, body.grain)
    return {"job_id": jobs.submit(services, actor, kind="reserving", work=work)}


@router.post("/studies/runs", status_code=status.HTTP_202_ACCEPTED)
def start_study(body: StudyIn, services: ServicesDep, actor: ActorDep) -> dict[str, str]:
    """The demo rate study (experience, GLM, indication, proposal, impact) as a job."""
    work = partial(actuarial_jobs.demo_study_job, body.policies, body.seed)
    return {"job_id": jobs.submit(services, actor, kind="study", work=work)}
