"""Per-origin rows and per-segment totals of a fitted group, as DataFrames.

Column order of the origin rows: segment keys, ``origin``, amounts and estimates, bootstrap
percentiles (when configured), then the assumptions in words (line, basis, method, pattern, source
of the loss ratio, notes). Origins before a segment started (no premium, no claims, nothing
projected) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import chainladder as cl
import numpy as np
import pandas as pd

from sme_insure.reserving.bootstrap import (
    BootstrapError,
    BootstrapPercentiles,
    bootstrap_ibnr,
    percentile_label,
)
from sme_insure.reserving.development import FittedDevelopment, development_table
from sme_insure.reserving.plan import SegmentPlan
from sme_insure.reserving.span import cut
from sme_insure.reserving.totals import segment_totals
from sme_insure.reserving.triangles import TriangleSet
from sme_insure.reserving.vocabulary import PatternSource

ORDER = (
    "origin",
    "earned_premium_fen",
    "earned_exposure",
    "reported_count",
    "latest_fen",
    "cdf",
    "ultimate_fen",
    "ibnr_fen",
    "std_err_fen",
    "elr",
    "fallback",
)


@dataclass(frozen=True)
class GroupFit:
    """Per-origin rows, per-segment totals and development table of one group of segments."""

    origins: pd.DataFrame
    totals: pd.DataFrame
    development: pd.DataFrame


def _bootstrap(
    losses: cl.Triangle, plan: SegmentPlan, k: int, dev: FittedDevelopment
) -> tuple[BootstrapPercentiles | None, str]:
    """Bootstrap percentiles for the ``k``-th segment of the group, and a note when skipped."""
    cfg = plan.cfg.bootstrap
    if cfg is None:
        return None, ""
    if plan.source is not PatternSource.OWN or dev.unestimable[k].any():
        return None, "bootstrap skipped: needs the segment's own, fully estimable pattern"
    try:
        result = bootstrap_ibnr(losses.iloc[[k]], cfg)
    except (BootstrapError, np.linalg.LinAlgError) as error:
        return None, f"bootstrap skipped: {error}"
    if cfg.hat_adj and not result.hat_adjusted:
        return result, "bootstrap: hat matrix singular, residuals not hat-adjusted"
    return result, ""


def _with_percentiles(
    frame: pd.DataFrame, boot: BootstrapPercentiles | None, start: int
) -> dict[str, float]:
    """Add percentile columns (NaN for origins older than the pattern); return the totals."""
    if boot is None:
        return {}
    for i, level in enumerate(boot.levels):
        frame[percentile_label(level)] = np.concatenate([np.full(start, np.nan), boot.by_origin[i]])
    return {percentile_label(q): float(boot.total[i]) for i, q in enumerate(boot.levels)}


def _describe(
    frame: pd.DataFrame, triangles: TriangleSet, plan: SegmentPlan, words: dict[str, str]
) -> pd.DataFrame:
    """Segment keys first, then the assumptions in words as columns."""
    keys = triangles.segments.iloc[plan.position]
    for i, name in enumerate(triangles.by):
        frame.insert(i, name, keys[name])
    frame["segment_line"] = str(plan.line) if plan.line is not None else "mixed"
    frame["basis"] = plan.cfg.basis.value
    frame["method"] = plan.method.value
    for name, text in words.items():
        frame[name] = text
    frame["_position"] = plan.position
    return frame


def _drop_inactive(frame: pd.DataFrame) -> pd.DataFrame:
    """Leave out origins before a segment started: no premium, no claims, nothing projected."""
    keep = (
        (frame["earned_premium_fen"] != 0)
        | (frame["latest_fen"] != 0)
        | (frame["reported_count"] != 0)
        | (frame["ultimate_fen"] != 0)
    )
    return frame.loc[keep]


def group_frames(
    triangles: TriangleSet,
    plans: list[SegmentPlan],
    losses: cl.Triangle,
    columns: dict[str, np.ndarray],
    total_se: np.ndarray,
    elr_source: str,
    dev: FittedDevelopment,
    start: int,
) -> GroupFit:
    """Rows, totals and development table of a fitted group (arrays are (segments, origins))."""
    labels = [str(p) for p in losses.origin]
    fitted_losses = cut(losses, start)
    rows, totals = [], []
    for k, plan in enumerate(plans):
        frame = pd.DataFrame({name: columns[name][k] for name in ORDER if name != "origin"})
        frame.insert(0, "origin", labels)
        frame["_origin_index"] = np.arange(len(labels))
        boot, boot_note = _bootstrap(fitted_losses, plan, k, dev)
        total_pct = _with_percentiles(frame, boot, start)
        notes = "; ".join([*plan.notes, boot_note] if boot_note else plan.notes)
        words = {"pattern": dev.statement, "elr_source": elr_source, "notes": notes}
        frame = _describe(frame, triangles, plan, words)
        rows.append(_drop_inactive(frame))
        totals.append(segment_totals(frame, triangles.by, total_se[k], total_pct))
    development = development_table(dev, [p.label for p in plans])
    return GroupFit(
        pd.concat(rows, ignore_index=True), pd.concat(totals, ignore_index=True), development
    )
