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

from sme_insure import clock
from sme_insure.catalogue.catalogue import Catalogue
from sme_insure.catalogue.product import Product
from sme_insure.catalogue.steps import AdjustmentStep, MinimumStep, step_lookups, with_adjustment
from sme_insure.errors import Issue, RatingInputError
from sme_insure.money import to_fen_array
from sme_insure.rating.frame import Prepared, prepare
from sme_insure.rating.records import prepare_record
from sme_insure.rating.result import RatingResult
from sme_insure.rating.steps import StepContext, evaluate
from sme_insure.rating.totals import (
    coverage_fen,
    coverage_fen_owned,
    exempt_rows,
    policy_totals,
)
from sme_insure.rating.trace import StepTrace, make_trace
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
        store = self.catalogue.tables
        return {
            t: store.get(t, pinned[t]) if t in pinned else store.in_force(t, as_of)
            for t in _table_ids(product)
        }

    def _setup(self, code: str, as_of: dt.date | None, product_version: str | None,
               table_versions: Mapping[str, str] | None,
               ) -> tuple[dt.date, Product, dict[str, RatingTable]]:
        """The date, the product version in force then, and the tables to rate it on."""
        as_of = as_of or clock.today()
        product = self.catalogue.get(code, product_version, as_of=as_of)
        if not product.coverages:
            raise RatingInputError([Issue("product", product.label,
                                          "has no rated coverages (a pension product is illustrated, not rated)")])
        return as_of, product, self._tables(product, as_of, table_versions or {})

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
        adjustment: AdjustmentStep | None = None,
    ) -> RatingResult:
        """Rate every row of ``risks``; bad rows are reported in ``issues``, good rows rated.
        ``adjustment``: an underwriter's factor for every row, placed before the minimums
        (:func:`~sme_insure.catalogue.steps.with_adjustment`).

        With ``threads`` > 1 (default ``SME_INSURE_RATING_THREADS``, else 1), a large
        batch without worksheet is rated in chunks of ``CHUNK_ROWS`` rows on that many threads
        (numpy releases the GIL): every figure is a function of its own row, so the result is
        identical to one pass."""
        as_of, product, tables = self._setup(code, as_of, product_version, table_versions)
        versions = {t: tbl.meta.version for t, tbl in tables.items()}
        threads = threads or THREADS
        if worksheet or threads < 2 or len(risks) < 2 * CHUNK_ROWS:
            money, good, prep, traces = _rate_frame(product, tables, risks, worksheet,
                                                    adjustment=adjustment)
        else:
            money, good, prep = _rate_chunked(product, tables, risks, threads, adjustment)
            traces = None
        money.index = risks.index[good] if len(good) < len(risks) else risks.index
        return RatingResult(product, as_of, versions, money, good, prep, traces, risks.index)

    def quote(self, code: str, risk: Mapping[str, object], *, as_of: dt.date | None = None,
              product_version: str | None = None, table_versions: Mapping[str, str] | None = None,
              worksheet: bool = False, threads: int | None = None,
              adjustment: AdjustmentStep | None = None) -> RatingResult:
        """Rate one risk (a batch of one); raises :class:`RatingInputError` naming each problem.

        A clean risk of plain values is typed straight from the dict (:mod:`.records`) and rated
        by the same pass as a batch; anything else, and any problem, goes through a one-row
        DataFrame, so that the figures and the problems are always the batch's."""
        options = {"as_of": as_of or clock.today(),  # one date for both paths, even at midnight
                   "product_version": product_version, "table_versions": table_versions,
                   "worksheet": worksheet, "threads": threads, "adjustment": adjustment}
        result = self._quick(code, risk, **options)  # type: ignore[arg-type]
        if result is None:
            result = self.rate(code, pd.DataFrame([dict(risk)]), **options)  # type: ignore[arg-type]
        if not result.ok:
            raise RatingInputError(_issues(result), context=f"product {result.product.label}")
        return result

    def _quick(self, code: str, risk: Mapping[str, object], *, as_of: dt.date | None = None,
               product_version: str | None = None, table_versions: Mapping[str, str] | None = None,
               worksheet: bool = False, threads: int | None = None,
               adjustment: AdjustmentStep | None = None) -> RatingResult | None:
        """One clean risk rated without a DataFrame of inputs; ``None`` when it needs one
        (``threads`` is accepted as :meth:`rate` accepts it: a batch of one is one pass)."""
        as_of, product, tables = self._setup(code, as_of, product_version, table_versions)
        prep = prepare_record(product, risk)
        if prep is None:
            return None
        money, good, prep, traces = _rate_frame(product, tables, None, worksheet, prep, adjustment)
        if good.size != 1:  # a table without a rate for it: reported by the batch path
            return None
        index = pd.RangeIndex(1)
        money.index = index
        versions = {t: tbl.meta.version for t, tbl in tables.items()}
        return RatingResult(product, as_of, versions, money, good, prep, traces, index)

    def explain(
        self, code: str, risks: pd.DataFrame, label: object, **kwargs: object
    ) -> pd.DataFrame:
        """The worksheet of one row of a batch, rated alone (identical figures by design)."""
        one = risks.loc[[label]]
        return self.rate(code, one, worksheet=True, **kwargs).worksheet(label)  # type: ignore[arg-type]


Money = pd.DataFrame
Positions = npt.NDArray[np.int64]
_TABLE_IDS: dict[int, tuple[Product, list[str]]] = {}


def _table_ids(product: Product) -> list[str]:
    """The tables a product's steps name, sorted; kept per product object (with it, so that its
    id cannot be reused; cleared when large: schedules rate on views made per call)."""
    cached = _TABLE_IDS.get(id(product))
    if cached is None or cached[0] is not product:
        if len(_TABLE_IDS) >= 1024:
            _TABLE_IDS.clear()
        ids = {lk.table for cov in product.coverages for s in cov.steps for lk in step_lookups(s)}
        cached = _TABLE_IDS[id(product)] = (product, sorted(ids))
    return cached[1]


def _rate_frame(product: Product, tables: dict[str, RatingTable], risks: pd.DataFrame | None,
                worksheet: bool, prep: Prepared | None = None,
                adjustment: AdjustmentStep | None = None,
                ) -> tuple[Money, Positions, Prepared, list[StepTrace] | None]:
    """One pass: type the inputs (unless given ``prep``), run every coverage's steps, total the
    money of good rows.

    Without a worksheet nothing else holds the running amounts, so the steps and the rounding to
    fen work in place (same operations, same order: the same figures, fewer fresh arrays)."""
    prep = prepare(product, risks) if prep is None else prep
    traces: list[StepTrace] | None = [] if worksheet else None
    amounts, min_adj = _coverage_amounts(product, tables, prep, traces, adjustment)
    good = ~prep.log.bad
    everyone = bool(good.all())
    pick = (lambda a: a) if everyone else (lambda a: a[good])  # no copies when all rated
    owned = traces is None or not everyone  # the amounts (or their picked copies) are ours
    to_fen = coverage_fen_owned if owned else coverage_fen
    cov_fen = {c: to_fen(pick(a), pick(prep.selected[c])) for c, a in amounts.items()}
    exempt = {c.code: pick(exempt_rows(prep, c)) for c in product.coverages if c.exempt_when}
    money = policy_totals(product, cov_fen, None if min_adj is None else pick(min_adj), exempt,
                          in_place=True)
    return money, np.flatnonzero(good), prep, traces


def _coverage_amounts(product: Product, tables: dict[str, RatingTable], prep: Prepared,
                      traces: list[StepTrace] | None, adjustment: AdjustmentStep | None = None,
                      ) -> tuple[dict[str, np.ndarray], Positions | None]:
    """Each coverage's amount (CNY, float) after its last step, and what the coverages' own
    minimum steps added in fen (``None`` when no minimum raised any row). An ``adjustment``
    is one more step of each coverage, before its minimums; the worksheet numbers the steps as
    applied."""
    in_place = traces is None
    amounts: dict[str, np.ndarray] = {}
    min_adj: Positions | None = None
    shared: dict[tuple[str, ...], object] = {}  # lookups repeated across coverages, done once
    zero = np.broadcast_to(np.float64(0.0), (prep.n,))  # read-only: the first step makes its own
    for cov in product.coverages:
        ctx = StepContext(prep, tables.__getitem__, cov.code, prep.selected[cov.code], shared)
        if in_place and not ctx.active.any():
            amounts[cov.code] = np.zeros(prep.n)  # an optional cover no row takes: nothing to rate
            continue
        amount = zero if in_place else np.zeros(prep.n)
        for i, step in enumerate(with_adjustment(cov.steps, adjustment)):
            figure, after = evaluate(step, ctx, amount, in_place)
            if isinstance(step, MinimumStep):
                min_adj = _add_minimum_adjustment(min_adj, ctx.active, amount, after)
            if traces is not None:
                traces.append(make_trace(cov.code, i, step, ctx, figure, amount, after))
            amount = after
        amounts[cov.code] = amount
    return amounts, min_adj


def _add_minimum_adjustment(min_adj: Positions | None, active: npt.NDArray[np.bool_],
                            before: npt.NDArray[np.float64], after: npt.NDArray[np.float64],
                            ) -> Positions | None:
    """min_adj += fen(after) − fen(before) on the active rows a minimum raised (elsewhere the
    difference is 0, NaN rows included); the array is made when a first row is raised."""
    rows = np.flatnonzero((after > before) & active)
    if rows.size == 0:
        return min_adj
    if min_adj is None:
        min_adj = np.zeros(len(active), dtype=np.int64)
    min_adj[rows] += to_fen_array(after[rows]) - to_fen_array(before[rows])
    return min_adj


def _rate_chunked(product: Product, tables: dict[str, RatingTable], risks: pd.DataFrame,
                  threads: int, adjustment: AdjustmentStep | None = None,
                  ) -> tuple[Money, Positions, Prepared]:
    """:func:`_rate_frame` over consecutive chunks, on a thread pool, joined in order."""
    starts = range(0, len(risks), CHUNK_ROWS)

    def one(start: int) -> tuple[Money, Positions, Prepared, object]:
        return _rate_frame(product, tables, risks.iloc[start:start + CHUNK_ROWS], False,
                           adjustment=adjustment)

    with ThreadPoolExecutor(max_workers=max(threads, 1)) as pool:
        parts = list(pool.map(one, starts))
    columns = parts[0][0].columns
    money = pd.DataFrame({c: np.concatenate([p[0][c].to_numpy() for p in parts]) for c in columns})
    good = np.concatenate([p[1] + start for p, start in zip(parts, starts, strict=True)])
    return money, good, Prepared.concat([p[2] for p in parts])


def _issues(result: RatingResult) -> list[Issue]:
    return [Issue(str(r.field), r.value, str(r.reason)) for r in result.issues.itertuples()]
