"""Totals per segment and over all segments.

Amounts add. Standard errors do not: a segment's total Mack error is chainladder's
``total_mack_std_err_`` (it includes the covariance between origins through shared factors); the
grand total combines segments as independent, √Σ se², which is stated in the output. Bootstrap
percentiles of a segment total come from the simulated totals; percentiles do not add, so the
grand total has none.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

AMOUNTS = (
    "earned_premium_fen",
    "earned_exposure",
    "reported_count",
    "latest_fen",
    "ultimate_fen",
    "ibnr_fen",
)
TOTAL_LABEL = "total"
INDEPENDENCE = "grand total std. error assumes segments independent: √Σ se²"


def segment_totals(
    frame: pd.DataFrame, by: tuple[str, ...], total_se: float, percentiles: dict[str, float]
) -> pd.DataFrame:
    """One row: the segment's keys, summed amounts, total std. error and IBNR percentiles."""
    first = frame.iloc[0] if len(frame) else None
    row: dict[str, object] = {name: (first[name] if first is not None else None) for name in by}
    row.update({name: float(frame[name].sum()) for name in AMOUNTS})
    row["std_err_fen"] = float(total_se)
    row.update(percentiles)
    for name in ("segment_line", "basis", "method", "pattern", "elr_source", "notes"):
        row[name] = first[name] if first is not None else ""
    row["_position"] = int(frame["_position"].iloc[0]) if len(frame) else -1
    return pd.DataFrame([row])


def grand_total(totals: pd.DataFrame, by: tuple[str, ...]) -> pd.DataFrame:
    """Sum over segments; std. error √Σ se² when every segment has one, else NaN."""
    row: dict[str, object] = dict.fromkeys(by, TOTAL_LABEL)
    row.update({name: float(totals[name].sum()) for name in AMOUNTS})
    se = totals["std_err_fen"].to_numpy(dtype=float)
    row["std_err_fen"] = float(np.sqrt(np.sum(se**2))) if np.isfinite(se).all() else np.nan
    row["notes"] = INDEPENDENCE if np.isfinite(se).all() else ""
    return pd.DataFrame([row])
