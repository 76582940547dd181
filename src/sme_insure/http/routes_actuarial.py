"""Actuarial work over HTTP, as background jobs (poll ``GET /v1/jobs/{id}``): reserving on the
tenant's own transactions, and rate studies: on the tenant's own book (``source: own``, with a
study configuration) or the demo on a synthetic book with known truth (``source: demo``)."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, status
from pydantic import Discriminator, Field, StrictInt, Tag

from sme_insure.http.deps import ActorDep, ServicesDep
from sme_insure.http.schemas import DateText, In
from sme_insure.reserving.vocabulary import Grain
from sme_insure.services import actuarial_jobs, jobs, study_data

router = APIRouter(prefix="/v1", tags=["actuarial"])


class ReservingIn(In):
    as_of: DateText
    by: list[str] = Field(default_factory=lambda: ["line"], max_length=4)
    grain: Grain = Grain.QUARTERLY


class DemoStudyIn(In):
    """The demo study on a synthetic SME property book (the default when ``source`` is absent)."""

    source: Literal["demo"] = "demo"
    policies: StrictInt = Field(default=20_000, ge=2_000, le=200_000,
                          description="Size of the synthetic SME property book")
    seed: StrictInt = Field(default=7, ge=0, le=2**31)


OWN_EXAMPLE = {"name": "sme-property-own", "product": "SME_PROPERTY",
               "valuation_date": "2027-06-30", "current_rates_as_of": "2026-06-01",
               "experience": {"start": "2026-01-01", "end": "2027-06-30", "grain": "quarterly"},
               "factors": [{"input": "construction"}, {"input": "fire_protection"}],
               "indication": {"variable_expense_ratio": 0.25, "profit_ratio": 0.05,
                              "effective_from": "2027-10-01"}}


class OwnStudyIn(In):
    """A study of this tenant's own policies, premium transactions and claims."""

    source: Literal["own"]
    config: dict[str, Any] = Field(
        description="A rate-study configuration as in docs/rate-studies.md, as JSON. `data` "
        "defaults to {source: database}; no file or folder may be named (data files, "
        "catalogue, development.reserving_config, proposal.tables_out) and the engine is pandas.",
        examples=[OWN_EXAMPLE])


def _study_source(body: Any) -> str | None:
    """Which study a body asks for: its ``source``, ``demo`` when absent."""
    tag = body.get("source", "demo") if isinstance(body, dict) else getattr(body, "source", None)
    return tag if isinstance(tag, str) else None


StudyIn = Annotated[Annotated[DemoStudyIn, Tag("demo")] | Annotated[OwnStudyIn, Tag("own")],
                    Discriminator(_study_source)]


@router.post("/reserving/runs", status_code=status.HTTP_202_ACCEPTED)
def start_reserving(body: ReservingIn, services: ServicesDep, actor: ActorDep) -> dict[str, str]:
    """Reserves by segment and origin at ``as_of`` from this tenant's transactions (job). Takes
    no Idempotency-Key: each call starts a job of its own, which only reads (a retry starts
    another)."""
    work = partial(actuarial_jobs.reserving_job, actor, body.as_of, body.by, body.grain)
    return {"job_id": jobs.submit(services, actor, kind="reserving", work=work)}


@router.post("/studies/runs", status_code=status.HTTP_202_ACCEPTED)
def start_study(body: StudyIn, services: ServicesDep, actor: ActorDep) -> dict[str, str]:
    """A rate study (experience, GLM, indication, proposal, impact) as a job: on this tenant's
    own book (``source: own``), or the demo on a synthetic book (``source: demo``, the default).
    Takes no Idempotency-Key: each call starts a job of its own, which only reads (a retry starts
    another)."""
    if isinstance(body, OwnStudyIn):
        config = study_data.api_study_config(services.catalogue, actor, body.config)
        work = partial(actuarial_jobs.own_study_job, actor, config)
    else:
        work = partial(actuarial_jobs.demo_study_job, body.policies, body.seed)
    return {"job_id": jobs.submit(services, actor, kind="study", work=work)}
