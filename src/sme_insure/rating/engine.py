"""The rating engine: one vectorised pass over a DataFrame of risks.

A single quote is a batch of one and goes through exactly the same code, so it gives exactly the
same figures as the same risk inside a batch of a million.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

from sme_insure.catalogue.catalogue import Catalogue
from sme_insure.catalogue.product import Product
from sme_insure.catalogue.steps import MinimumStep, step_lookups
from sme_insure.errors import Issue, RatingInputError
from sme_insure.money import to_fen_array
from sme_insure.rating.frame import prepare
from sme_insure.rating.result import RatingResult
from sme_insure.rating.steps import StepContext, evaluate, unit_of
from sme_insure.rating.totals import coverage_fen, policy_totals
from sme_insure.rating.trace import StepTrace
from sme_insure.tables import RatingTable


class Rater:
    """Rates risks of any product in a catalogue, as of a date, on the table versions in force
    then (or on named versions: a quote's recorded ones, or drafts for an impact test)."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def _tables(
        self, product: Product, as_of: dt.date, pinned: Mapping[str, str]
    ) -> dict[str, RatingTable]:
        ids = {lk.table for cov in product.coverages for s in cov.steps for lk in step_lookups(s)}
        store = self.catalogue.tables
        return {
            t: store.get(t, pinned[t]) if t in pinned else store.in_force(t, as_of)
            for t in sorted(ids)
        }

    def rate(
        self,
        code: str,
        risks: pd.DataFrame,
        *,
        as_of: dt.date | None = None,
        product_version: str | None = None,
        table_versions: Mapping[str, str] | None = None,
        worksheet: bool = False,
    ) -> RatingResult:
        """Rate every row of ``risks``; bad rows are reported in ``issues``, good rows rated."""
        as_of = as_of or dt.date.today()
        product = self.catalogue.get(code, product_version, as_of=as_of)
        if not product.coverages:
            raise RatingInputError([Issue("product", product.label,
                                          "has no rated coverages (a pension product is illustrated, not rated)")])
        tables = self._tables(product, as_of, table_versions or {})
        prep = prepare(product, risks)
        traces: list[StepTrace] | None = [] if worksheet else None
        amounts: dict[str, np.ndarray] = {}
        min_adj = np.zeros(prep.n, dtype=np.int64)
        for cov in product.coverages:
            ctx = StepContext(prep, tables.__getitem__, cov.code, prep.selected[cov.code])
            amount = np.zeros(prep.n)
            for i, step in enumerate(cov.steps):
                figure, after = evaluate(step, ctx, amount)
                if isinstance(step, MinimumStep):
                    min_adj += np.where(
                        ctx.active,
                        to_fen_array(np.nan_to_num(after)) - to_fen_array(np.nan_to_num(amount)),
                        0,
                    )
                if traces is not None:
                    traces.append(_trace(cov.code, i, step, ctx, figure, amount, after))
                amount = after
            amounts[cov.code] = amount
        good = ~prep.log.bad
        pick = (lambda a: a) if good.all() else (lambda a: a[good])  # no copies when all rated
        cov_fen = {c: coverage_fen(pick(a), pick(prep.selected[c])) for c, a in amounts.items()}
        money = policy_totals(product, cov_fen, pick(min_adj))
        money.index = pick(risks.index)
        return RatingResult(
            product,
            as_of,
            {t: tbl.meta.version for t, tbl in tables.items()},
            money,
            np.flatnonzero(good),
            prep,
            traces,
            risks.index,
        )

    def quote(self, code: str, risk: Mapping[str, object], **kwargs: object) -> RatingResult:
        """Rate one risk (a batch of one); raises :class:`RatingInputError` naming each problem."""
        result = self.rate(code, pd.DataFrame([dict(risk)]), **kwargs)  # type: ignore[arg-type]
        if not result.ok:
            raise RatingInputError(_issues(result), context=f"product {result.product.label}")
        return result

    def explain(
        self, code: str, risks: pd.DataFrame, label: object, **kwargs: object
    ) -> pd.DataFrame:
        """The worksheet of one row of a batch, rated alone (identical figures by design)."""
        one = risks.loc[[label]]
        return self.rate(code, one, worksheet=True, **kwargs).worksheet(label)  # type: ignore[arg-type]


def _issues(result: RatingResult) -> list[Issue]:
    return [Issue(str(r.field), r.value, str(r.reason)) for r in result.issues.itertuples()]


def _trace(
    coverage: str,
    i: int,
    step: object,
    ctx: StepContext,
    figure: np.ndarray,
    before: np.ndarray,
    after: np.ndarray,
) -> StepTrace:
    lookups = step_lookups(step)  # type: ignore[arg-type]
    inputs = [n for lk in lookups for n in lk.inputs]
    for attr in ("exposure", "units"):
        if getattr(step, attr, None):
            inputs.append(getattr(step, attr))
    labels = tuple(ctx.table(lk.table).label for lk in lookups)
    unit = unit_of(step, ctx)  # type: ignore[arg-type]
    return StepTrace(
        coverage,
        i,
        step.kind,
        step.description or step.kind,  # type: ignore[attr-defined]
        tuple(dict.fromkeys(inputs)),
        labels,
        str(unit),
        figure,
        before,
        after,
    )
