"""Actuarial work over HTTP, as background jobs (poll ``GET /v1/jobs/{id}``): reserving on the
tenant's own transactions, and the demo rate study on a synthetic book with known truth."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, status
from pydantic import Field, StrictInt

from sme_insure.http.deps import ActorDep, ServicesDep
from sme_insure.http.schemas import DateText, In
from sme_insure.reserving.report import render_report
from sme_insure.reserving.vocabulary import Grain
from sme_insure.services import jobs
from sme_insure.services.actuarial import reserve_book

router = APIRouter(prefix="/v1", tags=["actuarial"])


class ReservingIn(In):
    as_of: DateText
    by: list[str] = Field(default_factory=lambda: ["line"], max_length=4)
    grain: Grain = Grain.QUARTERLY


class StudyIn(In):
    policies: StrictInt = Field(default=20_000, ge=2_000, le=200_000,
                          description="Size of the synthetic SME property book")
    seed: StrictInt = Field(default=7, ge=0, le=2**31)


def _reserving_work(services, actor, body: ReservingIn):  # noqa: ANN001
    def work(progress: jobs.Progress) -> dict[str, Any]:
        progress(0.1, "reading transactions")
        with services.db.reading() as session:
            result = reserve_book(session, services.catalogue, actor, as_of=body.as_of,
                                  by=body.by, grain=body.grain)
        progress(0.8, "rendering the report")
        return {**json.loads(result.to_json()), "html": render_report(result)}
    return work


@router.post("/reserving/runs", status_code=status.HTTP_202_ACCEPTED)
def start_reserving(body: ReservingIn, services: ServicesDep, actor: ActorDep) -> dict[str, str]:
    """Reserves by segment and origin at ``as_of`` from this tenant's transactions (job)."""
    return {"job_id": jobs.submit(services, actor, kind="reserving",
                                  work=_reserving_work(services, actor, body))}


def _study_work(body: StudyIn):
    def work(progress: jobs.Progress) -> dict[str, Any]:
        from sme_insure.studies import load_study_config, run_study, write_demo
        from sme_insure.studies.report import render

        with tempfile.TemporaryDirectory() as tmp:
            progress(0.05, "generating the synthetic book")
            write_demo(Path(tmp), n_policies=body.policies, seed=body.seed)
            config = load_study_config(Path(tmp) / "study.yaml")
            result = run_study(config, progress=lambda stage, f: progress(0.1 + 0.8 * f, stage))
            config_text = (Path(tmp) / "study.yaml").read_text(encoding="utf-8")
            return {"html": render(result), "config_yaml": config_text}
    return work


@router.post("/studies/runs", status_code=status.HTTP_202_ACCEPTED)
def start_study(body: StudyIn, services: ServicesDep, actor: ActorDep) -> dict[str, str]:
    """The demo rate study (experience, GLM, indication, proposal, impact) as a job."""
    return {"job_id": jobs.submit(services, actor, kind="study", work=_study_work(body))}
