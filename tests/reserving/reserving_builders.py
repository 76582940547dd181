"""Builders of claim and premium transaction frames for the reserving tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

CLAIM_DEFAULTS = {
    "policy_id": "P1",
    "product_code": "SME-1",
    "region": "east",
    "size_class": "micro",
    "entity_type": "company",
}


def claim_row(
    claim_id: str,
    line: str,
    loss: str,
    tx: str,
    paid: int = 0,
    reserve: int = 0,
    kind: str | None = None,
    report: str | None = None,
    **extra: object,
) -> dict[str, object]:
    """One claim transaction; ``kind`` defaults from the amounts."""
    if kind is None:
        kind = "recovery" if paid < 0 else ("payment" if paid else "reserve_change")
    return {
        **CLAIM_DEFAULTS,
        "claim_id": claim_id,
        "line": line,
        "loss_date": pd.Timestamp(loss),
        "report_date": pd.Timestamp(report or loss),
        "transaction_date": pd.Timestamp(tx),
        "kind": kind,
        "paid_fen": paid,
        "case_reserve_change_fen": reserve,
        **extra,
    }


def premium_row(
    line: str, start: str, end: str, written: int, exposure: float = 1.0, **extra: object
) -> dict[str, object]:
    """One premium transaction booked on its first day of cover."""
    return {
        **CLAIM_DEFAULTS,
        "line": line,
        "transaction_date": pd.Timestamp(start),
        "effective_from": pd.Timestamp(start),
        "effective_to": pd.Timestamp(end),
        "written_fen": written,
        "exposure": exposure,
        **extra,
    }


def yearly_premiums(line: str, first: int, last: int, written: int, **extra: object) -> list:
    """One calendar-year policy per year."""
    return [
        premium_row(line, f"{y}-01-01", f"{y}-12-31", written, **extra)
        for y in range(first, last + 1)
    ]


def triangle_claims(
    cumulative: np.ndarray, first_year: int, line: str, prefix: str = "C", **extra: object
) -> list[dict[str, object]]:
    """Payments that rebuild an annual cumulative triangle (NaN = not yet observed).

    One claim per origin, loss on 1 January; the increment of development year j is paid on
    31 December of year origin + j (a fall is a recovery).
    """
    rows = []
    for i, row in enumerate(cumulative):
        year, previous = first_year + i, 0.0
        for j, value in enumerate(row):
            if np.isnan(value):
                break
            increment = round(value - previous)
            previous = value
            if increment == 0:
                continue
            rows.append(
                claim_row(
                    f"{prefix}{year}",
                    line,
                    f"{year}-01-01",
                    f"{year + j}-12-31",
                    paid=int(increment),
                    **extra,
                )
            )
    return rows
