"""Rating factors of a study: which input, which table, which levels, which current relativities.

A study factor is an input of the product. Its levels are those of the one-key table that rates
it (exact levels, or the bands of a band table, labelled ``[from, to)``); an input that no table
rates (a candidate factor) takes its declared levels and has no current relativity. The current
relativity of level j is v_j / v_base, with v the table's current values (factors, or base rates
for a base-rate table).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from sme_insure.catalogue.product import Product
from sme_insure.catalogue.regions import province_codes
from sme_insure.catalogue.steps import step_lookups
from sme_insure.catalogue.vocabulary import InputType
from sme_insure.errors import ConfigurationError, Issue
from sme_insure.rating.frame import Prepared
from sme_insure.studies.config import FactorConfig
from sme_insure.tables import MatchKind, RatingTable, TableStore
from sme_insure.tables.coded import Coded
from sme_insure.tables.keys import canonical

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class StudyFactor:
    """One studied factor: levels, how rows map to them, and the current table (if rated)."""

    input: str
    levels: tuple[str, ...]
    table: RatingTable | None = None
    key: str | None = None
    lower: npt.NDArray[np.float64] | None = None
    upper: npt.NDArray[np.float64] | None = None
    base_level: str | None = None

    @property
    def rated(self) -> bool:
        """Whether a rating table holds current relativities of this factor."""
        return self.table is not None

    @property
    def banded(self) -> bool:
        """Whether levels are numeric bands."""
        return self.lower is not None

    def current_values(self) -> npt.NDArray[np.float64]:
        """The table's value at each level (NaN for a factor no table rates)."""
        if self.table is None:
            return np.full(len(self.levels), np.nan)
        return np.asarray(self.table.grid, dtype=np.float64).reshape(-1).copy()

    def codes(self, prepared: Prepared) -> IntArray:
        """Level code of each prepared row; −1 where the row matches no level."""
        column = prepared.columns[self.input]
        if self.banded:
            return _band_codes(np.asarray(column, dtype=np.float64), self.lower, self.upper)
        assert isinstance(column, Coded)
        position = {t: i for i, t in enumerate(self.levels)}
        mapper = np.array([position.get(t, -1) for t in column.levels] + [-1], dtype=np.int64)
        return mapper[column.codes]


def _band_codes(
    x: npt.NDArray[np.float64], lower: np.ndarray | None, upper: np.ndarray | None
) -> IntArray:
    """Band of each value: lower_j ≤ x < upper_j (bands are contiguous)."""
    assert lower is not None and upper is not None
    pos = np.searchsorted(lower, x, side="right") - 1
    ok = (x >= lower[0]) & (x < upper[-1])
    return np.where(ok, pos, -1).astype(np.int64)


def _band_labels(table: RatingTable, key: str) -> tuple[str, ...]:
    """``[from, to)`` labels as written in the table, ``[from, ∞)`` for an open top band."""
    lo, hi = table.frame[f"{key}_from"], table.frame[f"{key}_to"]
    order = np.argsort(pd.to_numeric(lo).to_numpy())
    return tuple(f"[{lo.iloc[i]}, {hi.iloc[i] if str(hi.iloc[i]).strip() else '∞'})" for i in order)


def _candidates(product: Product, name: str) -> tuple[list[str], list[str]]:
    """Tables keyed on ``name`` alone, and tables that use it with other keys."""
    alone, shared = [], []
    for cov in product.coverages:
        for step in cov.steps:
            for lookup in step_lookups(step):
                if lookup.inputs == [name]:
                    alone.append(lookup.table)
                elif name in lookup.inputs:
                    shared.append(lookup.table)
    return list(dict.fromkeys(alone)), list(dict.fromkeys(shared))


def _declared_levels(product: Product, name: str) -> tuple[str, ...] | None:
    spec = product.input(name)
    if spec.type is InputType.CATEGORY:
        return tuple(canonical(v) for v in spec.levels or [])
    if spec.type is InputType.REGION:
        return tuple(province_codes())
    if spec.type is InputType.BOOLEAN:
        return ("true", "false")
    return None


def _from_table(name: str, table: RatingTable, base: str | None) -> StudyFactor:
    axis = table.axes[0]
    key = axis.key.name
    if len(table.axes) != 1 or axis.key.match is MatchKind.INTERPOLATE:
        raise ConfigurationError(
            [
                Issue(
                    "factors.table",
                    table.label,
                    "a study factor needs a one-key exact or band table",
                )
            ]
        )
    if axis.key.match is MatchKind.BAND:
        return StudyFactor(name, _band_labels(table, key), table, key, axis.lower, axis.upper, base)
    return StudyFactor(name, tuple(table.levels(key)), table, key, base_level=base)


def _issue(cfg: FactorConfig, reason: str, value: object = None) -> ConfigurationError:
    return ConfigurationError([Issue("factors.input", value or cfg.input, reason)])


def resolve_factor(
    product: Product, store: TableStore, cfg: FactorConfig, as_of: dt.date
) -> StudyFactor:
    """The study factor of one configured input, with its table version in force on ``as_of``."""
    names = [i.name for i in product.inputs]
    if cfg.input not in names:
        raise _issue(cfg, f"not an input of product {product.label}; inputs: {names}")
    alone, shared = _candidates(product, cfg.input)
    if cfg.table is not None and cfg.table not in alone:
        raise ConfigurationError(
            [
                Issue(
                    "factors.table",
                    cfg.table,
                    f"does not rate {cfg.input!r} alone; tables: {alone}",
                )
            ]
        )
    if cfg.table is None and len(alone) > 1:
        raise _issue(cfg, f"rated by several tables {alone}: name one with `table`")
    table_id = cfg.table or (alone[0] if alone else None)
    if table_id is not None:
        factor = _from_table(cfg.input, store.in_force(table_id, as_of), cfg.base_level)
    else:
        levels = _declared_levels(product, cfg.input)
        if levels is None:
            why = f"used only with other keys in {shared}" if shared else "a numeric input"
            raise _issue(cfg, f"cannot be studied: {why} without a one-key band table")
        factor = StudyFactor(cfg.input, levels, base_level=cfg.base_level)
    if cfg.base_level is not None and cfg.base_level not in factor.levels:
        raise ConfigurationError(
            [
                Issue(
                    "factors.base_level",
                    cfg.base_level,
                    f"not a level of {cfg.input}: {list(factor.levels)}",
                )
            ]
        )
    return factor


def resolve_factors(
    product: Product, store: TableStore, configs: Sequence[FactorConfig], as_of: dt.date
) -> tuple[StudyFactor, ...]:
    """Every configured factor; all problems are raised together."""
    issues: list[Issue] = []
    out: list[StudyFactor] = []
    for cfg in configs:
        try:
            out.append(resolve_factor(product, store, cfg, as_of))
        except ConfigurationError as error:
            issues += error.issues
    if issues:
        raise ConfigurationError(issues)
    return tuple(out)


def check_exposure_input(product: Product, name: str | None) -> None:
    """The exposure base must be a numeric input or derived number of the product."""
    if name is not None and name not in product.numeric_names():
        raise ConfigurationError(
            [
                Issue(
                    "exposure.input",
                    name,
                    f"not a numeric input of {product.label}; numeric: "
                    f"{sorted(product.numeric_names())}",
                )
            ]
        )


def base_index(factor: StudyFactor, exposure: npt.NDArray[np.float64]) -> int:
    """The configured base level, else the level with the largest exposure."""
    if factor.base_level is not None:
        return factor.levels.index(factor.base_level)
    return int(np.argmax(exposure))


def current_relativities(factor: StudyFactor, base: int) -> npt.NDArray[np.float64]:
    """v_j / v_base; all NaN for a factor that no table rates."""
    values = factor.current_values()
    return values / values[base]
