"""Proposed rating tables: new draft versions with the blended relativities and the off-balance.

A studied factor's table gets the values that give its blended relativities R (to the base level)
in premium terms, x_j = (R_j·P(v_b) − a) / b (:mod:`.premium_lines`): a table that rates only part
of the premium moves by more than R so that the whole premium moves by R. Changing relativities
moves the average premium; the base rates absorb it (Werner & Modlin's off-balance):

    proposed base = current base × (1 + selected change) / (1 + change in average relativity)

The change in average relativity is measured exactly by re-rating the in-force book at the drafts
(a premium-weighted average over the real mix, minimums included). Every base-rate table of the
product (or the configured ones) is scaled by one factor k, found by re-rating until
Σ premium(k) = (1 + selected change) × Σ current premium: k ← k × target / Σ premium(k), which
converges in a few steps since premium is piecewise linear in k (minimum premiums).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sme_insure.catalogue.product import Product
from sme_insure.catalogue.steps import BaseRateStep
from sme_insure.errors import ConfigurationError, Issue
from sme_insure.studies.config import ProposalConfig
from sme_insure.studies.factors import StudyFactor
from sme_insure.studies.premium_lines import Lines
from sme_insure.tables import MatchKind, RatingTable, TableMeta, TableStatus, TableStore
from sme_insure.tables.keys import canonical

MAX_STEPS = 5
TOLERANCE = 2e-5  # table values are rounded: below this the rounding decides


@dataclass(frozen=True)
class OffBalance:
    """The base-rate factor and the premiums that fixed it (fen)."""

    factor: float
    current_fen: int
    target_fen: int
    achieved_fen: int
    relativity_change: float
    steps: int


def base_tables(product: Product, cfg: ProposalConfig) -> tuple[str, ...]:
    """Base-rate tables to scale: configured, else every base-rate step's table."""
    found = tuple(
        dict.fromkeys(
            s.table for c in product.coverages for s in c.steps if isinstance(s, BaseRateStep)
        )
    )
    if cfg.base_tables is None:
        return found
    unknown = [t for t in cfg.base_tables if t not in found]
    if unknown:
        raise ConfigurationError(
            [
                Issue(
                    "proposal.base_tables",
                    unknown,
                    f"not base-rate tables of {product.label}: {found}",
                )
            ]
        )
    return cfg.base_tables


def _row_levels(table: RatingTable) -> np.ndarray:
    """Position of each CSV row on the table's single axis."""
    axis = table.axes[0]
    if axis.key.match is MatchKind.BAND:
        lower = pd.to_numeric(table.frame[f"{axis.key.name}_from"]).to_numpy()
        return np.searchsorted(axis.lower, lower)
    texts = [canonical(v) for v in table.frame[axis.key.name]]
    return axis.levels.get_indexer(texts)  # type: ignore[union-attr]


def _meta(current: RatingTable, cfg: ProposalConfig, what: str, study: str) -> TableMeta:
    return TableMeta(
        table=current.meta.table,
        version=cfg.version,
        status=TableStatus.DRAFT,
        effective_from=cfg.effective_from,
        description=f"Proposed by rate study {study}: {what}",
        source=f"rate study {study} (sme_insure.studies); figures not filed",
        keys=list(current.meta.keys),
        value=current.meta.value,
        unit=current.meta.unit,
    )


def _table(
    current: RatingTable, values: np.ndarray, cfg: ProposalConfig, what: str, study: str
) -> RatingTable:
    frame = current.frame.copy()
    frame[current.meta.value] = [f"{v:.{cfg.decimals}f}" for v in values]
    return RatingTable.from_frame(_meta(current, cfg, what, study), frame)


def relativity_drafts(
    factors: tuple[StudyFactor, ...], blended: pd.DataFrame, lines: Lines
) -> tuple[dict[str, np.ndarray], list[str]]:
    """New values per CSV row of each studied factor's table, giving the blended premium
    relativities (:mod:`.premium_lines`); and a note per floored level."""
    out: dict[str, np.ndarray] = {}
    notes: list[str] = []
    for f in factors:
        line = lines.get(f.input)
        if f.table is None or line is None:
            continue
        rows = blended.loc[blended["factor"] == f.input]
        base = int(np.flatnonzero(rows["base"].to_numpy())[0])
        values, floored = line.values_for(rows["blended"].to_numpy(dtype=np.float64), base)
        notes += [
            f"{f.input}={f.levels[i]}: wanted relativity below what the rest of the "
            f"premium allows; table value floored"
            for i in np.flatnonzero(floored)
        ]
        out[f.table.meta.table] = values[_row_levels(f.table)]
    return out, notes


def current_row_values(table: RatingTable) -> np.ndarray:
    """The values column of a table, as numbers."""
    return pd.to_numeric(table.frame[table.meta.value]).to_numpy(dtype=np.float64)


def build_drafts(
    store_tables: dict[str, RatingTable],
    relativities: dict[str, np.ndarray],
    bases: tuple[str, ...],
    k: float,
    cfg: ProposalConfig,
    study: str,
) -> tuple[RatingTable, ...]:
    """Draft versions: relativity tables, and base-rate tables × k."""
    drafts = []
    for table_id in dict.fromkeys([*relativities, *bases]):
        current = store_tables[table_id]
        values = relativities.get(table_id, current_row_values(current))
        what = (
            "indicated relativities blended by credibility"
            if table_id in relativities
            else "base rates"
        )
        if table_id in bases:
            values, what = values * k, f"{what}, off-balanced (× {k:.6f})"
        drafts.append(_table(current, values, cfg, what, study))
    return tuple(drafts)


def solve_off_balance(
    premium_at: Callable[[float], int], current_fen: int, change: float
) -> OffBalance:
    """k with Σ premium(k) = (1 + change) × Σ current premium (see the module docstring)."""
    target = round(current_fen * (1 + change))
    k, achieved = 1.0, premium_at(1.0)
    relativity_change = achieved / current_fen - 1
    steps = 0
    while steps < MAX_STEPS and abs(achieved / target - 1) > TOLERANCE:
        k *= target / achieved
        achieved = premium_at(k)
        steps += 1
    return OffBalance(k, current_fen, target, achieved, relativity_change, steps)


def check_new_versions(store: TableStore, drafts: tuple[RatingTable, ...]) -> None:
    """A proposed version label must be new for every table."""
    taken = [
        t.label
        for t in drafts
        if t.meta.version in {v.meta.version for v in store.versions(t.meta.table)}
    ]
    if taken:
        raise ConfigurationError([Issue("proposal.version", taken, "version already exists")])
