"""Request and response bodies of the claims API. Money is integer fen."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, Field, StrictBool, StrictInt

from sme_insure.claims.vocabulary import PaymentType, RecoveryKind
from sme_insure.http.schemas import In

ReasonText = Annotated[str, Field(min_length=1, max_length=1000)]


class ClaimIn(In):
    """First notice of loss."""

    policy_number: str | None = Field(default=None, max_length=40, examples=["SME_2026001000000001"],
                                      description="Required for customer keys, with the insured's "
                                                  "identifier")
    insured_identifier: str | None = Field(default=None, max_length=40,
                                           description="USCC or resident ID of the policyholder; "
                                                       "required for customer keys, with the policy "
                                                       "number")
    loss_date: dt.date
    place: str = Field(min_length=1, max_length=300)
    peril: str = Field(min_length=1, max_length=60, examples=["fire"])
    coverage: str | None = Field(default=None, max_length=60,
                                 description="Coverage claimed; found from the peril if omitted")
    estimated_fen: StrictInt = Field(ge=0, le=10**13, description="Estimated loss in fen")
    description: str = Field(min_length=1, max_length=4000)
    contact_name: str = Field(min_length=1, max_length=100)
    contact_phone: str | None = Field(default=None, pattern=r"^1\d{10}$")
    bank_account: str | None = Field(default=None, max_length=40, description="Account to pay into")
    insured_person: str | None = Field(default=None, max_length=18,
                                       description="Resident ID of the insured person (group lines)")
    injured_person: str | None = Field(
        default=None, max_length=18,
        description="Resident ID of the injured employee or third party (liability lines, optional): "
                    "claims naming the same person share a per-person limit; an unnamed claim shares it "
                    "with no other claim")


class ReserveIn(In):
    reserve_fen: StrictInt = Field(ge=0, le=10**13, description="The new case reserve")
    reason: ReasonText


class AssessIn(In):
    loss_fen: StrictInt = Field(ge=0, le=10**13, description="Assessed loss before terms")
    salvage_fen: StrictInt = Field(default=0, ge=0, le=10**13, description="Salvage kept by the insured")
    value_at_risk_fen: StrictInt | None = Field(default=None, ge=0, le=10**14,
                                          description="Full value at risk, for the average clause")
    interruption_days: StrictInt | None = Field(default=None, ge=1, le=3650,
                                          description="Business interruption: days stopped")
    reason: ReasonText


class PaymentIn(In):
    amount_fen: StrictInt = Field(gt=0, le=10**13)
    type: PaymentType = Field(description="advance (certain part before agreement), partial or final")
    reason: ReasonText


class RecoveryIn(In):
    amount_fen: StrictInt = Field(gt=0, le=10**13)
    kind: RecoveryKind
    reason: ReasonText


class RefusalIn(In):
    reason: ReasonText
    decided_on: dt.date | None = Field(default=None, description="Date the refusal was decided "
                                                                 "(default today; notice goes today)")


class CloseIn(In):
    reason: ReasonText


class ReopenIn(In):
    reason: ReasonText
    reserve_fen: StrictInt = Field(default=0, ge=0, le=10**13)


class FlagOut(BaseModel):
    code: str
    detail: str


class DocumentNeed(BaseModel):
    code: str
    name: dict[str, str]
    received: StrictBool


class DocumentOut(BaseModel):
    id: StrictInt
    doc_type: str
    filename: str
    content_type: str
    size_bytes: StrictInt
    sha256: str
    uploaded_at: dt.datetime


class DocumentsOut(BaseModel):
    required: list[DocumentNeed] = Field(description="Every document this claim needs, asked once")
    outstanding: list[str]
    complete_on: dt.date | None
    files: list[DocumentOut] = Field(default_factory=list)


class BalancesOut(BaseModel):
    payments_fen: StrictInt
    recoveries_fen: StrictInt
    paid_fen: StrictInt
    reserve_fen: StrictInt
    incurred_fen: StrictInt


class TimerOut(BaseModel):
    name: str
    started: dt.date
    due: dt.date
    stopped: dt.date | None
    state: str


class ClaimOut(BaseModel):
    id: StrictInt
    number: str
    policy_id: StrictInt
    policy_number: str
    product: str
    line: str
    coverage: str
    peril: str
    loss_date: dt.date
    report_date: dt.date
    place: str
    description: str
    contact_name: str
    contact_phone: str | None = Field(description="Masked unless the role needs it")
    bank_account: str | None = Field(description="Masked unless the role needs it")
    insured_person: str | None = Field(description="Group lines; masked unless the role needs it")
    injured_person: str | None = Field(description="Liability lines; masked unless the role needs it")
    estimated_fen: StrictInt
    status: str
    route: str
    queue: str
    authority_level: str
    handler_key_id: int | None
    red_flags: list[FlagOut]
    triage_reasons: list[str]
    cover: dict[str, Any]
    documents: DocumentsOut
    waiting_until: dt.date | None
    assessment: dict[str, Any] | None
    agreed_fen: int | None
    decided_on: dt.date | None
    agreed_on: dt.date | None
    refusal_reason: str | None
    closed_on: dt.date | None
    balances: BalancesOut
    timers: list[TimerOut]
    report_to_decision_days: int | None
    report_to_payment_days: int | None


class ClaimPage(BaseModel):
    items: list[ClaimOut]
    total: StrictInt
    limit: StrictInt
    offset: StrictInt


class UploadOut(BaseModel):
    document: DocumentOut
    claim: ClaimOut


class ClaimTransactionOut(BaseModel):
    id: StrictInt
    sequence: StrictInt
    kind: str
    loss_date: dt.date
    report_date: dt.date
    transaction_date: dt.date
    paid_fen: StrictInt
    case_reserve_change_fen: StrictInt
    payment_type: str | None
    reason: str | None


class DeadlineOut(BaseModel):
    claim_id: StrictInt
    number: str
    timer: str
    started: dt.date
    due: dt.date
    state: str
    days_left: StrictInt
