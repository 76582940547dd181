"""Experience by policy, period and factor level, partition by partition.

:class:`ScanTask` (first pass) lists the issues of every row and sums earned premium and exposure
by period (for development). :class:`ExperienceTask` (second pass) gives one record per row and
period it earns in: earned exposure, exposure base, earned premium, on-level premium and the
claims of that row in that period; its cells are the sums by period and factor levels.

All measures are integers (:mod:`.units`), so cells summed from any partitioning are identical:
the pandas and Dask engines run these same tasks and agree exactly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sme_insure.studies.losses import CLAIM_COLUMNS, trend_years
from sme_insure.studies.periods import PeriodGrid, split_by_period
from sme_insure.studies.rows import PreparedRows, RowSpec, prepare_rows
from sme_insure.studies.units import BASE_SCALE, YEAR_SCALE, to_units

EXPOSURE_MEASURES = ("exposure_u", "base_u", "premium_fen", "onlevel_fen", "projected_fen")
CLAIM_MEASURES = (
    "reported",
    "count_u",
    "trended_count_u",
    "latest_fen",
    "developed_fen",
    "trended_fen",
)
MEASURES = (*EXPOSURE_MEASURES, *CLAIM_MEASURES)
ISSUE_FIELDS = ("policy_id", "field", "value", "reason")


def _booked(pr: PreparedRows, valuation: dt.date) -> pd.DataFrame:
    """Usable rows booked by the valuation date, with their position in the partition."""
    keep = pr.good & (pr.rows["transaction_date"] <= pd.Timestamp(valuation)).to_numpy(bool)
    return pr.rows.assign(_row=np.arange(len(pr.rows))).loc[keep]


@dataclass(frozen=True)
class ScanTask:
    """Issues of every row, and earned premium (fen) and exposure (10⁻⁶ years) by period."""

    spec: RowSpec
    grid: PeriodGrid
    valuation: dt.date

    def __call__(self, part: pd.DataFrame) -> pd.DataFrame:
        pr = prepare_rows(part, self.spec)
        rows = _booked(pr, self.valuation)
        split = split_by_period(rows, self.grid)
        sums = (
            pd.DataFrame(
                {
                    "period": split.period,
                    "premium_fen": to_units(
                        rows["written_fen"].to_numpy()[split.row] * split.share, 1
                    ),
                    "exposure_u": to_units(
                        rows["exposure"].to_numpy()[split.row] * split.share, YEAR_SCALE
                    ),
                }
            )
            .groupby("period", as_index=False)
            .sum()
        )
        issues = pr.issues.assign(period=-1, premium_fen=0, exposure_u=0)
        return pd.concat(
            [sums.assign(kind="period"), issues.assign(kind="issue")], ignore_index=True
        )[self.meta().columns]

    def meta(self) -> pd.DataFrame:
        """Empty frame of the output's columns and types."""
        return pd.DataFrame(
            {
                "kind": pd.Series(dtype=object),
                "period": pd.Series(dtype=np.int64),
                "premium_fen": pd.Series(dtype=np.int64),
                "exposure_u": pd.Series(dtype=np.int64),
                **{c: pd.Series(dtype=object) for c in ISSUE_FIELDS},
            }
        )

    def combine(self, parts: list[pd.DataFrame]) -> pd.DataFrame:
        """Period sums added up, issues gathered (ordered, so any partitioning agrees)."""
        frame = pd.concat(parts, ignore_index=True)
        periods = frame.loc[frame["kind"] == "period", ["period", "premium_fen", "exposure_u"]]
        periods = periods.astype(np.int64).groupby("period", as_index=False).sum()
        issues = frame.loc[frame["kind"] == "issue"].astype(dict.fromkeys(ISSUE_FIELDS, str))
        issues = issues.sort_values(list(ISSUE_FIELDS), kind="stable")
        out = pd.concat([periods.assign(kind="period"), issues], ignore_index=True)
        return out[self.meta().columns].reset_index(drop=True)


@dataclass(frozen=True)
class ExperienceTask:
    """Records and cells of the experience period, with claims matched to rows."""

    spec: RowSpec
    grid: PeriodGrid
    valuation: dt.date
    claims: pd.DataFrame = field(repr=False)
    olf: tuple[float, ...] | None = None
    premium_trend: float = 0.0
    written_to: pd.Timestamp | None = None

    @property
    def keys(self) -> list[str]:
        """Cell keys: period and every factor."""
        return ["period", *(f.input for f in self.spec.factors)]

    def _onlevel(
        self,
        pr: PreparedRows,
        rows: pd.DataFrame,
        r: np.ndarray,
        period: np.ndarray,
        share: np.ndarray,
    ) -> np.ndarray:
        """On-level earned premium (fen, float): P_cur × exposure × share, or EP × OLF_p."""
        if self.olf is None:
            current = pr.premium[rows["_row"].to_numpy()[r]].astype(np.float64)
            return current * rows["exposure"].to_numpy()[r] * share
        return rows["written_fen"].to_numpy()[r] * share * np.asarray(self.olf)[period]

    def _exposure_records(self, pr: PreparedRows, rows: pd.DataFrame) -> pd.DataFrame:
        split = split_by_period(rows, self.grid)
        r, share = split.row, split.share
        expo = rows["exposure"].to_numpy()[r] * share
        onlevel = self._onlevel(pr, rows, r, split.period, share)
        years = (
            trend_years(rows["transaction_date"].iloc[r].reset_index(drop=True), self.written_to)
            if self.written_to is not None
            else 0.0
        )
        out = {"policy_id": rows["policy_id"].to_numpy()[r], "period": split.period}
        for factor in self.spec.factors:
            out[factor.input] = pr.codes[factor.input][rows["_row"].to_numpy()[r]]
        out |= {
            "exposure_u": to_units(expo, YEAR_SCALE),
            "base_u": to_units(expo * pr.base[rows["_row"].to_numpy()[r]], BASE_SCALE),
            "premium_fen": to_units(rows["written_fen"].to_numpy()[r] * share, 1),
            "onlevel_fen": to_units(onlevel, 1),
            "projected_fen": to_units(onlevel * (1 + self.premium_trend) ** years, 1),
        }
        return pd.DataFrame(out)

    def _claim_records(self, pr: PreparedRows, rows: pd.DataFrame) -> pd.DataFrame:
        """Each claim on the row covering its loss date (positive exposure; latest start)."""
        cover = rows[["policy_id", "effective_from", "effective_to", "exposure", "_row"]]
        cand = self.claims.merge(cover, on="policy_id")
        inside = (
            (cand["loss_date"] >= cand["effective_from"])
            & (cand["loss_date"] <= cand["effective_to"])
            & (cand["exposure"] > 0)
        )
        cand = cand.loc[inside].sort_values(["claim_id", "effective_from", "_row"])
        cand = cand.drop_duplicates("claim_id", keep="last")
        period = self.grid.label_of(cand["loss_date"])
        cand = cand.loc[period >= 0]
        out = {"policy_id": cand["policy_id"].to_numpy(), "period": period[period >= 0]}
        for factor in self.spec.factors:
            out[factor.input] = pr.codes[factor.input][cand["_row"].to_numpy()]
        out |= {m: cand[m].to_numpy(dtype=np.int64) for m in CLAIM_MEASURES}
        return pd.DataFrame(out)

    def records(self, part: pd.DataFrame) -> pd.DataFrame:
        """Policy-level records (one per row and period, one per claim), measures as integers."""
        pr = prepare_rows(part, self.spec)
        rows = _booked(pr, self.valuation)
        frames = [self._exposure_records(pr, rows), self._claim_records(pr, rows)]
        out = pd.concat(frames, ignore_index=True)
        for m in MEASURES:
            out[m] = out[m].fillna(0).astype(np.int64) if m in out else np.int64(0)
        return out[["policy_id", *self.keys, *MEASURES]]

    def __call__(self, part: pd.DataFrame) -> pd.DataFrame:
        return self.aggregate(self.records(part))

    def aggregate(self, records: pd.DataFrame) -> pd.DataFrame:
        """Cells: measures summed by period and factor levels."""
        cells = records.groupby(self.keys, as_index=False, sort=True)[list(MEASURES)].sum()
        return cells.astype(dict.fromkeys(self.keys, np.int64))

    def meta(self) -> pd.DataFrame:
        """Empty frame of the cells' columns and types."""
        return pd.DataFrame({c: pd.Series(dtype=np.int64) for c in [*self.keys, *MEASURES]})

    def combine(self, parts: list[pd.DataFrame]) -> pd.DataFrame:
        """Cells of several partitions added up (integers: exact in any order)."""
        frame = pd.concat(parts, ignore_index=True)
        return self.aggregate(frame).reset_index(drop=True)


def claim_frame(claims: pd.DataFrame) -> pd.DataFrame:
    """Claims as the experience task needs them (see :mod:`.losses`)."""
    return claims[["claim_id", *CLAIM_COLUMNS]].copy()
