"""One call from transactions to reserves: :func:`run_reserving` (used by the CLI and the API)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from sme_insure.errors import InputError, Issue
from sme_insure.reserving.config import ReservingConfig
from sme_insure.reserving.model import ReservingModel
from sme_insure.reserving.results import ReservingResult
from sme_insure.reserving.transactions import (
    validate_claim_transactions,
    validate_premium_transactions,
)
from sme_insure.reserving.triangles import build_triangles
from sme_insure.reserving.vocabulary import Grain


def parse_as_of(as_of: date | str | pd.Timestamp) -> pd.Timestamp:
    """The valuation date as a midnight Timestamp; :class:`InputError` if it is not a date."""
    try:
        text = as_of.strip() if isinstance(as_of, str) else None
        stamp = pd.Timestamp(date.fromisoformat(text) if text is not None else as_of)
    except (TypeError, ValueError) as error:
        raise InputError([Issue("as_of", as_of, "not a date YYYY-MM-DD")]) from error
    if pd.isna(stamp):
        raise InputError([Issue("as_of", as_of, "not a date YYYY-MM-DD")])
    return stamp.normalize()


def run_reserving(
    claims_df: pd.DataFrame,
    premiums_df: pd.DataFrame,
    as_of: date | str | pd.Timestamp,
    by: Sequence[str] = ("line",),
    config: ReservingConfig | None = None,
    *,
    grain: Grain | None = None,
    strict: bool = False,
) -> ReservingResult:
    """Reserves per segment and origin at ``as_of`` from claim and premium transactions.

    Both frames are validated (:mod:`.transactions`); rows with bad values are left out and listed
    in ``result.issues``, or, with ``strict=True``, raise :class:`InputError`. ``grain`` overrides
    ``config.grain``. Segments are the distinct values of the ``by`` columns.
    """
    config = config if config is not None else ReservingConfig()
    claims = validate_claim_transactions(claims_df, source="claims")
    premiums = validate_premium_transactions(premiums_df, source="premiums")
    issues = (*claims.issues, *premiums.issues)
    if strict and issues:
        raise InputError(list(issues), context="reserving input")
    as_of_ts = parse_as_of(as_of)
    chosen = Grain(grain) if grain is not None else config.grain
    triangles = build_triangles(claims.frame, premiums.frame, as_of_ts, tuple(by), chosen)
    model = ReservingModel(config).fit(triangles)
    return ReservingResult(
        as_of=as_of_ts,
        config=config,
        triangles=triangles,
        plans=tuple(model.plans_),
        origins=model.origins_,
        totals=model.totals_,
        development=model.development_,
        issues=issues,
    )
