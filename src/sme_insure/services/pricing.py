"""Rating and underwriting one risk for a stored quote or policy: the bridge from the engine's
frames to JSON-safe records (money in fen, worksheet rows, versions)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sme_insure.catalogue.product import Product
from sme_insure.catalogue.steps import AdjustmentStep
from sme_insure.errors import Issue, RatingInputError
from sme_insure.policies.states import Decision
from sme_insure.rating import Rater, RatingResult
from sme_insure.rating.schedule import rate_schedule
from sme_insure.services.schedule_sealing import PERSON_STEP, SEALED_KEYS, mask_name
from sme_insure.underwriting import Reason, UnderwritingDecision, decide_rows

PERSONS = "persons"
MAX_PERSONS = 5000


@dataclass(frozen=True)
class Priced:
    """One priced and underwritten risk, ready to store."""

    product: Product
    money: dict[str, int]
    worksheet: list[dict[str, Any]]
    versions: dict[str, Any]
    decision: UnderwritingDecision

    @property
    def premium_fen(self) -> int:
        """The VAT-inclusive premium."""
        return self.money["premium"]


def _clean(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def price(rater: Rater, code: str, inputs: dict[str, Any], *, as_of: dt.date,
          product_version: str | None = None, table_versions: dict[str, str] | None = None,
          extra: list[Reason] | None = None, adjustment: AdjustmentStep | None = None) -> Priced:
    """Rate (with worksheet) and underwrite one risk; bad input raises RatingInputError.
    ``adjustment``: the underwriter's loading or discount recorded on the quote or policy.

    A group risk carries its schedule of insured persons under ``inputs["persons"]``; it is rated
    person by person and rolled up (see :func:`price_schedule`)."""
    if PERSONS in inputs:
        return price_schedule(rater, code, inputs, as_of=as_of, product_version=product_version,
                              table_versions=table_versions, extra=extra, adjustment=adjustment)
    result: RatingResult = rater.quote(code, inputs, as_of=as_of, product_version=product_version,
                                       table_versions=table_versions, worksheet=True,
                                       adjustment=adjustment)
    label = result.premiums.index[0]
    money = {k: int(v) for k, v in result.premiums.loc[label].items()}
    ws = [{k: _clean(v) for k, v in row.items()} for row in result.worksheet_records(label)]
    decision = decide_rows(result.product, result.prepared, [extra or []])[0]
    return Priced(result.product, money, ws, result.versions, decision)


def price_schedule(rater: Rater, code: str, inputs: dict[str, Any], *, as_of: dt.date,
                   product_version: str | None = None, table_versions: dict[str, str] | None = None,
                   extra: list[Reason] | None = None,
                   adjustment: AdjustmentStep | None = None) -> Priced:
    """A group risk: every person must be valid (all problems are reported at once, by row);
    the decision is the strictest of the persons' decisions. The worksheet line of a person
    shows the masked name: the worksheet is stored, and names are sealed at rest. An
    ``adjustment`` applies to every person before the minimums; a line of its own says so."""
    persons = inputs[PERSONS]
    if not isinstance(persons, list) or not persons or len(persons) > MAX_PERSONS:
        raise RatingInputError([Issue(PERSONS, type(persons).__name__,
                                      f"a list of 1 to {MAX_PERSONS} insured persons")])
    reserved = [Issue(k, "…", "reserved for the stored (sealed) schedule; allowed: the person's "
                                "fields of the product", row=i)
                for i, person in enumerate(persons) if isinstance(person, dict)
                for k in SEALED_KEYS if k in person]
    if reserved:  # a row that claimed to be sealed would be stored with its ID in clear
        raise RatingInputError(reserved, context="schedule")
    policy = {k: v for k, v in inputs.items() if k != PERSONS}
    result = rate_schedule(rater, code, pd.DataFrame(persons), policy, as_of=as_of,
                           cover_start=as_of, product_version=product_version,
                           table_versions=table_versions, adjustment=adjustment)
    if len(result.issues):
        raise RatingInputError([Issue(str(r.field), r.value, str(r.reason), row=int(r.row))
                                for r in result.issues.itertuples()], context="schedule")
    money = {k: int(v) for k, v in result.totals.items()}
    per_person = [{"coverage": "person", "step": int(i), "kind": PERSON_STEP,
                   "description": mask_name(str(result.inputs.iloc[i].get("name", "") or "")),
                   "inputs": "", "tables": "", "figure": int(p) / 100, "unit": "cny",
                   "before": 0.0, "after": int(p) / 100}
                  for i, p in enumerate(result.premiums["premium"].tolist())]
    if adjustment is not None:
        per_person.append(_adjustment_line(adjustment, int(result.premiums["premium"].sum())))
    rows = decide_rows(result.product, result.rating.prepared)
    reasons = {r.code: r for d in rows for r in d.reasons}
    worst = max((d.decision for d in rows), key=_severity, default=Decision.ACCEPT)
    merged = UnderwritingDecision(max(worst, _combine_extra(extra), key=_severity),
                                  [*reasons.values(), *(extra or [])])
    return Priced(result.product, money, per_person, dict(result.versions), merged)


def _adjustment_line(adjustment: AdjustmentStep, persons_fen: int) -> dict[str, Any]:
    """The schedule's worksheet line for an adjustment already in each person's premium: its
    factor, and as amount the persons' premiums summed (``persons_fen`` / 100, in CNY), which
    it leaves unchanged (before = after), as the VAT line of a single risk does."""
    return {"coverage": "policy", "step": None, "kind": adjustment.kind,
            "description": f"{adjustment.description}, in each person's premium before the minimums",
            "inputs": "", "tables": "", "figure": adjustment.factor, "unit": "factor",
            "before": persons_fen / 100, "after": persons_fen / 100}


def _severity(decision: Decision) -> int:
    return [Decision.ACCEPT, Decision.REFER, Decision.DECLINE].index(decision)


def _combine_extra(extra: list[Reason] | None) -> Decision:
    return max((r.action for r in extra or []), key=_severity, default=Decision.ACCEPT)


def reasons_json(decision: UnderwritingDecision) -> list[dict[str, str]]:
    """Reasons as stored and returned: code, action and the bilingual message."""
    return [{"code": r.code, "action": str(r.action), "zh": r.message.zh, "en": r.message.en}
            for r in decision.reasons]


def status_for(decision: Decision) -> str:
    """Quote status that follows an underwriting decision."""
    return {Decision.ACCEPT: "quoted", Decision.REFER: "referred", Decision.DECLINE: "declined"}[decision]
