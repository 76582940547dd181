"""Pension: the benefit illustration of a flexible worker's commercial pension plan."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import Field, StrictFloat, StrictInt

from sme_insure.errors import InputError, Issue
from sme_insure.http.deps import ActorDep, ServicesDep
from sme_insure.http.schemas import In
from sme_insure.pension import MemberPlan, illustrate
from sme_insure.services.actor import Action, authorize
from sme_insure.services.products import product_for

router = APIRouter(prefix="/v1", tags=["pension"])


class IllustrationIn(In):
    product: str = Field(default="FLEXIBLE_PENSION", examples=["FLEXIBLE_PENSION"])
    sex: str = Field(pattern="^(male|female)$")
    age: StrictInt = Field(ge=16, le=80)
    retirement_age: StrictInt = Field(ge=60, le=80)
    sleeve: str = Field(examples=["steady"])
    payout: str = Field(default="life", examples=["life", "fixed_term"])
    fixed_term_years: StrictInt | None = Field(default=None, ge=1, le=40)
    monthly_contribution: StrictFloat = Field(default=0.0, ge=0, le=1_000_000)
    annual_contribution: StrictFloat = Field(default=0.0, ge=0, le=10_000_000)
    topup_monthly: StrictFloat = Field(default=0.0, ge=0, le=1_000_000)
    topup_annual: StrictFloat = Field(default=0.0, ge=0, le=10_000_000)


@router.post("/pension/illustrations")
def pension_illustration(body: IllustrationIn, services: ServicesDep, actor: ActorDep) -> dict[str, Any]:
    """Project the account and the monthly pension under low, medium and high crediting
    scenarios, with the surrender-value schedule (money in fen; contributions carry no VAT).
    Stores nothing, so it takes no Idempotency-Key: a retry computes the same answer."""
    authorize(actor, Action.QUOTE)
    product = product_for(services.catalogue, actor, body.product, as_of=services.today())
    if product.pension is None:
        raise InputError([Issue("product", body.product, "not a pension product")])
    plan = MemberPlan(member_id="illustration", **body.model_dump(exclude={"product"}))
    return illustrate(product.pension, plan).to_dict()
