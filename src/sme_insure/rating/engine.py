"""The rating engine: one vectorised pass over a DataFrame of risks.

A single quote is a batch of one and goes through exactly the same code, so it gives exactly the
same figures as the same risk inside a batch of a million.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt
import pandas as pd

from sme_insure.catalogue.catalogue import Catalogue
from sme_insure.catalogue.product import Product
from sme_insure.catalogue.steps import MinimumStep, step_lookups
from sme_insure.errors import Issue, RatingInputError
from sme_insure.money import to_fen_array
from sme_insure.rating.frame import Prepared, prepare
from sme_insure.rating.result import RatingResult
from sme_insure.rating.steps import StepContext, evaluate, unit_of
from sme_insure.rating.totals import coverage_fen, exempt_rows, policy_totals
from sme_insure.rating.trace import StepTrace
from sme_insure.tables import RatingTable

CHUNK_ROWS = 250_000  # few enough chunks that their fixed costs stay small
# opt-in: on a busy 2-core machine a second thread gained little (benchmarks/bench_rating.py)
THREADS = int(os.environ.get("SME_INSURE_RATING_THREADS", 1))


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
        threads: int | None = None,
    ) -> RatingResult:
        """Rate every row of ``risks``; bad rows are reported in ``issues``, good rows rated.

        With ``threads`` > 1 (default ``SME_INSURE_RATING_THREADS``, else 1), a large
        batch without worksheet is rated in chunks of ``CHUNK_ROWS`` rows on that many threads
        (numpy releases the GIL): every figure is a function of its own row, so the result is
        identical to one pass."""
        as_of = as_of or dt.date.today()
        product = self.catalogue.get(code, product_version, as_of=as_of)
        if not product.coverages:
            raise RatingInputError([Issue("product", product.label,
                                          "has no rated coverages (a pension product is illustrated, not rated)")])
        tables = self._tables(product, as_of, table_versions or {})
        versions = {t: tbl.meta.version for t, tbl in tables.items()}
        threads = threads or THREADS
        if worksheet or threads < 2 or len(risks) < 2 * CHUNK_ROWS:
            money, good, prep, traces = _rate_frame(product, tables, risks, worksheet)
        else:
            money, good, prep = _rate_chunked(product, tables, risks, threads)
            traces = None
        money.index = risks.index[good] if len(good) < len(risks) else risks.index
        return RatingResult(product, as_of, versions, money, good, prep, traces, risks.index)

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


Money = pd.DataFrame
Positions = npt.NDArray[np.int64]


def _rate_frame(product: Product, tables: dict[str, RatingTable], risks: pd.DataFrame,
                worksheet: bool) -> tuple[Money, Positions, Prepared, list[StepTrace] | None]:
    """One pass: type the inputs, run every coverage's steps, total the money of good rows."""
    prep = prepare(product, risks)
    traces: list[StepTrace] | None = [] if worksheet else None
    amounts: dict[str, np.ndarray] = {}
    min_adj = np.zeros(prep.n, dtype=np.int64)
    shared: dict[tuple[str, ...], object] = {}  # lookups repeated across coverages, done once
    for cov in product.coverages:
        ctx = StepContext(prep, tables.__getitem__, cov.code, prep.selected[cov.code], shared)
        amount = np.zeros(prep.n)
        if traces is None and not ctx.active.any():
            amounts[cov.code] = amount  # an optional cover no row takes: nothing to rate
            continue
        for i, step in enumerate(cov.steps):
            figure, after = evaluate(step, ctx, amount)
            if isinstance(step, MinimumStep):
                _add_minimum_adjustment(min_adj, ctx.active, amount, after)
            if traces is not None:
                traces.append(_trace(cov.code, i, step, ctx, figure, amount, after))
            amount = after
        amounts[cov.code] = amount
    good = ~prep.log.bad
    pick = (lambda a: a) if good.all() else (lambda a: a[good])  # no copies when all rated
    cov_fen = {c: coverage_fen(pick(a), pick(prep.selected[c])) for c, a in amounts.items()}
    exempt = {c.code: pick(exempt_rows(prep, c)) for c in product.coverages if c.exempt_when}
    money = policy_totals(product, cov_fen, pick(min_adj), exempt)
    return money, np.flatnonzero(good), prep, traces


def _add_minimum_adjustment(min_adj: Positions, active: npt.NDArray[np.bool_],
                            before: npt.NDArray[np.float64], after: npt.NDArray[np.float64]) -> None:
    """min_adj += fen(after) − fen(before) on the active rows a minimum raised (elsewhere the
    difference is 0, NaN rows included)."""
    rows = np.flatnonzero((after > before) & active)
    min_adj[rows] += to_fen_array(after[rows]) - to_fen_array(before[rows])


def _rate_chunked(product: Product, tables: dict[str, RatingTable], risks: pd.DataFrame,
                  threads: int) -> tuple[Money, Positions, Prepared]:
    """:func:`_rate_frame` over consecutive chunks, on a thread pool, joined in order."""
    starts = range(0, len(risks), CHUNK_ROWS)

    def one(start: int) -> tuple[Money, Positions, Prepared, object]:
        return _rate_frame(product, tables, risks.iloc[start:start + CHUNK_ROWS], False)

    with ThreadPoolExecutor(max_workers=max(threads, 1)) as pool:
        parts = list(pool.map(one, starts))
    columns = parts[0][0].columns
    money = pd.DataFrame({c: np.concatenate([p[0][c].to_numpy() for p in parts]) for c in columns})
    good = np.concatenate([p[1] + start for p, start in zip(parts, starts, strict=True)])
    return money, good, Prepared.concat([p[2] for p in parts])


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
