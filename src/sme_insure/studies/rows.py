"""One partition of exposure rows, typed, checked and rated: the first step of every task.

The same function runs on a whole pandas frame, a chunk of it, or a Dask partition on a worker.
A row is usable when the contract's checks pass (:mod:`.book`), it rates with the current tables
(re-rating) or its factor inputs are valid (parallelogram), every study factor finds its level and
the exposure base has a value. Every unusable row has at least one issue row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from sme_insure.rating.frame import Prepared, prepare
from sme_insure.studies.book import check_rows, empty_issues, typed
from sme_insure.studies.factors import StudyFactor
from sme_insure.studies.rerating import RatingContext, annual_premium
from sme_insure.studies.vocabulary import OnLevelMethod


@dataclass(frozen=True)
class RowSpec:
    """How to read a partition: rating context, factors, exposure base and on-level method."""

    rating: RatingContext
    factors: tuple[StudyFactor, ...]
    exposure_input: str | None = None
    exposure_per: float = 1.0
    method: OnLevelMethod = OnLevelMethod.RERATE

    @property
    def needed_inputs(self) -> tuple[str, ...]:
        """Inputs a row must carry in parallelogram mode (all inputs when re-rating)."""
        names = [f.input for f in self.factors]
        if self.exposure_input is not None:
            names.append(self.exposure_input)
        return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class PreparedRows:
    """Typed rows (positional index), which are usable, their current annual premium (fen, −1
    when not re-rated), factor level codes, exposure-base value, and the issues found."""

    rows: pd.DataFrame
    good: npt.NDArray[np.bool_]
    premium: npt.NDArray[np.int64]
    codes: dict[str, npt.NDArray[np.int64]]
    base: npt.NDArray[np.float64]
    issues: pd.DataFrame


def _rating_issues(frame: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Rater issue rows (positions) as (policy_id, field, value, reason)."""
    if frame.empty:
        return empty_issues()
    pos = frame["row"].to_numpy(dtype=np.int64)
    return pd.DataFrame(
        {
            "policy_id": rows["policy_id"].to_numpy()[pos],
            "field": frame["field"].astype(str).to_numpy(),
            "value": frame["value"].astype("string").to_numpy(),
            "reason": frame["reason"].astype(str).to_numpy(),
        }
    )


def _rate(
    rows: pd.DataFrame, spec: RowSpec
) -> tuple[Prepared, np.ndarray, np.ndarray, pd.DataFrame]:
    """Prepared inputs, annual premium, rated mask and issues, by the on-level method."""
    if spec.method is OnLevelMethod.RERATE:
        result = spec.rating.rate(rows)
        premium = annual_premium(result, len(rows))
        return result.prepared, premium, premium >= 0, _rating_issues(result.issues, rows)
    product = spec.rating.catalogue.get(spec.rating.code, as_of=spec.rating.as_of)
    prepared = prepare(product, rows)
    log = prepared.log.frame()
    log = log.loc[log["field"].isin(spec.needed_inputs)]
    ok = np.ones(len(rows), dtype=bool)
    ok[log["row"].to_numpy(dtype=np.int64)] = False
    return prepared, np.full(len(rows), -1, dtype=np.int64), ok, _rating_issues(log, rows)


def _missing(rows: pd.DataFrame, mask: np.ndarray, field: str, reason: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "policy_id": rows["policy_id"].to_numpy()[mask],
            "field": field,
            "value": None,
            "reason": reason,
        }
    )


def prepare_rows(part: pd.DataFrame, spec: RowSpec) -> PreparedRows:
    """Type, check and rate one partition; nothing is dropped here, ``good`` says what is used."""
    rows = typed(part.reset_index(drop=True))
    check = check_rows(rows, spec.rating.code)
    prepared, premium, rated, rate_issues = _rate(rows, spec)
    found, good = [check.issues, rate_issues], check.good & rated
    codes = {}
    for factor in spec.factors:
        codes[factor.input] = code = factor.codes(prepared)
        lost = (code < 0) & good
        found.append(_missing(rows, lost, factor.input, f"no level of factor {factor.input}"))
        good &= code >= 0
    base = np.ones(len(rows))
    if spec.exposure_input is not None:
        base = (
            np.asarray(prepared.columns[spec.exposure_input], dtype=np.float64) / spec.exposure_per
        )
        lost = ~np.isfinite(base) & good
        found.append(_missing(rows, lost, spec.exposure_input, "exposure base has no value"))
        good &= np.isfinite(base)
    issues = pd.concat([f for f in found if not f.empty] or [empty_issues()], ignore_index=True)
    return PreparedRows(rows, good, premium, codes, base, issues.astype(object))
