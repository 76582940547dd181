"""Rating and underwriting one risk for a stored quote or policy: the bridge from the engine's
frames to JSON-safe records (money in fen, worksheet rows, versions)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from sme_insure.catalogue.product import Product
from sme_insure.policies.states import Decision
from sme_insure.rating import Rater, RatingResult
from sme_insure.underwriting import Reason, UnderwritingDecision, decide_rows


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
          extra: list[Reason] | None = None) -> Priced:
    """Rate (with worksheet) and underwrite one risk; bad input raises RatingInputError."""
    result: RatingResult = rater.quote(code, inputs, as_of=as_of, product_version=product_version,
                                       table_versions=table_versions, worksheet=True)
    label = result.premiums.index[0]
    money = {k: int(v) for k, v in result.premiums.loc[label].items()}
    ws = [{k: _clean(v) for k, v in row.items()} for row in result.worksheet_records(label)]
    decision = decide_rows(result.product, result.prepared, [extra or []])[0]
    return Priced(result.product, money, ws, result.versions, decision)


def reasons_json(decision: UnderwritingDecision) -> list[dict[str, str]]:
    """Reasons as stored and returned: code, action and the bilingual message."""
    return [{"code": r.code, "action": str(r.action), "zh": r.message.zh, "en": r.message.en}
            for r in decision.reasons]


def status_for(decision: Decision) -> str:
    """Quote status that follows an underwriting decision."""
    return {Decision.ACCEPT: "quoted", Decision.REFER: "referred", Decision.DECLINE: "declined"}[decision]


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later (clamped to the month's end)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")
