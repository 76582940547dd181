"""Which configuration, pattern and method each segment gets, decided before anything is fitted.

A segment takes its line's configuration (the default one when the segment mixes lines). It uses
its own development pattern when it has at least ``min_origins`` active origin periods (with
earned premium or losses); otherwise it borrows its line's benchmark pattern, if the configuration
names one. Mack needs its own pattern (a benchmark has no variance), so a Mack segment on a
benchmark pattern is projected by plain chain ladder and says so.

Segments with the same configuration, pattern source, method and first origin with losses are
fitted together in one multi-index Triangle. The last condition matters: a segment whose losses
start later than the triangle's first origin (a newer line, or premium recorded before claims)
has no data at the oldest ages, chainladder's factors there are NaN and Mack's errors become NaN
throughout; its group is fitted on the triangle cut to start at that origin (:mod:`.span`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sme_insure.reserving.config import LineConfig, ReservingConfig
from sme_insure.reserving.patterns import BenchmarkPattern
from sme_insure.reserving.span import first_loss_origin
from sme_insure.reserving.triangles import TriangleSet
from sme_insure.reserving.vocabulary import Line, MethodName, PatternSource


@dataclass(frozen=True)
class SegmentPlan:
    """The decisions for one segment (``position`` in the triangle index)."""

    position: int
    label: str
    line: Line | None
    cfg: LineConfig
    source: PatternSource
    benchmark: BenchmarkPattern | None
    method: MethodName
    n_origins: int
    first_loss_origin: int
    notes: tuple[str, ...]

    @property
    def group_key(self) -> tuple[object, ...]:
        """Segments with equal keys are fitted together."""
        return (self.cfg, self.source, self.benchmark, self.method, self.first_loss_origin)


def active_origins(triangles: TriangleSet) -> np.ndarray:
    """Origins per segment with earned premium or any loss or claim count (not all zero)."""
    values = np.nan_to_num(triangles.triangle.values)  # (segments, measures, origins, ages)
    active = np.abs(values).sum(axis=(1, 3)) > 0
    return active.sum(axis=1)


def segment_labels(segments: pd.DataFrame, by: tuple[str, ...]) -> list[str]:
    """``"public_liability / small"``: the segment key as text."""
    return [" / ".join(str(v) for v in row) for row in segments[list(by)].itertuples(index=False)]


def _plan_one(
    position: int,
    label: str,
    line: Line | None,
    n: int,
    triangles: TriangleSet,
    config: ReservingConfig,
) -> SegmentPlan:
    cfg = config.for_line(line)
    first = first_loss_origin(triangles.losses(cfg.basis).values[position, 0])
    lob = config.benchmark_for(line)
    notes: list[str] = []
    if line is None:
        notes.append("segment mixes lines: default configuration used")
    source, benchmark = PatternSource.OWN, None
    if n < cfg.min_origins:
        if lob is not None:
            source, benchmark = PatternSource.BENCHMARK, BenchmarkPattern(lob, cfg.basis, cfg.tail)
            notes.append(f"{n} origins < {cfg.min_origins}: benchmark pattern used")
        else:
            notes.append(f"{n} origins < {cfg.min_origins} and no benchmark: own pattern used")
    method = cfg.method
    if method is MethodName.MACK and source is PatternSource.BENCHMARK:
        method = MethodName.CHAINLADDER
        notes.append("Mack needs an own pattern: chain ladder on the benchmark, no std. error")
    return SegmentPlan(
        position, label, line, cfg, source, benchmark, method, n, first, tuple(notes)
    )


def plan_segments(triangles: TriangleSet, config: ReservingConfig) -> list[SegmentPlan]:
    """One plan per segment, in triangle index order."""
    labels = segment_labels(triangles.segments, triangles.by)
    counts = active_origins(triangles)
    lines = triangles.segments["segment_line"].tolist()
    return [
        _plan_one(i, labels[i], lines[i], int(counts[i]), triangles, config)
        for i in range(len(labels))
    ]


def group_plans(plans: list[SegmentPlan]) -> list[list[SegmentPlan]]:
    """Plans grouped by :attr:`SegmentPlan.group_key`, in order of first appearance."""
    groups: dict[tuple[object, ...], list[SegmentPlan]] = {}
    for plan in plans:
        groups.setdefault(plan.group_key, []).append(plan)
    return list(groups.values())
