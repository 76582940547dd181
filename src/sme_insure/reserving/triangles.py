"""Triangles at a valuation date from claim and premium transactions.

Transactions are first summed with a pandas ``groupby`` to (segment, origin period, development
month) cells, then handed to chainladder, which is fast on a few thousand cells and slow on
millions of rows. All five measures go into **one** multi-index Triangle, so losses, counts and
premium share one segment index and one origin axis by construction:

* ``paid``            Σ paid_fen, cumulative
* ``incurred``        Σ (paid_fen + case_reserve_change_fen), cumulative (case-incurred)
* ``reported_count``  number of claims whose first transaction falls in the cell, cumulative
* ``earned_premium``, ``earned_exposure``  earned per origin period to the valuation date, put at
  the valuation month so that the latest diagonal holds them (chainladder's idiom)

Traps handled here (chainladder 0.10): ``cumulative=False`` is always passed; zero-valued anchor
rows pin the origin axis to calendar periods from the first origin to the valuation period and the
development axis to months (so chainladder infers the right grains and the valuation date); the
index is sorted, since chainladder orders it by first appearance.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import chainladder as cl
import numpy as np
import pandas as pd

from sme_insure.errors import InputError, Issue
from sme_insure.reserving.earning import earned_by_origin
from sme_insure.reserving.vocabulary import Basis, Grain, Line

MEASURES = ("paid", "incurred", "reported_count", "earned_premium", "earned_exposure")
PORTFOLIO = "portfolio"  # the segment column used when ``by`` is empty
_FREQ = {Grain.ANNUAL: "Y", Grain.QUARTERLY: "Q", Grain.MONTHLY: "M"}
_CLAIM_MEASURES = (
    "claim_id",
    "loss_date",
    "transaction_date",
    "paid_fen",
    "case_reserve_change_fen",
)


@dataclass(frozen=True)
class TriangleSet:
    """Cumulative triangles (fen, counts) of every segment at one valuation date.

    ``segments`` lists the segment keys in triangle index order with the segment's line in
    ``segment_line`` (``None`` when a segment mixes lines).
    """

    triangle: cl.Triangle
    by: tuple[str, ...]
    grain: Grain
    as_of: pd.Timestamp
    segments: pd.DataFrame

    def losses(self, basis: Basis) -> cl.Triangle:
        """The paid or case-incurred triangle."""
        return self.triangle[str(basis)]

    @property
    def reported_count(self) -> cl.Triangle:
        """Cumulative number of reported claims."""
        return self.triangle["reported_count"]

    @property
    def earned_premium(self) -> cl.Triangle:
        """Earned premium per origin (fen): a latest-diagonal Triangle."""
        return self.triangle["earned_premium"].latest_diagonal

    @property
    def earned_exposure(self) -> cl.Triangle:
        """Earned exposure per origin: a latest-diagonal Triangle."""
        return self.triangle["earned_exposure"].latest_diagonal


def check_aligned(losses: cl.Triangle, premium: cl.Triangle) -> None:
    """Raise unless both triangles list the same segments in the same order.

    chainladder pairs losses and ``sample_weight`` by position, not by label (Cape Cod, BF), so
    a difference in order silently pairs one segment's losses with another's premium.
    """
    a, b = losses.index.reset_index(drop=True), premium.index.reset_index(drop=True)
    if not a.equals(b) or not losses.origin.equals(premium.origin):
        issue = Issue("index", None, "loss and premium triangles differ in segments or origins")
        raise InputError([issue], context="triangles not aligned")


def regrain(tri: cl.Triangle, grain: Grain) -> cl.Triangle:
    """``tri.grain("O?D?")``, silencing a pandas 3 deprecation raised inside chainladder."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Series.values returning an object-dtype")
        return tri.grain(f"O{grain.code}D{grain.code}")


def _month_start(dates: pd.Series) -> np.ndarray:
    """First day of each date's month (numpy datetime arithmetic: fast on millions of rows)."""
    return dates.to_numpy().astype("datetime64[M]").astype("datetime64[ns]")


def _period_start(dates: pd.Series, grain: Grain) -> np.ndarray:
    """First day of each date's calendar year, quarter or month."""
    months = dates.to_numpy().astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    first = months - months % (12 if grain is Grain.ANNUAL else grain.months)
    return first.astype("datetime64[M]").astype("datetime64[ns]")


def _loss_cells(claims: pd.DataFrame, by: list[str], grain: Grain) -> pd.DataFrame:
    """Paid and incurred per (segment, origin, development month)."""
    cells = claims[by].copy()
    cells["origin"] = _period_start(claims["loss_date"], grain)
    cells["development"] = _month_start(claims["transaction_date"])
    cells["paid"] = claims["paid_fen"].to_numpy(dtype=np.float64)
    cells["incurred"] = cells["paid"] + claims["case_reserve_change_fen"].to_numpy(np.float64)
    keys = [*by, "origin", "development"]
    return cells.groupby(keys, sort=False, observed=True)[["paid", "incurred"]].sum()


def _count_cells(claims: pd.DataFrame, by: list[str], grain: Grain) -> pd.DataFrame:
    """Reported claims: one per claim, at its first transaction."""
    spec = {c: (c, "first") for c in by}
    first = claims.groupby("claim_id", sort=False, observed=True).agg(
        loss_date=("loss_date", "first"), transaction_date=("transaction_date", "min"), **spec
    )
    cells = first[by].copy()
    cells["origin"] = _period_start(first["loss_date"], grain)
    cells["development"] = _month_start(first["transaction_date"])
    keys = [*by, "origin", "development"]
    return cells.groupby(keys, sort=False, observed=True).size().to_frame("reported_count")


def _premium_cells(
    premiums: pd.DataFrame, by: list[str], grain: Grain, as_of: pd.Timestamp
) -> pd.DataFrame:
    earned = earned_by_origin(premiums, as_of, grain, by)
    earned = earned.rename(columns={"earned_premium_fen": "earned_premium"})
    earned["development"] = as_of.to_period("M").start_time
    return earned.set_index([*by, "origin", "development"])


def _anchors(cells: pd.DataFrame, by: list[str], grain: Grain, as_of: pd.Timestamp) -> pd.DataFrame:
    """Zero rows that fix the axes: every origin period and every development month.

    One row per segment (so a segment with premium only is kept), one per origin period from
    January of the first year, one per month up to the valuation month. Zeros add nothing.
    """
    keys = cells.reset_index()[[*by, "origin"]]
    first_year = pd.Timestamp(year=keys["origin"].min().year, month=1, day=1)
    origins = pd.period_range(first_year, as_of, freq=_FREQ[grain]).start_time
    months = pd.period_range(first_year, as_of, freq="M").start_time
    if len(origins) < 2:
        reason = f"history spans one {grain.value} origin period; two are needed: use a finer grain"
        raise InputError([Issue("as_of", str(as_of.date()), reason)])
    segment = keys.drop_duplicates(by).reset_index(drop=True)
    one = segment.iloc[[0]][by]
    rows = [
        segment.assign(development=segment["origin"]),
        one.merge(pd.DataFrame({"origin": origins, "development": origins}), how="cross"),
        one.merge(pd.DataFrame({"origin": first_year, "development": months}), how="cross"),
    ]
    return pd.concat(rows, ignore_index=True).set_index([*by, "origin", "development"])


def _segment_lines(
    claims: pd.DataFrame, premiums: pd.DataFrame, by: list[str], index: pd.DataFrame
) -> pd.DataFrame:
    """The line of each segment, ``None`` when it mixes lines."""
    if "line" in by:
        return index.assign(segment_line=[Line(v) for v in index["line"]])
    both = pd.concat([claims[[*by, "line"]], premiums[[*by, "line"]]], ignore_index=True)
    lines = both.groupby(by, sort=False, observed=True)["line"].agg(
        lambda s: Line(s.iloc[0]) if s.nunique() == 1 else None
    )
    out = index.merge(lines.rename("segment_line").reset_index(), on=by, how="left")
    return out.astype({"segment_line": object})


def _check_by(claims: pd.DataFrame, premiums: pd.DataFrame, by: Sequence[str]) -> list[str]:
    issues = [
        Issue("by", name, "not a column of both claim and premium transactions")
        for name in by
        if name not in claims.columns or name not in premiums.columns
    ]
    if issues:
        raise InputError(issues, context="cannot group")
    return list(by)


def _with_portfolio(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(**{PORTFOLIO: "all"})


def build_triangles(
    claims: pd.DataFrame,
    premiums: pd.DataFrame,
    as_of: pd.Timestamp | str,
    by: Sequence[str] = ("line",),
    grain: Grain = Grain.ANNUAL,
) -> TriangleSet:
    """Paid, incurred and reported-count triangles with earned premium and exposure at ``as_of``.

    ``claims`` and ``premiums`` are validated frames (:mod:`.transactions`). Transactions after
    ``as_of`` are left out; development ages run to the end of ``as_of``'s month.
    """
    as_of = pd.Timestamp(as_of).normalize()
    if not by:
        claims, premiums, by = _with_portfolio(claims), _with_portfolio(premiums), (PORTFOLIO,)
    keys = _check_by(claims, premiums, by)
    needed = [*dict.fromkeys([*keys, "line", *_CLAIM_MEASURES])]
    claims = claims.loc[(claims["transaction_date"] <= as_of).to_numpy(), needed]
    parts = [
        _loss_cells(claims, keys, grain),
        _count_cells(claims, keys, grain),
        _premium_cells(premiums, keys, grain, as_of),
    ]
    parts = [p for p in parts if len(p)]
    if not parts:
        raise InputError([Issue("as_of", str(as_of.date()), "no transactions on or before it")])
    cells = pd.concat(parts)
    cells = pd.concat([cells, _anchors(cells, keys, grain, as_of)]).reset_index()
    # A measure absent from a cell is zero there (a premium row has no paid, a loss row no
    # premium, a book without claims no loss column); chainladder stores zeros as NaN anyway,
    # so filling with 0 changes no meaning.
    cells = cells.reindex(columns=[*keys, "origin", "development", *MEASURES])
    cells[list(MEASURES)] = cells[list(MEASURES)].fillna(0.0)
    return _assemble(cells, keys, grain, as_of, claims, premiums)


def _assemble(
    cells: pd.DataFrame,
    by: list[str],
    grain: Grain,
    as_of: pd.Timestamp,
    claims: pd.DataFrame,
    premiums: pd.DataFrame,
) -> TriangleSet:
    tri = cl.Triangle(
        cells,
        origin="origin",
        development="development",
        columns=list(MEASURES),
        index=by,
        cumulative=False,
        trailing=False,
    )
    tri = regrain(tri, grain).incr_to_cum().sort_index()
    segments = _segment_lines(claims, premiums, by, tri.index.reset_index(drop=True))
    return TriangleSet(tri, tuple(by), grain, as_of, segments)
